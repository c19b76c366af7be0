"""Mappings: how a source's columns become a canonical entity, as a small document a person reads and edits.

    entity: quality_result
    timezone: Asia/Seoul
    decimal: ","
    no_value: ["-", "N/A"]           # what "no value" is written as (default: -, N/A, #N/A, 없음, 측정불가 …)
    fields:
      subject: {column: 로트번호}
      inspected_at: {column: 검사일자, format: "2026.03.02"}   # a strptime pattern, or an example date
      value: {column: 측정값, unit_column: 단위}
      passed: {column: 판정, values: {합격: true, 불합격: false}}
      period_end: {column: 월, format: "3월분", year: 2026, at: end}
      good_count: {column: 생산수량, minus: 불량수량}

``apply`` turns a batch of source text into a batch of the entity's Arrow schema, vectorised. Cells are read as
a person meant them (``cells``: full width, markers, thousands separators, units in the cell; ``dates``: dates
by example, ISO text and Excel serials). Every cell that could not be read is a finding (``type-error``,
``bad-date``, ``unknown-code``, ``unknown-unit``, ``unit-mismatch``) and becomes null, and the checker then
reports what that leaves missing; a no-value marker is a note (``no-value``) and a null.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any, Literal, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
import pyarrow.compute as pc
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from sangsaeng.errors import SangsaengError
from sangsaeng.standard import dates, layout, said
from sangsaeng.standard.cell_batch import CellBatch, indices
from sangsaeng.standard.cells import (
    NO_VALUE,
    Codes,
    Markers,
    normal_form,
    per_row,
    plain_numbers,
    range_side,
    split_numbers,
    unit_of,
)
from sangsaeng.standard.entities import ENTITIES, Entity, arrow_schema, literal_values
from sangsaeng.standard.field_rules import FieldMap as FieldMap  # the document's parts, imported from here
from sangsaeng.standard.field_rules import Header as Header
from sangsaeng.standard.field_rules import Unpivot as Unpivot
from sangsaeng.standard.field_rules import _base as _base
from sangsaeng.standard.footprint_entry import complete
from sangsaeng.standard.input_errors import said_of
from sangsaeng.standard.layout import LINE
from sangsaeng.standard.said import PerLanguage, Problem, refusal, told
from sangsaeng.standard.truth import FALSE_WORDS as FALSE_WORDS  # where readers of the words found them
from sangsaeng.standard.truth import TRUE_WORDS as TRUE_WORDS
from sangsaeng.standard.truth import truth_expected, truth_words
from sangsaeng.standard.units import Unit, nearest, recognize, through, unknown_hint
from sangsaeng.standard.validation import Finding
from sangsaeng.standard.value_rules import in_percent, rule_for

CALORIFIC_FACTOR = "calorific_factor"  # its unit (MJ/Nm³) is recorded as calorific_unit, never applied to it


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity: str = Field(description="The canonical entity the file holds, e.g. quality_result")
    timezone: str = Field("Asia/Seoul", description="Time zone of dates and times without one")
    decimal: Literal[".", ","] = Field(".", description="Decimal separator of numbers")
    no_value: list[str] | None = Field(None, description="What cells write for no value (default: -, N/A, 없음 …)")
    units: dict[str, str] = Field(
        default_factory=dict,
        exclude_if=lambda v: not v,
        description="Units the company writes its own way, each as a spelling the system reads: {파이: mm}",
    )

    @field_validator("no_value", mode="before")
    @classmethod
    def _markers_as_text(cls, markers: Any) -> Any:
        """-999 or 0 written as numbers in the document are the text a cell holds."""
        return [str(m) if isinstance(m, int | float) else m for m in markers] if isinstance(markers, list) else markers

    # How the sheet is laid out (docs/mapping.md, "Sheet layout"); each left out of the document at its default.
    sheet: str | None = Field(None, description="Excel: the sheet to read (default: the first that has data)")
    header: Header = Field(default_factory=Header, exclude_if=lambda h: h == Header())
    skip_totals: bool = Field(True, exclude_if=lambda v: v is True, description="Total rows are not records")
    fill_down: list[str] = Field(
        default_factory=list, exclude_if=lambda v: not v, description="Empty cells take the value above"
    )
    unpivot: Unpivot | None = Field(None, description="Wide columns made long records")
    fields: dict[str, FieldMap] = Field(description="Each field of the entity: where it comes from (keys below)")

    @field_validator("entity")
    @classmethod
    def _known_entity(cls, entity: str) -> str:
        if entity not in ENTITIES:
            raise Problem("mapping.unknown-entity", entity=entity, entities=", ".join(ENTITIES))
        return entity

    @field_validator("units")
    @classmethod
    def _known_units(cls, units: dict[str, str]) -> dict[str, str]:
        for written, spelling in units.items():
            try:
                recognize(spelling)
            except SangsaengError as exc:
                raise Problem("mapping.unknown-unit", written=written, spelling=spelling) from exc
        return {normal_form(written): spelling for written, spelling in units.items()}

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise Problem("mapping.unknown-timezone", zone=zone) from exc
        return zone

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, fields: dict[str, FieldMap], info: ValidationInfo) -> dict[str, FieldMap]:
        entity = info.data.get("entity")
        if entity in ENTITIES:
            model = ENTITIES[entity].model_fields
            unknown = set(fields) - set(model)
            if unknown:
                raise Problem("mapping.unknown-field", entity=entity, fields=", ".join(sorted(unknown)))
            for name, rule in fields.items():
                base = _base(model[name].annotation)
                if rule.minus is not None and base not in (int, float):
                    raise Problem("mapping.minus-not-number", field=name)
                if rule.at is not None and base not in (datetime, date):
                    raise Problem("mapping.at-not-date", field=name)
                if rule.prefix is not None and (base not in (str, list[str]) or literal_values(model[name].annotation)):
                    raise Problem("mapping.prefix-not-text", field=name)
        return fields

    @model_validator(mode="after")
    def _calorific_pair(self) -> Mapping:
        """A fuel's amount becomes energy through a calorific value and its unit, given together."""
        factor, unit = self.fields.get(CALORIFIC_FACTOR), self.fields.get("calorific_unit")
        if factor is None and unit is None:
            return self
        example = "calorific_factor: {value: 42.7}, calorific_unit: {value: MJ/Nm³}"
        if unit is not None and unit.value is None:
            raise Problem("mapping.calorific-unit-value", example=example)
        if factor is None or factor.unit_column is not None:
            raise Problem("mapping.calorific-pair", example=example)
        written = self.calorific_unit
        if written is None:
            raise Problem("mapping.calorific-factor-unit", example=example)
        if unit is not None and factor.unit is not None and normal_form(factor.unit) != normal_form(written):
            raise Problem("mapping.calorific-units-differ", factor=factor.unit, unit=written)
        try:
            unit_of(written)
        except SangsaengError as exc:
            raise Problem(
                "mapping.calorific-unit-unknown", unit=written, problem=PerLanguage(partial(told, exc))
            ) from exc
        return self

    @property
    def calorific_unit(self) -> str | None:
        """The unit of the calorific value (MJ/Nm³): calorific_unit's value, else calorific_factor's ``unit``."""
        unit, factor = self.fields.get("calorific_unit"), self.fields.get(CALORIFIC_FACTOR)
        if unit is not None and unit.value is not None:
            return str(unit.value)
        return factor.unit if factor is not None else None

    @property
    def model(self) -> type[Entity]:
        return ENTITIES[self.entity]

    @property
    def markers(self) -> Markers:
        return Markers(tuple(NO_VALUE if self.no_value is None else self.no_value))

    def reading(self) -> layout.Reading:
        """The layout keys as the source layer reads a sheet with them."""
        spread = self.unpivot
        return layout.Reading(
            sheet=self.sheet,
            header_row=self.header.row,
            header_rows=self.header.rows,
            skip_totals=self.skip_totals,
            fill_down=tuple(self.fill_down),
            unpivot=layout.Unpivot(tuple(spread.columns), spread.name, spread.value, spread.unit) if spread else None,
            no_value=self.markers.written,
        )

    def columns(self) -> set[str]:
        used = {f.column for f in self.fields.values() if f.column}
        return used | {c for f in self.fields.values() for c in (f.unit_column, f.minus) if c}

    def to_yaml(self) -> str:
        data = self.model_dump(exclude_none=True, exclude_defaults=False)
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def load_mapping(text: str, source: str = "mapping") -> Mapping:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise refusal("mapping.not-yaml", source=source, problem=str(exc)) from exc
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise refusal("mapping.invalid", at=where or None, source=source, problem=said_of(first)) from exc


