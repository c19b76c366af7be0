"""Dates and times as factory files write them, read over whole Arrow columns; no I/O.

A reading rule is a strptime-style pattern (``%Y.%m.%d``); a person may give an example instead, as the file
writes it, and ``pattern_of`` turns it into the pattern:

    2026.03.02 → %Y.%m.%d          2026. 3. 2. → %Y. %m. %d.      26-3-2 → %y-%m-%d
    2026년 3월 2일 (월) → %Y년 %m월 %d일 (%a)                     3월분 → %m월분     20260302 → %Y%m%d
    2026.03.02 오후 3:00 → %Y.%m.%d %p %I:%M                      오전 9시 → %p %I시

Beyond strptime: months, days and hours need no leading zero, spaces between parts are optional, the date
separators ``-``, ``.`` and ``/`` stand for each other, ``%p`` reads 오전/오후 as well as AM/PM, ``%a`` a weekday
in Korean or English (not checked against the date), ``%y`` is 20xx. A cell the pattern does not read is tried as
ISO 8601 text (what an Excel date cell becomes: ``2026-03-02 00:00:00``; ``Z`` or ``+09:00`` make it an instant)
and as an Excel serial number (20000–80000 days since 1899-12-30, the fraction the time of day). An impossible
date (2026-02-30) is not read — never rolled over to another day. 24:00 is the end of its day.

A cell that names a day, month or year (no time, or midnight) is that period; ``at_end`` makes it the start of
the next period (3월분 → 2026-04-01 00:00) or, for a date, its last day (2026-03-31).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from sangsaeng.standard.date_patterns import (
    EN_MONTHS,
    EXAMPLES,
    PERIOD_DAY,
    PERIOD_MONTH,
    PERIOD_NONE,
    PERIOD_YEAR,
    DateRule,
    compile_pattern,
    guess_pattern,
)
from sangsaeng.standard.said import Problem

__all__ = [
    "EXAMPLES",
    "DateRule",
    "compile_pattern",
    "fast_moments",
    "pattern_of",
    "read_days",
    "read_moments",
    "to_utc",
]

Numbers = NDArray[Any]
MICROS_PER_DAY = 86_400_000_000
EXCEL_EPOCH_DAYS = -25_569  # 1899-12-30, in days since 1970-01-01
EXCEL_SERIALS = (20_000, 80_000)  # 1954-10-03 … 2119-01-10: a number outside is no date


def pattern_of(example: str) -> str:
    """The pattern of a date as a file writes it (see the module's description); ``ValueError`` saying what to
    write instead when the example is not a date or its order cannot be told (03/02/2026: March or February?)."""
    text, pattern = guess_pattern(example)
    try:
        rule = compile_pattern(pattern)
    except ValueError:
        rule = DateRule(pattern, "", frozenset())
    if not rule.has_date and not rule.parts & {"H", "I"}:
        raise Problem("mapping.date.none-in-example", example=example)
    found = pc.extract_regex(pa.array([text]), rule.regex)
    parts = _components(found, rule, year=2000 if not rule.has_year else None, end=False)
    if not parts.ok[0]:
        raise Problem("mapping.date.not-real", example=example)
    return pattern


# ---- reading columns ----------------------------------------------------------------------------------------
@dataclass
class _Parts:
    """What a column's cells were read as: local microseconds since 1970, or an instant where the cell gave its
    offset; ``ok`` where read, ``period`` what a cell names (PERIOD_*), ``end`` the start of the next period."""

    ok: Numbers
    micros: Numbers
    offset: Numbers  # minutes east of UTC the cell gave
    has_offset: Numbers
    period: Numbers
    end: Numbers


def _ints(struct: pa.StructArray, name: str, default: int) -> Numbers:
    """A group of the match as integers: ``default`` where it did not take part (or the row did not match)."""
    if struct.type.get_field_index(name) < 0:
        return np.full(len(struct), default, dtype=np.int64)
    child = struct.field(name)
    filled = pc.fill_null(pc.if_else(pc.equal(child, ""), str(default), child), str(default))
    return np.asarray(pc.cast(filled, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _texts(struct: pa.StructArray, name: str) -> pa.Array:
    return pc.utf8_lower(struct.field(name))


def _days_from_civil(year: Numbers, month: Numbers, day: Numbers) -> Numbers:
    """Days since 1970-01-01 of proleptic Gregorian dates (Hinnant's algorithm), whole arrays at once."""
    year = year - (month <= 2)
    era = np.floor_divide(year, 400)
    of_era = year - era * 400
    of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    of_cycle = of_era * 365 + of_era // 4 - of_era // 100 + of_year
    return np.asarray(era * 146_097 + of_cycle - 719_468, dtype=np.int64)


def _month_lengths(year: Numbers, month: Numbers) -> Numbers:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    lengths = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)[np.clip(month, 1, 12) - 1]
    return np.asarray(lengths + ((month == 2) & leap), dtype=np.int64)


def _components(found: pa.StructArray, rule: DateRule, year: int | None, end: bool) -> _Parts:
    """Cells matched by a rule's expression, as moments; impossible dates and times are not ``ok``."""
    parts, count = rule.parts, len(found)
    ok = np.asarray(found.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    if "Y" in parts:
        years = _ints(found, "Y", 1970)
    elif "y" in parts:
        years = 2000 + _ints(found, "y", 0)
    else:
        years = np.full(count, year if year is not None else 1970, dtype=np.int64)
    if "b" in parts:
        names = pc.utf8_slice_codeunits(_texts(found, "b"), 0, 3)
        months = np.asarray(
            pc.fill_null(pc.add(pc.index_in(names, value_set=pa.array(EN_MONTHS)), 1), 1).to_numpy(
                zero_copy_only=False
            ),
            dtype=np.int64,
        )
    else:
        months = _ints(found, "m", 1)
    days = _ints(found, "d", 1)
    hours = _ints(found, "I" if "I" in parts else "H", 0)
    minutes, seconds = _ints(found, "M", 0), _ints(found, "S", 0)
    fraction = np.zeros(count, dtype=np.int64)
    if "f" in parts:
        padded = pc.utf8_rpad(pc.if_else(pc.equal(found.field("f"), ""), "0", found.field("f")), 6, "0")
        fraction = np.asarray(pc.cast(padded, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)
    if "I" in parts:
        afternoon = pc.is_in(_texts(found, "p"), value_set=pa.array(["오후", "pm", "p.m.", "pm.", "p.m"]))
        later = np.asarray(pc.fill_null(afternoon, False).to_numpy(zero_copy_only=False), dtype=bool)
        ok &= (hours >= 1) & (hours <= 12)
        hours = hours % 12 + 12 * later
    ok &= (years >= 1000) & (years <= 9999) & (months >= 1) & (months <= 12)
    ok &= (days >= 1) & (days <= _month_lengths(years, months))
    midnight_next = (hours == 24) & (minutes == 0) & (seconds == 0) & (fraction == 0)  # 24:00, the day's end
    ok &= ((hours <= 23) | midnight_next) & (minutes <= 59) & (seconds <= 59)
    years, months = np.where(ok, years, 1970), np.where(ok, months, 1)
    days = np.where(ok, days, 1)
    start_of_day = _days_from_civil(years, months, days) * MICROS_PER_DAY
    time_of_day = ((hours * 60 + minutes) * 60 + seconds) * 1_000_000 + fraction
    micros = start_of_day + time_of_day
    offset, has_offset = _offsets(found, count) if "z" in parts else (np.zeros(count, np.int64), np.zeros(count, bool))
    named = np.full(count, rule.period if not parts & {"H", "I"} else PERIOD_DAY, dtype=np.int8)
    named[time_of_day != 0] = PERIOD_NONE
    ends = _ends(years, months, micros, named) if end else micros
    return _Parts(ok, micros, offset, has_offset, named, ends)


def _offsets(found: pa.StructArray, count: int) -> tuple[Numbers, Numbers]:
    written = pc.utf8_lower(pc.replace_substring(found.field("z"), ":", ""))
    given = np.asarray(pc.not_equal(written, "").to_numpy(zero_copy_only=False), dtype=bool)
    digits = pc.if_else(pc.equal(written, "z"), "+0000", pc.if_else(pc.equal(written, ""), "+0000", written))
    sign = np.where(np.asarray(pc.starts_with(digits, "-").to_numpy(zero_copy_only=False), dtype=bool), -1, 1)
    hours = np.asarray(
        pc.cast(pc.utf8_slice_codeunits(digits, 1, 3), pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64
    )
    minutes = np.asarray(
        pc.cast(pc.utf8_slice_codeunits(digits, 3, 5), pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64
    )
    return sign * (hours * 60 + minutes), given


def _ends(years: Numbers, months: Numbers, micros: Numbers, named: Numbers) -> Numbers:
    """The start of the period after the one each cell names (itself where it names a moment)."""
    next_month_year = years + (months == 12)
    next_month = months % 12 + 1
    next_month_start = _days_from_civil(next_month_year, next_month, np.ones_like(months)) * MICROS_PER_DAY
    next_year_start = _days_from_civil(years + 1, np.ones_like(months), np.ones_like(months)) * MICROS_PER_DAY
    return np.select(
        [named == PERIOD_DAY, named == PERIOD_MONTH, named == PERIOD_YEAR],
        [micros + MICROS_PER_DAY, next_month_start, next_year_start],
        micros,
    )


_ISO_RULE = DateRule(
    "ISO 8601",
    r"(?i)^\s*(?P<Y>\d{4})-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2})(?:[ T]\s*(?P<H>\d{1,2}):(?P<M>\d{2})"
    r"(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,6})\d*)?)?)?)?\s*(?P<z>z|[-+]\d{2}:?\d{2})?\s*$",
    frozenset({"Y", "m", "d", "H", "M", "S", "f", "z"}),
)
_SERIAL = r"^\d{5}(?:\.\d+)?$"


def _iso(text: pa.Array, end: bool) -> _Parts:
    found = pc.extract_regex(text, _ISO_RULE.regex)
    parts = _components(found, _ISO_RULE, None, end)
    no_day = np.asarray(pc.equal(found.field("d"), "").to_numpy(zero_copy_only=False), dtype=bool)
    parts.period[no_day & (parts.period == PERIOD_DAY)] = PERIOD_MONTH  # 2026-03 names a month
    if end:
        years = _ints(found, "Y", 1970)
        months = np.clip(_ints(found, "m", 1), 1, 12)
        parts.end = _ends(years, months, parts.micros, parts.period)
    return parts


def _serials(text: pa.Array, end: bool) -> _Parts:
    count = len(text)
    shaped = np.asarray(
        pc.fill_null(pc.match_substring_regex(text, _SERIAL), False).to_numpy(zero_copy_only=False), dtype=bool
    )
    numbers = pc.cast(pc.if_else(pa.array(shaped), text, "0"), pa.float64()).to_numpy(zero_copy_only=False)
    low, high = EXCEL_SERIALS
    ok = shaped & (numbers >= low) & (numbers < high)
    millis = np.round(np.where(ok, numbers, 0.0) * 86_400_000).astype(np.int64)  # Excel keeps milliseconds
    micros = EXCEL_EPOCH_DAYS * MICROS_PER_DAY + millis * 1000
    named = np.where(millis % 86_400_000 == 0, PERIOD_DAY, PERIOD_NONE).astype(np.int8)
    ends = np.where(named == PERIOD_DAY, micros + MICROS_PER_DAY, micros) if end else micros
    return _Parts(ok, micros, np.zeros(count, np.int64), np.zeros(count, bool), named, ends)


def _read(text: pa.Array, rule: DateRule | None, year: int | None, end: bool) -> _Parts:
    """Every cell by the rule first, then the ones it did not read as ISO text, then as Excel serials. Where the
    rule reads ISO dates as ISO does, cells in ISO form are first cast at once; only the others are matched."""
    count = len(text)
    present = np.asarray(text.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    result = _Parts(*(np.zeros(count, t) for t in (bool, np.int64, np.int64, bool, np.int8, np.int64)))
    if rule is None or rule.iso_ordered:
        _cast_iso(text, result, end)
    for step in ("rule", "iso", "serial"):
        left = np.nonzero(present & ~result.ok)[0]
        if not len(left) or (step == "rule" and rule is None):
            continue
        cells = text.take(pa.array(left))
        if step == "rule":
            assert rule is not None
            found = _components(pc.extract_regex(cells, rule.regex), rule, year, end)
        else:
            found = _iso(cells, end) if step == "iso" else _serials(cells, end)
        taken = left[found.ok]
        for name in ("ok", "micros", "offset", "has_offset", "period", "end"):
            getattr(result, name)[taken] = getattr(found, name)[found.ok]
    return result


_ISO_SHAPE = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?$"


def _cast_iso(text: pa.Array, result: _Parts, end: bool) -> None:
    """Cells in plain ISO form read by Arrow's cast (a quick match finds them); none if any is impossible."""
    shaped = np.asarray(pc.fill_null(pc.match_substring_regex(text, _ISO_SHAPE), False).to_numpy(zero_copy_only=False))
    if not shaped.any():
        return
    try:
        micros = pc.cast(text.filter(pa.array(shaped)), pa.timestamp("us")).view(pa.int64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return  # 2026-02-30: the careful reading says which
    named = np.where(micros % MICROS_PER_DAY == 0, PERIOD_DAY, PERIOD_NONE).astype(np.int8)
    result.ok[shaped], result.micros[shaped], result.period[shaped] = True, micros, named
    result.end[shaped] = np.where(named == PERIOD_DAY, micros + MICROS_PER_DAY, micros) if end else micros


def _fast(text: pa.Array, rule: DateRule | None) -> pa.Array | None:
    """Cells all in ISO 8601 form, read by Arrow's own parser (which refuses impossible days); None if any is not."""
    if rule is not None and not rule.iso:
        return None
    try:
        return pc.cast(text, pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def fast_moments(text: pa.Array, rule: DateRule | None, zone: str) -> pa.Array | None:
    """``read_moments`` of a column whose cells are all ISO 8601 text, at Arrow's speed; None if any is not."""
    fast = _fast(text, rule)
    return None if fast is None else to_utc(fast, zone)


def read_moments(
    text: pa.Array, rule: DateRule | None, zone: str, *, year: int | None = None, end: bool = False
) -> pa.Array:
    """Cells as instants (``timestamp[us, UTC]``), local times taken in ``zone``; null where not read."""
    parts = _read(text, rule, year, end)
    wall = parts.end if end else parts.micros
    local = pa.array(wall, pa.int64(), mask=~parts.ok | parts.has_offset).view(pa.timestamp("us"))
    utc = pc.fill_null(to_utc(local, zone).view(pa.int64()), 0).to_numpy(zero_copy_only=False)
    moments = np.where(parts.has_offset, wall - parts.offset * 60_000_000, utc)
    return pa.array(moments, pa.int64(), mask=~parts.ok).view(pa.timestamp("us", tz="UTC"))


def read_days(text: pa.Array, rule: DateRule | None, *, year: int | None = None, end: bool = False) -> pa.Array:
    """Cells as days (``date32``); with ``end``, the last day of the period a cell names."""
    parts = _read(text, rule, year, end)
    micros = parts.end - MICROS_PER_DAY * (parts.end != parts.micros) if end else parts.micros
    days = np.floor_divide(micros, MICROS_PER_DAY).astype(np.int32)
    return pa.array(days, pa.int32(), mask=~parts.ok).view(pa.date32())


def to_utc(local: pa.Array, zone: str) -> pa.Array:
    """Local wall-clock times (naive ``timestamp[us]``) in ``zone`` as UTC instants. A zone whose offset does not
    change over the column's days (Asia/Seoul since 1988) is one subtraction; otherwise the time zone database,
    the earlier instant where a clock change makes a time ambiguous or skipped."""
    offset = _steady_offset(local, zone)
    if offset is None:
        return pc.assume_timezone(local, zone, ambiguous="earliest", nonexistent="earliest")
    shifted = pc.subtract(local.view(pa.int64()), offset) if offset else local.view(pa.int64())
    return shifted.view(pa.timestamp("us", tz="UTC"))


def _steady_offset(local: pa.Array, zone: str) -> int | None:
    """The zone's UTC offset in microseconds if it is the same on every day the column spans, else None."""
    try:
        span = pc.min_max(local).as_py()
    except ValueError:  # a year Python's datetime cannot hold
        return None
    first, last = span["min"], span["max"]
    if first is None:
        return 0
    days = (last - first).days
    if days > 800:  # a long span: the database decides, cell by cell
        return None
    tz = ZoneInfo(zone)
    probes = [first + timedelta(days=d) for d in range(days + 1)] + [last]
    offsets = {(p.replace(tzinfo=tz).utcoffset(), p.replace(tzinfo=tz, fold=1).utcoffset()) for p in probes}
    if len(offsets) != 1:
        return None
    (before, after) = offsets.pop()
    if before != after or before is None:
        return None
    return int(before.total_seconds() * 1_000_000)
