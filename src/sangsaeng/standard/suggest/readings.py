"""How each placed column is read: the date format by example (and a year for year-less dates), the codes of
pass/fail and literal fields, and the unit of quantities (from the header, a unit column, the cells or a title)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from functools import partial

from sangsaeng.standard.cells import side_of
from sangsaeng.standard.entities import literal_values
from sangsaeng.standard.mapping import _base
from sangsaeng.standard.said import PerLanguage
from sangsaeng.standard.sheet_text import unit_of
from sangsaeng.standard.suggest import cells as look
from sangsaeng.standard.suggest import titles as read_titles
from sangsaeng.standard.suggest.headers import Header
from sangsaeng.standard.suggest.proposal import Draft
from sangsaeng.standard.units import symbol, unknown_hint

# Fields measured in each row's own unit, so a unit column applies (limits and nominal are in the value's unit).
UNIT_COLUMN_FIELDS = frozenset({"value", "amount", "quantity", "lower_spec_limit", "upper_spec_limit", "nominal"})
BOUNDS = ("lower_spec_limit", "upper_spec_limit", "nominal")


def read_fields(
    draft: Draft, parsed: dict[str, Header], cells: dict[str, list[str]], decimal: str, places: list[str]
) -> None:
    unit_columns = sorted(column for column, header in parsed.items() if header.holds_units)
    for name in list(draft.rules):
        rule = draft.rules[name]
        column = rule.get("column")
        if column is None or draft.reasons[name].code == "derived":
            continue
        annotation = draft.model.model_fields[name].annotation
        base = _base(annotation)
        column_cells = cells.get(column, [])
        if draft.reasons[name].code != "layout":
            if base in (datetime, date):  # a period in one cell is read by the side the field takes
                _dates(draft, name, [side_of(c, rule.get("at") == "end") for c in column_cells], places)
            elif base is bool:
                _truth(draft, name, column_cells)
            elif literal_values(annotation):
                _codes(draft, name, literal_values(annotation), column_cells)
        if base in (int, float) and "unit" not in rule and "unit_column" not in rule:
            header = parsed.get(column)
            _unit(draft, name, header, column_cells, unit_columns, cells, decimal, places)
    measured = draft.rules.get(draft.model.measured or "", {})
    for name in BOUNDS:  # limits and nominal written without a unit are in the measured value's unit
        rule = draft.rules.get(name, {})
        if "column" in rule and "unit" not in rule and "unit_column" not in rule:
            rule.update({k: measured[k] for k in ("unit", "unit_column") if k in measured})


def _dates(draft: Draft, name: str, cells: list[str], places: list[str]) -> None:
    reading = look.dates(cells)
    rule = draft.rules[name]
    if reading.format:
        rule["format"] = reading.format
    if reading.needs_year:
        year = read_titles.year(places)
        if year:
            rule["year"] = year
            draft.note(
                "suggest.year.from-title", name, field=name, column=rule["column"], format=reading.format, year=year
            )
        else:
            draft.lower(name, 0.6)
            draft.note("suggest.year.missing", name, field=name, column=rule["column"], format=reading.format)
    if reading.granularity == "time":
        draft.lower(name, 0.6)
        draft.note("suggest.time-only", name, field=name, column=rule["column"])


def _truth(draft: Draft, name: str, cells: list[str]) -> None:
    values, unknown = look.truth_values(name, cells, draft.vocabulary)
    if values:
        draft.rules[name]["values"] = values
    if unknown:
        column = draft.rules[name]["column"]
        draft.note("suggest.truth.unknown", name, field=name, column=column, words=", ".join(unknown))


def _codes(draft: Draft, name: str, choices: tuple[str, ...], cells: list[str]) -> None:
    values, unknown = look.code_values(name, choices, cells, draft.vocabulary)
    if values:
        draft.rules[name]["values"] = values
    if unknown:
        draft.note("suggest.codes.unknown", name, field=name, words=", ".join(unknown), codes=", ".join(choices))


def _unit(
    draft: Draft,
    name: str,
    header: Header | None,
    cells: list[str],
    unit_columns: list[str],
    all_cells: dict[str, list[str]],
    decimal: str,
    places: list[str],
) -> None:
    rule = draft.rules[name]
    extra = draft.model.model_fields[name].json_schema_extra
    fixed = str(extra["x-unit"]) if isinstance(extra, dict) and "x-unit" in extra else None
    in_cells = look.numbers(cells, decimal, draft.vocabulary).units
    if header is not None and header.unit:
        rule["unit"] = draft.vocabulary.unit(header.unit) or header.unit
    elif unit_columns and name in UNIT_COLUMN_FIELDS:
        rule["unit_column"] = unit_columns[0]
        _unknown_units(draft, name, unit_columns[0], all_cells.get(unit_columns[0], []))
    elif in_cells:
        written = Counter(in_cells).most_common(1)[0][0]
        rule["unit"] = draft.vocabulary.unit(written) or written
    elif name == draft.model.measured and (title_unit := read_titles.unit(places, draft.vocabulary)):
        rule["unit"] = draft.vocabulary.unit(title_unit) or title_unit
    elif fixed is not None:
        draft.note("suggest.unit.fixed", name, field=name, column=rule["column"], unit=symbol(fixed))


def _unknown_units(draft: Draft, name: str, column: str, cells: list[str]) -> None:
    for written in sorted(set(cells)):
        if draft.vocabulary.unit(written) or unit_of(written) is not None:
            continue
        draft.lower(name, 0.9)
        draft.note(
            "suggest.unit.unknown",
            name,
            column=column,
            unit=written,
            hint=PerLanguage(partial(unknown_hint, written)),
        )
