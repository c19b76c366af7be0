"""What the downward aspect (SingleLevelBomAsBuilt: a parent and its children) and the upward one
(SingleLevelUsageAsBuilt: a child and its parents) share: each related item is a global asset id, a quantity in a
unit of the SAMM catalogue, a business partner's BPNL, when the link was made, and whether it is certain
(``hasAlternatives`` down, ``isOnlyPotentialParent`` up: the same fact about a link, seen from either end).

Older spellings are read as well: ``childCatenaXId`` and ``quantityNumber`` / ``measurementUnit`` (releases
before 3.0.0). Quantities become canonical units (``unit:gram`` 250 → 0.25 kilogram).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from sangsaeng.standard.catenax.releases import BOM, Release
from sangsaeng.standard.catenax.requirements import enforce, enforce_field
from sangsaeng.standard.catenax.values import read_moment, read_unit, samm_unit, stamp
from sangsaeng.standard.entities import BomLink
from sangsaeng.standard.said import refusal

ID_KEYS = ("globalAssetId", "catenaXId", "childCatenaXId")


def certainty_key(of: Release) -> str:
    return "hasAlternatives" if of.aspect == BOM else "isOnlyPotentialParent"


def checked(of: Release, anchor: str, links: Sequence[BomLink]) -> None:
    """Refuse links that do not hang on ``anchor`` (the parent down, the child up), that ``of`` cannot write, or
    that name one related item twice (an aspect's items are a set)."""
    end, other = ("parent", "child") if of.aspect == BOM else ("child", "parent")
    seen: set[str] = set()
    for link in links:
        enforce(of, link)
        if getattr(link, end) != anchor:
            said = {"release": of, "parent": link.parent, "child": link.child, "end": end, "anchor": anchor}
            raise refusal("catenax.not-a-link", at=end, **said)
        related = getattr(link, other)
        if related in seen:
            raise refusal("catenax.linked-twice", at=other, related=related, anchor=anchor, release=of, other=other)
        seen.add(related)
    if not links:  # no link carries the anchor through ``enforce``
        enforce_field(of, "bom_link", end, anchor)


def item(of: Release, link: BomLink, related: str, partner: str | None) -> dict[str, Any]:
    """One related item of the document (all fields already enforced)."""
    assert link.created_on is not None
    return {
        of.id_key: related,
        "quantity": {"value": float(link.quantity), "unit": samm_unit(link.quantity_unit)},
        certainty_key(of): link.has_alternatives,
        "businessPartner": partner,
        "createdOn": stamp(link.created_on),
    }


def items_of(payload: dict[str, Any], key: str) -> list[Any]:
    found = payload.get(key, [])
    if not isinstance(found, list):
        raise refusal("catenax.not-a-list", at=key, key=key)
    return found


def anchor_of(payload: dict[str, Any], aspect: str) -> str:
    found = payload.get("globalAssetId", payload.get("catenaXId"))
    if not isinstance(found, str):
        raise refusal("catenax.no-anchor", at="catenaXId", aspect=aspect)
    return found


def read_link(raw: Any, where: str, ends: dict[str, Any], partner_field: str, certainty: str) -> BomLink:
    """A BomLink from one item: ``ends`` gives the anchor's end, the related id is read from the item."""
    if not isinstance(raw, dict):
        raise refusal("catenax.not-an-object", at=where, where=where)
    related = next((raw[k] for k in ID_KEYS if k in raw), None)
    quantity = raw.get("quantity")
    if not isinstance(quantity, dict):
        raise refusal("catenax.no-quantity", at=f"{where}.quantity", where=where)
    written = quantity.get("unit", quantity.get("measurementUnit"))
    if not isinstance(written, str):
        raise refusal("catenax.no-unit", at=f"{where}.quantity.unit", where=where)
    unit = read_unit(written, f"{where}.quantity.unit")
    value = quantity.get("value", quantity.get("quantityNumber"))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise refusal("catenax.quantity-not-number", at=f"{where}.quantity.value", where=where, value=value)
    created = raw.get("createdOn")
    try:
        return BomLink.model_validate(
            {
                **ends,
                "child" if "parent" in ends else "parent": related,
                "quantity": value * unit.factor + unit.offset,
                "quantity_unit": unit.canonical,
                partner_field: raw.get("businessPartner"),
                "lifecycle": "as-built",
                "created_on": None if created is None else read_moment(created, f"{where}.createdOn"),
                "has_alternatives": raw.get(certainty),
            },
            strict=False,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise refusal("catenax.bad-item", at=where, where=where, key=first["loc"][0], problem=first["msg"]) from exc
