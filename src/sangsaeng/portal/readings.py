"""What the upload flow offers a person to pick instead of typing: the readings of an example date cell, the
known units an unknown one may be, how sure the suggestion is of a field, the year a title names, and the sheet's
layout in a sentence. Pure: text in, choices out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sangsaeng.errors import SangsaengError
from sangsaeng.standard.units import SPELLINGS_BY_QUANTITY, nearest, recognize

_GROUPS = re.compile(r"^(\d{1,4})([^\d]+)(\d{1,2})([^\d]+)(\d{1,4})(\.?)$")
_TIME = re.compile(r"^(.*?\d)(\s+|T)(\d{1,2}:\d{2}(?::\d{2})?)$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*년|(?!\d))")
_DIGITS8 = re.compile(r"^\d{8}$")
# Spellings offered beside each quantity's own (SPELLINGS_BY_QUANTITY), where a factory file often has them.
_MORE_SPELLINGS = ["MWh", "GJ", "Gcal", "Mcal", "kcal", "toe", "L", "m3", "g", "t", "cm", "m", "kPa", "kN", "N"]
# The quantities' keys in the message catalog (review.quantity.<key>).
QUANTITY_KEYS = {
    "length": "length",
    "roughness (Ra, Rz …, in µm)": "roughness",
    "mass": "mass",
    "energy": "energy",
    "torque": "torque",
    "pressure": "pressure",
    "flow": "flow",
    "temperature": "temperature",
    "time": "time",
    "count": "count",
    "ratio": "ratio",
    "hardness (scales)": "hardness",
    "normal volume (scale)": "normal_volume",
}
_KOREAN_FORMS = [  # (pattern, needs a year): strptime reads these literally, Korean words included
    ("%Y년 %m월 %d일", False),
    ("%Y년 %m월", False),
    ("%m월 %d일", True),
    ("%m월분", True),
    ("%m월", True),
    ("%Y-%m", False),
    ("%Y.%m", False),
    ("%Y/%m", False),
    ("%Y%m", False),
]


@dataclass(frozen=True)
class Reading:
    """One way to read a date column: the ``format`` the mapping gets (a strptime pattern, or the example as
    the file writes it), and the example cell read that way."""

    format: str
    example: str
    moment: datetime | None  # the example read this way; None when only the reading layer can read it
    needs_year: bool  # the cells carry no year: the mapping needs ``year``
    pattern: str | None = None  # the strptime pattern it reads like (``format`` itself, or what an example means)


def _reads(pattern: str, text: str) -> datetime | None:
    try:
        return datetime.strptime(text, pattern)
    except ValueError:
        return None


def _orders(first: str, last: str, iso: bool) -> list[tuple[str, str, str]]:
    """The orders of three number groups a person may have meant, most likely first (Korean files write the
    year first; a year last is day-first in Europe and month-first in the US; 2026-03-02 is ISO, never
    day before month)."""
    if len(first) == 4:
        return [("%Y", "%m", "%d")] if iso else [("%Y", "%m", "%d"), ("%Y", "%d", "%m")]
    if len(last) == 4:
        return [("%d", "%m", "%Y"), ("%m", "%d", "%Y")]
    return [("%y", "%m", "%d"), ("%d", "%m", "%y"), ("%m", "%d", "%y")]


def _patterns(example: str) -> list[tuple[str, bool]]:
    """strptime patterns that may read ``example``, with whether each needs a year."""
    text, clock = example, ""
    timed = _TIME.match(example)
    if timed:
        text, clock = timed.group(1), timed.group(2) + ("%H:%M:%S" if timed.group(3).count(":") == 2 else "%H:%M")
    found: list[tuple[str, bool]] = []
    groups = _GROUPS.match(text)
    if groups:
        first, sep1, _, sep2, last, tail = groups.groups()
        for a, b, c in _orders(first, last, iso=sep1 == sep2 == "-"):
            found.append((f"{a}{sep1}{b}{sep2}{c}{tail}{clock}", False))
    elif _DIGITS8.match(text):
        found += [("%Y%m%d" + clock, False), ("%Y%d%m" + clock, False)]
    else:
        found += [(p + clock, needs) for p, needs in _KOREAN_FORMS]
    return found


def date_readings(samples: list[str], current: str | None = None, limit: int = 4) -> list[Reading]:
    """The readings of a date column's first example that read most of its sampled cells; ``current`` (the
    mapping's format) first when it is one of them, or added as it is when it is not a pattern we can try."""
    cells = [unicodedata.normalize("NFKC", s).strip() for s in samples if s and s.strip()]
    if not cells:
        return [Reading(current, "", None, False)] if current else []
    example = cells[0]
    found: list[Reading] = []
    for pattern, needs_year in _patterns(example):
        moment = _reads(pattern, example)
        tried = cells[:50]
        if moment is None or sum(_reads(pattern, c) is not None for c in tried) * 10 < len(tried) * 9:
            continue  # a reading of the example that most of the other cells refute
        if any(r.moment == moment for r in found):  # two patterns, one reading (a day ≤ 12 equal to its month)
            continue
        found.append(Reading(pattern, example, moment, needs_year, pattern))
    if current and "%" not in current:  # an example as the file writes it: read like the pattern it stands for
        same = next((r for r in found if _reads(r.format, current) is not None), None)
        if same is not None:
            found.remove(same)
        if same is None:
            found.insert(0, Reading(current, example, None, False))
        else:
            found.insert(0, Reading(current, example, same.moment, same.needs_year, same.pattern))
    elif current and not any(r.format == current for r in found):
        moment = _reads(current, example)
        found.insert(0, Reading(current, example, moment, not re.search("%[Yy]", current), current))
    elif current:
        found.sort(key=lambda r: r.format != current)
    return found[:limit]


