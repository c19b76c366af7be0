"""Issue 15, point 1: every PACT document we write validates against the ProductFootprint schema of the official
OpenAPI document of its version (2.2, 2.3, 3.0), for generated footprints; it reads back as the footprint it was
written from; what a version requires is what its schema requires; and the validator itself refuses broken
documents, so that a passing test means something."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.entities import ProductFootprint
from sangsaeng.standard.pact import from_pact, read_pact, required_fields, requirements, to_pact, unsaid
from sangsaeng.standard.pact.read import KNOWN
from sangsaeng.standard.pact.versions import schema_required
from sangsaeng.standard.pact.vocabulary import REGIONS, STANDARDS_V2, STANDARDS_V3, STANDARDS_V23
from tests.pact_schemas import problems, schema
from tests.pact_strategies import UNITS_V2, UNITS_V3, complete_footprints

VERSIONS = ("2.2", "2.3", "3.0")
EXPORTED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def written(version: str) -> st.SearchStrategy[tuple[ProductFootprint, dict[str, Any]]]:
    return complete_footprints(version).map(lambda fp: (fp, to_pact(fp, version)))


@pytest.mark.parametrize("version", VERSIONS)
def test_every_complete_footprint_makes_a_document_that_validates_and_reads_back(version: str) -> None:
    @PROPERTIES
    @given(complete_footprints(version))
    def check(footprint: ProductFootprint) -> None:
        assert requirements(footprint, version) == []
        document = to_pact(footprint, version)
        sent = json.loads(json.dumps(document, ensure_ascii=False))  # what a recipient parses
        assert problems(sent, version) == []
        assert sent["specVersion"] == {"2.2": "2.2.0", "2.3": "2.3.0", "3.0": "3.0.0"}[version]
        assert unsaid(footprint, version) == []
        reading = read_pact(sent)
        assert reading.unmapped == ()
        assert reading.footprint == footprint

    check()


@pytest.mark.parametrize("version", VERSIONS)
def test_a_footprint_lacking_required_values_is_refused_naming_exactly_those(version: str) -> None:
    fields = ProductFootprint.model_fields
    lists = {n for n, f in fields.items() if get_origin(f.annotation) is list}
    nullable = [n for n in required_fields(version) if n in lists or type(None) in get_args(fields[n].annotation)]

    @PROPERTIES
    @given(complete_footprints(version), st.sets(st.sampled_from(nullable), min_size=1))
    def check(footprint: ProductFootprint, dropped: set[str]) -> None:
        incomplete = ProductFootprint(
            **{**footprint.model_dump(), **{name: [] if name in lists else None for name in dropped}}
        )
        expected = set(dropped)
        if "exempted_emissions_description" in dropped and incomplete.exempted_emissions_percent == 0:
            expected.discard("exempted_emissions_description")  # 0 % left out: the empty string says so
        if "packaging_emissions_included" in dropped and version == "3.0":
            expected.discard("packaging_emissions_included")
        assert {m.field for m in requirements(incomplete, version)} == expected
        if not expected:
            return
        with pytest.raises(InvalidInput) as refused:
            to_pact(incomplete, version, created=EXPORTED)
        named = {p["field"] for p in refused.value.details["problems"]}
        assert named == expected  # every one at once, and nothing else
        assert all(p["ko"] and p["en"] and p["kind"] == "missing" for p in refused.value.details["problems"])
        assert "mapping" in (refused.value.hint or "") and "매핑" in refused.value.details["hintKo"]

    check()


@pytest.mark.parametrize("version", VERSIONS)
def test_what_a_version_requires_is_what_its_schema_requires(version: str) -> None:
    listed = set(schema(version, "ProductFootprint")["required"]) | {
        f"pcf.{name}" for name in schema(version, "CarbonFootprint")["required"]
    }
    assert set(schema_required(version)) == listed  # type: ignore[arg-type]


@pytest.mark.parametrize("version", VERSIONS)
def test_the_vocabularies_are_the_schemas_own(version: str) -> None:
    pcf = schema(version, "CarbonFootprint")["properties"]
    unit = pcf["declaredUnit" if version != "3.0" else "declaredUnitOfMeasurement"]["enum"]
    assert set(unit) == set(UNITS_V2 if version != "3.0" else UNITS_V3)
    assert set(pcf["geographyRegionOrSubregion"]["enum"]) == set(REGIONS)
    if version != "3.0":
        assert set(pcf["crossSectoralStandardsUsed"]["items"]["enum"]) == set(STANDARDS_V2.values())
        assert set(pcf["characterizationFactors"]["enum"]) == {"AR5", "AR6"}
    if version == "2.3":
        assert set(pcf["crossSectoralStandards"]["items"]["enum"]) == set(STANDARDS_V23)
    if version == "3.0":
        assert set(pcf["crossSectoralStandards"]["items"]["x-enum"]) - {"..."} == set(STANDARDS_V3)
        assert "version" not in schema(version, "ProductFootprint")["properties"]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_property_we_read_is_one_the_schema_defines(version: str) -> None:
    top, pcf = KNOWN[version]  # type: ignore[index]
    assert top <= set(schema(version, "ProductFootprint")["properties"])
    assert pcf <= set(schema(version, "CarbonFootprint")["properties"])


BREAKAGES: list[tuple[str, Any]] = [
    ("a required property is missing", lambda d: d["pcf"].pop("fossilGhgEmissions")),
    ("the id is not a UUID", lambda d: d.update(id="urn:uuid:" + d["id"])),
    ("a decimal has a leading plus", lambda d: d["pcf"].update(fossilGhgEmissions="+1.5")),
    ("a decimal has no integer part", lambda d: d["pcf"].update(fossilGhgEmissions=".5")),
    ("a decimal is NaN", lambda d: d["pcf"].update(fossilGhgEmissions="NaN")),
    ("a decimal has a comma", lambda d: d["pcf"].update(fossilGhgEmissions="1,5")),
    ("a decimal is a number", lambda d: d["pcf"].update(fossilGhgEmissions=1.5)),
    ("a date-time has no zone", lambda d: d.update(created="2026-03-02T09:00:00")),
    ("a date-time has month 13", lambda d: d.update(created="2026-13-02T09:00:00Z")),
    ("a company id is not a URN", lambda d: d.update(companyIds=["hanbit-precision"])),
    ("a company id repeats", lambda d: d.update(companyIds=["urn:ex:a", "urn:ex:a"])),
    ("two geographies", lambda d: d["pcf"].update(geographyCountry="KR", geographyRegionOrSubregion="Eastern Asia")),
    ("the status is unknown", lambda d: d.update(status="Draft")),
    ("the product name is empty", lambda d: d.update(productNameCompany="")),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("what", "breaking"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_the_validator_refuses_a_broken_document(version: str, what: str, breaking: Any) -> None:
    @settings(max_examples=3, deadline=None)
    @given(written(version))
    def check(made: tuple[ProductFootprint, dict[str, Any]]) -> None:
        document = copy.deepcopy(made[1])
        assert problems(document, version) == []
        breaking(document)
        assert problems(document, version) != [], what

    check()


def test_the_schemas_tell_versions_apart() -> None:
    """The issue's faults, each refused by the version that forbids it: a v3 share as a number, a v2 share as a
    string, a v3 unit in a v2 document."""
    footprint = next_complete("3.0")
    v3 = to_pact(footprint, "3.0")
    v3["pcf"]["primaryDataShare"] = 56.12
    assert any("primaryDataShare" in p for p in problems(v3, "3.0"))
    v2 = to_pact(next_complete("2.3"), "2.3")
    v2["pcf"]["primaryDataShare"] = "56.12"
    assert any("primaryDataShare" in p for p in problems(v2, "2.3"))
    v2["pcf"].update(primaryDataShare=56.12, declaredUnit="piece")
    assert any("declaredUnit" in p for p in problems(v2, "2.3"))


def next_complete(version: str) -> ProductFootprint:
    found: list[ProductFootprint] = []

    @settings(max_examples=1, database=None)
    @given(complete_footprints(version))
    def take(footprint: ProductFootprint) -> None:
        found.append(footprint)

    take()
    return found[0]


def _examples(version: str, name: str) -> dict[str, Any]:
    """The first ``examples`` value of each property of a schema that gives one."""
    return {
        prop: spec["examples"][0]
        for prop, spec in schema(version, name)["properties"].items()
        if isinstance(spec, dict) and spec.get("examples")
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_the_official_property_examples_validate_and_read(version: str) -> None:
    """The OpenAPI documents give examples per property, no whole footprint: each one, put into a document we
    wrote, still validates and is read to what it says."""
    document = to_pact(next_complete(version), version)
    top, pcf = KNOWN[version]  # type: ignore[index]
    skipped = {"specVersion", "geographyRegionOrSubregion", "geographyCountrySubdivision"}  # one geography
    top_examples = {k: v for k, v in _examples(version, "ProductFootprint").items() if k in top and k not in skipped}
    pcf_examples = {k: v for k, v in _examples(version, "CarbonFootprint").items() if k in pcf and k not in skipped}
    assert top_examples and pcf_examples
    document.update(top_examples)
    for geography in ("geographyRegionOrSubregion", "geographyCountry", "geographyCountrySubdivision"):
        document["pcf"].pop(geography, None)
    document["pcf"].update(pcf_examples)
    assert problems(document, version) == []
    footprint = from_pact(document)
    assert footprint.id == "urn:uuid:" + top_examples["id"]
    if "geographyCountry" in pcf_examples:
        assert footprint.geography == pcf_examples["geographyCountry"]
    if version == "3.0":  # "12.5" liter: 0.0125 m³, said again in liters
        assert (footprint.declared_unit, footprint.declared_amount) == ("meter ** 3", 0.0125)
        assert footprint.declared_unit_pact == "liter" and footprint.product_mass_per_declared_unit == 9.86
        assert footprint.pcf_including_biogenic == -14.22
        # the OpenAPI example's CPC URN form (urn:pact:productclassification:un-cpc:…) is read as the CPC code
        assert footprint.product_category_cpc == "1234" and footprint.product_classifications == []
        again = to_pact(footprint, "3.0")
        assert again["pcf"]["declaredUnitAmount"] == "12.5" and again["productClassifications"] == ["urn:cpc:1234"]


def test_the_table_in_docs_pact_md_says_what_the_code_does() -> None:
    from pathlib import Path

    from sangsaeng.standard.pact.versions import PLACES

    text = (Path(__file__).resolve().parents[1] / "docs" / "pact.md").read_text("utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    said = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        if len(cells) == 6:
            said[cells[0].strip("`")] = cells[3:]
    for field, places in PLACES.items():
        expected = []
        for version in VERSIONS:
            where = places.get(version)  # type: ignore[call-overload]
            expected.append(
                "—" if where is None else f"`{where.path}` {'**required**' if where.required else 'optional'}"
            )
        assert said.pop(field) == expected, field
    assert said == {}
