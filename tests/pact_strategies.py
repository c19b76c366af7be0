"""Hypothesis strategies for canonical product footprints that a PACT version can say completely: every unit the
version declares, optional fields present or not, extreme but valid numbers, Korean and other texts.

The unit table and the vocabularies are written out here from the OpenAPI documents, apart from the code under
test, so that a wrong table there shows as a failure here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from sangsaeng.standard.entities import ProductFootprint

SPEC = {"2.2": "2.2.0", "2.3": "2.3.0", "3.0": "3.0.0"}
# PACT declared unit → (canonical unit, the word kept in declared_unit_pact or None)
UNITS_V2 = {
    "liter": ("meter ** 3", "liter"),
    "kilogram": ("kilogram", None),
    "cubic meter": ("meter ** 3", None),
    "kilowatt hour": ("kilowatt_hour", None),
    "megajoule": ("kilowatt_hour", "megajoule"),
    "ton kilometer": ("kilogram * meter", None),
    "square meter": ("meter ** 2", None),
}
UNITS_V3 = {
    **UNITS_V2,
    "piece": ("piece", None),
    "hour": ("second", None),
    "megabit second": ("megabit * second", None),
}
STANDARDS_V2 = ("GHGP-Product", "ISO14067", "ISO14040-44")
STANDARDS_V23 = (*STANDARDS_V2, "ISO14083", "PEF", "PACT-1.0", "PACT-2.0", "PACT-3.0")
STANDARDS_V3 = (*STANDARDS_V23, "PAS2050")
REGIONS = ("Eastern Asia", "Asia", "Western Europe", "Sub-Saharan Africa", "Latin America and the Caribbean")

KOREAN = st.sampled_from(
    [
        "한빛정밀",
        "브레이크 캘리퍼",
        "주철 주조 후 가공·도장",
        "전력은 생산 중량으로 배분",
        "성진금속 ㈜",
        "탄소 발자국 ①",
    ]
)
# Any text a person may type (no lone surrogates: not text), not blank
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40).filter(str.strip)
TEXT = st.one_of(KOREAN, ANY_TEXT)
EXTREME = st.sampled_from([0.0, 5e-324, 2.2250738585072014e-308, 1e-300, 0.1, 1 / 3, 1e15, 1.7976931348623157e308])
NON_NEGATIVE = st.one_of(EXTREME, st.floats(min_value=0, allow_nan=False, allow_infinity=False))
POSITIVE = NON_NEGATIVE.filter(lambda x: x > 0)
ANY_NUMBER = st.one_of(NON_NEGATIVE, NON_NEGATIVE.map(lambda x: -x))
PERCENT = st.one_of(st.sampled_from([0.0, 5e-324, 5.0, 100.0]), st.floats(0, 100, allow_nan=False))
MOMENT = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9990, 12, 31), timezones=st.just(UTC)).map(
    lambda m: m if m.microsecond % 2 else m.replace(microsecond=0)
)

_NID = st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}[a-z0-9]", fullmatch=True).filter(
    lambda nid: nid not in ("cpc", "pact", "uuid")
)
_NSS = st.one_of(
    st.from_regex(r"[A-Za-z0-9._~!$&'()*+,;=:@-][A-Za-z0-9._~!$&'()*+,;=:@/-]{0,20}", fullmatch=True),
    KOREAN.map(lambda word: quote(word, safe="")),  # non-ASCII percent-encoded
)
URN = st.builds(lambda nid, nss: f"urn:{nid}:{nss}", _NID, _NSS)
UUID_URN = st.uuids().map(lambda u: f"urn:uuid:{u}")
CPC = st.from_regex(r"[0-9]{1,5}", fullmatch=True)
GEOGRAPHY = st.one_of(
    st.none(),
    st.from_regex(r"[A-Z]{2}", fullmatch=True),
    st.from_regex(r"[A-Z]{2}-[A-Z0-9]{1,3}", fullmatch=True),
    st.sampled_from(REGIONS),
)


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _reports(version: str) -> st.SearchStrategy[list[str]]:
    if version == "3.0":
        return st.lists(st.integers(1, 12).map(lambda n: f"AR{n}"), min_size=1, max_size=3, unique=True)
    # 2.x says the earliest report used, and only AR5 or AR6
    return st.builds(
        lambda first, later: [first, *[r for r in later if int(r[2:]) > int(first[2:])]],
        st.sampled_from(["AR5", "AR6"]),
        st.lists(st.sampled_from(["AR6", "AR7", "AR8"]), max_size=2, unique=True),
    )


def _standards(version: str) -> st.SearchStrategy[list[str]]:
    if version == "2.2":
        return st.lists(st.sampled_from(STANDARDS_V2), min_size=1, unique=True)
    if version == "2.3":  # the old property needs one it can say
        return st.lists(st.sampled_from(STANDARDS_V23), min_size=1, max_size=4, unique=True).filter(
            lambda chosen: any(s in STANDARDS_V2 for s in chosen)
        )
    return st.lists(st.sampled_from(STANDARDS_V3), min_size=1, max_size=4, unique=True)


@st.composite
def _validity(draw: st.DrawFn, version: str, reference_end: datetime) -> dict[str, datetime | None]:
    """A validity period the specification allows: from the reference period's end to 3 years after it."""
    if reference_end.year > 9990 or not draw(st.booleans()):
        return {"validity_period_start": None, "validity_period_end": None}
    start = reference_end + timedelta(days=draw(st.integers(0, 500)))
    end = start + timedelta(days=draw(st.integers(1, 1 + 365 * 3 - (start - reference_end).days - 2)))
    both = version.startswith("2") or draw(st.booleans())
    if both:
        return {"validity_period_start": start, "validity_period_end": end}
    return draw(
        st.sampled_from(
            [
                {"validity_period_start": start, "validity_period_end": None},
                {"validity_period_start": None, "validity_period_end": end},
            ]
        )
    )


