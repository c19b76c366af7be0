"""Catena-X traceability aspects at the edge of the canonical model: SerialPart and Batch (a PartInstance and its
PartType), SingleLevelBomAsBuilt (a parent's as-built BomLinks) and SingleLevelUsageAsBuilt (a child's), at their
current release (4.0.0) by default and at 3.x on request.

A writer returns an ``Aspect``: the release (its semantic id) and the document; ``Aspect.envelope()`` is what a file
holds. A writer refuses, with an ``InvalidInput`` naming the canonical field, the release and how to give it, a
record that lacks what the release requires or holds it in another form; ``still_needed`` tells the same before
export. Readers take either release and the older spellings, from an envelope, a semantic id or the shape.

    releases.py      the releases, their names, the semantic id and the envelope
    values.py        BPNL, BPNS, global asset ids, dates and times, SAMM units
    requirements.py  what each release requires of which canonical field; enforce and still_needed
    parts.py         SerialPart and Batch
    links.py         what the two BOM directions share
    bom.py, usage.py SingleLevelBomAsBuilt (down) and SingleLevelUsageAsBuilt (up)
    export.py        many records → named documents, after saying what the release still needs of them all
    gather.py        many documents → canonical records, each once, merged (``sangsaeng catenax import``)
"""

from __future__ import annotations

from typing import Any

from sangsaeng.standard.catenax.bom import BomRead, read_bom, write_bom
from sangsaeng.standard.catenax.parts import PartRead, read_part, write_part
from sangsaeng.standard.catenax.releases import RELEASES, Aspect, Release, release
from sangsaeng.standard.catenax.requirements import Need, Rule, rules, still_needed
from sangsaeng.standard.catenax.usage import UsageRead, read_usage, write_usage
from sangsaeng.standard.entities import BomLink, PartInstance, PartType

__all__ = [
    "RELEASES",
    "Aspect",
    "BomRead",
    "Need",
    "PartRead",
    "Release",
    "Rule",
    "UsageRead",
    "bom_from_catenax",
    "bom_to_catenax",
    "part_from_catenax",
    "part_to_catenax",
    "read_bom",
    "read_part",
    "read_usage",
    "release",
    "rules",
    "still_needed",
    "write_bom",
    "write_part",
    "write_usage",
]


# The names of the first version, kept for their callers: documents alone, at the current release.
def part_to_catenax(instance: PartInstance, part_type: PartType, manufacturer: str | None = None) -> dict[str, Any]:
    """The document of ``write_part`` (current release); prefer ``write_part``, whose answer says its release."""
    return write_part(instance, part_type, manufacturer=manufacturer).document


def part_from_catenax(document: Any) -> tuple[PartInstance, PartType]:
    read = read_part(document)
    return read.instance, read.part_type


def bom_to_catenax(parent: str, links: list[BomLink]) -> dict[str, Any]:
    """The document of ``write_bom`` (current release); prefer ``write_bom``, whose answer says its release."""
    return write_bom(parent, links).document


def bom_from_catenax(document: Any) -> list[BomLink]:
    return read_bom(document).links