def year_in(texts: list[str]) -> int | None:
    """The first year a title (or file name) names: ``2026년 3월 검사성적서`` → 2026."""
    for text in texts:
        found = _YEAR.search(unicodedata.normalize("NFKC", text))
        if found:
            return int(found.group(1))
    return None


def unit_choices(written: str, canonical: str | None = None) -> list[tuple[str, list[str]]]:
    """Known unit spellings an unknown one may be, grouped by quantity, the plausible group first: the one of
    the field's own unit (``canonical``) when the field has one, else the groups of the nearest spellings."""
    wanted = {canonical} if canonical is not None else {_canonical(s) for s in nearest(written, 5)}
    plausible = [
        q for q, spellings in SPELLINGS_BY_QUANTITY.items() if wanted & {_canonical(s) for s in spellings} - {None}
    ]
    ordered = plausible + [q for q in SPELLINGS_BY_QUANTITY if q not in plausible]
    if canonical is not None and plausible:
        ordered = plausible  # the field takes only this quantity: other quantities would be refused anyway
    groups = []
    for quantity in ordered:
        spellings = SPELLINGS_BY_QUANTITY[quantity]
        kinds = {_canonical(s) for s in spellings} - {None} if not quantity.startswith("roughness") else set()
        groups.append((quantity, _distinct(spellings + [s for s in _MORE_SPELLINGS if _canonical(s) in kinds])))
    return groups


def quantity_key(quantity: str) -> str:
    return QUANTITY_KEYS.get(quantity) or re.sub(r"[^a-z]+", "_", quantity.lower()).strip("_")


def _canonical(spelling: str) -> str | None:
    try:
        return recognize(spelling).canonical
    except SangsaengError:
        return None


def _distinct(spellings: list[str]) -> list[str]:
    """One spelling per meaning (㎜ and ｍｍ are mm), in the list's order."""
    seen: set[str] = set()
    kept = []
    for spelling in spellings:
        try:
            unit = recognize(spelling)
        except SangsaengError:
            continue
        key = f"{unit.canonical}|{unit.factor}|{unit.offset}"
        if key not in seen:
            seen.add(key)
            kept.append(spelling)
    return kept


def sureness(confidence: Any) -> str:
    """A suggestion's confidence in a field as a person reads it: sure, likely, or check (message keys)."""
    if isinstance(confidence, str):
        return confidence if confidence in ("sure", "likely", "check") else "check"
    if not isinstance(confidence, int | float):
        return "check"
    return "sure" if confidence >= 0.8 else "likely" if confidence >= 0.5 else "check"


@dataclass(frozen=True)
class Layout:
    """The sheet's layout as the mapping reads it, for the sentence at the top of the review page."""

    titles: int  # rows of text above the header
    header_row: int
    header_rows: int
    wide: int  # columns turned into rows (0: none)
    wide_kind: str  # months, carriers, characteristics, dates, other
    skip_totals: bool


def layout_of(document: dict[str, Any], titles: list[str], wide_kind: str | None) -> Layout:
    header = document.get("header") or {}
    unpivot = document.get("unpivot") or {}
    return Layout(
        titles=len([t for t in titles if t.strip()]),
        header_row=int(header.get("row", 1)),
        header_rows=int(header.get("rows", 1)),
        wide=len(unpivot.get("columns", [])),
        wide_kind=wide_kind or "other",
        skip_totals=bool(document.get("skip_totals", True)),
    )
