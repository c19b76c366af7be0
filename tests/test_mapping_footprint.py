"""A product footprint enters through a mapping like any other file (issue 15): list cells and yes/no words are
read, values the footprint's standard writes one way (URNs, AR6, ISO14067, CPC digits) are checked and written
that way, and what a PACT export will still need is asked for once per field and once per empty cell — never a
crash, whatever a cell says."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.errors import InvalidInput
from sangsaeng.standard import footprint_needs, lists, value_rules
from sangsaeng.standard.entities import ProductFootprint
from sangsaeng.standard.findings import Report
from sangsaeng.standard.ingest import check_file, ingest, merge_findings
from sangsaeng.standard.mapping import Applier, load_mapping
from sangsaeng.standard.validation import check_all

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "pact"
UUID = "urn:uuid:0d6a3f0e-8a5f-4c3e-9d2a-1b2c3d4e5f60"
HEADER = "id,spec,ver,company,product,unit,amount,pcf,start,end"
ROW = f"{UUID},2.2.0,1,urn:sangsaeng:participant:hanbit,urn:gtin:8801234567890,kilogram,1,2.5,2025-01-01,2025-12-31"
BASIC = """
entity: product_footprint
fields:
  id: {column: id}
  spec_version: {column: spec}
  version: {column: ver}
  company_ids: {column: company}
  product_ids: {column: product}
  declared_unit: {column: unit}
  declared_amount: {column: amount}
  pcf_excluding_biogenic: {column: pcf}
  reference_period_start: {column: start}
  reference_period_end: {column: end}
