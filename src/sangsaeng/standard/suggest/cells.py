"""What a column's cells look like — numbers (with separators and units inside), dates in which style, pass/fail
words, codes — read from a sample, to say whether a column fits a field and how to read it.

Dates are proposed as an example written the way the file writes it ("2026.03.02", "3월분"), from the style most
cells follow. Excel's date cells arrive as ISO text (``2026-03-02 00:00:00``) and the reader falls back to ISO
and to Excel serial numbers for any cell the format does not read, so a column mixing ISO with one Korean style
gets the Korean style; a column of ISO only gets its ISO pattern.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Literal

from sangsaeng.standard.sheet_text import unit_of
from sangsaeng.standard.suggest.text import clean, fold
from sangsaeng.standard.suggest.vocabulary import Vocabulary
from sangsaeng.standard.suggest.words import CODES, ESTIMATE_WORDS, NO_VALUE, PASS_FAIL
from sangsaeng.standard.truth import FIELD_WORDS

Granularity = Literal["moment", "day", "month", "time"]


def present(cells: list[str]) -> list[str]:
    """The cells that hold something: NFKC, trimmed, without blanks and "no value" markers (-, N/A, 측정불가 …)."""
    cleaned = {c: clean(str(c)) for c in set(cells) if c is not None}  # distinct values: a sample repeats many
    kept = {c: text for c, text in cleaned.items() if text and fold(text) not in NO_VALUE}
    return [kept[c] for c in cells if c in kept]


# --- numbers ---------------------------------------------------------------------------------------------------

_POINT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_COMMA = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
_UNIT_TAIL = re.compile(r"([+-]?(?:\d[\d.,]*)?\d)\s*([^\d\s.,+\-][^\d]*)")
_COMMA_DECIMAL = re.compile(r"[+-]?\d+,(?:\d{1,2}|\d{4,})|[+-]?\d{1,3}(?:\.\d{3})+,\d+")
_POINT_DECIMAL = re.compile(r"[+-]?\d*\.(?:\d{1,2}|\d{4,})|[+-]?\d{1,3}(?:,\d{3})+\.\d+")


@dataclass(frozen=True)
class Numbers:
    fit: float  # share of the cells that are numbers, with or without a unit written in them
    whole: bool  # every number a whole number
    units: dict[str, int]  # units written inside cells ("12.5mm"), as written, with how many cells write each


def _split_unit(cell: str, vocabulary: Vocabulary) -> tuple[str, str | None] | None:
    """(number text, unit) of "12.5mm", "1,200 kWh", "12%"; None when the tail is not a unit (3월, 12개월)."""
    found = _UNIT_TAIL.fullmatch(cell)
    if not found:
        return cell, None
    number, unit = found.group(1), found.group(2).strip()
    if vocabulary.unit(unit) is not None:
        return number, unit
    return (number, unit) if unit_of(unit) is not None else None


def numbers(cells: list[str], decimal: str, vocabulary: Vocabulary) -> Numbers:
    shape = _POINT if decimal == "." else _COMMA
    fitting, whole, units = 0, True, Counter[str]()
    for cell, count in Counter(cells).items():
        split = _split_unit(cell, vocabulary)
        if split is None or not shape.fullmatch(split[0]):
            continue
        fitting += count
        text = split[0].replace("," if decimal == "." else ".", "").replace(",", ".")
        whole = whole and float(text).is_integer()
        if split[1]:
            units[split[1]] += count
    return Numbers(fitting / len(cells) if cells else 1.0, whole and fitting > 0, dict(units))


def decimal_of(columns: list[list[str]]) -> Literal[".", ","]:
    """ "," when more numbers are written with a decimal comma (12,5 · 1.234,5) than a decimal point; 1,200 says
    nothing (a thousands separator or a decimal comma)."""
    comma = point = 0
    for cells in columns:
        for cell in set(cells):
            number = (found.group(1) if (found := _UNIT_TAIL.fullmatch(cell)) else cell).strip()
            comma += bool(_COMMA_DECIMAL.fullmatch(number))
            point += bool(_POINT_DECIMAL.fullmatch(number))
    return "," if comma > point else "."


# --- dates -----------------------------------------------------------------------------------------------------

_Y4, _Y2, _M, _D = r"(?P<y>\d{4})", r"(?P<y>\d{2})", r"(?P<m>\d{1,2})", r"(?P<d>\d{1,2})"
_T = r"(?:\s*(?P<ap>오전|오후|am|pm)?\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::\d{2}(?:\.\d+)?)?(?:\s*(?:am|pm))?)?"
_WEEKDAY = r"(?:\s*\(?[월화수목금토일](?:요일)?\)?)?"


@dataclass(frozen=True)
class _Style:
    name: str
    pattern: re.Pattern[str]
    granularity: Granularity


def _style(name: str, pattern: str, granularity: Granularity) -> _Style:
    return _Style(name, re.compile(pattern, re.IGNORECASE), granularity)


# Tried in this order: the first that reads a cell is its style.
_STYLES = (
    _style("dotted", rf"{_Y4}\.{_M}\.{_D}\.?{_T}", "day"),  # 2026.03.02
    _style("dotted-spaced", rf"{_Y4}\.\s+{_M}\.\s+{_D}\.?{_T}", "day"),  # 2026. 3. 2. (Excel's Korean display)
    _style("slashed", rf"{_Y4}/{_M}/{_D}{_T}", "day"),  # 2026/3/2
    _style("dashed", rf"{_Y4}-{_M}-{_D}{_T}", "day"),  # 2026-3-2 (ISO is tried before)
    _style("hangul", rf"{_Y4}년\s*{_M}월\s*{_D}일{_WEEKDAY}{_T}", "day"),  # 2026년 3월 2일 (월)
    _style("short-dashed", rf"{_Y2}-{_M}-{_D}{_T}", "day"),  # 26-3-2
    _style("short-dotted", rf"{_Y2}\.\s?{_M}\.\s?{_D}\.?{_T}", "day"),  # 26.03.02
    _style("short-slashed", rf"{_Y2}/{_M}/{_D}{_T}", "day"),  # 26/03/02
    _style("short-hangul", rf"{_Y2}년\s*{_M}월\s*{_D}일{_WEEKDAY}{_T}", "day"),  # 26년 3월 2일
    _style("compact", r"(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])", "day"),  # 20260302
    _style("hangul-month", rf"{_Y4}년\s*{_M}월분?", "month"),  # 2026년 3월
    _style("dotted-month", rf"{_Y4}\.\s?{_M}\.?", "month"),  # 2026.03
    _style("slashed-month", rf"{_Y4}/{_M}", "month"),  # 2026/03
    _style("short-hangul-month", rf"{_Y2}년\s*{_M}월분?", "month"),  # 26년 3월
    _style("month", rf"{_M}월분?", "month"),  # 3월분, 3월 (no year)
    _style("month-day", rf"{_M}월\s*{_D}일{_WEEKDAY}{_T}", "day"),  # 3월 2일 (no year)
    _style("slashed-month-day", rf"{_M}/{_D}{_T}", "day"),  # 3/2 (no year)
    _style("time", r"(?P<ap>오전|오후|am|pm)?\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::\d{2})?", "time"),  # 오후 3:00
    _style("hangul-time", r"(?P<ap>오전|오후)?\s*(?P<H>\d{1,2})시(?:\s*(?P<M>\d{1,2})분)?", "time"),  # 오전 9시
)
# ISO text, as Excel's date cells arrive: proposed as a strptime pattern (the reader's fast path).
_ISO = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d", "%Y-%m")
_ISO_SHAPES = {
    "%Y-%m-%d %H:%M:%S": re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?"),
    "%Y-%m-%d %H:%M": re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"),
    "%Y-%m-%dT%H:%M:%S": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?"),
    "%Y-%m-%dT%H:%M": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
    "%Y-%m-%d": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "%Y-%m": re.compile(r"\d{4}-\d{2}"),
}
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")  # Excel serial day numbers, 20000–80000 (1954–2119)


def _valid(found: re.Match[str]) -> bool:
    parts = found.groupdict()
    checks = {"m": (1, 12), "d": (1, 31), "H": (0, 24), "M": (0, 59)}
    if parts.get("y") and len(parts["y"]) == 4 and not 1900 <= int(parts["y"]) <= 2100:
        return False
    return all(low <= int(parts[name]) <= high for name, (low, high) in checks.items() if parts.get(name))


def _iso(cell: str) -> str | None:
    for pattern, shape in _ISO_SHAPES.items():
        if shape.fullmatch(cell):
            try:
                datetime.strptime(cell[:19] if "%S" in pattern else cell, pattern)
            except ValueError:
                return None
            return pattern
    return None


def style_of(cell: str) -> tuple[str, Granularity] | None:
    """The Korean/other style of one cell, or None (ISO and serial numbers are not styles)."""
    if not any(c.isdigit() for c in cell[:6]):
        return None  # every style starts with a number within its first characters (오전 9시, 2026…)
    for style in _STYLES:
        found = style.pattern.fullmatch(cell)
        if found and _valid(found):
            return style.name, style.granularity
    return None


@dataclass(frozen=True)
class Dates:
    fit: float  # share of the cells the reader would take as dates or times (any style, ISO, serial numbers)
    format: str | None  # an ISO strptime pattern, or an example as the file writes it; None: nothing to say
    granularity: Granularity | None  # what one cell names: a moment, a day, a month, a time of day
    needs_year: bool  # the style writes no year (3월분, 3/2): the mapping must give one


def dates(cells: list[str]) -> Dates:
    """How a column's cells read as dates: the share that does, and the format to propose."""
    return _dates(tuple(cells))


