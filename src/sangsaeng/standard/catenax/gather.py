"""Catena-X documents of many files gathered into canonical records: part instances, part types and as-built BOM
links, each once.

Several documents may speak of one record: a part type under each of its parts, a link in its parent's
SingleLevelBomAsBuilt (which names the supplier) and in its child's SingleLevelUsageAsBuilt (which names the
customer). Their records are merged field by field — what one document leaves out another may give — and two
documents that say different things of one field are refused, naming both, since which is right cannot be told.

What a document says that no canonical record holds is counted, not dropped unseen: the manufacturer's id of a
part, and customers of a child whose parent items the document does not give.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.catenax.bom import read_bom
from sangsaeng.standard.catenax.parts import read_part
from sangsaeng.standard.catenax.releases import BOM, PARTS, RELEASES, identify
from sangsaeng.standard.catenax.usage import read_usage
from sangsaeng.standard.catenax.values import DEFAULT_ZONE
from sangsaeng.standard.entities import BomLink, Entity, PartInstance, PartType
from sangsaeng.standard.labels import field_label
from sangsaeng.standard.said import PerLanguage, both, refusal, told


def is_envelope(document: Any) -> bool:
    return isinstance(document, dict) and "payload" in document and "aspectType" in document


def aspect_of(document: Any, semantic_id: str | None) -> str:
    """Which aspect a document is: its envelope's semantic id, else the one given for bare documents."""
    urn = document["aspectType"] if is_envelope(document) else semantic_id
    if not isinstance(urn, str):
        raise refusal("catenax.bare-document", at="$")
    identify(urn, tuple(RELEASES))  # refuses what is not the semantic id of an aspect read here
    return urn.strip().rsplit("#", 1)[1]


@dataclass
class Gathered:
    """The canonical records read so far, each with the documents it came from, and what they held that no
    canonical record keeps."""

    parts: dict[str, tuple[PartInstance, str]] = field(default_factory=dict)
    types: dict[str, tuple[PartType, str]] = field(default_factory=dict)
    links: dict[tuple[str, str, str], tuple[BomLink, str]] = field(default_factory=dict)
    documents: dict[str, int] = field(default_factory=dict)  # per aspect
    manufacturers: int = 0  # parts whose manufacturer's id was given
    customers_alone: int = 0  # customers named without their parent items

    def add(self, document: Any, source: str, semantic_id: str | None = None, zone: str = DEFAULT_ZONE) -> str:
        """Read one document (an envelope, or bare with ``semantic_id``) from ``source``; answers its aspect. A
        refusal names ``source`` before the position in the document."""
        try:
            aspect = self._read(document, source, semantic_id, zone)
        except InvalidInput as exc:
            said = PerLanguage(functools.partial(told, exc))
            message, message_ko = both("catenax.in-source", source=source, said=said)
            raise InvalidInput(
                message,
                position=f"{source}: {exc.position or '$'}",
                hint=exc.hint,
                details={**exc.details, "message_ko": message_ko},
            ) from exc
        self.documents[aspect] = self.documents.get(aspect, 0) + 1
        return aspect

    def _read(self, document: Any, source: str, semantic_id: str | None, zone: str) -> str:
        aspect = aspect_of(document, semantic_id)
        if aspect in PARTS:
            part = read_part(document, semantic_id, zone=zone)
            _merge(self.parts, part.instance.global_asset_id, part.instance, source)
            _merge(self.types, part.part_type.id, part.part_type, source)
            self.manufacturers += part.manufacturer is not None
        elif aspect == BOM:
            for link in read_bom(document, semantic_id).links:
                _merge(self.links, (link.parent, link.child, link.lifecycle), link, source)
        else:
            usage = read_usage(document, semantic_id)
            for link in usage.links:
                _merge(self.links, (link.parent, link.child, link.lifecycle), link, source)
            named = {link.customer for link in usage.links}
            self.customers_alone += len([c for c in usage.customers if c not in named])
        return aspect

    def records(self) -> dict[str, list[Entity]]:
        """The canonical records by entity, in the order first read; entities without records left out."""
        found: dict[str, list[Entity]] = {
            "part_instance": [r for r, _ in self.parts.values()],
            "part_type": [r for r, _ in self.types.values()],
            "bom_link": [r for r, _ in self.links.values()],
        }
        return {entity: records for entity, records in found.items() if records}


def _merge(into: dict[Any, tuple[Any, str]], key: Any, record: Entity, source: str) -> None:
    """Keep ``record`` under ``key``, or merge it into the one kept: a field one leaves empty the other fills."""
    kept = into.get(key)
    if kept is None:
        into[key] = (record, source)
        return
    earlier, first = kept
    merged = earlier.model_dump()
    for name, value in record.model_dump().items():
        if value is None or value == merged[name]:
            continue
        if merged[name] is not None:
            raise _conflict(record, name, (first, merged[name]), (source, value))
        merged[name] = value
    into[key] = (type(record).model_validate(merged), first)


def _conflict(record: Entity, name: str, one: tuple[str, Any], other: tuple[str, Any]) -> InvalidInput:
    """Two documents say different things of one field: ``one`` = (the earlier document, its value), ``other`` =
    (this document, its value); the caller names this document."""
    naming = " / ".join(str(getattr(record, k)) for k in type(record).key)
    label = PerLanguage(lambda language: field_label(record.entity, name, language))
    return refusal(
        "catenax.documents-differ",
        at=name,
        naming=naming,
        label=label,
        field=name,
        here=other[1],
        there=one[1],
        source=one[0],
    )
