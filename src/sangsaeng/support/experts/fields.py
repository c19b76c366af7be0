"""Readers of one field each, for the directory's and the cases' documents: each returns the value as kept or
refuses with where (a JSON path), what and how to fix it, in Korean and English (catalog domain ``experts``).
Fields a document does not know are refused, not ignored."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection
from datetime import date
from typing import Any, Final, TypeVar

from sangsaeng.hub.members.facts import PHONE, email_of
from sangsaeng.hub.members.ksic import Named
from sangsaeng.i18n.catalogs import LANGUAGES as TEXT_LANGUAGES
from sangsaeng.i18n.refusals import refusal
from sangsaeng.support.experts import vocabulary
from sangsaeng.support.experts.model import LEVELS, Contact

DOMAIN: Final = "experts"
MAX_NAME: Final = 200
MAX_TEXT: Final = 4000
MAX_LIST: Final = 20
MAX_KRW: Final = 10**13  # ten trillion won: more than any program's budget
LINK: Final = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$")
DAY: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
T = TypeVar("T")


def at_key(at: str, key: str) -> str:
    return key if at == "$" else f"{at}.{key}"


def document(value: Any, at: str, known: Collection[str], required: Collection[str] = ()) -> dict[str, Any]:
    """An object with only ``known`` fields and every ``required`` one."""
    if not isinstance(value, dict):
        raise refusal(DOMAIN, "field.object", at=at)
    unknown = sorted(str(k) for k in value if k not in known)
    if unknown:
        raise refusal(DOMAIN, "field.unknown", at=at_key(at, unknown[0]), given=unknown[0], known=", ".join(known))
    missing = [k for k in required if value.get(k) is None]
    if missing:
        raise refusal(DOMAIN, "field.missing", at=at_key(at, missing[0]), field=missing[0])
    return value


def text(value: Any, at: str, limit: int = MAX_NAME) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise refusal(DOMAIN, "field.text", at=at, limit=limit)
    return value.strip()


def optional_text(value: Any, at: str, limit: int = MAX_NAME) -> str | None:
    return None if value is None else text(value, at, limit)


def texts(value: Any, at: str, limit: int = MAX_TEXT, languages: Collection[str] | None = None) -> dict[str, str]:
    """A text in Korean, English or both: ``{"ko": …, "en": …}``; with ``languages``, in exactly those."""
    if not isinstance(value, dict) or not value:
        raise refusal(DOMAIN, "texts.object", at=at, languages=", ".join(TEXT_LANGUAGES))
    for key in value:
        if key not in TEXT_LANGUAGES:
            raise refusal(DOMAIN, "texts.language", at=at_key(at, str(key)), given=str(key)[:20])
    found = {key: text(value[key], at_key(at, key), limit) for key in TEXT_LANGUAGES if key in value}
    if languages is not None and set(found) != set(languages):
        expected, given = ", ".join(sorted(languages)), ", ".join(sorted(found))
        raise refusal(DOMAIN, "texts.languages", at=at, expected=expected, given=given)
    return found


def named(value: Any, at: str, limit: int = MAX_NAME) -> Named:
    """A name in both Korean and English (what the operator writes for everyone to read)."""
    found = texts(value, at, limit)
    if set(found) != set(TEXT_LANGUAGES):
        raise refusal(DOMAIN, "texts.both", at=at)
    return Named(found["ko"], found["en"])


def listed(
    value: Any, at: str, read: Callable[[Any, str], T], *, least: int = 1, most: int = MAX_LIST, unique: bool = True
) -> tuple[T, ...]:
    """A list of ``least`` to ``most`` values, each read by ``read`` (``unique``: duplicates kept once, first place)."""
    if value is None and least == 0:
        return ()
    if not isinstance(value, list) or not least <= len(value) <= most:
        raise refusal(DOMAIN, "field.list", at=at, least=least, most=most)
    found = [read(item, f"{at}[{i}]") for i, item in enumerate(value)]
    return tuple(dict.fromkeys(found)) if unique else tuple(found)


def _word(vocabulary_of: dict[str, Named], key: str) -> Callable[[Any, str], str]:
    def read(value: Any, at: str) -> str:
        if not isinstance(value, str) or value.strip().lower() not in vocabulary_of:
            raise refusal(DOMAIN, key, at=at, given=str(value)[:40], known=", ".join(vocabulary_of))
        return value.strip().lower()

    return read


skill = _word(vocabulary.SKILLS, "skill.unknown")
language = _word(vocabulary.LANGUAGES, "language.unknown")


def whole(value: Any, at: str, least: int, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise refusal(DOMAIN, "field.whole", at=at, least=least, most=most)
    return value


def level(value: Any, at: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in LEVELS:
        raise refusal(DOMAIN, "level.range", at=at, given=str(value)[:20], least=LEVELS[0], most=LEVELS[-1])
    return value


def levels_in_order(low: int, high: int, at: str) -> None:
    if low > high:
        raise refusal(DOMAIN, "level.order", at=at, low=low, high=high)


def number(value: Any, at: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise refusal(DOMAIN, "field.number", at=at, given=str(value)[:40])
    return float(value)


def day(value: Any, at: str) -> date:
    """A calendar day as ``YYYY-MM-DD`` (Korea's calendar: no time, no zone)."""
    try:
        if isinstance(value, str) and DAY.match(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise refusal(DOMAIN, "field.date", at=at, given=str(value)[:40])


def link(value: Any, at: str) -> str:
    if not isinstance(value, str) or len(value) > 500 or not LINK.match(value.strip()):
        raise refusal(DOMAIN, "link.shape", at=at, given=str(value)[:80])
    return value.strip()


def contact(value: Any, at: str) -> Contact:
    """How to reach someone: an e-mail address, and optionally a name and a telephone number."""
    entry = document(value, at, ("name", "email", "phone"), ("email",))
    email, phone = email_of(entry["email"]), entry.get("phone")
    if email is None:
        raise refusal(DOMAIN, "contact.email", at=f"{at}.email", given=str(entry["email"])[:80])
    if phone is not None and (not isinstance(phone, str) or not PHONE.match(phone.strip())):
        raise refusal(DOMAIN, "contact.phone", at=f"{at}.phone", given=str(phone)[:40])
    return Contact(optional_text(entry.get("name"), f"{at}.name"), email, phone.strip() if phone else None)
