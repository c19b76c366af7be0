"""Wide layouts — one column per month, per energy carrier, per characteristic, per sample — proposed as the
mapping's ``unpivot`` and the fields of the columns it makes.

The source layer does the unpivot; here we only say which columns, what the new columns are called, and what
each new column means for the entity: months → the period (format by example, the year from the titles, the
period's end at the end of the month), carriers → ``carrier`` with each header's code, characteristics →
``characteristic``, samples (X1…X5) → ``sample``; the cells → the measured field, with the unit each header
writes.
"""

from __future__ import annotations

import re
from typing import Any

from sangsaeng.standard import said
from sangsaeng.standard.entities import literal_values
from sangsaeng.standard.layout import WideGroup, split_unit
from sangsaeng.standard.sheet_text import unit_of
from sangsaeng.standard.suggest import cells as look
from sangsaeng.standard.suggest import titles as read_titles
from sangsaeng.standard.suggest.headers import PART, header_score, read_header
from sangsaeng.standard.suggest.proposal import Draft
from sangsaeng.standard.suggest.text import clean
from sangsaeng.standard.suggest.words import NEW_NAME, NEW_VALUE

# A sample's column: a mark (X, n, #, 시료 …) and its number, after the measurement's name: "측정값 X3", "n3", "3".
_NUMBERED = re.compile(r"(.*?)(\d{1,2})\s*(?:차|회|번)?")
_MARK = re.compile(r"(?:x|n|s|#|no\.?|시료|샘플|sample)?", re.IGNORECASE)
# What names the measured thing beside each measured value, by entity: quantities measured side by side become it.
_MEASURED_THING = {"quality_result": "characteristic", "measurement": "signal"}
_MEASURES_FIT = 0.8  # share of a column's cells that must be numbers for it to hold a measured quantity
# The field that takes each wide cell, by entity (where it is not the entity's measured field).
VALUE_FIELD = {"demand_forecast": "quantity", "production_run": "total_count"}
# What each wide column holds one of, by kind of layout: keys of the ``standard`` catalog.
_KIND_WORDS = {
    "months": "suggest.kind.months",
    "dates": "suggest.kind.dates",
    "carriers": "suggest.kind.carriers",
    "characteristics": "suggest.kind.characteristics",
    "samples": "suggest.kind.samples",
}


def _numbered(name: str) -> tuple[str, int] | None:
    found = _NUMBERED.fullmatch(clean(name))
    if not found:
        return None
    stem = found.group(1)
    mark = stem.rsplit(" ", 1)[-1]
    return (stem, int(found.group(2))) if _MARK.fullmatch(mark) else None


def sample_numbers(names: list[str]) -> list[int] | None:
    """Each name's sample number when the names number samples of one measurement ("X1".."X5", "n1"..,
    "측정값 1".., "시료1"..): one stem, numbered from 1 without gaps."""
    numbered = [_numbered(n) for n in names]
    if len(names) < 2 or None in numbered or len({n[0] for n in numbered if n}) != 1:
        return None
    numbers = [n[1] for n in numbered if n]
    return numbers if sorted(numbers) == list(range(1, len(numbers) + 1)) else None


def find_samples(headers: list[str]) -> WideGroup | None:
    """Without a layout guess: the largest set of headers numbering samples of one measurement (측정값 X1..X5),
    found by their common stem, whatever the columns' order."""
    stems: dict[str, list[tuple[int, str]]] = {}
    for header in headers:
        if numbered := _numbered(header):
            stems.setdefault(numbered[0], []).append((numbered[1], header))
    groups = [sorted(g) for g in stems.values() if sorted(n for n, _ in g) == list(range(1, len(g) + 1))]
    groups = [g for g in groups if len(g) >= 2]
    if not groups:
        return None
    best = max(groups, key=lambda g: (len(g), [h for _, h in g]))
    columns = [h for _, h in best]
    return WideGroup(columns=columns, kind="other", names=columns, units=[None] * len(columns))


def find_measures(draft: Draft, headers: list[str], cells: dict[str, list[str]], decimal: str) -> WideGroup | None:
    """Quantities measured side by side — 시험압력(kPa) and 누설량(cc/min), Ra(μm) and 체결토크(N·m), ZnNi [μm] and
    Ni [%] — in a quality or sensor file whose headers name neither the measured value nor what is measured: the
    number columns whose header writes a unit of something measured (not a count of pieces), none naming another
    field of the entity; two or more of them, in sheet order."""
    thing = _MEASURED_THING.get(draft.entity)
    measured_field = draft.model.measured
    if thing is None or measured_field is None:
        return None
    fields = [f for f in draft.model.model_fields if draft.open(f)]
    strong = {
        h: [f for f in fields if (score := header_score(f, read_header(h, draft.vocabulary), draft.vocabulary))
            and score[0] >= PART]
        for h in headers
    }  # fmt: skip
    if any(measured_field in named or thing in named for named in strong.values()):
        return None  # a long layout: one column already holds the value or what is measured
    chosen: list[tuple[str, str, str]] = []
    for header in headers:
        name, unit = split_unit(header)  # the reader's own split: the unpivot writes exactly this unit
        if unit is None or strong[header] or not _measures(unit):
            continue
        column = cells.get(header, [])
        if column and look.numbers(column, decimal, draft.vocabulary).fit >= _MEASURES_FIT:
            chosen.append((header, name, unit))
    if len(chosen) < 2:
        return None
    return WideGroup(
        columns=[c[0] for c in chosen],
        kind="characteristics",
        names=[c[1] for c in chosen],
        units=[c[2] for c in chosen],
    )