"""


def source(rows: list[dict[str, str | None]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(rows, schema=pa.schema([(k, pa.string()) for k in rows[0]]))


def with_fields(**rules: Any) -> str:
    document = yaml.safe_load(BASIC)
    document["fields"].update(rules)
    return yaml.safe_dump(document, allow_unicode=True)


def rows_of(changes: list[dict[str, str | None]]) -> list[dict[str, str | None]]:
    """Source rows of ROW with these changes, each with an id of its own."""
    base: dict[str, str | None] = dict(zip(HEADER.split(","), ROW.split(","), strict=True))
    return [base | {"id": f"{UUID[:-3]}{i:03d}"} | change for i, change in enumerate(changes)]


def read(mapping_text: str, column: str, cells: list[str | None]) -> tuple[list[Any], list[Any]]:
    """The records' values of the field read from ``column``, and the reading's findings."""
    mapping = load_mapping(mapping_text)
    name = next(n for n, r in mapping.fields.items() if r.column == column)
    rows = rows_of([{column: c} for c in cells])
    batch, findings = Applier(mapping).apply(source(rows))
    return batch.column(name).to_pylist(), findings


# ---- the bug: a footprint file could not be ingested at all -------------------------------------------------
def test_a_footprint_csv_with_list_fields_is_ingested(tmp_path: Path) -> None:
    csv = tmp_path / "pf.csv"
    csv.write_text(f"{HEADER}\n{ROW}\n", "utf-8")
    result = ingest(csv, load_mapping(BASIC), tmp_path / "pf.parquet")
    assert result.written and result.report.errors == 0
    record = pq.read_table(tmp_path / "pf.parquet").to_pylist()[0]
    assert record["company_ids"] == ["urn:sangsaeng:participant:hanbit"]
    assert record["product_ids"] == ["urn:gtin:8801234567890"]
    # What the mapping does not give is the model's default, not unknown: no earlier ids, Active, version 1.
    assert record["preceding_pf_ids"] == [] and record["product_classifications"] == []
    assert (record["status"], record["version"]) == ("Active", 1)
    ProductFootprint.model_validate(record)


def test_map_ingest_and_map_check_take_the_footprint_file_and_say_what_pact_will_ask(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sangsaeng.cli.main import app

    csv, mapping = tmp_path / "pf.csv", tmp_path / "pf.yaml"
    csv.write_text(f"{HEADER}\n{ROW}\n", "utf-8")
    mapping.write_text(BASIC, "utf-8")
    out = tmp_path / "pf.parquet"
    runner = CliRunner()
    done = runner.invoke(app, ["map", "ingest", str(csv), "--mapping", str(mapping), "--out", str(out)])
    assert done.exit_code == 0 and out.exists(), done.output
    checked = runner.invoke(app, ["map", "check", str(csv), "--mapping", str(mapping), "--ko"])
    assert checked.exit_code == 0, checked.output  # notes only: the file is valid
    shown = " ".join(checked.output.split())
    assert "매핑 참고: 제품명 (product_name): PACT 2.3, 3.0 내보내기에 필요한데" in shown
    assert "열을 매핑하거나 값을 입력하세요" in shown


# ---- list cells ----------------------------------------------------------------------------------------------
def test_a_list_cell_is_split_on_commas_semicolons_bars_and_line_breaks() -> None:
    values, findings = read(
        BASIC,
        "product",
        [
            "urn:ab:1, urn:ab:2;urn:ab:3 | urn:ab:4\nurn:ab:5",
            "urn:ab:1,,;urn:ab:1 ,",
            "，；",
            "－",
            "urn:ab:1，urn:ab:２",
        ],
    )
    assert values[0] == ["urn:ab:1", "urn:ab:2", "urn:ab:3", "urn:ab:4", "urn:ab:5"]
    assert values[1] == ["urn:ab:1"]  # empty pieces dropped, a repeat once
    assert values[2] is None  # no item at all: an empty cell
    assert values[3] is None  # a no-value marker (－ is - after NFKC): an empty cell, noted
    assert values[4] == ["urn:ab:1", "urn:ab:2"]  # full width, as typed on a Korean keyboard
    assert [(f.row, f.code) for f in findings] == [(4, "no-value")]


def test_an_empty_list_cell_of_a_required_field_is_missing_and_said_once() -> None:
    mapping = load_mapping(BASIC)
    batch, found = Applier(mapping).apply(source(rows_of([{"company": c} for c in (" ; ", "N/A")])))
    checked = check_all(mapping.model, lambda: [batch]).findings
    merged = merge_findings(found, checked, mapping)
    assert [(f.row, f.field, f.code, f.value) for f in merged] == [
        (1, "company_ids", "missing-value", None),
        (2, "company_ids", "missing-value", "N/A"),  # the marker is the error's value: one finding per cell
    ]


@pytest.mark.parametrize(
    "constant",
    [["ISO 14067", "pact 2.0"], "ISO 14067, PACT-2.0", "ISO Standard 14067; PACT 2"],
)
def test_a_list_constant_is_a_yaml_list_or_one_string_read_like_a_cell(constant: Any) -> None:
    mapping = load_mapping(with_fields(cross_sectoral_standards={"value": constant}))
    batch, findings = Applier(mapping).apply(source(rows_of([{}, {}])))
    assert batch.column("cross_sectoral_standards").to_pylist() == [["ISO14067", "PACT-2.0"]] * 2
    assert findings == []


def test_a_constant_no_list_item_can_mean_is_refused_with_the_field_named() -> None:
    mapping = load_mapping(with_fields(cross_sectoral_standards={"value": "ISO 9001"}))
    with pytest.raises(InvalidInput) as caught:
        Applier(mapping)
    assert "cross_sectoral_standards" in caught.value.message and "ISO 9001" in caught.value.message


# ---- yes/no --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "meant"),
    [
        ("예", True),
        ("아니오", False),
        ("아니요", False),
        ("Y", True),
        ("n", False),
        ("포함", True),
        ("미포함", False),
        ("true", True),
        ("FALSE", False),
        ("O", True),
        ("X", False),
        ("ｙｅｓ", True),
    ],
)
def test_whether_packaging_is_included_reads_the_words_people_write(cell: str, meant: bool) -> None:
    values, findings = read(with_fields(packaging_emissions_included={"column": "pkg"}), "pkg", [cell])
    assert values == [meant] and findings == []


def test_a_yes_no_word_nobody_knows_is_a_finding_with_its_row_and_column() -> None:
    values, findings = read(with_fields(packaging_emissions_included={"column": "pkg"}), "pkg", ["포함", "글쎄"])
    assert values == [True, None]
    [finding] = findings
    assert (finding.row, finding.column, finding.code, finding.value) == (2, "pkg", "unknown-code", "글쎄")
    assert "포함/미포함" in finding.expected and "예/아니오" in finding.expected


def test_included_means_yes_only_where_the_field_says_so() -> None:
    quality = """
