"""PACT Pathfinder ProductFootprint v2 and v3 at the edge of the canonical ``ProductFootprint``.

v3 renames fields of the ``pcf`` object (``declaredUnit`` → ``declaredUnitOfMeasurement``,
``unitaryProductAmount`` → ``declaredUnitAmount``, ``pCfExcludingBiogenic`` → ``pcfExcludingBiogenicUptake``,
``pCfIncludingBiogenic`` → ``pcfIncludingBiogenicUptake``); both write numbers as decimal strings. PACT's
declared units become canonical units here, the declared amount converted with them (1 liter = 0.001 m³).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import ValidationError

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.entities import ProductFootprint
from sangsaeng.standard.units import convert, recognize

# PACT declared unit → canonical unit (and back, preferring the first PACT name for each canonical unit)
DECLARED_UNITS = {
    "kilogram": "kilogram",
    "liter": "meter ** 3",
    "cubic meter": "meter ** 3",
    "kilowatt hour": "kilowatt_hour",
    "megajoule": "kilowatt_hour",
    "square meter": "meter ** 2",
    "ton kilometer": "kilogram * meter",
}
PREFERRED = {
    "kilogram": "kilogram",
    "meter ** 3": "cubic meter",
    "kilowatt_hour": "kilowatt hour",
    "meter ** 2": "square meter",
    "kilogram * meter": "ton kilometer",
}
_PACT_EXPRESSION = {
    "liter": "L",
    "cubic meter": "m**3",
    "kilowatt hour": "kWh",
    "megajoule": "MJ",
    "square meter": "m**2",
    "ton kilometer": "t*km",
    "kilogram": "kg",
}
_NAMES = {
    "2": {
        "unit": "declaredUnit",
        "amount": "unitaryProductAmount",
        "excluding": "pCfExcludingBiogenic",
        "including": "pCfIncludingBiogenic",
    },
    "3": {
        "unit": "declaredUnitOfMeasurement",
        "amount": "declaredUnitAmount",
        "excluding": "pcfExcludingBiogenicUptake",
        "including": "pcfIncludingBiogenicUptake",
    },
}


def _decimal(value: float) -> str:
    text = format(Decimal(repr(value)).normalize(), "f")
    return text if "." in text else text + ".0"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_pact(
    footprint: ProductFootprint,
    version: Literal["2", "3"],
    *,
    company_name: str = "",
    product_description: str = "",
    created: datetime | None = None,
) -> dict[str, Any]:
    names = _NAMES[version]
    pact_unit = PREFERRED.get(footprint.declared_unit)
    if pact_unit is None:
        raise InvalidInput(
            f"PACT has no declared unit for {footprint.declared_unit!r}",
            hint=f"PACT declares footprints per {', '.join(DECLARED_UNITS)}",
        )
    amount = convert(footprint.declared_amount, footprint.declared_unit, _PACT_EXPRESSION[pact_unit])
    pcf: dict[str, Any] = {
        names["unit"]: pact_unit,
        names["amount"]: _decimal(amount),
        names["excluding"]: _decimal(footprint.pcf_excluding_biogenic),
        "referencePeriodStart": _stamp(footprint.reference_period_start),
        "referencePeriodEnd": _stamp(footprint.reference_period_end),
    }
    if footprint.pcf_including_biogenic is not None:
        pcf[names["including"]] = _decimal(footprint.pcf_including_biogenic)
    if footprint.geography:
        pcf["geographyCountry"] = footprint.geography
    if footprint.primary_data_share is not None:
        pcf["primaryDataShare"] = footprint.primary_data_share
    document: dict[str, Any] = {
        "id": footprint.id.removeprefix("urn:uuid:"),
        "specVersion": footprint.spec_version,
        "version": footprint.version,
        "created": _stamp(created or footprint.reference_period_end),
        "status": footprint.status,
        "companyName": company_name,
        "companyIds": footprint.company_ids,
        "productDescription": product_description,
        "productIds": footprint.product_ids,
        "pcf": pcf,
    }
    if footprint.preceding_pf_ids:
        document["precedingPfIds"] = [i.removeprefix("urn:uuid:") for i in footprint.preceding_pf_ids]
    return document


def _number(pcf: dict[str, Any], key: str, where: str, required: bool = True) -> float | None:
    if key not in pcf:
        if required:
            raise InvalidInput(f"the footprint lacks {key}", position=f"{where}.{key}")
        return None
    try:
        return float(Decimal(str(pcf[key])))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(f"{key} is not a decimal number: {pcf[key]!r}", position=f"{where}.{key}") from exc


def from_pact(document: Any) -> ProductFootprint:
    """Read a PACT v2 or v3 ProductFootprint; refuse what is missing or malformed, with its JSON path."""
    if not isinstance(document, dict) or not isinstance(document.get("pcf"), dict):
        raise InvalidInput("not a PACT ProductFootprint: no 'pcf' object", position="pcf")
    spec = str(document.get("specVersion", ""))
    version = spec.split(".", 1)[0]
    if version not in _NAMES:
        raise InvalidInput(f"PACT specVersion {spec!r} is not 2.x or 3.x", position="specVersion")
    names, pcf = _NAMES[version], document["pcf"]
    unit = pcf.get(names["unit"])
    if unit not in DECLARED_UNITS:
        raise InvalidInput(
            f"unknown declared unit {unit!r}",
            position=f"pcf.{names['unit']}",
            hint=f"one of {', '.join(DECLARED_UNITS)}",
        )
    amount = _number(pcf, names["amount"], "pcf")
    assert amount is not None
    canonical = recognize(_PACT_EXPRESSION[unit])
    try:
        return ProductFootprint(
            id=f"urn:uuid:{document.get('id')}"
            if not str(document.get("id", "")).startswith("urn:")
            else document["id"],
            spec_version=spec,
            version=int(document.get("version", 0)),
            status=document.get("status", "Active"),
            company_ids=list(document.get("companyIds", [])),
            product_ids=list(document.get("productIds", [])),
            declared_unit=canonical.canonical,
            declared_amount=amount * canonical.factor,
            pcf_excluding_biogenic=_number(pcf, names["excluding"], "pcf"),
            pcf_including_biogenic=_number(pcf, names["including"], "pcf", required=False),
            reference_period_start=pcf.get("referencePeriodStart"),
            reference_period_end=pcf.get("referencePeriodEnd"),
            geography=pcf.get("geographyCountry"),
            preceding_pf_ids=[f"urn:uuid:{i}" for i in document.get("precedingPfIds", [])],
            primary_data_share=pcf.get("primaryDataShare"),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(f"{first['loc'][0]}: {first['msg']}", position=str(first["loc"][0])) from exc
