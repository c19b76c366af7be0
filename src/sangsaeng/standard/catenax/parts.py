"""Catena-X SerialPart (a part instance of kind serial) and Batch (kind batch), with its PartType, in and out.

Written at the current release (4.0.0) unless asked for 3.x; read at either, from an envelope, with the semantic
id given, or by shape. The manufacturer's BPNL, when given, becomes the ``manufacturerId`` local identifier. The
part's site is where it was made: written with the function ``production``, and read from the first site of
that function. Of several classifications the first is read (a part type holds one).

4.0.0 writes the production date as a date (xsd:date, the UTC day); 3.x as an instant. Reading, a date alone is
its first moment in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.catenax.releases import PART_NAMES, PARTS, Aspect, Release, release, unwrap
from sangsaeng.standard.catenax.requirements import enforce
from sangsaeng.standard.catenax.values import DEFAULT_ZONE, day, given, is_bpnl, read_moment, stamp
from sangsaeng.standard.entities import PartInstance, PartType
from sangsaeng.standard.said import refusal

LOCAL_ID = {"serial": "partInstanceId", "batch": "batchId"}
KIND = {"SerialPart": "serial", "Batch": "batch"}


@dataclass(frozen=True)
class PartRead:
    """What a SerialPart or Batch document says, in canonical records; ``release`` is None for a document of an
    older release read by its shape."""

    instance: PartInstance
    part_type: PartType
    manufacturer: str | None
    release: Release | None


def write_part(
    instance: PartInstance,
    part_type: PartType,
    *,
    manufacturer: str | None = None,
    version: str | None = None,
    zone: str = DEFAULT_ZONE,
) -> Aspect:
    """A SerialPart (kind serial) or Batch (kind batch) of ``version`` (default: the current release); a
    production date alone (4.0.0) is the day where the company works (``zone``)."""
    of = release("SerialPart" if instance.kind == "serial" else "Batch", version)
    if instance.part_type != part_type.id:
        raise refusal("catenax.type-mismatch", at="part_type", part=instance.part_type, given=part_type.id)
    enforce(of, instance)
    enforce(of, part_type)
    if manufacturer is not None and not is_bpnl(manufacturer):
        raise refusal("catenax.manufacturer-not-bpnl", at="manufacturer", manufacturer=manufacturer)
    identifiers = [] if instance.local_id is None else [{"key": LOCAL_ID[instance.kind], "value": instance.local_id}]
    if manufacturer is not None:
        identifiers.insert(0, {"key": "manufacturerId", "value": manufacturer})
    return Aspect(
        of,
        {
            of.id_key: instance.global_asset_id,
            "localIdentifiers": identifiers,
            "partTypeInformation": _type_information(of, part_type),
            "manufacturingInformation": _manufacturing(of, instance, zone),
        },
    )


def _type_information(of: Release, part_type: PartType) -> dict[str, Any]:
    names = PART_NAMES[min(of.major, 4)]
    information: dict[str, Any] = {
        "manufacturerPartId": part_type.manufacturer_part_id,
        "nameAtManufacturer": part_type.name,
    }
    if of.aspect == "SerialPart":  # Batch has no customer fields
        if given(part_type.customer_part_id):
            information["customerPartId"] = part_type.customer_part_id
        if given(part_type.name_at_customer):
            information["nameAtCustomer"] = part_type.name_at_customer
    if given(part_type.classification):  # with its standard (enforced)
        information["partClassification"] = [
            {names.standard: part_type.classification_standard, names.code: part_type.classification}
        ]
    return information


def _manufacturing(of: Release, instance: PartInstance, zone: str) -> dict[str, Any]:
    names = PART_NAMES[min(of.major, 4)]
    assert instance.production_date is not None  # enforced
    made = day(instance.production_date, zone) if names.date_only else stamp(instance.production_date)
    manufacturing: dict[str, Any] = {names.date: made}
    if given(instance.site):
        manufacturing["sites"] = [{names.site: instance.site, "function": "production"}]
    return manufacturing


def read_part(document: Any, semantic_id: str | None = None, *, zone: str = DEFAULT_ZONE) -> PartRead:
    """The part instance and part type a SerialPart or Batch document (or its envelope) describes. A document
    without a serial or batch number (4.0.0 requires none: the global asset id is the part) reads with none, when
    its kind is known from its semantic id; a production date alone is its first moment where the company works."""
    payload, of = unwrap(document, semantic_id, PARTS)
    asset_id = payload.get("globalAssetId", payload.get("catenaXId"))
    if not isinstance(asset_id, str):
        raise refusal("catenax.not-a-part", at="catenaXId")
    identifiers = _identifiers(payload.get("localIdentifiers", []))
    kind = _kind(of, identifiers)
    part_type = _part_type(_mapping(payload.get("partTypeInformation"), "partTypeInformation"))
    manufacturing = _mapping(payload.get("manufacturingInformation"), "manufacturingInformation")
    date = manufacturing.get("productionDate", manufacturing.get("date"))
    try:
        instance = PartInstance(
            global_asset_id=asset_id,
            part_type=part_type.id,
            kind=kind,
            local_id=identifiers.get(LOCAL_ID[kind]),
            production_date=None if date is None else read_moment(date, "manufacturingInformation.date", zone),
            site=_production_site(manufacturing.get("sites") or []),
        )
    except ValidationError as exc:
        raise _invalid(exc, "the part") from exc
    return PartRead(instance, part_type, identifiers.get("manufacturerId"), of)


def _identifiers(items: Any) -> dict[str, str]:
    if not isinstance(items, list):
        raise refusal("catenax.identifiers-not-list", at="localIdentifiers")
    return {i["key"]: i["value"] for i in items if isinstance(i, dict) and "key" in i and "value" in i}


def _kind(of: Release | None, identifiers: dict[str, str]) -> str:
    if of is not None:
        return KIND[of.aspect]
    if "partInstanceId" in identifiers:
        return "serial"
    if "batchId" in identifiers:
        return "batch"
    raise refusal("catenax.no-local-id", at="localIdentifiers")


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise refusal("catenax.not-an-object", at=where, where=where)
    return value


def _part_type(information: dict[str, Any]) -> PartType:
    classes = information.get("partClassification")
    first = classes[0] if isinstance(classes, list) and classes and isinstance(classes[0], dict) else {}
    try:
        return PartType(
            id=f"pt:{information.get('manufacturerPartId')}",
            manufacturer_part_id=information.get("manufacturerPartId"),
            customer_part_id=information.get("customerPartId"),
            name=information.get("nameAtManufacturer"),
            name_at_customer=information.get("nameAtCustomer"),
            classification=first.get("id", first.get("classificationID")),
            classification_standard=first.get("standard", first.get("classificationStandard")),
        )
    except ValidationError as exc:
        raise _invalid(exc, "partTypeInformation") from exc


def _production_site(sites: Any) -> str | None:
    for site in sites if isinstance(sites, list) else []:
        if isinstance(site, dict) and site.get("function") == "production":
            found = site.get("siteId", site.get("catenaXsiteId"))
            return found if isinstance(found, str) else None
    return None


def _invalid(exc: ValidationError, what: str) -> InvalidInput:
    first = exc.errors()[0]
    field = str(first["loc"][0])
    return refusal("catenax.unreadable-value", at=field, what=what, field=field, problem=first["msg"])