entity: quality_result
fields: {subject: {column: s}, characteristic: {column: c}, passed: {column: p}}
"""
    batch, findings = Applier(load_mapping(quality)).apply(
        source([{"s": "L1", "c": "x", "p": "포함"}, {"s": "L2", "c": "x", "p": "예"}])
    )
    assert batch.column("passed").to_pylist() == [None, True]
    assert [(f.row, f.code) for f in findings] == [(1, "unknown-code")]


# ---- values written the standard's way -----------------------------------------------------------------------
def test_ipcc_factors_and_standards_are_written_as_pact_writes_them() -> None:
    mapping = with_fields(ipcc_characterization_factors={"column": "ipcc"}, cross_sectoral_standards={"column": "std"})
    rows = [
        {"ipcc": "AR 6, ar5", "std": "ISO 14067; GHG Protocol Product standard"},
        {"ipcc": "IPCC AR6", "std": "ISO Standard 14044 | PAS 2050 | EU PEF | PACT Methodology 3.0"},
        {"ipcc": "AR6", "std": "ISO 14067:2018 (탄소발자국)"},
        {"ipcc": "6차 보고서", "std": "ISO 9001, ISO14067"},
    ]
    batch, findings = Applier(load_mapping(mapping)).apply(source(rows_of(rows)))
    assert batch.column("ipcc_characterization_factors").to_pylist() == [["AR6", "AR5"], ["AR6"], ["AR6"], None]
    assert batch.column("cross_sectoral_standards").to_pylist() == [
        ["ISO14067", "GHGP-Product"],
        ["ISO14040-44", "PAS2050", "PEF", "PACT-3.0"],
        ["ISO14067"],
        None,  # one item no token means: the cell cannot be read as a whole
    ]
    assert sorted((f.row, f.column, f.code, f.value) for f in findings) == [
        (4, "ipcc", "bad-format", "6차 보고서"),
        (4, "std", "unknown-code", "ISO 9001"),
    ]
    ipcc, standard = sorted(findings, key=lambda f: str(f.column))
    assert "AR6" in ipcc.message_ko and "형식" in ipcc.message_ko and "IPCC" in ipcc.hint_ko
    assert "ISO14067" in standard.expected and "PAS2050" in standard.expected


def test_ids_are_urns_a_bare_uuid_being_the_urn_of_it() -> None:
    values, findings = read(BASIC, "id", [UUID, "0D6A3F0E-8A5F-4C3E-9D2A-1B2C3D4E5F60", "PCF-2026-001"])
    assert values == [UUID, UUID, None]
    [finding] = findings
    assert (finding.row, finding.code, finding.value) == (3, "bad-format", "PCF-2026-001")
    assert "urn:uuid:" in finding.hint and "URN, 예: urn:uuid:" in finding.hint_ko
    products, found = read(BASIC, "product", ["BRK-2041, urn:pact:sample.com:product-id:BRK-2041"])
    assert products == [None] and [(f.code, f.value) for f in found] == [("bad-format", "BRK-2041")]
    assert "urn:pact:sample.com:product-id:" in found[0].expected  # PACT's own example


def test_the_declared_unit_is_named_as_the_canonical_data_names_it() -> None:
    values, findings = read(BASIC, "unit", ["kg", "개", "kWh", "m³", "kilogram", "L", "furlong", "mm"])
    assert values == ["kilogram", "piece", "kilowatt_hour", "meter ** 3", "kilogram", "meter ** 3", None, None]
    assert [(f.row, f.code, f.value) for f in findings] == [(7, "bad-format", "furlong"), (8, "bad-format", "mm")]
    assert "kg, t, EA" in findings[0].hint and "탄소발자국의 기준 단위" in findings[0].hint_ko


# Declared units as SMEs write them: (written, amount) → (canonical unit, canonical amount, PACT's word kept).
DECLARED = [
    ("kg", "1", "kilogram", 1.0, None),
    ("킬로그램", "2.5", "kilogram", 2.5, None),
    ("EA", "1", "piece", 1.0, None),
    ("개", "10", "piece", 10.0, None),
    ("pcs", "1", "piece", 1.0, None),
    ("L", "1", "meter ** 3", 0.001, "liter"),
    ("리터", "250", "meter ** 3", 0.25, "liter"),
    ("MJ", "3.6", "kilowatt_hour", 1.0, "megajoule"),
    ("kWh", "1", "kilowatt_hour", 1.0, None),
    ("m²", "1", "meter ** 2", 1.0, None),
    ("톤", "1", "kilogram", 1000.0, None),
    ("t", "2", "kilogram", 2000.0, None),
    ("g", "500", "kilogram", 0.5, None),
    ("ton", "1", "kilogram", 1000.0, None),
    ("MWh", "1", "kilowatt_hour", 1000.0, None),
    ("m³", "1", "meter ** 3", 1.0, None),
]


@pytest.mark.parametrize(("written", "amount", "unit", "canonical", "pact"), DECLARED)
def test_a_declared_unit_that_is_a_multiple_converts_the_amount_and_keeps_pacts_word(
    written: str, amount: str, unit: str, canonical: float, pact: str | None
) -> None:
    mapping = load_mapping(with_fields(declared_amount={"column": "amount"}))
    rows = rows_of([{"unit": written, "amount": amount}])
    batch, findings = Applier(mapping).apply(source(rows))
    record = batch.to_pylist()[0]
    assert findings == []
    assert (record["declared_unit"], record["declared_unit_pact"]) == (unit, pact)
    assert record["declared_amount"] == pytest.approx(canonical, rel=1e-15)
    assert record["pcf_excluding_biogenic"] == 2.5  # per the declared amount: unchanged by its unit


@given(st.sampled_from(DECLARED), st.decimals(min_value="0.001", max_value="100000", places=3))
@settings(max_examples=80, deadline=None)
def test_a_converted_footprint_goes_out_in_the_unit_and_amount_it_came_in(
    declared: tuple[str, str, str, float, str | None], amount: Any
) -> None:
    """What PACT can say comes back as written (2 L → liter 2); what it cannot (t, g) goes out in its canonical
    unit with the same quantity — never another amount."""
    from sangsaeng.standard.pact import to_pact
    from sangsaeng.standard.pact.decimals import parse_decimal
    from sangsaeng.standard.pact.units import DECLARED_UNITS
    from tests.pact_schemas import problems
    from tests.test_pact import footprint

    written, given, _, canonical, pact = declared
    per_one = canonical / float(given)
    mapping = load_mapping(with_fields(declared_amount={"column": "amount"}))
    batch, _ = Applier(mapping).apply(source(rows_of([{"unit": written, "amount": str(amount)}])))
    record = batch.to_pylist()[0]
    fp = footprint(
        declared_unit=record["declared_unit"],
        declared_amount=record["declared_amount"],
        declared_unit_pact=record["declared_unit_pact"],
    )
    document = to_pact(fp, "3.0")
    assert problems(document, "3.0") == []
    said = document["pcf"]
    exact = parse_decimal(said["declaredUnitAmount"])
    assert exact is not None
    quantity = float(exact * DECLARED_UNITS[said["declaredUnitOfMeasurement"]].factor)
    assert quantity == pytest.approx(float(amount) * per_one, rel=1e-12)
    if pact is not None:
        assert said["declaredUnitOfMeasurement"] == pact and exact == parse_decimal(str(amount.normalize()))


def test_a_cpc_code_is_its_digits() -> None:
    mapping = with_fields(product_category_cpc={"column": "cpc"})
    values, findings = read(mapping, "cpc", ["1234", "CPC 01234", "43.21", "123456", None])
    assert values == ["1234", "01234", None, None, None]
    assert [(f.row, f.code, f.value) for f in findings] == [(3, "bad-format", "43.21"), (4, "bad-format", "123456")]
    assert findings[0].message_ko.endswith("형식이 아닙니다") and "숫자 1–5자리" in findings[0].message_ko


def test_percent_fields_take_the_sign_and_the_model_bounds_them() -> None:
    mapping = load_mapping(
        with_fields(exempted_emissions_percent={"column": "ex"}, primary_data_share={"column": "share"})
    )
    rows = [{"ex": "3%", "share": "55 %"}, {"ex": "120", "share": "120"}, {"ex": "1.5", "share": "12 kg"}]
    batch, found = Applier(mapping).apply(source(rows_of(rows)))
    assert batch.column("exempted_emissions_percent").to_pylist() == [3.0, 120.0, 1.5]
    assert batch.column("primary_data_share").to_pylist() == [55.0, 120.0, None]
    checked = check_all(mapping.model, lambda: [batch]).findings
    merged = merge_findings(found, checked, mapping)
    assert [(f.row, f.field, f.code, f.value) for f in merged] == [
        (3, "primary_data_share", "unit-mismatch", "kg"),
        (2, "exempted_emissions_percent", "out-of-range", "120.0"),
        (2, "primary_data_share", "out-of-range", "120.0"),
    ]
    out = next(f for f in merged if f.field == "exempted_emissions_percent")
    assert out.expected == "≤ 100" and "허용" in out.hint_ko and "allowed" in out.hint


def test_a_period_in_one_cell_gives_its_start_and_its_end() -> None:
    mapping = load_mapping(
        with_fields(
            reference_period_start={"column": "기준기간", "format": "2026.01"},
            reference_period_end={"column": "기준기간", "format": "2026.01", "at": "end"},
        )
    )
    rows = rows_of([{"기준기간": "2026.01~2026.12"}, {"기준기간": "2026.03 ～ 2026.05"}])
    batch, findings = Applier(mapping).apply(source(rows))
    assert findings == []
    starts = [d.isoformat() for d in batch.column("reference_period_start").to_pylist()]
    ends = [d.isoformat() for d in batch.column("reference_period_end").to_pylist()]
    assert starts == ["2025-12-31T15:00:00+00:00", "2026-02-28T15:00:00+00:00"]  # 1 January, 1 March in Seoul
    assert ends == ["2026-12-31T15:00:00+00:00", "2026-05-31T15:00:00+00:00"]  # the ends' next month begins


def test_a_period_written_with_a_dash_as_english_sheets_and_lca_tools_write_it_reads_the_same() -> None:
    mapping = load_mapping(
        with_fields(
            reference_period_start={"column": "Reporting period"},
            reference_period_end={"column": "Reporting period", "at": "end"},
        )
    )
    written = ["2025-01-01 - 2025-12-31", "2025-01-01 – 2025-12-31", "2025-01-01—2025-12-31", "2025-01-01~2025-12-31"]
    batch, findings = Applier(mapping).apply(source(rows_of([{"Reporting period": w} for w in written])))
    assert findings == []
    starts = {d.isoformat() for d in batch.column("reference_period_start").to_pylist()}
    ends = {d.isoformat() for d in batch.column("reference_period_end").to_pylist()}
    assert starts == {"2024-12-31T15:00:00+00:00"} and ends == {"2025-12-31T15:00:00+00:00"}
    # a hyphen inside a date is no period: the day is read whole, its start and (at: end) the next day's start
    one_day, found = Applier(mapping).apply(source(rows_of([{"Reporting period": "2025-03-02"}])))
    assert found == []
    assert one_day.column("reference_period_start").to_pylist()[0].isoformat() == "2025-03-01T15:00:00+00:00"
    assert one_day.column("reference_period_end").to_pylist()[0].isoformat() == "2025-03-02T15:00:00+00:00"


# ---- never a crash ------------------------------------------------------------------------------------------
CELLS = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.text(alphabet=",;|\n\r \u2028，；-urnAR6IS O14067:xyz", max_size=40),
)
LIST_FIELDS = ["company_ids", "product_ids", "preceding_pf_ids", "product_classifications"] + [
    "ipcc_characterization_factors",
    "cross_sectoral_standards",
]


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(CELLS, min_size=1, max_size=12), field=st.sampled_from(LIST_FIELDS))
def test_any_text_in_a_list_cell_reads_or_is_a_finding_never_an_exception(cells: list[str | None], field: str) -> None:
    document = yaml.safe_load(BASIC)
    document["fields"][field] = {"column": "x"}
    mapping = load_mapping(yaml.safe_dump(document, allow_unicode=True))
    batch, findings = Applier(mapping).apply(source(rows_of([{"x": c} for c in cells])))
    values = batch.column(field).to_pylist()
    wrong = {f.row - 1 for f in findings if f.severity == "error"}
    for index, value in enumerate(values):
        assert value is None or (value and all(v == v.strip() and v for v in value)), value
        if index in wrong:
            assert value is None  # a cell with a finding is left empty, never half read
    for finding in findings:
        assert finding.message and finding.message_ko and finding.hint_ko


@settings(max_examples=300, deadline=None)
@given(written=st.one_of(st.text(max_size=30), st.from_regex(r"(urn|URN):[a-z0-9-]{1,5}:\S{1,8}", fullmatch=True)))
def test_what_the_fast_path_takes_as_it_is_the_careful_reading_keeps_as_it_is(written: str) -> None:
    from sangsaeng.standard.cells import readable

    text = readable(pa.array([written]))[0].as_py()  # as cells reach the rules: NFKC, trimmed, empty → none
    if text is None:
        return
    for rules in value_rules.RULES.values():
        for rule in rules.values():
            fast = pa.compute.match_substring_regex(pa.array([text]), rule.fast)[0].as_py()
            if fast:
                assert rule.read(text) == text, (rule.expected, text)
            assert lists.written(pa.array([text]), rule.read, rule.fast).to_pylist() == [rule.read(text)]


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60))
def test_splitting_a_string_and_a_column_agree(text: str) -> None:
    from sangsaeng.standard.cells import readable

    cell = readable(pa.array([text]))
    found = lists.split_cells(cell).lists.to_pylist()[0]
    expected = lists.split_text(cell[0].as_py()) if cell[0].is_valid else []
    assert (found or []) == expected


# ---- what a PACT export will ask ----------------------------------------------------------------------------
PACT_NAMES = {  # PACT's property → the canonical field that holds it (those the model leaves optional)
    "companyName": "company_name",
    "productNameCompany": "product_name",
    "productDescription": "product_description",
    "productCategoryCpc": "product_category_cpc",
    "comment": "comment",
    "fossilGhgEmissions": "fossil_ghg_emissions",
    "fossilCarbonContent": "fossil_carbon_content",
    "biogenicCarbonContent": "biogenic_carbon_content",
    "characterizationFactors": "ipcc_characterization_factors",
    "ipccCharacterizationFactorsSources": "ipcc_characterization_factors",
    "ipccCharacterizationFactors": "ipcc_characterization_factors",
    "crossSectoralStandardsUsed": "cross_sectoral_standards",
    "crossSectoralStandards": "cross_sectoral_standards",
    "boundaryProcessesDescription": "boundary_processes_description",
    "exemptedEmissionsPercent": "exempted_emissions_percent",
    "exemptedEmissionsDescription": "exempted_emissions_description",
    "packagingEmissionsIncluded": "packaging_emissions_included",
    "productMassPerDeclaredUnit": "product_mass_per_declared_unit",
    "pcfIncludingBiogenicUptake": "pcf_including_biogenic",
}


@pytest.mark.parametrize("version", footprint_needs.ASKED)
def test_the_fields_asked_for_are_what_the_pact_schemas_require(version: str) -> None:
    spec = yaml.safe_load((SPEC / f"openapi_v{version.replace('.', '_')}.yaml").read_text("utf-8"))
    schemas = spec["components"]["schemas"]
    required = set(schemas["ProductFootprint"]["required"]) | set(schemas["CarbonFootprint"]["required"])
    wanted = {PACT_NAMES[p] for p in required if p in PACT_NAMES}
    asked = {name for name, versions in footprint_needs.needed("product_footprint").items() if version in versions}
    # primaryDataShare: required by its own text in 2.x ("MUST be defined" from 2025), not the schema's list
    assert asked - wanted == ({"primary_data_share"} if version == "2.3" else set())
    assert wanted <= asked
    unknown = {p for p in required if p not in PACT_NAMES and p not in ("pcf", "created")}
    held = {"id", "specVersion", "version", "status", "companyIds", "productIds", "declaredUnit"}
    held |= {"unitaryProductAmount", "declaredUnitOfMeasurement", "declaredUnitAmount", "referencePeriodStart"}
    held |= {"referencePeriodEnd", "pCfExcludingBiogenic", "pcfExcludingBiogenicUptake"}
    assert unknown <= held  # every other required property the model requires itself (or makes: created)


def csv_file(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "pf.csv"
    path.write_text("\n".join([header, *rows]) + "\n", "utf-8")
    return path


def test_the_check_asks_once_per_field_a_pact_export_needs_and_the_mapping_does_not_give(tmp_path: Path) -> None:
    report = check_file(csv_file(tmp_path, [ROW, ROW.replace(UUID, UUID[:-1] + "1")]), load_mapping(BASIC))
    asked = [f for f in report if f.code == "pact-unmapped"]
    assert report.valid and report.rows_kept == 2 and report.notes == len(asked)
    assert {f.field: f.expected for f in asked} == {
        name: "PACT " + ", ".join(versions) for name, versions in footprint_needs.needed("product_footprint").items()
    }
    assert all(f.row == 0 and f.severity == "note" for f in asked)
    name = next(f for f in asked if f.field == "product_name")
    assert name.message_ko.startswith("제품명 (product_name): PACT 2.3, 3.0 내보내기에 필요한데")
    assert name.message.startswith("Product name (product_name): needed to export PACT 2.3, 3.0")
    assert "열을 매핑하거나 값을 입력하세요" in name.hint_ko and "map a column or type the value" in name.hint


def test_given_every_value_nothing_is_asked_and_an_empty_cell_is_asked_once(tmp_path: Path) -> None:
    given = {name: {"value": "x"} for name in footprint_needs.needed("product_footprint")}
    given |= {
        "product_category_cpc": {"value": "1234"},
        "ipcc_characterization_factors": {"value": ["AR6"]},
        "cross_sectoral_standards": {"value": "ISO 14067, PACT-2.0"},
        "packaging_emissions_included": {"value": "미포함"},
        "product_name": {"column": "name"},
    }
    for number in ("fossil_ghg_emissions", "fossil_carbon_content", "biogenic_carbon_content", "primary_data_share"):
        given[number] = {"value": 0.5}
    given |= {"product_mass_per_declared_unit": {"value": 1}, "pcf_including_biogenic": {"value": 2.4}}
    given |= {"exempted_emissions_percent": {"value": 0}}
    mapping = load_mapping(with_fields(**given))
    rows = [f"{ROW.replace(UUID, UUID[:-1] + str(i))},{name}" for i, name in enumerate(["브래킷", "", "-"])]
    path = csv_file(tmp_path, rows, HEADER + ",name")
    report = check_file(path, mapping)
    assert report.valid and report.rows_kept == 3
    assert [(f.row, f.line, f.field, f.column, f.code, f.value) for f in report] == [
        (2, 3, "product_name", "name", "pact-empty", None),
        (3, 4, "product_name", "name", "pact-empty", "-"),  # the marker said once, as the note's value
    ]
    assert report.findings[0].message_ko == "제품명 (product_name): 비어 있습니다. PACT 2.3, 3.0 내보내기에 필요합니다"
    record = pq.read_table(ingest(path, mapping, tmp_path / "out.parquet").output).to_pylist()[0]
    assert record["packaging_emissions_included"] is False and record["cross_sectoral_standards"] == [
        "ISO14067",
        "PACT-2.0",
    ]


def test_other_entities_are_asked_nothing() -> None:
    assert footprint_needs.needed("quality_result") == {}
    assert footprint_needs.asked(load_mapping("entity: site\nfields: {id: {column: a}}")) == []


def test_what_is_asked_counts_as_notes_never_as_errors() -> None:
    report = Report()
    report.extend(footprint_needs.asked(load_mapping(BASIC)))
    assert report.count(severity="note") == len(footprint_needs.needed("product_footprint"))
    assert report.count(severity="error") == 0
    assert all(re.search(r"[가-힣]", f.message_ko) for f in report.page(0, 100))


@pytest.mark.parametrize("unit", ["mm(", "h^817<", "g2|^,+55", "²2^3`^69m", "?<c^<74`", "h/0"])
def test_a_unit_cell_the_unit_parser_chokes_on_is_a_finding_not_a_crash_nor_a_hang(unit: str) -> None:
    quality = """
