"""Catena-X SingleLevelBomAsBuilt: a parent and the children built into it (one level down), from as-built BomLinks
and back.

Each child item requires, in both releases, the supplier's BPNL (``business_partner``), when the link was made
(``created_on``), the quantity and whether the child is only one of several that may have been built in
(``has_alternatives``): a link without them is refused, never written with a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sangsaeng.standard.catenax.links import anchor_of, certainty_key, checked, item, items_of, read_link
from sangsaeng.standard.catenax.releases import BOM, Aspect, Release, release, unwrap
from sangsaeng.standard.entities import BomLink


@dataclass(frozen=True)
class BomRead:
    """The parent a SingleLevelBomAsBuilt document is about and its links; ``release`` is None for a document of
    an older release read by its shape."""

    parent: str
    links: list[BomLink]
    release: Release | None


def write_bom(parent: str, links: Sequence[BomLink], *, version: str | None = None) -> Aspect:
    """The SingleLevelBomAsBuilt of ``parent`` from its as-built links, at ``version`` (default: current)."""
    of = release(BOM, version)
    checked(of, parent, links)
    children = [item(of, link, link.child, link.business_partner) for link in links]
    return Aspect(of, {of.id_key: parent, "childItems": children})


def read_bom(document: Any, semantic_id: str | None = None) -> BomRead:
    """The as-built links a SingleLevelBomAsBuilt document (or its envelope) gives."""
    payload, of = unwrap(document, semantic_id, (BOM,))
    parent = anchor_of(payload, BOM)
    certainty = certainty_key(of or release(BOM))
    links = [
        read_link(raw, f"childItems[{index}]", {"parent": parent}, "business_partner", certainty)
        for index, raw in enumerate(items_of(payload, "childItems"))
    ]
    return BomRead(parent, links, of)
