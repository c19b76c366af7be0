"""Catena-X SingleLevelUsageAsBuilt: a child and the parents it was built into (one level up), for tracing a recall
upward, from as-built BomLinks and back.

Each parent item names the customer who built the parent (``businessPartner``: the BPNL of the parent's owner,
which the canonical link holds as ``customer``), when the link was made and whether the child is only a potential
part of it (``isOnlyPotentialParent``, the link's ``has_alternatives``). ``customers`` lists every customer's BPNL:
those of the parents, and any other the caller knows the child went to whose parent is not known (the model allows
a customer without its parent items); reading keeps both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sangsaeng.standard.catenax.links import anchor_of, certainty_key, checked, item, items_of, read_link
from sangsaeng.standard.catenax.releases import USAGE, Aspect, Release, release, unwrap
from sangsaeng.standard.catenax.requirements import enforce_field
from sangsaeng.standard.entities import BomLink
from sangsaeng.standard.said import refusal


@dataclass(frozen=True)
class UsageRead:
    """The child a SingleLevelUsageAsBuilt document is about, its links to its parents, and every customer it
    names (those of the parents first)."""

    child: str
    links: list[BomLink]
    customers: list[str]
    release: Release | None


def write_usage(
    child: str, links: Sequence[BomLink], *, customers: Iterable[str] = (), version: str | None = None
) -> Aspect:
    """The SingleLevelUsageAsBuilt of ``child`` from the as-built links where it is the child, at ``version``
    (default: current); ``customers`` adds customers whose parent items are not known."""
    of = release(USAGE, version)
    checked(of, child, links)
    named: list[str] = []
    for customer in [*(link.customer for link in links), *customers]:
        enforce_field(of, "bom_link", "customer", customer)
        if customer is not None and customer not in named:
            named.append(customer)
    parents = [item(of, link, link.parent, link.customer) for link in links]
    return Aspect(of, {of.id_key: child, "parentItems": parents, "customers": named})


def read_usage(document: Any, semantic_id: str | None = None) -> UsageRead:
    """The as-built links (child → each parent) and customers a SingleLevelUsageAsBuilt document gives."""
    payload, of = unwrap(document, semantic_id, (USAGE,))
    child = anchor_of(payload, USAGE)
    certainty = certainty_key(of or release(USAGE))
    links = [
        read_link(raw, f"parentItems[{index}]", {"child": child}, "customer", certainty)
        for index, raw in enumerate(items_of(payload, "parentItems"))
    ]
    customers = items_of(payload, "customers")
    if not all(isinstance(c, str) for c in customers):
        raise refusal("catenax.customers-not-list", at="customers")
    named = [link.customer for link in links if link.customer is not None]
    return UsageRead(child, links, list(dict.fromkeys([*named, *customers])), of)