entity: quality_result
fields: {subject: {column: s}, characteristic: {column: c}, value: {column: v, unit_column: u}, passed: {value: true}}
"""
    batch, findings = Applier(load_mapping(quality)).apply(source([{"s": "L1", "c": "x", "v": "1", "u": unit}]))
    assert batch.column("value").to_pylist() == [None]
    assert [(f.code, f.column, f.value) for f in findings] == [
        ("unknown-unit", "u", unicodedata.normalize("NFKC", unit))
    ]


def test_nothing_exempted_needs_no_reason_and_a_cpc_classification_is_a_cpc_code(tmp_path: Path) -> None:
    asked = {f.field for f in footprint_needs.asked(load_mapping(with_fields(exempted_emissions_percent={"value": 0})))}
    assert "exempted_emissions_description" not in asked and "exempted_emissions_percent" not in asked
    listed = load_mapping(with_fields(product_classifications={"value": ["urn:cpc:0151"]}))
    assert "product_category_cpc" not in {f.field for f in footprint_needs.asked(listed)}
    # Row by row: a CPC code among the classifications, or nothing exempted, is what PACT needs.
    mapping = load_mapping(
        with_fields(
            product_category_cpc={"column": "cpc"},
            product_classifications={"column": "cls"},
            exempted_emissions_percent={"column": "ex"},
            exempted_emissions_description={"column": "why"},
        )
    )
    cells = [
        ("", "urn:cpc:0151", "0", ""),  # fine: a CPC classification, nothing exempted
        ("", "urn:pact:productclassification:un-cpc:1234", "2", "운송 제외"),  # fine
        ("", "urn:pact:productclassification:cas:1234", "2", ""),  # no CPC anywhere (PACT's CAS example), no reason
    ]
    rows = [f"{ROW.replace(UUID, UUID[:-1] + str(i))},{','.join(c)}" for i, c in enumerate(cells)]
    report = check_file(csv_file(tmp_path, rows, HEADER + ",cpc,cls,ex,why"), mapping)
    empty = [(f.row, f.field) for f in report if f.code == "pact-empty"]
    assert empty == [(3, "exempted_emissions_description"), (3, "product_category_cpc")]
