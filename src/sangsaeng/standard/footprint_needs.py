"""What exporting a product footprint to PACT will need that canonical data may leave unknown, asked for where
the data enters (issue 15): a mapping that neither reads such a field from a column nor gives its value is told
once per field (``pact-unmapped``), and a row whose mapped cell is empty once per cell (``pact-empty``). Both are
notes: the rows are good canonical data — unknown is never guessed — and only the export needs more.

What each PACT version requires is the PACT package's (``standard.pact.required_fields``, held to the official
schemas); asked here are the fields the canonical model itself leaves optional, with the package's two
allowances: an exemption's description may be empty when nothing was exempted (0 %), and a CPC code may come as
one of the classifications (``urn:cpc:…``). No I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.standard.company import Company
from sangsaeng.standard.entities import ENTITIES
from sangsaeng.standard.findings import Finding
from sangsaeng.standard.pact import required_fields
from sangsaeng.standard.pact.vocabulary import CPC_URN_FORMS, cpc_of

if TYPE_CHECKING:
    from sangsaeng.standard.mapping import Mapping

ENTITY = "product_footprint"
ASKED = ("2.3", "3.0")  # the PACT versions an entry is checked against
DESCRIPTION, PERCENT = "exempted_emissions_description", "exempted_emissions_percent"
CPC, CLASSIFICATIONS = "product_category_cpc", "product_classifications"


def needed(entity: str) -> dict[str, tuple[str, ...]]:
    """Each field a PACT export of ``entity`` needs that the model may leave unknown, with the versions (of
    ``ASKED``) that need it, in the model's order; {} for entities PACT does not export."""
    if entity != ENTITY:
        return {}
    fields = ENTITIES[entity].model_fields
    wanted = {version: set(required_fields(version)) for version in ASKED}
    return {
        name: tuple(v for v in ASKED if name in wanted[v])
        for name, info in fields.items()
        if not info.is_required()
        and (info.default is None or info.default_factory is list)  # status (Active) is never unknown
        and any(name in wanted[v] for v in ASKED)
    }


def versions_text(versions: tuple[str, ...]) -> str:
    return "PACT " + ", ".join(versions)


def unmapped(mapping: Mapping) -> dict[str, tuple[str, ...]]:
    """The fields a PACT export needs that ``mapping`` neither reads from a column nor gives a value."""
    given = mapping.fields
    found = {name: versions for name, versions in needed(mapping.entity).items() if name not in given}
    percent = given.get(PERCENT)
    if percent is not None and percent.value is not None and _zero(percent.value):
        found.pop(DESCRIPTION, None)  # nothing exempted: the empty description PACT allows
    listed = given.get(CLASSIFICATIONS)
    if listed is not None and (listed.column or any(cpc_of(str(c)) for c in _items(listed.value))):
        found.pop(CPC, None)  # the code may come as a classification (a column: asked row by row)
    return found


def asked(mapping: Mapping, company: Company | None = None) -> list[Finding]:
    """One note per field a PACT export needs and the mapping does not give (record 0: the mapping itself); where
    the connector knows the value (``company``: its participant id, its name), the note offers it instead."""
    known = company.known(mapping.entity) if company else {}
    offered = [
        Finding("known-value", 0, name, _shown(value), "{value: " + _shown(value) + "}")
        for name, value in known.items()
        if name not in mapping.fields
    ]
    said = {f.field for f in offered}
    needs = unmapped(mapping)
    return offered + [Finding("pact-unmapped", 0, n, None, versions_text(v)) for n, v in needs.items() if n not in said]


def _shown(value: object) -> str:
    """A known value as a mapping writes it: a list in brackets."""
    return f"[{', '.join(map(str, value))}]" if isinstance(value, list) else str(value)


def empty_cells(canonical: pa.RecordBatch, mapping: Mapping, first_row: int) -> list[Finding]:
    """One note per row whose mapped column left a field a PACT export needs empty."""
    found = []
    for name, versions in needed(mapping.entity).items():
        rule = mapping.fields.get(name)
        if rule is None or rule.column is None or name not in canonical.schema.names:
            continue
        lacking = pc.is_null(canonical.column(name))
        if name == DESCRIPTION and PERCENT in canonical.schema.names:
            lacking = pc.and_(lacking, pc.invert(pc.fill_null(pc.equal(canonical.column(PERCENT), 0.0), False)))
        if name == CPC and CLASSIFICATIONS in canonical.schema.names:
            lacking = pc.and_(lacking, pc.invert(_lists_a_cpc(canonical.column(CLASSIFICATIONS))))
        empty = pc.indices_nonzero(lacking).to_pylist()
        expected = versions_text(versions)
        found += [Finding("pact-empty", first_row + i, name, None, expected, column=rule.column) for i in empty]
    return found


def _zero(value: object) -> bool:
    try:
        return float(str(value).strip().rstrip("%")) == 0
    except ValueError:
        return False


def _items(value: object) -> list[object]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _lists_a_cpc(classifications: pa.Array) -> pa.Array:
    """Per row: whether its classifications name a UN CPC code (``urn:cpc:…``)."""
    flat = pc.utf8_lower(pc.list_flatten(classifications))
    forms = "|".join(CPC_URN_FORMS).replace(".", "\\.")
    named = pc.fill_null(pc.match_substring_regex(flat, f"^(?:{forms}).+"), False)
    rows = pc.list_parent_indices(classifications).filter(named)
    return pc.is_in(pa.array(range(len(classifications)), pa.int64()), value_set=pc.unique(rows.cast(pa.int64())))
