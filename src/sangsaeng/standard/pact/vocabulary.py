"""PACT's words for things the canonical model says once: standards, IPCC reports, geography, classifications,
and the forms its identifiers take. Every value here is taken from the official OpenAPI documents or the PACT
Technical Specifications' text; ``tests/test_pact_schema.py`` holds the enumerations to the schemas.
"""

from __future__ import annotations

import re

# 3.0 ``crossSectoralStandards`` (its x-enum; 2.3 has the same list as an enum, without PAS2050). "A host system
# MUST accept ProductFootprints from later revisions with crossSectoralStandards containing values that are not
# defined in this specification": a reader keeps any value, a writer writes only these.
STANDARDS_V3 = (
    "ISO14067",
    "ISO14083",
    "ISO14040-44",
    "GHGP-Product",
    "PEF",
    "PACT-1.0",
    "PACT-2.0",
    "PACT-3.0",
    "PAS2050",
)
STANDARDS_V23 = STANDARDS_V3[:-1]
# 2.x ``crossSectoralStandardsUsed`` (deprecated in 2.3, required in 2.2 and 2.3) in the 3.0 vocabulary. ISO 14044
# is the requirements half of the ISO 14040/14044 pair that ``ISO14040-44`` names.
STANDARDS_V2 = {
    "GHGP-Product": "GHG Protocol Product standard",
    "ISO14067": "ISO Standard 14067",
    "ISO14040-44": "ISO Standard 14044",
}
STANDARDS_FROM_V2 = {old: new for new, old in STANDARDS_V2.items()}

# ``ipccCharacterizationFactors(Sources)``: "a non-empty set of strings with the format AR$VERSION$"
IPCC_REPORT = re.compile(r"AR[0-9]+")
# 2.x ``characterizationFactors``: "In case several characterization factors are used, indicate the earliest
# version used in your calculations … The value MUST be one of the following: AR6, AR5."
CHARACTERIZATION_FACTORS_V2 = ("AR6", "AR5")

# ``geographyRegionOrSubregion``: the UN regions and subregions both versions enumerate
REGIONS = (
    "Africa",
    "Americas",
    "Asia",
    "Europe",
    "Oceania",
    "Australia and New Zealand",
    "Central Asia",
    "Eastern Asia",
    "Eastern Europe",
    "Latin America and the Caribbean",
    "Melanesia",
    "Micronesia",
    "Northern Africa",
    "Northern America",
    "Northern Europe",
    "Polynesia",
    "South-eastern Asia",
    "Southern Asia",
    "Southern Europe",
    "Sub-Saharan Africa",
    "Western Asia",
    "Western Europe",
)
COUNTRY = re.compile(r"[A-Z]{2}")  # geographyCountry, ISO 3166-1 alpha-2
SUBDIVISION = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")  # geographyCountrySubdivision, ISO 3166-2


def geography_property(value: str) -> str | None:
    """The ``pcf`` property a canonical geography goes to, or None when PACT cannot say it."""
    if COUNTRY.fullmatch(value):
        return "geographyCountry"
    if SUBDIVISION.fullmatch(value):
        return "geographyCountrySubdivision"
    if value in REGIONS:
        return "geographyRegionOrSubregion"
    return None


GEOGRAPHY_PROPERTIES = ("geographyRegionOrSubregion", "geographyCountry", "geographyCountrySubdivision")

# UN CPC as a product classification. The Technical Specifications' text (2.3 and 3.0, "Product Classification
# Examples"; ADR-0037) gives ``urn:cpc:0151``; the 3.0 OpenAPI document's examples give
# ``urn:pact:productclassification:un-cpc:1234``. Written in the first form, both read.
CPC_URN = "urn:cpc:"
CPC_URN_FORMS = ("urn:cpc:", "urn:pact:productclassification:un-cpc:")
CPC_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]*")  # UN CPC codes are digits; extensions add letters and dots


def cpc_of(classification: str) -> str | None:
    """The CPC code a classification URN names, or None when it is another classification."""
    lowered = classification.lower()
    for form in CPC_URN_FORMS:
        if lowered.startswith(form) and len(classification) > len(form):
            return classification[len(form) :]
    return None


# RFC 8141 URN (``companyIds``, ``productIds``, ``productClassifications``: "Uniform Resource Names"): urn, a
# namespace id of 2–32 letters, digits and hyphens, and a namespace-specific string of URI path characters.
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
URN = re.compile(rf"[uU][rR][nN]:[A-Za-z0-9][A-Za-z0-9-]{{0,30}}[A-Za-z0-9]:{_PCHAR}(?:{_PCHAR}|/)*")
UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
URN_UUID = "urn:uuid:"
INT32 = 2**31 - 1  # ``version``: integer, format int32