def _measures(unit: str) -> bool:
    """A unit of something measured: not a count of pieces (EA, 개), which is a quantity of its own."""
    found = unit_of(unit)
    return found is not None and found.dimension != "[item]"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def propose(
    draft: Draft,
    wide: WideGroup,
    samples: dict[str, list[str]],
    headers: list[str],
    titles: list[str],
    layout_confidence: float,
    decimal: str,
) -> None:
    """Place the unpivot and the fields of its new columns in ``draft`` (nothing when the entity has no field for
    the cells)."""
    value_field = draft.model.measured or VALUE_FIELD.get(draft.entity)
    if value_field is None or not draft.has(value_field):
        draft.note("suggest.wide.no-field", columns=", ".join(wide.columns[:3]), entity=draft.entity)
        return
    kind = _kind(draft, wide)
    taken = set(headers) - set(wide.columns)
    name_column = _unique(NEW_NAME.get(kind, "항목"), taken)
    value_column = _unique(NEW_VALUE.get(draft.entity, "값"), taken)
    units = {u for u in wide.units if u}
    unpivot: dict[str, Any] = {"columns": list(wide.columns), "name": name_column, "value": value_column}
    value_rule: dict[str, Any] = {"column": value_column}
    if len(units) > 1 and all(wide.units):
        unpivot["unit"] = value_rule["unit_column"] = _unique("단위", taken)
    elif len(units) == 1 and all(wide.units):
        value_rule["unit"] = units.pop()
    elif units:
        draft.note("suggest.wide.units-partly", value_field)
    draft.unpivot = unpivot
    cells = [c for column in wide.columns for c in look.present(samples.get(column, []))]
    fit = look.numbers(cells, decimal, draft.vocabulary).fit if cells else 1.0
    draft.place(value_field, value_rule, layout_confidence * (0.4 + 0.6 * fit), "layout")
    _name_field(draft, kind, wide, name_column, titles, layout_confidence)
    kind_key = _KIND_WORDS.get(kind, "suggest.kind.other")
    draft.note(
        "suggest.wide.unpivot",
        count=len(wide.columns),
        first=wide.columns[0],
        last=wide.columns[-1],
        kind=said.term(kind_key),
        name=name_column,
        value=value_column,
    )


def _kind(draft: Draft, wide: WideGroup) -> str:
    if draft.entity == "quality_result" and sample_numbers(wide.names):
        return "samples"
    if wide.kind == "other" and draft.has("carrier"):
        codes, unknown = look.code_values("carrier", _choices(draft, "carrier"), wide.names, draft.vocabulary)
        if len(codes) > len(unknown):
            return "carriers"
    return wide.kind


def _choices(draft: Draft, name: str) -> tuple[str, ...]:
    return literal_values(draft.model.model_fields[name].annotation)


def _name_field(draft: Draft, kind: str, wide: WideGroup, column: str, titles: list[str], confidence: float) -> None:
    if kind in ("months", "dates"):
        _periods(draft, wide, column, titles, confidence)
    elif kind == "carriers" and draft.has("carrier"):
        codes, unknown = look.code_values("carrier", _choices(draft, "carrier"), wide.names, draft.vocabulary)
        rule: dict[str, Any] = {"column": column}
        if codes:
            rule["values"] = codes
        draft.place("carrier", rule, confidence * (1 - len(unknown) / len(wide.names)), "layout")
        if unknown:
            known = ", ".join(_choices(draft, "carrier"))
            draft.note("suggest.wide.carriers-unknown", "carrier", words=", ".join(unknown), codes=known)
    elif kind == "samples" and draft.has("sample"):
        numbers = sample_numbers(wide.names) or []
        # The unpivot writes each column's header (without its unit when it has a unit column): every spelling of
        # a sample's column reads as its number.
        values: dict[str, int] = {}
        for name, header, number in zip(wide.names, wide.columns, numbers, strict=False):
            values.update({name: number, header: number, split_unit(header)[0]: number})
        draft.place("sample", {"column": column, "values": values}, confidence, "layout")
    elif kind != "samples":
        target = next((f for f in ("characteristic", "signal", "consumer", "part_type") if draft.open(f)), None)
        if target:
            draft.place(target, {"column": column}, confidence * (0.9 if kind == "characteristics" else 0.6), "layout")


def _periods(draft: Draft, wide: WideGroup, column: str, titles: list[str], confidence: float) -> None:
    reading = look.dates([clean(n) for n in wide.names])
    rule: dict[str, Any] = {"column": column}
    if reading.format:
        rule["format"] = reading.format
    factor = reading.fit
    if reading.needs_year:
        year = read_titles.year(titles)
        if year:
            rule["year"] = year
        else:
            factor *= 0.5
            draft.note("suggest.wide.no-year", first=wide.names[0])
    start, end = ("period_start", "period_end") if draft.has("period_start") else ("inspected_at", None)
    if not draft.has(start):
        start, end = ("timestamp", None)
    if draft.open(start):
        draft.place(start, rule, confidence * factor, "layout")
    if end and draft.open(end) and reading.granularity in ("day", "month"):
        draft.place(end, {**rule, "at": "end"}, confidence * factor, "layout")
