"""What a reason says, in Korean or English: its catalog text (``reason.<key>``, domain ``experts``) with each
value named as people know it — a KSIC code with its industry's name, a region, size, skill or language by its
name, a day as ``YYYY-MM-DD``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Final

from sangsaeng.hub.members.ksic import name_of
from sangsaeng.hub.members.regions import REGIONS, SIZES
from sangsaeng.i18n.catalogs import LANGUAGES
from sangsaeng.i18n.refusals import words
from sangsaeng.support.experts import vocabulary
from sangsaeng.support.experts.matching import Reason

DOMAIN: Final = "experts"


def sector(code: str, language: str) -> str:
    return f"{code} {getattr(name_of(code), language)}"


def _named(table: Mapping[str, Any]) -> Callable[[str, str], str]:
    def say(code: str, language: str) -> str:
        found = table.get(code)
        return code if found is None else str(getattr(found, language))

    return say


def _day(value: date, language: str) -> str:
    return value.isoformat()


# How each value a reason names is said, by the value's name.
ONE: Final[dict[str, Callable[[Any, str], str]]] = {
    "expert_sector": sector,
    "company_sector": sector,
    "program_sector": sector,
    "region": _named(REGIONS),
    "size": _named(SIZES),
    "language": _named(vocabulary.LANGUAGES),
    "date": _day,
}
MANY: Final[dict[str, Callable[[Any, str], str]]] = {
    "sectors": sector,
    "company_sectors": sector,
    "regions": _named(REGIONS),
    "sizes": _named(SIZES),
    "skills": _named(vocabulary.SKILLS),
}


def shown(values: Mapping[str, Any], language: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in values.items():
        if name in MANY:
            found[name] = ", ".join(MANY[name](v, language) for v in value)
        elif name in ONE:
            found[name] = ONE[name](value, language)
        else:
            found[name] = value
    return found


def text(reason: Reason, language: str) -> str:
    return words(DOMAIN, f"reason.{reason.key}", language, **shown(reason.values, language))


def both(reason: Reason) -> dict[str, str]:
    return {language: text(reason, language) for language in LANGUAGES}
