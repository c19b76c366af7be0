"""Mappings: how a source's columns become a canonical entity, as a small document a person reads and edits.

    entity: quality_result
    timezone: Asia/Seoul
    decimal: ","
    fields:
      subject: {column: 로트번호}
      inspected_at: {column: 검사일자, format: "%Y-%m-%d"}
      value: {column: 측정값, unit_column: 단위}
      passed: {column: 판정, values: {합격: true, 불합격: false}}

``apply`` turns a batch of source text into a batch of the entity's Arrow schema, vectorised, and yields a
finding for every cell that could not be read (``type-error``, ``bad-date``, ``unknown-code``, ``unknown-unit``,
``unit-mismatch``); such cells become null, and the checker then reports what that leaves missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, Literal, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from sangsaeng.errors import InvalidInput, SangsaengError
from sangsaeng.standard import layout
from sangsaeng.standard.entities import ENTITIES, Entity, arrow_schema, literal_values
from sangsaeng.standard.units import recognize, unknown_hint
from sangsaeng.standard.validation import Finding

NUMBER = r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$"
TRUE_WORDS = ("true", "yes", "y", "1", "pass", "passed", "ok", "합격", "적합", "양호", "o")
FALSE_WORDS = ("false", "no", "n", "0", "fail", "failed", "ng", "불합격", "부적합", "불량", "x")


class FieldMap(BaseModel):
    model_config = ConfigDict(extra="forbid")
    column: str | None = Field(None, description="The source column")
    value: Any = Field(None, description="A constant instead of a column")
    format: str | None = Field(None, description="strptime format of dates and times, e.g. %Y-%m-%d %H:%M")
    unit: str | None = Field(None, description="The unit every value is in, as the source writes it")
    unit_column: str | None = Field(None, description="A column holding each row's unit")
    values: dict[str, Any] | None = Field(None, description="Source value → canonical value, e.g. 합격: true")

    @model_validator(mode="after")
    def _one_source(self) -> FieldMap:
        if (self.column is None) == (self.value is None):
            raise ValueError("give either 'column' or 'value'")
        if self.unit is not None and self.unit_column is not None:
            raise ValueError("give either 'unit' or 'unit_column', not both")
        return self


class Header(BaseModel):
    model_config = ConfigDict(extra="forbid")
    row: int = Field(1, ge=1, description="The sheet row (CSV line) where the header starts, as Excel numbers it")
    rows: Literal[1, 2] = Field(1, description="2: a row of units or sub-names under the row of names")


class Unpivot(BaseModel):
    """Wide columns made long records (see ``layout.Unpivot``)."""

    model_config = ConfigDict(extra="forbid")
    columns: list[str] = Field(min_length=1, description="The wide columns, by their (joined) headers")
    name: str = Field(description="A new column holding each wide column's header")
    value: str = Field(description="A new column holding the cell")
    unit: str | None = Field(None, description="A new column holding the unit written in the header")

    @model_validator(mode="after")
    def _distinct(self) -> Unpivot:
        if len(set(self.columns)) != len(self.columns):
            raise ValueError("unpivot.columns names a column twice")
        new = [n for n in (self.name, self.value, self.unit) if n is not None]
        if len(set(new)) != len(new) or set(new) & set(self.columns):
            raise ValueError("unpivot.name, value and unit must be new column names, each different")
        return self


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity: str
    timezone: str = Field("Asia/Seoul", description="Time zone of dates and times without one")
    decimal: Literal[".", ","] = Field(".", description="Decimal separator of numbers")
    # How the sheet is laid out (docs/mapping.md, "Sheet layout"); each left out of the document at its default.
    sheet: str | None = Field(None, description="Excel: the sheet to read (default: the first that has data)")
    header: Header = Field(default_factory=Header, exclude_if=lambda h: h == Header())
    skip_totals: bool = Field(True, exclude_if=lambda v: v is True, description="Total rows are not records")
    fill_down: list[str] = Field(
        default_factory=list, exclude_if=lambda v: not v, description="Empty cells take the value above"
    )
    unpivot: Unpivot | None = Field(None, description="Wide columns made long records")
    fields: dict[str, FieldMap]

    @field_validator("entity")
    @classmethod
    def _known_entity(cls, entity: str) -> str:
        if entity not in ENTITIES:
            raise ValueError(f"unknown entity {entity!r}; one of {', '.join(ENTITIES)}")
        return entity

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {zone!r}; an IANA name such as Asia/Seoul or UTC") from exc
        return zone

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, fields: dict[str, FieldMap], info: ValidationInfo) -> dict[str, FieldMap]:
        entity = info.data.get("entity")
        if entity in ENTITIES:
            unknown = set(fields) - set(ENTITIES[entity].model_fields)
            if unknown:
                raise ValueError(f"{entity} has no field {', '.join(sorted(unknown))}")
        return fields

    @property
    def model(self) -> type[Entity]:
        return ENTITIES[self.entity]

    def reading(self) -> layout.Reading:
        """The layout keys as the source layer reads a sheet with them."""
        markers = getattr(self, "no_value", None)  # the mapping's own no-value markers, where it has them
        spread = self.unpivot
        return layout.Reading(
            sheet=self.sheet,
            header_row=self.header.row,
            header_rows=self.header.rows,
            skip_totals=self.skip_totals,
            fill_down=tuple(self.fill_down),
            unpivot=layout.Unpivot(tuple(spread.columns), spread.name, spread.value, spread.unit) if spread else None,
            no_value=layout.NO_VALUE if markers is None else tuple(markers),
        )

    def columns(self) -> set[str]:
        used = {f.column for f in self.fields.values() if f.column}
        return used | {f.unit_column for f in self.fields.values() if f.unit_column}

    def to_yaml(self) -> str:
        data = self.model_dump(exclude_none=True, exclude_defaults=False)
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def load_mapping(text: str, source: str = "mapping") -> Mapping:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{source} is not YAML or JSON: {exc}") from exc
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(
            f"{source}: {first['msg']}", position=where or None, hint="see docs/standard-entities.md"
        ) from exc


ISO_FORMATS = frozenset({"%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"})


def _trimmed(text: pa.Array) -> pa.Array:
    """Surrounding blanks off; an empty cell is a missing one."""
    text = pc.utf8_trim_whitespace(text)
    return (
        pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        if pc.any(pc.equal(text, "")).as_py()
        else text
    )


def _plain_numbers(text: pa.Array, decimal: str) -> pa.Array | None:
    """The column as doubles when every present cell is a plain decimal number (Arrow's own parser, one pass);
    None when any cell needs the careful path (blanks, separators, words, nan or infinity)."""
    candidate = pc.replace_substring(text, ",", ".") if decimal == "," else text
    try:
        values = pc.cast(candidate, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if pc.any(pc.invert(pc.is_finite(values))).as_py():  # "nan" and "inf" are not measurements
        return None
    return values


def _iso_times(text: pa.Array, fmt: str) -> pa.Array | None:
    """Date-times in exactly ``fmt`` (an ISO 8601 shape) parsed by Arrow's cast, much faster than strptime; None
    if any cell has another length or separator, or is not a real moment (the careful path then says which)."""
    width = len(datetime(2000, 1, 1).strftime(fmt))
    lengths = pc.min_max(pc.utf8_length(text)).as_py()
    if lengths["min"] is None or lengths["min"] != width or lengths["max"] != width:
        return None
    if not pc.all(pc.equal(pc.utf8_slice_codeunits(text, 10, 11), fmt[8])).as_py():  # " " or "T", as asked
        return None
    try:
        return pc.cast(text, pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _no_rollover(text: pa.Array, parsed: pa.Array, fmt: str) -> pa.Array:
    """strptime rolls impossible days over (2026-02-30 becomes 2026-03-02): a cell whose moment does not print
    back as it was written is parsed again by Python, which refuses such days, and is null if refused."""
    differs = pc.and_(pc.is_valid(parsed), pc.invert(pc.equal(pc.strftime(parsed, format=fmt), text)))
    suspects = pc.indices_nonzero(pc.fill_null(differs, False)).to_pylist()
    if not suspects:
        return parsed
    bad = []
    for index in suspects:
        try:
            datetime.strptime(text[index].as_py(), fmt)
        except ValueError:
            bad.append(index)
    if not bad:
        return parsed
    mask = np.zeros(len(parsed), dtype=bool)
    mask[bad] = True
    return pc.if_else(pa.array(mask), pa.scalar(None, parsed.type), parsed)


def _base(annotation: Any) -> Any:
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is not None and type(None) in get_args(annotation):
        return _base(args[0])
    return annotation


def _cells(column: pa.Array, first_row: int, mask: pa.Array) -> Iterator[tuple[int, Any]]:
    for index in pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist():
        yield first_row + index, column[index].as_py()


def _failed(before: pa.Array, after: pa.Array) -> pa.Array:
    """Cells that had text but could not be read."""
    return pc.and_(pc.is_valid(before), pc.is_null(after))


class Applier:
    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.schema = arrow_schema(mapping.model)

    def apply(self, source: pa.RecordBatch, first_row: int = 1) -> tuple[pa.RecordBatch, list[Finding]]:
        missing = self.mapping.columns() - set(source.schema.names)
        if missing:
            raise InvalidInput(
                f"the source has no column {', '.join(sorted(missing))}",
                hint=f"its columns are: {', '.join(source.schema.names)}",
            )
        findings: list[Finding] = []
        out: dict[str, pa.Array] = {}
        self._unit_columns: dict[str, tuple[pa.Array, pa.Array, dict[str, Any]]] = {}  # this batch's units
        model = self.mapping.model
        for name, rule in self.mapping.fields.items():
            info = model.model_fields[name]
            target = self.schema.field(name).type
            if rule.value is not None:
                out[name] = pa.array([rule.value] * source.num_rows, target)
                continue
            assert rule.column is not None
            raw = pc.cast(source.column(rule.column), pa.string())
            out[name] = self._read(name, info.annotation, rule, raw, target, source, first_row, findings, out)
        columns = [out.get(f.name, pa.nulls(source.num_rows, f.type)) for f in self.schema]
        # A unit column shared by several fields is reported once per row, not once per field.
        return pa.RecordBatch.from_arrays(columns, schema=self.schema), list(dict.fromkeys(findings))

    def _read(
        self,
        name: str,
        annotation: Any,
        rule: FieldMap,
        text: pa.Array,
        target: pa.DataType,
        source: pa.RecordBatch,
        first_row: int,
        findings: list[Finding],
        out: dict[str, pa.Array],
    ) -> pa.Array:
        base = _base(annotation)
        if base in (int, float) and rule.values is None:
            fast = _plain_numbers(text, self.mapping.decimal)
            if fast is not None:  # every cell a plain number already: no trimming, no pattern
                return self._number(name, base, rule, text, fast, source, first_row, findings, out)
        if base is datetime and rule.values is None and rule.format in ISO_FORMATS:
            fast = _iso_times(text, rule.format)
            if fast is not None:
                return pc.assume_timezone(fast, self.mapping.timezone, ambiguous="earliest", nonexistent="earliest")
        text = _trimmed(text)
        if rule.values is not None:
            keys = pa.array(list(rule.values), pa.string())
            index = pc.index_in(text, value_set=keys)
            mapped = pc.take(pa.array([rule.values[k] for k in rule.values], target), index)
            for row, value in _cells(text, first_row, _failed(text, mapped)):
                findings.append(Finding("unknown-code", row, name, value, ", ".join(rule.values)))
            return mapped
        if base is bool:
            lowered = pc.utf8_lower(text)
            truth = pc.if_else(
                pc.is_in(lowered, value_set=pa.array(TRUE_WORDS)),
                True,
                pc.if_else(pc.is_in(lowered, value_set=pa.array(FALSE_WORDS)), False, None),
            )
            for row, value in _cells(text, first_row, _failed(text, truth)):
                findings.append(Finding("unknown-code", row, name, value, "합격/불합격, pass/fail, Y/N, true/false"))
            return pc.cast(truth, pa.bool_())
        if base in (int, float):
            numeric = (
                pc.replace_substring(text, ",", ".")
                if self.mapping.decimal == ","
                else pc.replace_substring(text, ",", "")
            )
            valid = pc.match_substring_regex(numeric, NUMBER)
            kept = pc.if_else(valid, numeric, pa.scalar(None, pa.string()))
            for row, value in _cells(text, first_row, _failed(text, kept)):
                findings.append(Finding("type-error", row, name, value, "a number"))
            return self._number(name, base, rule, text, pc.cast(kept, pa.float64()), source, first_row, findings, out)
        if base in (datetime, date):
            fmt = rule.format or ("%Y-%m-%d" if base is date else "%Y-%m-%d %H:%M:%S")
            parsed = _no_rollover(text, pc.strptime(text, format=fmt, unit="us", error_is_null=True), fmt)
            for row, value in _cells(text, first_row, _failed(text, parsed)):
                findings.append(Finding("bad-date", row, name, value, fmt))
            if base is date:
                return pc.cast(parsed, pa.date32())
            return pc.assume_timezone(parsed, self.mapping.timezone, ambiguous="earliest", nonexistent="earliest")
        if literal_values(annotation):
            return text  # the checker names codes outside the allowed set
        return pc.cast(text, target)

    def _number(
        self,
        name: str,
        base: Any,
        rule: FieldMap,
        text: pa.Array,
        values: pa.Array,
        source: pa.RecordBatch,
        first_row: int,
        findings: list[Finding],
        out: dict[str, pa.Array],
    ) -> pa.Array:
        values = self._units(name, rule, values, source, first_row, findings, out)
        if base is int:
            whole = pc.equal(pc.floor(values), values)
            for row, value in _cells(text, first_row, pc.invert(pc.fill_null(whole, True))):
                findings.append(Finding("type-error", row, name, value, "a whole number"))
            values = pc.cast(pc.if_else(whole, values, None), pa.int64())
        return values

    def _units(
        self,
        name: str,
        rule: FieldMap,
        values: pa.Array,
        source: pa.RecordBatch,
        first_row: int,
        findings: list[Finding],
        out: dict[str, pa.Array],
    ) -> pa.Array:
        """Convert to the canonical unit: the field's own (``x-unit``) or, for free ``value``/``unit`` pairs,
        the canonical unit of what the source wrote; keep raw value and unit where the entity has room."""
        model = self.mapping.model
        extra = model.model_fields[name].json_schema_extra
        fixed = str(extra["x-unit"]) if isinstance(extra, dict) and "x-unit" in extra else None
        if rule.unit is None and rule.unit_column is None:
            return values
        if rule.unit_column is not None:
            if rule.unit_column not in self._unit_columns:  # read once a batch, however many fields use it
                column = pc.utf8_trim_whitespace(pc.cast(source.column(rule.unit_column), pa.string()))
                uniques = pc.unique(column).drop_null()
                self._unit_columns[rule.unit_column] = (column, uniques, {"index": pc.index_in(column, uniques)})
            written, distinct, cached = self._unit_columns[rule.unit_column]
            index = cached["index"]
        else:
            written = pa.array([rule.unit] * len(values), pa.string())
            distinct = pc.unique(written).drop_null()
            index = pc.index_in(written, value_set=distinct)
        # One lookup per distinct unit, then Arrow maps every row to its unit's factor and offset.
        factors: list[float | None] = []
        offsets: list[float | None] = []
        canonical_of: list[str | None] = []
        refused: dict[str, tuple[str, str]] = {}
        for raw in distinct.to_pylist():
            try:
                unit = recognize(raw)
            except SangsaengError:
                unit, refused[raw] = None, ("unknown-unit", unknown_hint(raw))  # "did you mean …" where close
            if unit is not None and fixed is not None and unit.canonical != fixed:
                unit, refused[raw] = None, ("unit-mismatch", f"convertible to {fixed}")
            factors.append(unit.factor if unit else None)
            offsets.append(unit.offset if unit else None)
            canonical_of.append(unit.canonical if unit else None)
        if refused:
            bad = pc.is_in(written, value_set=pa.array(list(refused), pa.string()))
            for row, raw in _cells(written, first_row, bad):
                code, expected = refused[raw]
                findings.append(Finding(code, row, rule.unit_column or name, raw, expected))
        canonical = pc.take(pa.array(canonical_of, pa.string()), index)
        converted = pc.add(
            pc.multiply(values, pc.take(pa.array(factors, pa.float64()), index)),
            pc.take(pa.array(offsets, pa.float64()), index),
        )
        if name == model.measured:  # its raw value and unit are kept, and free units named
            fields = model.model_fields
            if "raw_value" in fields:
                out["raw_value"] = values
            if "raw_unit" in fields:
                out["raw_unit"] = written
            if "unit" in fields and fixed is None:
                out["unit"] = canonical
        return converted
