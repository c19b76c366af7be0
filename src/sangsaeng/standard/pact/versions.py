"""What each PACT version names and requires, per canonical field of ``ProductFootprint``.

The facts come from the official OpenAPI documents (``../shared/spec/pact/openapi_v2_2.yaml``, ``_v2_3``,
``_v3_0``): a property is *required* where the schema's ``required`` lists it, or where the property's own text
says MUST — v2.x ``primaryDataShare``: "For reference periods including the beginning of year 2025 or after, this
property MUST be defined", and before 2025 it or ``dqi`` (which the canonical model does not hold) must be.
``tests/test_pact_schema.py`` holds this table to the schemas' ``required`` lists.

v3.0 marks three properties ``x-rule: SHALL`` without listing them as required (``primaryDataShare``,
``packagingEmissionsIncluded``, ``ccsTechnologicalCO2CaptureIncluded``): they are written when known and not
demanded here — the schema is the contract a recipient checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from sangsaeng.standard.said import refusal

PactVersion = Literal["2.2", "2.3", "3.0"]
VERSIONS: tuple[PactVersion, ...] = get_args(PactVersion)
# specVersion as written: major.minor.patch, the pattern ^\d+\.\d+\.\d+(-\d{8})?$ of every version's schema
SPEC_VERSION: dict[PactVersion, str] = {"2.2": "2.2.0", "2.3": "2.3.0", "3.0": "3.0.0"}
V2: tuple[PactVersion, ...] = ("2.2", "2.3")


@dataclass(frozen=True)
class Place:
    """Where a canonical field goes in one PACT version: the property's JSON path and whether it is required —
    by the schema's ``required`` list, or only by the property's text (``by_text``)."""

    path: str
    required: bool
    by_text: bool = False


def _in(versions: tuple[PactVersion, ...], path: str, required: bool) -> dict[PactVersion, Place]:
    return {v: Place(path, required) for v in versions}


ALL = VERSIONS
# canonical field → version → place. A version absent from a field's entry has no property for it.
PLACES: dict[str, dict[PactVersion, Place]] = {
    "id": _in(ALL, "id", True),
    "version": _in(V2, "version", True),  # gone in 3.0: every change makes a new footprint (ADR-0041)
    "status": _in(ALL, "status", True),
    "created": _in(ALL, "created", True),
    "validity_period_start": _in(ALL, "validityPeriodStart", False),
    "validity_period_end": _in(ALL, "validityPeriodEnd", False),
    "company_name": _in(ALL, "companyName", True),
    "company_ids": _in(ALL, "companyIds", True),
    "product_description": _in(ALL, "productDescription", True),
    "product_ids": _in(ALL, "productIds", True),
    # 3.0 has no productCategoryCpc: the code becomes one of the productClassifications (urn:cpc:…)
    "product_category_cpc": {**_in(V2, "productCategoryCpc", True), "3.0": Place("productClassifications", False)},
    "product_classifications": _in(("2.3", "3.0"), "productClassifications", False),
    "product_name": _in(ALL, "productNameCompany", True),
    "comment": {**_in(V2, "comment", True), "3.0": Place("comment", False)},
    "preceding_pf_ids": _in(ALL, "precedingPfIds", False),
    "declared_unit": {**_in(V2, "pcf.declaredUnit", True), "3.0": Place("pcf.declaredUnitOfMeasurement", True)},
    "declared_amount": {
        **_in(V2, "pcf.unitaryProductAmount", True),
        "3.0": Place("pcf.declaredUnitAmount", True),
    },
    "product_mass_per_declared_unit": {
        "2.3": Place("pcf.productMassPerDeclaredUnit", False),
        "3.0": Place("pcf.productMassPerDeclaredUnit", True),
    },
    "reference_period_start": _in(ALL, "pcf.referencePeriodStart", True),
    "reference_period_end": _in(ALL, "pcf.referencePeriodEnd", True),
    "geography": _in(ALL, "pcf.geographyCountry", False),  # or …CountrySubdivision, …RegionOrSubregion
    "pcf_excluding_biogenic": {
        **_in(V2, "pcf.pCfExcludingBiogenic", True),
        "3.0": Place("pcf.pcfExcludingBiogenicUptake", True),
    },
    "pcf_including_biogenic": {
        **_in(V2, "pcf.pCfIncludingBiogenic", False),
        "3.0": Place("pcf.pcfIncludingBiogenicUptake", True),
    },
    "fossil_ghg_emissions": _in(ALL, "pcf.fossilGhgEmissions", True),
    "fossil_carbon_content": _in(ALL, "pcf.fossilCarbonContent", True),
    "biogenic_carbon_content": {
        **_in(V2, "pcf.biogenicCarbonContent", True),
        "3.0": Place("pcf.biogenicCarbonContent", False),
    },
    "packaging_emissions_included": {
        **_in(V2, "pcf.packagingEmissionsIncluded", True),
        "3.0": Place("pcf.packagingEmissionsIncluded", False),
    },
    "packaging_ghg_emissions": _in(ALL, "pcf.packagingGhgEmissions", False),
    "ipcc_characterization_factors": {
        **_in(V2, "pcf.ipccCharacterizationFactorsSources", True),  # and the deprecated characterizationFactors
        "3.0": Place("pcf.ipccCharacterizationFactors", True),
    },
    "cross_sectoral_standards": {
        "2.2": Place("pcf.crossSectoralStandardsUsed", True),
        "2.3": Place("pcf.crossSectoralStandardsUsed", True),  # and crossSectoralStandards, the full list
        "3.0": Place("pcf.crossSectoralStandards", True),
    },
    "boundary_processes_description": {
        **_in(V2, "pcf.boundaryProcessesDescription", True),
        "3.0": Place("pcf.boundaryProcessesDescription", False),
    },
    "exempted_emissions_percent": _in(ALL, "pcf.exemptedEmissionsPercent", True),
    "exempted_emissions_description": {
        **_in(V2, "pcf.exemptedEmissionsDescription", True),
        "3.0": Place("pcf.exemptedEmissionsDescription", False),
    },
    "allocation_rules_description": _in(ALL, "pcf.allocationRulesDescription", False),
    "primary_data_share": {
        **{v: Place("pcf.primaryDataShare", True, by_text=True) for v in V2},
        "3.0": Place("pcf.primaryDataShare", False),
    },
}

# Written by the export itself, never asked of a person: specVersion (the version asked for) and created (the
# footprint's own, else the moment of export).
WRITTEN_BY_EXPORT = frozenset({"created"})


def schema_required(version: PactVersion) -> tuple[str, ...]:
    """The properties the version's schema lists as required (JSON paths, ``pcf.`` for the carbon footprint)."""
    chosen = [places[version] for places in PLACES.values() if version in places]
    paths = {p.path for p in chosen if p.required and not p.by_text}
    extra = {"specVersion", "pcf"} | ({"pcf.characterizationFactors"} if version in V2 else set())
    return tuple(sorted(paths | extra))


def layout_of(spec_version: str) -> PactVersion | None:
    """The version whose property names a document of ``spec_version`` (major.minor.patch) uses: 2.0–2.2 as 2.2,
    later 2.x as 2.3, every 3.x as 3.0; None for other majors."""
    major, _, rest = spec_version.partition(".")
    minor = rest.partition(".")[0]
    if major == "3":
        return "3.0"
    if major == "2" and minor.isdigit():
        return "2.3" if int(minor) >= 3 else "2.2"
    return None


def version_of(version: str) -> PactVersion:
    """The version asked for, or a refusal naming the ones there are."""
    for known in VERSIONS:
        if version == known:
            return known
    raise refusal("pact.unknown-version", at="version", version=version, versions=", ".join(VERSIONS))


def place(field: str, version: PactVersion) -> Place | None:
    return PLACES.get(field, {}).get(version)


def required_fields(version: str) -> tuple[str, ...]:
    """The canonical fields of ``ProductFootprint`` a PACT version needs a value for (``created`` aside: the
    export says the moment of export when the footprint has none)."""
    chosen = version_of(version)
    return tuple(
        field
        for field, places in PLACES.items()
        if chosen in places and places[chosen].required and field not in WRITTEN_BY_EXPORT
    )