@lru_cache(maxsize=256)  # one column is asked about for several fields (period_start, period_end …)
def _dates(cells: tuple[str, ...]) -> Dates:
    iso, serial, styled = Counter[str](), 0, dict[str, list[str]]()
    grains: dict[str, Granularity] = {}
    grain: Granularity
    for cell, count in Counter(cells).items():  # in file order, each distinct cell read once
        pattern = _iso(cell)
        if pattern:
            iso[pattern] += count
        elif _SERIAL.fullmatch(cell) and 20_000 <= float(cell) <= 80_000:
            serial += count
        elif found := style_of(cell):
            styled.setdefault(found[0], []).extend([cell] * count)
            grains[found[0]] = found[1]
    fit = (sum(iso.values()) + serial + sum(map(len, styled.values()))) / len(cells) if cells else 1.0
    if styled:
        order = [s.name for s in _STYLES]
        top = max(styled, key=lambda name: (len(styled[name]), -order.index(name)))
        shapes = Counter(re.sub(r"\d", "9", c) for c in styled[top])  # in file order: ties go to the first
        best = max(shapes, key=lambda shape: shapes[shape])
        example = next(c for c in styled[top] if re.sub(r"\d", "9", c) == best)
        grain = grains[top]
        if grain == "day" and re.search(r"\d:\d", example):
            grain = "moment"
        return Dates(fit, example, grain, needs_year="y" not in _named(top) and grain != "time")
    if iso:
        pattern = max(iso, key=lambda p: (iso[p], -_ISO.index(p)))
        grain = "month" if pattern == "%Y-%m" else "day" if pattern == "%Y-%m-%d" else "moment"
        if grain == "moment" and all(c.endswith("00:00:00") for c in cells if _iso(c) == pattern):
            grain = "day"  # Excel date cells: a day, whatever the clock says
        return Dates(fit, pattern, grain, needs_year=False)
    return Dates(fit, None, "day" if serial else None, needs_year=False)


