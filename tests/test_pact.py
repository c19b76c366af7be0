"""PACT 2.2, 2.3 and 3.0 in and out, rule by rule: units, decimals, what each version calls a field, what it
cannot say, and refusals that name everything at once. (Schema validity over generated footprints:
``test_pact_schema.py``.)"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.entities import ProductFootprint
from sangsaeng.standard.pact import from_pact, read_pact, required_fields, requirements, to_pact, unsaid
from tests.pact_schemas import problems

START, END = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
MADE = datetime(2026, 2, 2, 9, 30, tzinfo=UTC)


def footprint(**changes: Any) -> ProductFootprint:
    """A footprint every version can say."""
    base: dict[str, Any] = {
        "id": "urn:uuid:91715e5e-fd0b-4d1c-8fab-76290c46e6ed",
        "spec_version": "2.2.0",
        "version": 1,
        "created": MADE,
        "company_name": "한빛정밀",
        "company_ids": ["urn:sangsaeng:participant:hanbit"],
        "product_name": "브레이크 캘리퍼",
        "product_description": "주철 캘리퍼, 주조·가공·도장",
        "product_ids": ["urn:gtin:8801234567890"],
        "product_category_cpc": "1234",
        "comment": "공장 전력은 생산 중량으로 배분",
        "declared_unit": "kilogram",
        "declared_amount": 1.0,
        "product_mass_per_declared_unit": 1.0,
        "pcf_excluding_biogenic": 2.35,
        "pcf_including_biogenic": 2.1,
        "fossil_ghg_emissions": 2.3,
        "fossil_carbon_content": 0.03,
        "biogenic_carbon_content": 0.0,
        "packaging_emissions_included": False,
        "reference_period_start": START,
        "reference_period_end": END,
        "geography": "KR",
        "ipcc_characterization_factors": ["AR6"],
        "cross_sectoral_standards": ["ISO14067"],
        "boundary_processes_description": "요람에서 출하까지",
        "exempted_emissions_percent": 0.0,
        "exempted_emissions_description": "",
        "primary_data_share": 56.12,
    }
    return ProductFootprint(**{**base, **changes})


def refusal(fp: ProductFootprint, version: str) -> list[dict[str, str]]:
    with pytest.raises(InvalidInput) as refused:
        to_pact(fp, version)
    found: list[dict[str, str]] = refused.value.details["problems"]
    return found


# ---- declared units ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "amount", "canonical", "expected"),
    [
        ("liter", "250", "meter ** 3", 0.25),
        ("cubic meter", "2", "meter ** 3", 2.0),
        ("kilogram", "80", "kilogram", 80.0),
        ("kilowatt hour", "1", "kilowatt_hour", 1.0),
        ("megajoule", "3.6", "kilowatt_hour", 1.0),
        ("ton kilometer", "1", "kilogram * meter", 1e6),
        ("square meter", "12.5", "meter ** 2", 12.5),
        ("piece", "3", "piece", 3.0),
        ("hour", "2", "second", 7200.0),
        ("megabit second", "5", "megabit * second", 5.0),
    ],
)
def test_each_declared_unit_becomes_its_canonical_unit(unit: str, amount: str, canonical: str, expected: float) -> None:
    document = to_pact(footprint(spec_version="3.0.0"), "3.0")
    document["pcf"].update(declaredUnitOfMeasurement=unit, declaredUnitAmount=amount)
    read = from_pact(document)
    assert (read.declared_unit, read.declared_amount) == (canonical, expected)
    again = to_pact(read, "3.0")["pcf"]  # and back in the unit it came in, the amount as it was
    assert (again["declaredUnitOfMeasurement"], again["declaredUnitAmount"]) == (unit, amount)


def test_megajoules_stay_megajoules() -> None:
    fp = footprint(declared_unit="kilowatt_hour", declared_amount=1.0, declared_unit_pact="megajoule")
    for version in ("2.2", "2.3", "3.0"):
        document = to_pact(fp.model_copy(update={"spec_version": f"{version}.0"}), version)
        pcf = document["pcf"]
        assert pcf.get("declaredUnit", pcf.get("declaredUnitOfMeasurement")) == "megajoule"
        assert pcf.get("unitaryProductAmount", pcf.get("declaredUnitAmount")) == "3.6"
        assert from_pact(document).declared_unit_pact == "megajoule"
    plain = to_pact(footprint(declared_unit="kilowatt_hour", declared_amount=1.0), "3.0")["pcf"]
    assert plain["declaredUnitOfMeasurement"] == "kilowatt hour"


@pytest.mark.parametrize("unit", [("piece", "piece"), ("second", "hour"), ("megabit * second", "megabit second")])
def test_the_3_0_units_are_refused_by_2_x_and_said_by_3_0(unit: tuple[str, str]) -> None:
    fp = footprint(declared_unit=unit[0])
    for version in ("2.2", "2.3"):
        found = refusal(fp, version)
        assert [p["field"] for p in found] == ["declared_unit"] and "3.0" in found[0]["en"]
    document = to_pact(fp.model_copy(update={"spec_version": "3.0.0"}), "3.0")
    assert document["pcf"]["declaredUnitOfMeasurement"] == unit[1] and problems(document, "3.0") == []
    assert from_pact(document).declared_unit == unit[0]
    v2 = to_pact(footprint(), "2.3")
    v2["pcf"]["declaredUnit"] = unit[1]  # a 3.0 word in a 2.x document
    with pytest.raises(InvalidInput) as refused:
        from_pact(v2)
    assert refused.value.position == "pcf.declaredUnit"


def test_a_unit_pact_has_no_word_for_is_refused() -> None:
    assert [p["field"] for p in refusal(footprint(declared_unit="meter"), "3.0")] == ["declared_unit"]
    mixed = footprint(declared_unit="kilogram", declared_unit_pact="liter")  # a liter is no kilogram
    assert [p["field"] for p in refusal(mixed, "3.0")] == ["declared_unit"]


# ---- numbers ----------------------------------------------------------------------------------------------------


def test_decimals_are_strings_in_3_0_and_percentages_numbers_in_2_x() -> None:
    fp = footprint(
        exempted_emissions_percent=1.5, exempted_emissions_description="측정 장비 제외", primary_data_share=0.1
    )
    v3 = to_pact(fp.model_copy(update={"spec_version": "3.0.0"}), "3.0")["pcf"]
    assert v3["primaryDataShare"] == "0.1" and v3["exemptedEmissionsPercent"] == "1.5"
    assert v3["pcfExcludingBiogenicUptake"] == "2.35" and v3["fossilCarbonContent"] == "0.03"
    v2 = to_pact(fp, "2.2")["pcf"]
    assert v2["primaryDataShare"] == 0.1 and v2["exemptedEmissionsPercent"] == 1.5
    assert v2["pCfExcludingBiogenic"] == "2.35"


def test_extreme_numbers_are_plain_decimals_that_read_back() -> None:
    fp = footprint(pcf_excluding_biogenic=1.7976931348623157e308, fossil_ghg_emissions=5e-324, spec_version="3.0.0")
    pcf = to_pact(fp, "3.0")["pcf"]
    assert "e" not in pcf["pcfExcludingBiogenicUptake"].lower() and len(pcf["pcfExcludingBiogenicUptake"]) == 309
    assert pcf["fossilGhgEmissions"].startswith("0.000") and pcf["fossilGhgEmissions"].endswith("5")
    assert from_pact(to_pact(fp, "3.0")) == fp


def test_a_number_that_is_not_finite_is_refused() -> None:
    found = refusal(footprint(pcf_including_biogenic=float("inf"), spec_version="3.0.0"), "3.0")
    assert [(p["field"], p["kind"]) for p in found] == [("pcf_including_biogenic", "refused")]


def test_the_2_3_mass_is_of_one_declared_unit_and_the_3_0_mass_of_the_declared_amount() -> None:
    fp = footprint(declared_amount=80.0, product_mass_per_declared_unit=80.0)  # a car door of 80 kg
    assert to_pact(fp, "2.3")["pcf"]["productMassPerDeclaredUnit"] == "1"  # "kilogram … populated with 1"
    assert to_pact(fp, "3.0")["pcf"]["productMassPerDeclaredUnit"] == "80"
    assert "productMassPerDeclaredUnit" not in to_pact(fp, "2.2")["pcf"]
    assert unsaid(fp, "2.2") == ["product_mass_per_declared_unit"]
    litres = footprint(declared_unit="meter ** 3", declared_unit_pact="liter", declared_amount=0.0125)
    litres = litres.model_copy(update={"product_mass_per_declared_unit": 9.86, "spec_version": "2.3.0"})
    assert to_pact(litres, "2.3")["pcf"]["productMassPerDeclaredUnit"] == "0.7888"  # 9.86 kg / 12.5 L
    assert from_pact(to_pact(litres, "2.3")) == litres


# ---- what each version calls things ------------------------------------------------------------------------------


def test_the_cpc_code_is_a_property_in_2_x_and_a_classification_urn_in_2_3_and_3_0() -> None:
    fp = footprint(product_classifications=["urn:pact:catalog.hanbit.example:category-id:BRK"])
    v22, v23, v3 = (to_pact(fp.model_copy(update={"spec_version": f"{v}.0"}), v) for v in ("2.2", "2.3", "3.0"))
    assert v22["productCategoryCpc"] == "1234" and "productClassifications" not in v22
    assert "product_classifications" in unsaid(fp, "2.2")
    assert v23["productCategoryCpc"] == "1234"
    assert v23["productClassifications"] == ["urn:cpc:1234", "urn:pact:catalog.hanbit.example:category-id:BRK"]
    assert "productCategoryCpc" not in v3 and v3["productClassifications"] == v23["productClassifications"]
    assert from_pact(v23) == fp.model_copy(update={"spec_version": "2.3.0"})
    assert from_pact(v3) == fp.model_copy(update={"spec_version": "3.0.0"})
    v3["productClassifications"] = ["urn:pact:productclassification:un-cpc:43221"]  # the OpenAPI example's form
    assert from_pact(v3).product_category_cpc == "43221"
    # a 3.0 footprint without its own code but with a CPC classification says it in 2.x
    read = from_pact(v3).model_copy(update={"product_category_cpc": None, "product_classifications": ["urn:cpc:9"]})
    assert to_pact(read, "2.2")["productCategoryCpc"] == "9"


def test_standards_in_2_x_words_or_refused() -> None:
    fp = footprint(cross_sectoral_standards=["ISO14067", "GHGP-Product", "ISO14040-44"])
    assert to_pact(fp, "2.2")["pcf"]["crossSectoralStandardsUsed"] == [
        "ISO Standard 14067",
        "GHG Protocol Product standard",
        "ISO Standard 14044",
    ]
    with_pact = footprint(cross_sectoral_standards=["ISO14067", "PACT-2.0"])
    found = refusal(with_pact, "2.2")
    assert [p["field"] for p in found] == ["cross_sectoral_standards"] and "PACT-2.0" in found[0]["en"]
    pcf = to_pact(with_pact, "2.3")["pcf"]  # 2.3 has the whole list beside the old one
    assert pcf["crossSectoralStandardsUsed"] == ["ISO Standard 14067"]
    assert pcf["crossSectoralStandards"] == ["ISO14067", "PACT-2.0"]
    assert [p["field"] for p in refusal(footprint(cross_sectoral_standards=["PACT-3.0"]), "2.3")] == [
        "cross_sectoral_standards"
    ]
    assert to_pact(footprint(cross_sectoral_standards=["PACT-3.0"]), "3.0")["pcf"]["crossSectoralStandards"] == [
        "PACT-3.0"
    ]
    assert "ISO 14067" in refusal(footprint(cross_sectoral_standards=["ISO 14067"]), "3.0")[0]["en"]


def test_a_3_0_reader_keeps_standards_it_does_not_know() -> None:
    document = to_pact(footprint(spec_version="3.0.0"), "3.0")
    document["pcf"]["crossSectoralStandards"] = ["ISO14067", "PACT-4.0"]  # "MUST accept … values not defined"
    assert from_pact(document).cross_sectoral_standards == ["ISO14067", "PACT-4.0"]


@pytest.mark.parametrize(
    ("reports", "v2", "v3_refused"),
    [(["AR6"], "AR6", False), (["AR5", "AR6"], "AR5", False), (["AR4", "AR6"], None, False), (["AR 6"], None, True)],
)
def test_characterization_factors_name_the_earliest_report(
    reports: list[str], v2: str | None, v3_refused: bool
) -> None:
    fp = footprint(ipcc_characterization_factors=reports)
    if v2 is None:
        assert [p["field"] for p in refusal(fp, "2.3")] == ["ipcc_characterization_factors"]
    else:
        pcf = to_pact(fp, "2.3")["pcf"]
        assert pcf["characterizationFactors"] == v2 and pcf["ipccCharacterizationFactorsSources"] == reports
    if v3_refused:
        assert [p["field"] for p in refusal(fp, "3.0")] == ["ipcc_characterization_factors"]
    else:
        assert to_pact(fp, "3.0")["pcf"]["ipccCharacterizationFactors"] == reports


@pytest.mark.parametrize(
    ("geography", "property"),
    [
        ("KR", "geographyCountry"),
        ("KR-26", "geographyCountrySubdivision"),
        ("Eastern Asia", "geographyRegionOrSubregion"),
    ],
)
def test_geography_goes_to_the_property_that_says_it(geography: str, property: str) -> None:
    document = to_pact(footprint(geography=geography), "2.2")
    assert document["pcf"][property] == geography and problems(document, "2.2") == []
    assert from_pact(document).geography == geography
    assert [p["field"] for p in refusal(footprint(geography="Korea"), "2.2")] == ["geography"]


def test_an_empty_exemption_reason_only_when_nothing_was_left_out() -> None:
    none_left = footprint(exempted_emissions_description=None, exempted_emissions_percent=0.0)
    assert to_pact(none_left, "2.2")["pcf"]["exemptedEmissionsDescription"] == ""  # "CAN be the empty string"
    some_left = footprint(exempted_emissions_description="", exempted_emissions_percent=2.0)
    assert [p["field"] for p in refusal(some_left, "2.2")] == ["exempted_emissions_description"]
    assert "exemptedEmissionsDescription" not in to_pact(some_left, "3.0")["pcf"]  # optional in 3.0


def test_blank_required_texts_are_unknown_not_written_empty() -> None:
    blank = footprint(comment="  ", product_description="", company_name=None)
    assert [m.field for m in requirements(blank, "2.2")] == ["company_name", "product_description", "comment"]
    assert [m.field for m in requirements(blank, "3.0")] == ["company_name", "product_description"]


def test_packaging_emissions_are_refused_when_packaging_is_not_included() -> None:
    fp = footprint(packaging_emissions_included=False, packaging_ghg_emissions=0.2)
    assert [p["field"] for p in refusal(fp, "2.3")] == ["packaging_ghg_emissions"]
    document = to_pact(footprint(packaging_emissions_included=True, packaging_ghg_emissions=0.2), "2.3")
    document["pcf"]["packagingEmissionsIncluded"] = False
    with pytest.raises(InvalidInput) as refused:
        from_pact(document)
    assert refused.value.position == "pcf.packagingGhgEmissions"


def test_ids_must_be_uuids_and_urns() -> None:
    fp = footprint(
        id="footprint-7", company_ids=["hanbit", "urn:x:y", "urn:ex:y"], product_ids=["urn:gtin:1", "urn:gtin:1"]
    )
    found = refusal(fp, "3.0")
    assert [p["field"] for p in found] == ["id", "company_ids", "company_ids", "product_ids"]  # urn:x: NID < 2
    assert "urn:pact:" in found[1]["en"] and "urn:pact:" in found[1]["ko"] and "more than once" in found[3]["en"]
    bare = to_pact(footprint(id="91715e5e-fd0b-4d1c-8fab-76290c46e6ed", preceding_pf_ids=[]), "3.0")
    assert bare["id"] == "91715e5e-fd0b-4d1c-8fab-76290c46e6ed"


def test_the_validity_period_stays_within_three_years_of_the_reference_period() -> None:
    valid = footprint(validity_period_start=END, validity_period_end=datetime(2029, 1, 1, tzinfo=UTC))
    assert to_pact(valid, "2.2")["validityPeriodEnd"] == "2029-01-01T00:00:00Z"
    too_long = valid.model_copy(update={"validity_period_end": datetime(2029, 1, 1, 0, 0, 1, tzinfo=UTC)})
    assert [p["field"] for p in refusal(too_long, "2.2")] == ["validity_period_end"]
    early = valid.model_copy(update={"validity_period_start": START})
    assert [p["field"] for p in refusal(early, "2.2")] == ["validity_period_start"]
    half = valid.model_copy(update={"validity_period_end": None})
    assert [p["field"] for p in refusal(half, "2.2")] == ["validity_period_start"]  # 2.x: both or neither
    assert to_pact(half, "3.0")["validityPeriodStart"] == "2026-01-01T00:00:00Z"
    late = datetime(9998, 1, 1, tzinfo=UTC)  # three years after it is past the calendar's end: no bound then
    at_the_end = footprint(reference_period_end=late, validity_period_start=late, validity_period_end=datetime.max)
    assert to_pact(at_the_end, "2.2")["validityPeriodEnd"] == "9999-12-31T23:59:59.999999Z"


def test_created_is_the_footprints_own_or_the_moment_of_export() -> None:
    assert to_pact(footprint(), "3.0")["created"] == "2026-02-02T09:30:00Z"
    fresh = footprint(created=None)
    assert to_pact(fresh, "3.0", created=datetime(2026, 3, 2, 1, 2, 3, 456, tzinfo=UTC))["created"] == (
        "2026-03-02T01:02:03.000456Z"
    )
    assert [p["field"] for p in refusal(fresh, "3.0")] == ["created"]


def test_one_refusal_names_every_problem_in_both_languages() -> None:
    fp = footprint(company_name=None, fossil_ghg_emissions=None, company_ids=["hanbit"], geography="Korea")
    with pytest.raises(InvalidInput) as refused:
        to_pact(fp, "2.3")
    error = refused.value
    assert [p["field"] for p in error.details["problems"]] == [
        "company_name",
        "fossil_ghg_emissions",
        "company_ids",
        "geography",
    ]
    assert [p["kind"] for p in error.details["problems"]] == ["missing", "missing", "refused", "refused"]
    assert "companyName" in error.message and "pcf.fossilGhgEmissions" in error.message
    assert "보고 기업명" in error.details["messageKo"] and "포털" in error.details["hintKo"]
    assert error.position == "companyName"


def test_required_fields_name_what_the_issue_found_missing() -> None:
    v2 = set(required_fields("2.2"))
    assert {"product_name", "product_category_cpc", "comment", "fossil_ghg_emissions", "biogenic_carbon_content"} <= v2
    assert {"ipcc_characterization_factors", "packaging_emissions_included", "primary_data_share"} <= v2
    v3 = set(required_fields("3.0"))
    assert {"product_mass_per_declared_unit", "ipcc_characterization_factors", "cross_sectoral_standards"} <= v3
    assert not {"comment", "product_category_cpc", "version", "created", "spec_version"} & v3
    with pytest.raises(InvalidInput):
        required_fields("2")


def test_3_0_has_no_version_number() -> None:
    fp = footprint(version=4)
    assert "version" not in to_pact(fp, "3.0") and unsaid(fp, "3.0") == ["version"]
    assert from_pact(to_pact(fp, "3.0")).version == 1  # "MUST always be 1" (ADR-0041)
    assert from_pact(to_pact(fp, "2.3")).version == 4


def test_a_footprint_that_did_not_come_from_pact_has_no_spec_version_and_starts_at_version_1() -> None:
    """What PACT calls the solution's own is the system's: a footprint from a sheet says no PACT version, and a new
    footprint is version 1 (ADR-0041; 3.0: "MUST always be 1"). Exports write the version asked for."""
    fields = ProductFootprint.model_fields
    assert not fields["spec_version"].is_required() and fields["spec_version"].default is None
    assert fields["version"].default == 1 and fields["id"].is_required()
    base = footprint().model_dump(exclude={"spec_version", "version"})
    from_sheet = ProductFootprint(**base)
    assert (from_sheet.spec_version, from_sheet.version) == (None, 1)
    for version in ("2.2", "2.3", "3.0"):
        document = to_pact(from_sheet, version)
        assert problems(document, version) == [] and document["specVersion"] == f"{version}.0"
        read = from_pact(document)  # read back, it says which document it came from
        assert read.spec_version == f"{version}.0" and read.version == 1
        if not unsaid(from_sheet, version):  # 2.2 has no place for the mass per declared unit
            assert read == from_sheet.model_copy(update={"spec_version": f"{version}.0"})


# ---- reading ----------------------------------------------------------------------------------------------------


def test_a_document_lacking_required_properties_is_refused_with_every_path() -> None:
    document = to_pact(footprint(spec_version="3.0.0"), "3.0")
    del document["companyName"]
    document["pcf"]["fossilGhgEmissions"] = None  # null is undefined
    del document["pcf"]["crossSectoralStandards"]
    with pytest.raises(InvalidInput) as refused:
        from_pact(document)
    found = [p["position"] for p in refused.value.details["problems"]]
    assert found == ["companyName", "pcf.crossSectoralStandards", "pcf.fossilGhgEmissions"]


@pytest.mark.parametrize(
    ("change", "position"),
    [
        (lambda d: d.pop("pcf"), "pcf"),
        (lambda d: d.update(specVersion="1.0.0"), "specVersion"),
        (lambda d: d.update(specVersion="3"), "specVersion"),
        (lambda d: d["pcf"].update(pcfExcludingBiogenicUptake="lots"), "pcf.pcfExcludingBiogenicUptake"),
        (lambda d: d["pcf"].update(pcfExcludingBiogenicUptake=2.35), "pcf.pcfExcludingBiogenicUptake"),
        (lambda d: d["pcf"].update(pcfExcludingBiogenicUptake="-1"), "pcf.pcfExcludingBiogenicUptake"),
        (lambda d: d["pcf"].update(primaryDataShare="1e400"), "pcf.primaryDataShare"),
        (lambda d: d["pcf"].update(primaryDataShare="1e999999999"), "pcf.primaryDataShare"),
        (lambda d: d["pcf"].update(declaredUnitAmount="0"), "pcf.declaredUnitAmount"),
        (lambda d: d.update(created="2026-02-30T00:00:00Z"), "created"),
        (lambda d: d.update(id="not-a-uuid"), "id"),
        (lambda d: d.update(companyIds="urn:x:y"), "companyIds"),
        (lambda d: d["pcf"].update(packagingEmissionsIncluded="no"), "pcf.packagingEmissionsIncluded"),
        (lambda d: d["pcf"].update(geographyCountry="Korea"), "pcf.geographyCountry"),
        (lambda d: d["pcf"].update(geographyRegionOrSubregion="Eastern Asia"), "pcf.geographyCountry"),  # 2 given
        (lambda d: d["pcf"].update(exemptedEmissionsPercent="101"), "pcf.exemptedEmissionsPercent"),
    ],
)
def test_a_malformed_document_is_refused_with_its_path(change: Any, position: str) -> None:
    document = to_pact(footprint(spec_version="3.0.0"), "3.0")
    change(document)
    began = time.monotonic()
    with pytest.raises(InvalidInput) as refused:
        from_pact(document)
    assert time.monotonic() - began < 1  # a huge exponent is refused, not computed
    assert refused.value.position == position


def test_a_2_x_percentage_must_be_a_number() -> None:
    document = to_pact(footprint(), "2.2")
    document["pcf"]["primaryDataShare"] = "56.12"
    with pytest.raises(InvalidInput) as refused:
        from_pact(document)
    assert refused.value.position == "pcf.primaryDataShare"


def test_what_the_model_does_not_hold_is_listed_not_dropped_silently() -> None:
    document = to_pact(footprint(spec_version="3.0.0"), "3.0")
    document["pcf"]["dqi"] = {"technologicalDQR": "1.5"}
    document["pcf"]["aircraftGhgEmissions"] = "0"
    document["extensions"] = []
    assert read_pact(document).unmapped == ("extensions", "pcf.dqi", "pcf.aircraftGhgEmissions")


def test_older_and_newer_minor_versions_are_read() -> None:
    old = to_pact(footprint(), "2.2")
    old["specVersion"] = "2.0.0"  # before ipccCharacterizationFactorsSources: the one report is the list
    del old["pcf"]["ipccCharacterizationFactorsSources"]
    assert from_pact(old).ipcc_characterization_factors == ["AR6"]
    newer = to_pact(footprint(spec_version="3.1.0"), "3.0")
    newer["specVersion"] = "3.1.0"
    assert read_pact(newer).layout == "3.0" and from_pact(newer).spec_version == "3.1.0"
    dated = to_pact(footprint(), "2.3")
    dated["specVersion"] = "2.3.0-20241010"
    assert read_pact(dated).layout == "2.3"


def test_a_pact_word_and_amount_from_elsewhere_become_canonical() -> None:
    """For readers of sheets: the same conversion as a document's."""
    from sangsaeng.standard.pact import declared

    megajoules = declared(" megajoule ", 3.6)
    assert (megajoules.unit, megajoules.amount, megajoules.pact_name) == ("kilowatt_hour", 1.0, "megajoule")
    assert declared("kilogram", 2.5).pact_name is None
    with pytest.raises(KeyError):
        declared("bushel", 1.0)
