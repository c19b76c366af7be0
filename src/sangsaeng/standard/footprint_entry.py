"""What a product footprint sheet leaves to the system, done as its canonical batch is made (``mapping.Applier``,
issue 15); no I/O.

- **The declared unit as SMEs write it.** ``kg``, ``킬로그램``, ``EA``, ``개``, ``pcs``, ``L``, ``리터``, ``MJ``,
  ``kWh``, ``m²``, ``톤``, ``t``, ``g`` … are read (``value_rules.canonical_unit`` names the canonical unit). A
  unit that is a multiple of its canonical one converts the declared amount beside it: 2 L is 0.002 m³, 1 t is
  1,000 kg. Where PACT has a word for the unit as written (liter, megajoule, hour), the footprint keeps it in
  ``declared_unit_pact`` and goes out in it again (``pact.declared``'s rule, with PACT's exact factors); a unit
  PACT cannot say (g, t, MWh) becomes its canonical unit with the amount converted.
- **The id is the system's** (PACT: "typically an automatically-generated number by the technology solution"):
  a mapping that gives none gets a UUID v5 per row over the company, the product, the reference period and the
  canonical declared unit (``footprint_id``) — the same sheet gives the same ids on every ingest, and footprints
  that differ in any of these never share one. A row lacking one of them is set aside for that (each is
  required); its id is then made from its record number, so it adds no finding of its own.
- **Defaults, not unknowns**: a mapping that gives no status, version or list is the model's (Active, 1 — a new
  footprint, as PACT starts one —, no items); ``spec_version`` stays empty: the footprint was not read from PACT.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.standard.entities import ProductFootprint, arrow_schema
from sangsaeng.standard.pact.decimals import to_float
from sangsaeng.standard.value_rules import declared_unit

if TYPE_CHECKING:
    from sangsaeng.standard.cell_batch import CellBatch
    from sangsaeng.standard.mapping import Mapping

ENTITY = ProductFootprint.entity
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:sangsaeng:standard:product_footprint")
IDENTITY = ("company_ids", "product_ids", "reference_period_start", "reference_period_end", "declared_unit")


def made_by_system(entity: str) -> frozenset[str]:
    """Required fields of ``entity`` the system gives when a mapping does not: a suggestion does not miss them."""
    return frozenset({"id"}) if entity == ENTITY else frozenset()


def footprint_id(parts: dict[str, Any]) -> str:
    """The derived id of a footprint with these ``IDENTITY`` values (lists in any order, moments in any zone)."""
    named = [
        sorted(parts["company_ids"]),
        sorted(parts["product_ids"]),
        _moment(parts["reference_period_start"]),
        _moment(parts["reference_period_end"]),
        parts["declared_unit"],
    ]
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, json.dumps(named, ensure_ascii=False, separators=(',', ':')))}"


def _moment(value: datetime) -> str:
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()


def _complete(parts: dict[str, Any]) -> bool:
    return all(parts[name] is not None and parts[name] != [] for name in IDENTITY)


def complete(mapping: Mapping, batch: CellBatch, out: dict[str, pa.Array], rows: int) -> None:
    """Fill in what a footprint mapping leaves to the system (see the module); other entities are left alone."""
    if mapping.entity != ENTITY:
        return
    given, schema = mapping.fields, arrow_schema(mapping.model)
    if "declared_unit" in given and "declared_unit" in out:
        _convert(mapping, batch, out, rows)
    for name, info in mapping.model.model_fields.items():
        if name in given or name in out or name == "id":
            continue
        if info.default_factory is list:
            out[name] = pa.array([[] for _ in range(rows)], schema.field(name).type)
        elif info.default is not None and not info.is_required():
            out[name] = pa.array([info.default] * rows, schema.field(name).type)
    if "id" not in given:
        out["id"] = _ids(out, batch.first_row, rows)


def _written(mapping: Mapping, batch: CellBatch, rows: int) -> pa.Array:
    """The declared unit of each row as written (the cell made readable, or the constant)."""
    rule = mapping.fields["declared_unit"]
    if rule.column is not None:
        return batch.text(rule.column, "declared_unit")
    return pa.array([str(rule.value)] * rows, pa.string())


def _convert(mapping: Mapping, batch: CellBatch, out: dict[str, pa.Array], rows: int) -> None:
    """The declared amount in the canonical unit, PACT's word kept where the unit as written has one. The amount
    is multiplied as an exact fraction and rounded once, as a PACT document's is (``pact.declared``), so that it
    goes out as the decimal it came in."""
    encoded = pc.dictionary_encode(_written(mapping, batch, rows))
    found = [None if text is None else declared_unit(text) for text in encoded.dictionary.to_pylist()]
    if "declared_amount" in out:
        scaled = [i for i, d in enumerate(found) if d is not None and d.factor != 1]
        converting = pc.is_in(encoded.indices, value_set=pa.array(scaled, encoded.indices.type))
        amounts, positions = out["declared_amount"].to_pylist(), encoded.indices.to_pylist()
        for row in pc.indices_nonzero(pc.fill_null(converting, False)).to_pylist():
            declared = found[positions[row]]
            if amounts[row] is not None and declared is not None:
                amounts[row] = to_float(Fraction(Decimal(repr(amounts[row]))) * declared.factor)
        out["declared_amount"] = pa.array(amounts, pa.float64())
    if "declared_unit_pact" not in mapping.fields:
        words = pa.array([d.pact_name if d else None for d in found], pa.string())
        out["declared_unit_pact"] = pc.take(words, encoded.indices)


def _ids(out: dict[str, pa.Array], first_row: int, rows: int) -> pa.Array:
    columns = {name: out[name].to_pylist() if name in out else [None] * rows for name in IDENTITY}
    ids = []
    for index in range(rows):
        parts = {name: values[index] for name, values in columns.items()}
        if _complete(parts):
            ids.append(footprint_id(parts))
        else:  # set aside for what it lacks: an id of its own, that no complete row can have
            ids.append(f"urn:uuid:{uuid.uuid5(NAMESPACE, f'record {first_row + index}')}")
    return pa.array(ids, pa.string())
