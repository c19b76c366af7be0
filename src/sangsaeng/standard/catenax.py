"""Catena-X traceability aspects at the edge of the canonical model: SerialPart and Batch (from a PartInstance
and its PartType) and SingleLevelBomAsBuilt (from BomLinks), in the JSON form of the SAMM aspect models.

Reading accepts the child id under ``catenaXId``, ``globalAssetId`` or the older ``childCatenaXId``; writing uses
``catenaXId``. Quantities carry SAMM units (``unit:piece``, ``unit:kilogram``) and become canonical units here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from sangsaeng.errors import InvalidInput, SangsaengError
from sangsaeng.standard.entities import BomLink, PartInstance, PartType
from sangsaeng.standard.units import recognize

SAMM_UNITS = {
    "piece": "unit:piece",
    "kilogram": "unit:kilogram",
    "meter": "unit:metre",
    "meter ** 2": "unit:squareMetre",
    "meter ** 3": "unit:cubicMetre",
    "kilowatt_hour": "unit:kilowattHour",
    "dimensionless": "unit:unitless",
}
LOCAL_ID = {"serial": "partInstanceId", "batch": "batchId"}


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _invalid(exc: ValidationError, what: str) -> InvalidInput:
    first = exc.errors()[0]
    return InvalidInput(f"{what}: {first['loc'][0]}: {first['msg']}", position=str(first["loc"][0]))


def part_to_catenax(instance: PartInstance, part_type: PartType, manufacturer: str | None = None) -> dict[str, Any]:
    """A SerialPart (kind serial) or Batch (kind batch) aspect."""
    identifiers = [{"key": LOCAL_ID[instance.kind], "value": instance.local_id}]
    if manufacturer:
        identifiers.insert(0, {"key": "manufacturerId", "value": manufacturer})
    information: dict[str, Any] = {
        "manufacturerPartId": part_type.manufacturer_part_id,
        "nameAtManufacturer": part_type.name,
    }
    if part_type.customer_part_id:
        information["customerPartId"] = part_type.customer_part_id
    document: dict[str, Any] = {
        "catenaXId": instance.global_asset_id,
        "localIdentifiers": identifiers,
        "partTypeInformation": information,
    }
    if instance.production_date is not None:
        document["manufacturingInformation"] = {"date": _stamp(instance.production_date)}
        if instance.site:
            document["manufacturingInformation"]["sites"] = [{"catenaXsiteId": instance.site, "function": "production"}]
    return document


def part_from_catenax(document: Any) -> tuple[PartInstance, PartType]:
    if not isinstance(document, dict) or not isinstance(document.get("catenaXId"), str):
        raise InvalidInput("not a SerialPart or Batch aspect: no 'catenaXId'", position="catenaXId")
    identifiers = {i.get("key"): i.get("value") for i in document.get("localIdentifiers", []) if isinstance(i, dict)}
    kind = "serial" if "partInstanceId" in identifiers else "batch" if "batchId" in identifiers else None
    if kind is None:
        raise InvalidInput("localIdentifiers name neither a partInstanceId nor a batchId", position="localIdentifiers")
    information = document.get("partTypeInformation") or {}
    manufacturing = document.get("manufacturingInformation") or {}
    sites = manufacturing.get("sites") or [{}]
    try:
        part_type = PartType(
            id=f"pt:{information.get('manufacturerPartId')}",
            manufacturer_part_id=information.get("manufacturerPartId"),
            customer_part_id=information.get("customerPartId"),
            name=information.get("nameAtManufacturer"),
        )
    except ValidationError as exc:
        raise _invalid(exc, "partTypeInformation") from exc
    try:
        instance = PartInstance(
            global_asset_id=document["catenaXId"],
            part_type=part_type.id,
            kind=kind,
            local_id=identifiers[LOCAL_ID[kind]],
            production_date=manufacturing.get("date"),
            site=sites[0].get("catenaXsiteId"),
        )
    except ValidationError as exc:
        raise _invalid(exc, "the part") from exc
    return instance, part_type


def bom_to_catenax(parent: str, links: list[BomLink]) -> dict[str, Any]:
    """A SingleLevelBomAsBuilt aspect: the parent and each of its direct children."""
    children = []
    for link in links:
        if link.parent != parent or link.lifecycle != "as-built":
            raise InvalidInput(f"{link.child} is not an as-built child of {parent}")
        unit = SAMM_UNITS.get(link.quantity_unit)
        if unit is None:
            raise InvalidInput(f"no SAMM unit for {link.quantity_unit!r}", hint=f"one of {', '.join(SAMM_UNITS)}")
        child: dict[str, Any] = {
            "catenaXId": link.child,
            "quantity": {"value": link.quantity, "unit": unit},
            "hasAlternatives": False,
        }
        if link.business_partner:
            child["businessPartner"] = link.business_partner
        if link.created_on:
            child["createdOn"] = _stamp(link.created_on)
        children.append(child)
    return {"catenaXId": parent, "childItems": children}


def bom_from_catenax(document: Any) -> list[BomLink]:
    if not isinstance(document, dict) or not isinstance(document.get("catenaXId"), str):
        raise InvalidInput("not a SingleLevelBomAsBuilt aspect: no 'catenaXId'", position="catenaXId")
    links = []
    for index, item in enumerate(document.get("childItems", [])):
        where = f"childItems[{index}]"
        child = item.get("catenaXId") or item.get("globalAssetId") or item.get("childCatenaXId")
        quantity = item.get("quantity") or {}
        try:
            unit = recognize(str(quantity.get("unit") or quantity.get("measurementUnit") or "unit:piece"))
        except SangsaengError as exc:
            raise InvalidInput(f"{where}.quantity.unit: {exc.message}", position=f"{where}.quantity.unit") from exc
        raw = quantity.get("value", quantity.get("quantityNumber"))
        try:
            links.append(
                BomLink(
                    parent=document["catenaXId"],
                    child=child,
                    quantity=float(raw) * unit.factor if raw is not None else None,
                    quantity_unit=unit.canonical,
                    business_partner=item.get("businessPartner"),
                    lifecycle="as-built",
                    created_on=item.get("createdOn"),
                )
            )
        except (ValidationError, TypeError, ValueError) as exc:
            raise InvalidInput(f"{where} is not a valid child item: {exc}", position=where) from exc
    return links
