"""What a PACT version needs that a footprint does not say, in words a person can act on (Korean and English).

``requirements`` lists the canonical fields left unknown that a version requires — the portal's review page and the
mapping ask for exactly these. A text PACT requires counts as unknown when it is blank: no required text is written
as an empty string unless the specification allows it, and only ``exemptedEmissionsDescription`` does ("CAN be the
empty string if no emissions were excluded", 2.2, 2.3 and 3.0 alike).

``unsaid`` lists the fields holding a value the version has no property for (classifications in 2.2, the mass per
declared unit in 2.2, a version number other than 1 in 3.0): the document is written without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sangsaeng.standard.entities import ProductFootprint
from sangsaeng.standard.labels import field_label
from sangsaeng.standard.pact.versions import PLACES, WRITTEN_BY_EXPORT, PactVersion, place, version_of
from sangsaeng.standard.pact.vocabulary import cpc_of
from sangsaeng.standard.said import PerLanguage, both

ENTITY = "product_footprint"


@dataclass(frozen=True)
class Missing:
    """A canonical field a PACT version requires and a footprint leaves unknown, or holds a value PACT cannot say
    (``kind``): where it goes in the document and why it is needed, in Korean and English."""

    field: str
    property: str
    ko: str
    en: str
    kind: str = "missing"  # or "refused": a value is there, but the version cannot say it

    def text(self, language: str) -> str:
        return self.ko if language == "ko" else self.en

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "property": self.property, "kind": self.kind, "ko": self.ko, "en": self.en}


def label(field: str, language: str) -> str:
    return field_label(ENTITY, field, language)


def missing(field: str, version: PactVersion, key: str = "pact.required", **values: Any) -> Missing:
    """``field`` is required and unknown: said by ``key`` of the ``standard`` catalog, with the version, the
    document's path, the field and its label, and ``values``."""
    where = place(field, version)
    path = where.path if where else field
    en, ko = both(
        key, version=version, path=path, field=field, label=PerLanguage(lambda lang: label(field, lang)), **values
    )
    return Missing(field, path, ko, en)


def known(value: Any) -> bool:
    """A value that says something: not None, not an empty list, not a blank text."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return bool(value)
    return True


def cpc_code(footprint: ProductFootprint) -> str | None:
    """The footprint's UN CPC code: its own field, else the first CPC classification it lists."""
    if known(footprint.product_category_cpc):
        return footprint.product_category_cpc
    return next((c for c in map(cpc_of, footprint.product_classifications) if c), None)


def _exemption(footprint: ProductFootprint, version: PactVersion) -> Missing | None:
    """2.x ``exemptedEmissionsDescription`` (required): empty exactly when nothing was left out."""
    description, percent = footprint.exempted_emissions_description, footprint.exempted_emissions_percent
    if description is None:
        if percent == 0:
            return None  # nothing left out: the empty string the specification allows is written
        return missing("exempted_emissions_description", version)
    if description.strip() or not percent:
        return None
    return missing("exempted_emissions_description", version, "pact.exempted-without-reason", percent=percent)


def requirements(footprint: ProductFootprint, version: str) -> list[Missing]:
    """The canonical fields ``version`` requires that ``footprint`` leaves unknown, in the order of the model."""
    chosen = version_of(version)
    found: list[Missing] = []
    for field, places in PLACES.items():
        where = places.get(chosen)
        if field in WRITTEN_BY_EXPORT or where is None or not where.required:
            continue
        if field == "exempted_emissions_description":
            problem = _exemption(footprint, chosen)
            if problem:
                found.append(problem)
        elif field == "product_category_cpc":
            if cpc_code(footprint) is None:
                found.append(missing(field, chosen))
        elif not known(getattr(footprint, field)):
            found.append(missing(field, chosen))
    return found


def unsaid(footprint: ProductFootprint, version: str) -> list[str]:
    """Fields with a value ``version`` has no property for; a document in that version goes without them."""
    chosen = version_of(version)
    left: list[str] = []
    if chosen == "2.2":
        if any(cpc_of(c) is None for c in footprint.product_classifications):
            left.append("product_classifications")
        if footprint.product_mass_per_declared_unit is not None:
            left.append("product_mass_per_declared_unit")
    if chosen == "3.0" and footprint.version != 1:  # "The version number of this new PCF MUST always be 1"
        left.append("version")
    return left
