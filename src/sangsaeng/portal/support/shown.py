"""How the hub's answers read on the support pages (experts, programs, cases, benchmarks): a coded value by its
name in the reader's language (the hub sends ``{"code", "ko", "en"}``), a text in the reader's language or else in
the one it was written in (with that language named, for the page to mark), calendar days as the company writes
them. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import quote

from sangsaeng.portal.words import day_text


def segment(value: str) -> str:
    """An id as one path segment of an address (never a way to another page)."""
    return quote(value, safe="")


def thing(value: Any) -> Mapping[str, Any]:
    """An object of the hub's answer, or an empty one where the hub sent something else."""
    return value if isinstance(value, Mapping) else {}


def name_of(named: Any, language: str) -> str:
    """``{"code": "C30", "ko": "자동차 …", "en": "Motor vehicles …"}`` → its name in ``language``."""
    if isinstance(named, Mapping):
        for key in (language, "ko", "en", "code", "id"):
            if isinstance(named.get(key), str) and named[key]:
                return str(named[key])
    return str(named) if isinstance(named, str) else "—"


def coded_name(named: Any, language: str) -> str:
    """A KSIC code with its industry's name: ``C30 자동차 및 트레일러 제조업``."""
    code = named.get("code") if isinstance(named, Mapping) else None
    name = name_of(named, language)
    return f"{code} {name}" if isinstance(code, str) and code != name else name


def names_of(items: Any, language: str, coded: bool = False) -> list[str]:
    if not isinstance(items, list):
        return []
    return [coded_name(i, language) if coded else name_of(i, language) for i in items]


def text_in(texts: Any, language: str) -> tuple[str, str]:
    """A text the author wrote in one or both languages, in the reader's if it exists: (text, its language)."""
    if isinstance(texts, Mapping):
        for key in (language, "ko", "en"):
            if isinstance(texts.get(key), str) and texts[key]:
                return str(texts[key]), key
    return "—", language


def day(iso: Any, language: str) -> str | None:
    """A calendar day the hub sent (``YYYY-MM-DD``) as the company writes it; None when none was sent."""
    if not isinstance(iso, str) or not iso:
        return None
    try:
        return day_text(date.fromisoformat(iso[:10]), language)
    except ValueError:
        return iso
