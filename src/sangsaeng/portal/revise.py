"""The review page's form, read into the mapping document it describes: which row is the header, which wide
columns become rows, each field's column or constant, unit, date reading, year, period end and subtraction, and
the meaning a person gave a code or unit the system did not know. Pure: a document and a form in, a document
out; a form naming a column the file does not have is refused (``Refused``), never written down.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, get_origin

from sangsaeng.catalog.vocabulary import YES_NO, code_choices, written_form
from sangsaeng.errors import SangsaengError
from sangsaeng.standard.entities import ENTITIES, literal_values
from sangsaeng.standard.lists import split_text
from sangsaeng.standard.mapping import _base
from sangsaeng.standard.truth import truth_words
from sangsaeng.standard.units import recognize

CONSTANT = "="  # the column select's "type the value" choice
HEADER_ROWS_LOOKED_AT = 30  # the header row select offers this many rows


class Refused(ValueError):
    """A form the page never sends (a forged or stale one): a column the file lacks, a code not allowed."""


Form = Callable[[str], list[str]]  # all values posted under a name


def first(form: Form, name: str) -> str | None:
    values = form(name)
    return values[0].strip() if values else None


def kinds(entity: str) -> dict[str, str]:
    """Each field's kind as the page offers it: code, yesno, number, moment, list or text."""
    found = {}
    for name, info in ENTITIES[entity].model_fields.items():
        base = _base(info.annotation)
        if get_origin(base) is list:
            found[name] = "list"
        elif base is bool:
            found[name] = "yesno"
        elif literal_values(info.annotation):
            found[name] = "code"
        elif base in (int, float):
            found[name] = "number"
        elif getattr(base, "__name__", "") in ("datetime", "date"):
            found[name] = "moment"
        else:
            found[name] = "text"
    return found


def constant(entity: str, field: str, text: str) -> Any:
    """A constant as the field holds it; a code must be one of the field's."""
    kind = kinds(entity)[field]
    if kind == "yesno":
        if text not in YES_NO:
            raise Refused(field)
        return text == "true"
    if kind == "code":
        if text not in code_choices(entity, field):
            raise Refused(field)
        return text
    if kind == "number":
        try:
            number = float(text.replace(",", ""))
        except ValueError as exc:
            raise Refused(field) from exc
        return int(number) if number.is_integer() else number
    if kind == "list":  # "AR5, AR6": its items, as a list cell's are read
        return split_text(text)
    return text  # text, and a moment as a cell would write it (the reading reads it as one)


