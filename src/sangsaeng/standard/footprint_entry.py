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

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.standard.entities import Entity, ProductFootprint, arrow_schema
from sangsaeng.standard.field_rules import FieldMap
from sangsaeng.standard.pact.decimals import to_float
from sangsaeng.standard.value_rules import declared_unit

if TYPE_CHECKING:
    from sangsaeng.standard.cell_batch import CellBatch


class Mapping(Protocol):
    """What of a mapping (``mapping.Mapping``, which calls this module) the footprint's completion reads."""

    @property
    def entity(self) -> str: ...
    @property
    def fields(self) -> dict[str, FieldMap]: ...
    @property
    def model(self) -> type[Entity]: ...


ENTITY = ProductFootprint.entity
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:sangsaeng:standard:product_footprint")
_PLAIN = re.compile(r'[^"\\\x00-\x1f]*')  # what JSON (ensure_ascii=False) writes between quotes as it is
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
IDENTITY = ("company_ids", "product_ids", "reference_period_start", "reference_period_end", "declared_unit")


def made_by_system(entity: str) -> frozenset[str]:
    """Required fields of ``entity`` the system gives when a mapping does not: a suggestion does not miss them."""
    return frozenset({"id"}) if entity == ENTITY else frozenset()


def footprint_id(parts: dict[str, Any]) -> str:
    """The derived id of a footprint with these ``IDENTITY`` values (lists in any order, moments in any zone)."""
    return _id_of(parts["company_ids"], parts["product_ids"], _moment(parts["reference_period_start"]),
                  _moment(parts["reference_period_end"]), parts["declared_unit"])  # fmt: skip


def _id_of(companies: list[str], products: list[str], start: str, end: str, unit: str) -> str:
    """``urn:uuid:`` and the UUID v5 (RFC 4122 § 4.3: SHA-1, version and variant bits) in ``NAMESPACE`` of the
    compact JSON ``[companies sorted, products sorted, start, end, unit]``."""
    return _uuid5(f"[{_listed(companies)},{_listed(products)},{_quoted(start)},{_quoted(end)},{_quoted(unit)}]")


def _uuid5(name: str) -> str:
    digest = bytearray(hashlib.sha1(NAMESPACE.bytes + name.encode()).digest()[:16])
    digest[6], digest[8] = (digest[6] & 0x0F) | 0x50, (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _listed(items: list[str]) -> str:
    return f"[{','.join(map(_quoted, sorted(items)))}]"


def _quoted(text: str) -> str:
    """A string as compact JSON (``ensure_ascii=False``) writes it — without the encoder where nothing needs
    escaping, as URNs, ISO moments and unit names never do."""
    return f'"{text}"' if _PLAIN.fullmatch(text) else json.dumps(text, ensure_ascii=False)


def _moment(value: datetime) -> str:
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()


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
            kind = schema.field(name).type
            out[name] = pa.ListArray.from_arrays(pa.array(np.zeros(rows + 1, np.int32)), pa.array([], kind.value_type))
        elif info.default is not None and not info.is_required():
            out[name] = pa.repeat(pa.scalar(info.default, schema.field(name).type), rows)
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
        done: dict[tuple[float, int], float | None] = {}  # once per distinct amount and unit
        for row in pc.indices_nonzero(pc.fill_null(converting, False)).to_pylist():
            declared, amount = found[positions[row]], amounts[row]
            if amount is not None and declared is not None:
                key = (amount, positions[row])
                if key not in done:
                    done[key] = to_float(Fraction(Decimal(repr(amount))) * declared.factor)
                amounts[row] = done[key]
        out["declared_amount"] = pa.array(amounts, pa.float64())
    if "declared_unit_pact" not in mapping.fields:
        words = pa.array([d.pact_name if d else None for d in found], pa.string())
        out["declared_unit_pact"] = pc.take(words, encoded.indices)


def _moments(column: pa.Array) -> list[str | None]:
    """A column of moments as ISO text in UTC, worked out once per distinct moment (a file has few periods)."""
    micros = pc.cast(column, pa.int64())
    encoded = pc.dictionary_encode(micros)
    texts = [None if m is None else _moment(_EPOCH + timedelta(microseconds=m)) for m in encoded.dictionary.to_pylist()]
    return [None if i is None else texts[i] for i in encoded.indices.to_pylist()]


def _ids(out: dict[str, pa.Array], first_row: int, rows: int) -> pa.Array:
    """Each row's derived id. What few rows differ in (the company, the period, the unit) is written once per
    distinct value; the product and the hash, once a row."""

    def values(name: str) -> list[Any]:
        if name not in out:
            return [None] * rows
        return _moments(out[name]) if pa.types.is_timestamp(out[name].type) else out[name].to_pylist()

    companies, products, starts, ends, units = (values(name) for name in IDENTITY)
    written: dict[Any, str] = {}

    def once(key: Any, make: Any) -> str:
        if key not in written:
            written[key] = make()
        return written[key]

    ids = []
    for index in range(rows):
        parts = (companies[index], products[index], starts[index], ends[index], units[index])
        if not all(p is not None and p != [] for p in parts):  # set aside for what it lacks: an id of its own
            ids.append(f"urn:uuid:{uuid.uuid5(NAMESPACE, f'record {first_row + index}')}")
            continue
        company, product, start, end, unit = parts
        head = once(("c", tuple(company)), lambda c=company: f"[{_listed(c)},")
        tail = once(("t", start, end, unit), lambda a=start, b=end, u=unit: f",{_quoted(a)},{_quoted(b)},{_quoted(u)}]")
        ids.append(_uuid5(head + _listed(product) + tail))
    return pa.array(ids, pa.string())