_FLOAT = pa.float64()
_NOT_A_NUMBER = ("type-error", "a number", True)


class Applier:
    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.schema = arrow_schema(mapping.model)
        self.markers = mapping.markers
        self._codes = {
            name: Codes.of(rule.values, self.markers, self.schema.field(name).type)
            for name, rule in mapping.fields.items()
            if rule.values is not None
        }
        self._truth = {
            name: Codes.of(truth_words(name), self.markers, pa.bool_())
            for name, info in mapping.model.model_fields.items()
            if _base(info.annotation) is bool
        }
        # The calorific value's unit is recorded (calorific_unit), not converted: it is read as a plain number.
        # A field in percent reads "12 %" as 12, as if the mapping said its unit.
        self._fields = {
            name: rule.model_copy(update={"unit": None})
            if name == CALORIFIC_FACTOR
            else rule.model_copy(update={"unit": "%"})
            if in_percent(mapping.entity, name) and rule.column and not (rule.unit or rule.unit_column)
            else rule
            for name, rule in mapping.fields.items()
        }
        calorific = mapping.calorific_unit
        self._calorific = None if calorific is None else unit_of(calorific)
        self._bridged: set[str] = set()  # units of a fuel's amount made energy through the calorific value
        self._constants = {
            name: self._constant(name, rule, self.schema.field(name).type)
            for name, rule in self._fields.items()
            if rule.value is not None
        }

    def _constant(self, name: str, rule: FieldMap, target: pa.DataType) -> tuple[Any, dict[str, Any]]:
        """A constant as the field holds it, and what its reading sets beside it (raw value and unit); one written
        as a cell would be (2026-03-01, 12 kWh) or given a unit (24.98 with unit mm) is read as a cell is."""
        listed, ruled = pa.types.is_list(target), rule_for(self.mapping.entity, name) is not None
        if rule.unit is None and not (listed or ruled):  # lists and ruled text are read as a cell would be
            try:
                pa.array([rule.value], target)
                return rule.value, {}
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
                pass
        text = rule.value.isoformat() if isinstance(rule.value, date) else str(rule.value)
        if isinstance(rule.value, list):  # a YAML list: its items, one a line
            text = "\n".join(str(item) for item in rule.value)
        cell = "\x00constant"
        one = CellBatch(pa.RecordBatch.from_pydict({cell: pa.array([text], pa.string())}), 1, self.markers)
        beside: dict[str, pa.Array] = {}
        read = self._read(one, name, rule.model_copy(update={"value": None, "column": cell}), target, beside)
        if one.findings or not read[0].is_valid:
            found = one.findings[0] if one.findings else None
            why = PerLanguage(lambda lang: found.text(lang) if found else said.words("mapping.empty", lang))
            raise refusal("mapping.bad-constant", field=name, value=text, problem=why)
        return read[0].as_py(), {field: values[0].as_py() for field, values in beside.items()}

    def apply(self, source: pa.RecordBatch, first_row: int = 1) -> tuple[pa.RecordBatch, list[Finding]]:
        names = [n for n in source.schema.names if n != LINE]
        missing = self.mapping.columns() - set(names)
        if missing:
            raise refusal("mapping.missing-columns", missing=", ".join(sorted(missing)), columns=", ".join(names))
        batch = CellBatch(source, first_row, self.markers)
        out: dict[str, pa.Array] = {}
        rows = source.num_rows
        for name, rule in self._fields.items():
            target = self.schema.field(name).type
            if rule.value is not None:
                value, beside = self._constants[name]
                out[name] = pa.array([value] * rows, target)
                for other, held in beside.items():
                    out.setdefault(other, pa.array([held] * rows, self.schema.field(other).type))
                continue
            out[name] = self._read(batch, name, rule, target, out)
        if self._calorific is not None and "calorific_unit" not in out:  # given as calorific_factor's unit
            out["calorific_unit"] = pa.array([self._calorific.raw] * rows, pa.string())
        complete(self.mapping, batch, out, rows)  # a footprint's declared unit, its id, its defaults
        columns = [out.get(f.name, pa.nulls(source.num_rows, f.type)) for f in self.schema]
        # A unit column shared by several fields is reported once per row, not once per field.
        return pa.RecordBatch.from_arrays(columns, schema=self.schema), list(dict.fromkeys(batch.findings))

    def _read(self, batch: CellBatch, name: str, rule: FieldMap, target: pa.DataType, out: dict[str, pa.Array]) -> Any:
        assert rule.column is not None
        annotation = self.mapping.model.model_fields[name].annotation
        base = _base(annotation)
        if rule.values is not None:
            return self._coded(batch, name, rule.column, self._codes[name], ", ".join(rule.values))
        if base is bool:
            return self._coded(batch, name, rule.column, self._truth[name], truth_expected(name))
        if get_origin(base) is list:
            return batch.listed(rule.column, name, rule_for(self.mapping.entity, name), rule.prefix)
        if base in (int, float):
            values = self._number(batch, name, base, rule, rule.column, out)
            if rule.minus is not None:  # an empty or no-value subtrahend takes nothing away
                values = pc.subtract(values, pc.fill_null(self._number(batch, name, base, rule, rule.minus, None), 0))
            return pc.cast(values, pa.int64()) if base is int else values
        if base in (datetime, date):
            return self._moment(batch, name, base is date, rule)
        ruled = rule_for(self.mapping.entity, name)
        text = batch.ruled(rule.column, name, ruled, rule.prefix)
        return text if literal_values(annotation) else pc.cast(text, target)

    def _coded(self, batch: CellBatch, name: str, column: str, codes: Codes, expected: str) -> pa.Array:
        raw = batch.raw(column)
        index = pc.index_in(raw, value_set=codes.written)
        if pc.any(pc.and_(pc.is_valid(raw), pc.is_null(index))).as_py():  # the careful reading, where needed
            text = batch.text(column, name)
            index = pc.coalesce(index, pc.index_in(text, value_set=codes.readable))
            if codes.folded is not None:
                index = pc.coalesce(index, pc.index_in(pc.utf8_lower(text), value_set=codes.folded))
            batch.add_all("unknown-code", pc.and_(pc.is_valid(text), pc.is_null(index)), name, column, expected, raw)
        return pc.take(codes.values, index)

    def _number(
        self, batch: CellBatch, name: str, base: Any, rule: FieldMap, column: str, out: dict[str, pa.Array] | None
    ) -> pa.Array:
        """A column's numbers in the field's canonical unit (``out`` given: the raw value and unit kept there)."""
        raw = batch.raw(column)
        values = None if self.markers.castable else plain_numbers(raw, self.mapping.decimal)
        units = None
        if values is None:
            split = split_numbers(batch.text(column, name), self.mapping.decimal)
            decimal = self.mapping.decimal
            expected = "a number" if decimal == "." else "a number (decimal ','; e.g. 1.234,5)"
            batch.add_all("type-error", split.unreadable, name, column, expected, raw)
            values, units = split.values, split.units
        values = self._units(batch, name, rule, column, values, units, raw, out)
        if base is int:
            whole = pc.equal(pc.floor(values), values)
            batch.add_all("type-error", pc.invert(pc.fill_null(whole, True)), name, column, "a whole number", raw)
            values = pc.if_else(whole, values, None)
        return values

    def _units(
        self,
        batch: CellBatch,
        name: str,
        rule: FieldMap,
        column: str,
        values: pa.Array,
        in_cells: pa.Array | None,
        raw: pa.Array,
        out: dict[str, pa.Array] | None,
    ) -> pa.Array:
        """Values in the canonical unit: the field's own (``x-unit``) or, for the measured field's free unit, the
        canonical unit of what was written. A unit in a cell is that row's unit; it must agree in dimension with
        the declared one, and it needs a field that can take a unit at all. Raw value and unit are kept where the
        entity has room."""
        model = self.mapping.model
        extra = model.model_fields[name].json_schema_extra
        fixed = str(extra["x-unit"]) if isinstance(extra, dict) and "x-unit" in extra else None
        declared = self._declared(batch, name, rule, values, fixed)
        if declared is None and in_cells is None:
            self._companion(out, name, fixed, None, len(values))
            return values
        if in_cells is None:
            assert declared is not None
            written, canonical, factor, offset = declared
        else:
            written, canonical, factor, offset = self._in_cells(batch, name, rule, column, in_cells, raw, fixed)
            if declared is not None:
                differs = pc.fill_null(pc.not_equal(canonical, declared[1]), False)
                for index in indices(differs):
                    shown = f"convertible to {declared[0][index].as_py()}"
                    batch.add("unit-mismatch", index, name, in_cells[index].as_py(), shown, column)
                factor = pc.if_else(differs, pa.scalar(None, pa.float64()), pc.coalesce(factor, declared[2]))
                offset = pc.coalesce(offset, declared[3])
                canonical = pc.coalesce(canonical, declared[1])
                written = pc.coalesce(in_cells, declared[0])
        if fixed is None or declared is None:  # a value without a unit is kept as written (in the field's unit)
            unitless = pc.is_null(written)
            factor = pc.if_else(unitless, 1.0, factor)
            offset = pc.if_else(unitless, 0.0, offset)
        elif rule.unit_column is not None:  # a value needs its unit to become the field's
            lacking = pc.and_(pc.is_valid(values), pc.is_null(written))
            expected = f"a unit convertible to {fixed}"
            batch.add_all("missing-value", lacking, rule.unit_column, rule.unit_column, expected, written)
        converted = pc.add(pc.multiply(values, factor), offset)
        if self._bridged and name == model.measured:
            converted = self._through_calorific(batch, name, values, written, converted)
        self._companion(out, name, fixed, canonical, len(values))
        if name == model.measured and out is not None:
            fields = model.model_fields
            if "raw_value" in fields:
                out["raw_value"] = values
            if "raw_unit" in fields:
                out["raw_unit"] = written
            if "unit" in fields and fixed is None:
                out["unit"] = canonical
        return converted

    def _companion(
        self, out: dict[str, pa.Array] | None, name: str, fixed: str | None, canonical: pa.Array | None, rows: int
    ) -> None:
        """A quantity's canonical unit beside it (``quantity_unit``), where the entity has one and the mapping does
        not fill it: the unit read, else the field's default (a count: piece)."""
        companion = f"{name}_unit"
        fields = self.mapping.model.model_fields
        if out is None or fixed is not None or companion not in fields or companion in self.mapping.fields:
            return
        default = fields[companion].default
        fallback = pa.scalar(default if isinstance(default, str) else None, pa.string())
        out[companion] = (
            pa.array([fallback.as_py()] * rows, pa.string())
            if canonical is None
            else (pc.coalesce(canonical, fallback))
        )

    def _through_calorific(
        self, batch: CellBatch, name: str, values: pa.Array, written: pa.Array, converted: pa.Array
    ) -> pa.Array:
        """A fuel's amount (Nm³, L, kg) made energy: rows in a bridged unit are multiplied by the calorific value,
        the constant or the row's own; a row without one is a ``missing-value`` of the calorific value."""
        fuel = pc.fill_null(pc.is_in(written, value_set=pa.array(sorted(self._bridged), pa.string())), False)
        if not pc.any(fuel).as_py():
            return converted
        rule = self._fields[CALORIFIC_FACTOR]
        if rule.value is not None:
            constant = self._constants.get(CALORIFIC_FACTOR, (rule.value, {}))[0]
            heat = pa.array([constant] * len(values), _FLOAT)
        elif rule.column is not None and rule.column in batch.source.schema.names:
            heat = self._number(batch, CALORIFIC_FACTOR, float, rule, rule.column, None)
        else:
            heat = pa.nulls(len(values), _FLOAT)
        lacking = pc.and_(pc.and_(fuel, pc.is_valid(values)), pc.is_null(heat))
        assert self._calorific is not None
        expected = f"a calorific value in {self._calorific.raw} to turn the amount into kWh"
        batch.add_all("missing-value", lacking, CALORIFIC_FACTOR, rule.column or name, expected, written)
        return pc.if_else(fuel, pc.multiply(converted, heat), converted)

    def _fit(self, unit: Unit, written: str, name: str, fixed: str | None) -> tuple[Any, ...] | None:
        """(canonical, factor, offset) of a unit (``written`` so) for a field, or None where it cannot become the
        field's unit. A fuel's amount becomes energy through the calorific unit (Nm³ × MJ/Nm³ → kWh), the value
        per row after (``_through_calorific``)."""
        if fixed is None or unit.canonical == fixed:
            return unit.canonical, unit.factor, unit.offset
        if self._calorific is not None and name == self.mapping.model.measured:
            factor = through(unit, self._calorific, fixed)
            if factor is not None:
                self._bridged.add(written)
                return fixed, factor, 0.0
        return None

    def _mismatch(self, name: str, fixed: str) -> str:
        """What a field with a fixed unit expects, said so that a fuel's amount shows the way to energy."""
        if name != self.mapping.model.measured or fixed != "kilowatt_hour":
            return f"convertible to {fixed}"
        if self._calorific is not None:
            return f"convertible to {fixed}, or to it through the calorific value in {self._calorific.raw}"
        return f"convertible to {fixed} (a fuel in Nm³, L or kg: give calorific_factor and calorific_unit)"

    def _declared(
        self, batch: CellBatch, name: str, rule: FieldMap, values: pa.Array, fixed: str | None
    ) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array] | None:
        """Per row: the unit the mapping declares (its text, canonical unit, factor, offset), or None without."""
        if rule.unit is not None:
            rows = len(values)
            resolved = self._resolved(rule.unit, name, fixed)
            if len(resolved) == 2:
                code, expected = resolved
                for index in indices(pc.is_valid(values)):
                    batch.add(code, index, name, rule.unit, expected, rule.column)
                resolved = (None, None, None)
            return (
                pa.array([rule.unit] * rows, pa.string()),
                *(pa.array([v] * rows, t) for v, t in zip(resolved, (pa.string(), _FLOAT, _FLOAT), strict=True)),
            )
        if rule.unit_column is None:
            return None
        key = (rule.unit_column, fixed)
        if key not in batch.units:  # once a batch, however many fields use the column
            distinct, index = batch.coded(rule.unit_column, rule.unit_column)
            written = batch.text(rule.unit_column, rule.unit_column)
            table = []
            for position, text in enumerate(distinct.to_pylist()):
                resolved = (None, None, None) if text is None else self._resolved(text, name, fixed)
                if len(resolved) == 2:
                    code, expected = resolved
                    refused = pc.equal(index, pa.scalar(position, index.type))
                    batch.add_all(code, refused, rule.unit_column, rule.unit_column, expected, written)
                    resolved = (None, None, None)
                table.append(resolved)
            batch.units[key] = (written, *per_row(table, index))
        return batch.units[key]

    def _spelled(self, text: str) -> str:
        """A unit as the system reads it: the mapping's own spelling of the company's word (``units``) first."""
        return self.mapping.units.get(normal_form(text), text) if self.mapping.units else text

    def _resolved(self, text: str, name: str, fixed: str | None) -> tuple[Any, ...]:
        """(canonical, factor, offset) of a declared unit, or (code, expected) of why it cannot be used."""
        try:
            unit = unit_of(self._spelled(text))
        except SangsaengError:
            return "unknown-unit", unknown_hint(text)  # "did you mean …" where close
        fitted = self._fit(unit, text, name, fixed)
        if fitted is None:
            assert fixed is not None
            return "unit-mismatch", self._mismatch(name, fixed)
        return fitted

    def _in_cells(
        self,
        batch: CellBatch,
        name: str,
        rule: FieldMap,
        column: str,
        in_cells: pa.Array,
        raw: pa.Array,
        fixed: str | None,
    ) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
        """The units written in the cells, one lookup per distinct spelling, as (text, canonical, factor, offset)
        per row; a cell whose unit cannot be used is a finding and has no factor."""
        free = fixed is None and name == self.mapping.model.measured
        declared = rule.unit is not None or rule.unit_column is not None
        whole = _base(self.mapping.model.model_fields[name].annotation) is int
        encoded = pc.dictionary_encode(in_cells)
        table: list[tuple[Any, ...]] = []
        refused: dict[int, tuple[str, str, bool]] = {}  # index → code, expected, show the whole cell
        for position, text in enumerate(encoded.dictionary.to_pylist()):
            try:
                unit = unit_of(self._spelled(text))
            except SangsaengError:
                close = bool(nearest(text))  # a near miss is a unit mistyped; anything else, no number
                refused[position] = ("unknown-unit", unknown_hint(text), False) if close else _NOT_A_NUMBER
                table.append((None, None, None))
                continue
            fitted = self._fit(unit, text, name, fixed)
            if not (free or declared or fixed is not None or (whole and unit.canonical == "piece")):
                refused[position] = ("unknown-unit", "a plain number, or a unit for this field in the mapping", False)
            elif fitted is None:
                assert fixed is not None
                refused[position] = ("unit-mismatch", self._mismatch(name, fixed), False)
            table.append((None, None, None) if position in refused or fitted is None else fitted)
        if refused:
            index = encoded.indices
            for row in indices(pc.is_in(index, value_set=pa.array(list(refused), pa.int32()))):
                code, expected, whole_cell = refused[index[row].as_py()]
                shown = raw[row].as_py() if whole_cell else in_cells[row].as_py()
                batch.add(code, row, name, shown, expected, column)
        return (in_cells, *per_row(table, encoded.indices))

    def _moment(self, batch: CellBatch, name: str, as_date: bool, rule: FieldMap) -> pa.Array:
        assert rule.column is not None
        found, zone, end = rule.date_rule, self.mapping.timezone, rule.at == "end"
        if not as_date and not end and not self.markers.castable:
            fast = dates.fast_moments(batch.raw(rule.column), found, zone)
            if fast is not None:
                return fast
        text = range_side(batch.text(rule.column, name), end)  # "2026.01~2026.12": the side the field reads
        if as_date:
            read = dates.read_days(text, found, year=rule.year, end=end)
        else:
            read = dates.read_moments(text, found, zone, year=rule.year, end=end)
        expected = rule.format or ("2026-03-02" if as_date else "2026-03-02 14:30")
        failed = pc.and_(pc.is_valid(text), pc.is_null(read))
        batch.add_all("bad-date", failed, name, rule.column, expected, batch.raw(rule.column))
        return read