def constant_text(value: Any) -> str:
    """A constant as the page shows it in its box."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def layout(document: dict[str, Any], form: Form, wide_columns: list[str]) -> dict[str, Any]:
    """The header rows, total rows and unpivot as the form sets them (the page always sends them)."""
    revised = copy.deepcopy(document)
    row, rows = first(form, "header.row"), first(form, "header.rows")
    if row is not None and rows is not None:
        if not row.isdigit() or not 1 <= int(row) <= HEADER_ROWS_LOOKED_AT or rows not in ("1", "2"):
            raise Refused("header")
        revised["header"] = {"row": int(row), "rows": int(rows)}
    revised["skip_totals"] = first(form, "skip_totals") == "on"
    chosen = [c for c in form("unpivot.column") if c]
    if first(form, "unpivot.on") == "on" and chosen:
        if any(c not in wide_columns for c in chosen):
            raise Refused("unpivot")
        before = revised.get("unpivot") or {}
        unpivot = {
            "columns": [c for c in wide_columns if c in chosen],  # in sheet order
            "name": first(form, "unpivot.name") or before.get("name") or "항목",
            "value": first(form, "unpivot.value") or before.get("value") or "값",
        }
        unit = first(form, "unpivot.unit") if form("unpivot.unit") else before.get("unit")
        if unit:
            unpivot["unit"] = unit
        if len({unpivot["name"], unpivot["value"], unpivot.get("unit")} - {None}) < 2 + bool(unit):
            raise Refused("unpivot")
        revised["unpivot"] = unpivot
    else:
        revised.pop("unpivot", None)
    return revised


def layout_of(document: dict[str, Any]) -> tuple[Any, ...]:
    """What the layout keys mean, defaults filled in: equal tuples lay the file out the same way."""
    header = document.get("header") or {}
    unpivot = document.get("unpivot") or None
    return (
        int(header.get("row", 1)),
        int(header.get("rows", 1)),
        bool(document.get("skip_totals", True)),
        repr(sorted(unpivot.items())) if isinstance(unpivot, dict) else None,
    )


def fields(document: dict[str, Any], form: Form, headers: list[str]) -> dict[str, Any]:
    """Each field the form names, as it sets it; a field the form does not name stays as it was."""
    revised = copy.deepcopy(document)
    entity = str(revised["entity"])
    rules: dict[str, Any] = dict(revised.get("fields") or {})
    for name, kind in kinds(entity).items():
        column = first(form, f"column.{name}")
        if column is None:
            continue
        before = rules.get(name) or {}
        if column == "" and first(form, f"const.{name}"):
            column = CONSTANT  # a value given for a field with no column: the whole file's value
        if column == "":
            rules.pop(name, None)
            continue
        if column == CONSTANT:
            text = first(form, f"const.{name}") or ""
            if "value" in before and text == constant_text(before["value"]):
                continue  # as it was (a date stays the moment it was read as)
            value = constant(entity, name, text) if text else None
            if value is None or value == []:  # nothing typed, or a list of no item (", ,")
                rules.pop(name, None)
            else:
                rules[name] = {"value": value}
            continue
        if column not in headers:
            raise Refused(name)
        rule: dict[str, Any] = dict(before) if before.get("column") == column else {"column": column}
        rule.pop("value", None)
        _unit(rule, first(form, f"unit.{name}"), headers)
        _moment(rule, form, name, kind)
        prefix = first(form, f"prefix.{name}")
        if prefix is not None:  # the box of a field whose values become URNs; the mapping says if it is one
            rule.pop("prefix", None)
            if prefix:
                rule["prefix"] = prefix
        minus = first(form, f"minus.{name}")
        if minus is not None:
            if minus and minus not in headers:
                raise Refused(name)
            rule.pop("minus", None)
            if minus and kind == "number":
                rule["minus"] = minus
        rules[name] = rule
    revised["fields"] = rules
    return revised


def _unit(rule: dict[str, Any], unit: str | None, headers: list[str]) -> None:
    if unit is None:
        return
    rule.pop("unit", None)
    rule.pop("unit_column", None)
    if unit in headers:
        rule["unit_column"] = unit
    elif unit:
        rule["unit"] = unit


def _moment(rule: dict[str, Any], form: Form, name: str, kind: str) -> None:
    if kind != "moment":
        return
    fmt, year, at = first(form, f"format.{name}"), first(form, f"year.{name}"), first(form, f"at.{name}")
    if fmt is not None:
        rule.pop("format", None)
        if fmt:
            rule["format"] = fmt
    if year is not None:
        rule.pop("year", None)
        if year:
            if not year.isdigit() or not 1900 <= int(year) <= 2200:
                raise Refused(name)
            rule["year"] = int(year)
    if at is not None:
        rule.pop("at", None)
        if at == "end":
            rule["at"] = "end"


def prune(document: dict[str, Any], headers: list[str]) -> dict[str, Any]:
    """Rules whose column the file (as now laid out) no longer has are dropped: a changed header row or
    unpivot makes other columns, and the person then picks among those."""
    revised = copy.deepcopy(document)
    kept = {}
    for name, rule in (revised.get("fields") or {}).items():
        if "column" in rule and rule["column"] not in headers:
            continue
        if rule.get("unit_column") and rule["unit_column"] not in headers:
            rule.pop("unit_column")
        if rule.get("minus") and rule["minus"] not in headers:
            rule.pop("minus")
        kept[name] = rule
    revised["fields"] = kept
    if revised.get("fill_down"):  # merged-down columns the file as now laid out still has
        revised["fill_down"] = [c for c in revised["fill_down"] if c in headers]
        if not revised["fill_down"]:
            revised.pop("fill_down")
    return revised


def declared_words(form: Form, prefix: str) -> list[tuple[str, str]]:
    """(word, meaning) pairs the person chose: ``{prefix}word.N`` with ``{prefix}meaning.N``."""
    pairs = []
    for index in range(100):
        word = first(form, f"{prefix}word.{index}")
        if word is None:
            break
        meaning = first(form, f"{prefix}meaning.{index}")
        if word and meaning:
            pairs.append((word, meaning))
    return pairs


def default_values(entity: str, field: str) -> dict[str, Any]:
    """What a code field reads when it has no ``values`` of its own, as a ``values`` map to add to: its codes
    as themselves, or the yes/no words."""
    if kinds(entity)[field] == "yesno":
        words: dict[str, Any] = {}
        for word, truth in truth_words(field).items():
            for form in (word, word.title()):
                words.setdefault(form, truth)
        return words
    return {code: code for code in code_choices(entity, field)}


def with_code(document: dict[str, Any], field: str, written: str, meaning: str) -> dict[str, Any]:
    """The document reading ``written`` in ``field`` as ``meaning`` (a checked code of the field)."""
    revised = copy.deepcopy(document)
    entity = str(revised["entity"])
    rule = (revised.get("fields") or {}).get(field)
    if not rule or "column" not in rule:
        return revised
    values = dict(rule.get("values") or default_values(entity, field))
    values[written_form(written)] = (meaning == "true") if kinds(entity)[field] == "yesno" else meaning
    if written_form(written) != written:
        values[written] = values[written_form(written)]
    rule["values"] = values
    return revised


def with_unit(document: dict[str, Any], written: str, meaning: str) -> dict[str, Any]:
    """The document reading the unit ``written`` as ``meaning`` wherever a unit is read."""
    revised = copy.deepcopy(document)
    try:
        recognize(meaning)
    except SangsaengError as exc:
        raise Refused("unit") from exc
    units = dict(revised.get("units") or {})
    units[written] = meaning
    revised["units"] = units
    for rule in (revised.get("fields") or {}).values():
        if rule.get("unit") == written:
            rule["unit"] = meaning
    return revised
