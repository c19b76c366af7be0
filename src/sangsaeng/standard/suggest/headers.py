"""Reading a column's header: its name without the unit, the unit it writes, and how well it names a field.

``측정값(mm)``, ``전력량[kWh]`` and the two-row join ``측정값 (mm)`` all name 측정값 in millimetres; ``규격(하한)``
names 규격하한 (the bracket holds no unit, so it is part of the name) and also its pieces 규격 and 하한;
``품번(品番)`` matches through either spelling.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from sangsaeng.standard.entities import ENTITIES
from sangsaeng.standard.sheet_text import unit_of
from sangsaeng.standard.suggest.text import key
from sangsaeng.standard.suggest.vocabulary import Vocabulary
from sangsaeng.standard.suggest.words import SYNONYMS, UNIT_HEADERS, WEAK

_TRAILING_BRACKET = re.compile(r"\s*[(\[{<（【]\s*([^()\[\]{}<>（）【】]*?)\s*[)\]}>）】]\s*$")
# Counted units a header may write although they are numbers of nothing (per cent, parts per million).
_DIMENSIONLESS_UNITS = frozenset({"%", "ppm", "ppb", "‰", "percent", "퍼센트"})
# Not limits, though they contain 상한/하한: a tolerance is relative to the nominal.
_TOLERANCE = ("공차", "편차", "tolerance", "tol", "deviation")

# How well a header names a field, and why (the reason shown to the person).
EXACT, REMEMBERED, SYNONYM, PART, WEAK_SYNONYM = 1.0, 0.95, 0.9, 0.85, 0.6


@dataclass(frozen=True)
class Header:
    text: str  # the column's name in the source
    key: str  # the whole name, normalised, without its unit
    parts: tuple[str, ...]  # the name outside brackets and each bracketed qualifier, normalised
    unit: str | None  # the unit the header writes, as written ("mm", "kWh")

    @property
    def holds_units(self) -> bool:
        """A column of units (단위, Unit, UoM)."""
        return self.key in UNIT_HEADERS


def is_unit(text: str, vocabulary: Vocabulary) -> bool:
    """Whether a header's bracket holds a unit (mm, kWh, %) rather than a qualifier (하한, 品番, X1)."""
    if vocabulary.unit(text) is not None:
        return True
    unit = unit_of(text)
    if unit is None:
        return False
    # pint reads single letters and digits as units (B, 1); a header's bracket of those is a label.
    return unit.canonical != "dimensionless" or text.strip().casefold() in _DIMENSIONLESS_UNITS


def read_header(text: str, vocabulary: Vocabulary) -> Header:
    name = " ".join(unicodedata.normalize("NFKC", text).split())  # Excel's Alt+Enter line breaks → spaces
    unit: str | None = None
    qualifiers: list[str] = []
    while (found := _TRAILING_BRACKET.search(name)) and found.start() > 0:
        inner, name = found.group(1), name[: found.start()]
        if unit is None and not qualifiers and inner and is_unit(inner, vocabulary):
            unit = inner  # only the last bracket is a unit: 외경(Ø25)(mm)
        elif inner:
            qualifiers.insert(0, inner)
    parts = tuple(p for p in (key(name), *(key(q) for q in qualifiers)) if p)
    whole = "".join(parts) or key(text)
    return Header(text, whole, parts if len(parts) > 1 else (), unit)


@cache
def _keys(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(key(w) for w in words)


def header_score(field: str, header: Header, vocabulary: Vocabulary) -> tuple[float, str] | None:
    """(score, reason) of a header for a field: exact name > remembered > synonym > a piece of it > weak word >
    a known name contained in it; None when it does not name the field at all."""
    if header.holds_units or not header.key:
        return None
    if header.key in (key(field), field.casefold()):
        return EXACT, "exact"
    if vocabulary.field_of(header.text) == field:
        return REMEMBERED, "remembered"
    strong = _keys(SYNONYMS.get(field, ()))
    if header.key in strong:
        return SYNONYM, "synonym"
    if any(part in strong for part in header.parts):
        return PART, "synonym"
    weak = _keys(WEAK.get(field, ()))
    if header.key in weak or any(part in weak for part in header.parts):
        return WEAK_SYNONYM, "synonym"
    if field.endswith("spec_limit") and any(word in header.key for word in _TOLERANCE):
        return None
    contained = [w for w in strong if len(w) >= (2 if not w.isascii() else 3) and w in header.key]
    if contained:
        longest = max(len(w) for w in contained)
        return 0.55 + 0.25 * longest / len(header.key), "contained"
    return None


@cache
def _all_names() -> frozenset[str]:
    fields = {key(f) for model in ENTITIES.values() for f in model.model_fields}
    return frozenset(fields | {key(w) for words in SYNONYMS.values() for w in words})


def names_something(header: Header) -> bool:
    """Whether the header names any field of any entity (검사일자 names a field even in an energy file)."""
    return header.key in _all_names() or any(part in _all_names() for part in header.parts)