def _named(style: str) -> set[str]:
    return set(next(s for s in _STYLES if s.name == style).pattern.groupindex)


# --- words: pass/fail and codes --------------------------------------------------------------------------------


def truth_values(field: str, cells: list[str], vocabulary: Vocabulary) -> tuple[dict[str, bool], list[str]]:
    """{cell as written: true/false} for a yes/no field, with the counterpart of each pair seen (OK → NG), and
    the cells that say neither. Only words that say pass or fail outright (합격/불합격, OK/NG, ○/×) are read: 재검,
    특채, 보류 say what happens next, not whether this inspection passed — the person declares them once."""
    values: dict[str, bool] = {}
    unknown: list[str] = []
    pairs: dict[str, tuple[str, ...]] = {}
    said_yes, said_no = FIELD_WORDS.get(field, ((), ()))
    own = tuple(zip(said_yes, said_no, strict=False))  # a field's own words first: 포함/미포함 for packaging
    for pair in (*own, *PASS_FAIL):  # the first pair a word is in is its pair: NG is OK's, × is ○'s
        for word in pair:
            pairs.setdefault(fold(word), pair)
    for cell in sorted(set(cells)):
        declared = vocabulary.code(field, cell)
        folded = fold(cell)
        if declared in ("true", "false"):
            values[cell] = declared == "true"
        elif field == "estimated" and folded in ESTIMATE_WORDS:
            values[cell] = ESTIMATE_WORDS[folded]
        elif folded in pairs:
            yes, no = pairs[folded]
            values[cell] = folded == fold(yes)
            other = no if values[cell] else yes
            other = other.upper() if cell.isupper() else other.lower() if cell.islower() else other
            if fold(other) not in {fold(c) for c in cells}:
                values.setdefault(other, not values[cell])
        else:
            unknown.append(cell)
    return dict(sorted(values.items())), unknown


def code_values(
    field: str, choices: tuple[str, ...], cells: list[str], vocabulary: Vocabulary
) -> tuple[dict[str, str], list[str]]:
    """{cell as written: the standard's code} for a literal field (empty when every cell already is a code), and
    the cells no code was found for."""
    known = {fold(written): code for written, code in CODES.get(field, {}).items()}
    exact = {fold(choice): choice for choice in choices}
    values: dict[str, str] = {}
    unknown: list[str] = []
    for cell in sorted(set(cells)):
        code = vocabulary.code(field, cell) or exact.get(fold(cell)) or known.get(fold(cell))
        if code is None:
            code = known.get(re.sub(r"[\s(].*$", "", fold(cell)))  # "LNG (도시가스)", "전기 kWh"
        if code in choices:
            values[cell] = code
        else:
            unknown.append(cell)
    if all(cell == code for cell, code in values.items()):
        return {}, unknown
    return values, unknown