@st.composite
def complete_footprints(draw: st.DrawFn, version: str) -> ProductFootprint:
    """A footprint holding everything ``version`` requires, in a form the version can say and read back."""
    v2 = version.startswith("2")
    unit_name = draw(st.sampled_from(sorted(UNITS_V2 if v2 else UNITS_V3)))
    canonical_unit, pact_word = (UNITS_V2 if v2 else UNITS_V3)[unit_name]
    reference_end = draw(MOMENT)
    included = draw(st.booleans())
    percent = draw(PERCENT)
    description = draw(TEXT) if percent > 0 or draw(st.booleans()) else ""
    values: dict[str, Any] = {
        "id": draw(UUID_URN),
        "spec_version": SPEC[version],
        "version": draw(st.integers(0, 2**31 - 1)) if v2 else 1,
        "status": draw(st.sampled_from(["Active", "Deprecated"])),
        "created": draw(MOMENT),
        "company_name": draw(TEXT),
        "company_ids": draw(st.lists(URN, min_size=1, max_size=3, unique=True)),
        "product_name": draw(TEXT),
        "product_description": draw(TEXT),
        "product_ids": draw(st.lists(URN, min_size=1, max_size=3, unique=True)),
        "product_category_cpc": draw(CPC) if v2 else draw(_optional(CPC)),
        "product_classifications": [] if version == "2.2" else draw(st.lists(URN, max_size=3, unique=True)),
        "comment": draw(TEXT) if v2 else draw(_optional(TEXT)),
        "preceding_pf_ids": draw(st.lists(UUID_URN, max_size=2, unique=True)),
        "declared_unit": canonical_unit,
        "declared_unit_pact": pact_word,
        "declared_amount": draw(POSITIVE),
        "product_mass_per_declared_unit": (
            None if version == "2.2" else draw(NON_NEGATIVE) if version == "3.0" else draw(_optional(NON_NEGATIVE))
        ),
        "reference_period_start": draw(MOMENT),
        "reference_period_end": reference_end,
        "geography": draw(GEOGRAPHY),
        "pcf_excluding_biogenic": draw(NON_NEGATIVE),
        "pcf_including_biogenic": draw(ANY_NUMBER) if not v2 else draw(_optional(ANY_NUMBER)),
        "fossil_ghg_emissions": draw(NON_NEGATIVE),
        "fossil_carbon_content": draw(NON_NEGATIVE),
        "biogenic_carbon_content": draw(NON_NEGATIVE) if v2 else draw(_optional(NON_NEGATIVE)),
        "packaging_emissions_included": included if v2 else draw(_optional(st.just(included))),
        "packaging_ghg_emissions": draw(_optional(NON_NEGATIVE)) if included else None,
        "ipcc_characterization_factors": draw(_reports(version)),
        "cross_sectoral_standards": draw(_standards(version)),
        "boundary_processes_description": draw(TEXT) if v2 else draw(_optional(TEXT)),
        "exempted_emissions_percent": percent,
        "exempted_emissions_description": description if v2 else draw(_optional(st.just(description))),
        "allocation_rules_description": draw(_optional(TEXT)),
        "primary_data_share": draw(PERCENT) if v2 else draw(_optional(PERCENT)),
        **draw(_validity(version, reference_end)),
    }
    return ProductFootprint(**values)
