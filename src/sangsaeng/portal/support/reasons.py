"""A match's reasons in the reader's words: the hub sends each reason as data (a key, the values it names, its
points) beside its own text; this software says it again from its own catalog (domain ``experts``, ``reason.<key>``)
with every value named as people know it — an industry, region, size, skill or language by its name, a day as the
company writes it — and falls back on the hub's text when it does not know the reason (a newer hub)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sangsaeng.i18n.refusals import has, words
from sangsaeng.portal.words import day_text
from sangsaeng.support.experts.said import DOMAIN, shown

DAYS = ("date",)  # the values that are calendar days (``YYYY-MM-DD`` on the wire)


def _days(values: Mapping[str, Any], language: str) -> dict[str, Any]:
    found = dict(values)
    for name in DAYS:
        value = found.get(name)
        if isinstance(value, str):
            try:
                found[name] = day_text(date.fromisoformat(value), language)
            except ValueError:
                pass
    return found


def reason_text(reason: Any, language: str) -> str:
    """One reason in ``language``; the hub's own text when this software cannot say it; never an error."""
    if not isinstance(reason, Mapping):
        return "—"
    given = reason.get("text")
    fallback = given.get(language) if isinstance(given, Mapping) else None
    key, values = reason.get("key"), reason.get("values")
    if isinstance(key, str) and isinstance(values, Mapping) and has(DOMAIN, f"reason.{key}"):
        named = {k: v for k, v in values.items() if k not in DAYS}
        try:
            said = shown(named, language) | {k: v for k, v in _days(values, language).items() if k in DAYS}
            return words(DOMAIN, f"reason.{key}", language, **said)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            pass  # values this software does not read as the catalog needs them: the hub's words
    if isinstance(fallback, str) and fallback:
        return fallback
    return str(key) if key else "—"


def reasons_text(reasons: Any, language: str) -> list[str]:
    return [reason_text(r, language) for r in reasons] if isinstance(reasons, list) else []
