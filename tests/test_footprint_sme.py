"""A real SME's footprint sheet enters without knowing PACT (issue 15): the footprint's id is the system's, derived
the same on every ingest; what the model defaults is its default; part numbers become product URNs by a prefix;
the connector offers what it knows of its company."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.footprint_entry import NAMESPACE, footprint_id
from sangsaeng.standard.ingest import ingest
from sangsaeng.standard.mapping import Applier, load_mapping
from sangsaeng.standard.validation import check_all

COMPANY = "urn:pact:hanbit.example:company:hanbit"
SHEET = """
entity: product_footprint
fields:
  company_ids: {value: [COMPANY]}
  product_ids: {column: product}
  declared_unit: {column: unit}
  declared_amount: {value: 1}
  pcf_excluding_biogenic: {column: pcf}
  reference_period_start: {column: period, format: "2026.01"}
  reference_period_end: {column: period, format: "2026.01", at: end}
""".replace("COMPANY", COMPANY)


def batch_of(rows: list[dict[str, str | None]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(rows, schema=pa.schema([(k, pa.string()) for k in rows[0]]))


def row(product: str = "urn:pact:hanbit.example:product-id:BRK-2041", **changes: str | None) -> dict[str, str | None]:
    return {"product": product, "unit": "kg", "pcf": "2.45", "period": "2026.01~2026.12"} | changes


def records(mapping_text: str, rows: list[dict[str, str | None]]) -> tuple[list[dict[str, Any]], list[Any]]:
    mapping = load_mapping(mapping_text)
    batch, read = Applier(mapping).apply(batch_of(rows))
    return batch.to_pylist(), read + check_all(mapping.model, lambda: [batch]).findings


# ---- the id is the system's -------------------------------------------------------------------------------------
def test_a_sheet_without_ids_gets_one_per_row_the_same_on_every_ingest(tmp_path: Path) -> None:
    csv = tmp_path / "pcf.csv"
    csv.write_text(
        "product,unit,pcf,period\n"
        "urn:pact:hanbit.example:product-id:BRK-2041,kg,2.45,2026.01~2026.12\n"
        "urn:pact:hanbit.example:product-id:BRK-2042,kg,3.10,2026.01~2026.12\n",
        "utf-8",
    )
    first = ingest(csv, load_mapping(SHEET), tmp_path / "a.parquet")
    again = ingest(csv, load_mapping(SHEET), tmp_path / "b.parquet")
    assert again.written and first.written and first.report.errors == 0, first.report.to_dict()
    ids = pq.read_table(tmp_path / "a.parquet").column("id").to_pylist()
    assert ids == pq.read_table(tmp_path / "b.parquet").column("id").to_pylist()
    assert len(set(ids)) == 2 and all(i.startswith("urn:uuid:") for i in ids)
    stored = pq.read_table(tmp_path / "a.parquet").to_pylist()[0]
    assert (stored["spec_version"], stored["version"], stored["status"]) == (None, 1, "Active")


def test_the_id_is_a_uuid5_of_the_company_product_period_and_declared_unit() -> None:
    import uuid

    found, problems = records(SHEET, [row()])
    assert problems == []
    parts = {k: found[0][k] for k in ("company_ids", "product_ids", "reference_period_start", "reference_period_end")}
    expected = footprint_id(parts | {"declared_unit": "kilogram"})
    assert found[0]["id"] == expected
    value = uuid.UUID(expected.removeprefix("urn:uuid:"))
    assert value.version == 5 and NAMESPACE == uuid.uuid5(
        uuid.NAMESPACE_URL, "urn:sangsaeng:standard:product_footprint"
    )


def test_a_product_twice_for_one_period_and_unit_is_one_footprint_told_twice() -> None:
    found, problems = records(SHEET, [row(), row(pcf="2.50"), row(unit="EA")])
    assert found[0]["id"] == found[1]["id"] != found[2]["id"]  # per piece is another footprint
    assert sorted((p.row, p.field, p.code) for p in problems) == [
        (1, "id", "duplicate-key"),
        (2, "id", "duplicate-key"),  # neither can be trusted over the other: both set aside
    ]


def test_a_row_lacking_what_its_id_is_made_of_is_set_aside_for_that_alone() -> None:
    found, problems = records(SHEET, [row(product=None), row(period=None), row()])
    assert sorted((p.row, p.field, p.code) for p in problems) == [
        (1, "product_ids", "missing-value"),
        (2, "reference_period_end", "missing-value"),
        (2, "reference_period_start", "missing-value"),
    ]
    assert len({r["id"] for r in found}) == 3  # no duplicate-key among the rows set aside


def test_a_mapping_that_gives_the_id_keeps_it() -> None:
    given_id = "urn:uuid:0d6a3f0e-8a5f-4c3e-9d2a-1b2c3d4e5f60"
    with_id = yaml.safe_load(SHEET)
    with_id["fields"]["id"] = {"column": "pcf id"}
    found, problems = records(yaml.safe_dump(with_id), [row() | {"pcf id": given_id}])
    assert problems == [] and found[0]["id"] == given_id


_PARTS = st.fixed_dictionaries(
    {
        "company_ids": st.lists(
            st.sampled_from(["urn:a:1", "urn:b:2", "urn:c:3"]), min_size=1, max_size=2, unique=True
        ),
        "product_ids": st.lists(
            st.sampled_from(["urn:p:1", "urn:p:2", "urn:p:x"]), min_size=1, max_size=2, unique=True
        ),
        "reference_period_start": st.sampled_from([datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)]),
        "reference_period_end": st.sampled_from([datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)]),
        "declared_unit": st.sampled_from(["kilogram", "piece", "meter ** 3"]),
    }
)


def _canonical(parts: dict[str, Any]) -> tuple[Any, ...]:
    return (
        frozenset(parts["company_ids"]),
        frozenset(parts["product_ids"]),
        parts["reference_period_start"],
        parts["reference_period_end"],
        parts["declared_unit"],
    )


@given(_PARTS, _PARTS, st.booleans())
@settings(max_examples=300)
def test_two_footprints_share_an_id_exactly_when_they_name_the_same_footprint(
    one: dict[str, Any], other: dict[str, Any], shuffled: bool
) -> None:
    if shuffled:  # the same lists in another order, the same moments in another zone: the same footprint
        seoul = timedelta(hours=9)
        other = one | {
            "company_ids": list(reversed(one["company_ids"])),
            "reference_period_start": one["reference_period_start"].astimezone(timezone(seoul)),
        }
    assert (footprint_id(one) == footprint_id(other)) == (_canonical(one) == _canonical(other))


# ---- part numbers become product URNs by a prefix --------------------------------------------------------------
PREFIX = "urn:pact:hanbit.example:product-id:"


def with_prefix(**rules: Any) -> str:
    document = yaml.safe_load(SHEET)
    document["fields"]["product_ids"] = {"column": "product", "prefix": PREFIX} | rules
    return yaml.safe_dump(document, allow_unicode=True)


def test_a_part_number_becomes_a_product_urn_by_the_fields_prefix() -> None:
    cells = ["BRK-2041", "urn:gtin:8801234567890", "브래킷 A", "HSG-1001; HSG/1001#2", "ＢＲＫ－２０４２"]
    found, problems = records(with_prefix(), [row(product=c) for c in cells])
    assert problems == []
    assert [r["product_ids"] for r in found] == [
        [PREFIX + "BRK-2041"],
        ["urn:gtin:8801234567890"],  # already a URN: kept as written
        [PREFIX + "%EB%B8%8C%EB%9E%98%ED%82%B7%20A"],  # RFC 8141: non-ASCII and spaces percent-encoded
        [PREFIX + "HSG-1001", PREFIX + "HSG/1001%232"],  # each item of a list; '#' would start a fragment
        [PREFIX + "BRK-2042"],  # full width, as typed on a Korean keyboard
    ]


def test_the_prefix_applies_to_a_constant_and_to_plain_text_fields_too() -> None:
    document = yaml.safe_load(with_prefix())
    document["fields"]["product_ids"] = {"value": "BRK-2041", "prefix": PREFIX}
    document["fields"]["comment"] = {"column": "product", "prefix": "품번:"}
    found, problems = records(yaml.safe_dump(document, allow_unicode=True), [row(product="BRK-9")])
    assert problems == [] and found[0]["product_ids"] == [PREFIX + "BRK-2041"]
    assert found[0]["comment"] == "품번:BRK-9"  # a prefix without a scheme: put before, nothing encoded


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        ({"column": "product", "prefix": "urn:x:"}, "does not begin a URN"),
        ({"column": "product", "prefix": "urn:pact:my domain:"}, "without spaces"),
        ({"column": "product", "prefix": ""}, "without spaces"),
        ({"column": "product", "prefix": PREFIX, "values": {"a": "b"}}, "takes none"),
    ],
)
def test_a_prefix_that_cannot_make_identifiers_is_refused_where_it_is_written(rule: dict[str, Any], said: str) -> None:
    document = yaml.safe_load(SHEET)
    document["fields"]["product_ids"] = rule
    with pytest.raises(InvalidInput) as refused:
        load_mapping(yaml.safe_dump(document, allow_unicode=True))
    assert said in refused.value.message and refused.value.position == "fields.product_ids"


def test_a_prefix_goes_before_text_only() -> None:
    document = yaml.safe_load(SHEET)
    document["fields"]["pcf_excluding_biogenic"] = {"column": "pcf", "prefix": "x"}
    with pytest.raises(InvalidInput, match="'prefix' goes before text"):
        load_mapping(yaml.safe_dump(document))
    document["fields"]["pcf_excluding_biogenic"] = {"column": "pcf"}
    document["fields"]["status"] = {"value": "Active", "prefix": "x"}
    with pytest.raises(InvalidInput, match="'prefix' goes before text"):
        load_mapping(yaml.safe_dump(document))


def test_a_part_number_without_a_prefix_is_told_how_to_become_a_urn() -> None:
    _, problems = records(SHEET, [row(product="BRK-2041")])
    (finding,) = [p for p in problems if p.field == "product_ids" and p.code == "bad-format"]
    assert "part number becomes one with the mapping's prefix" in finding.hint
    assert "prefix: urn:pact:<your domain>:product-id:" in finding.hint
    assert "품번은 매핑에서 이 항목의 접두어(prefix)를 주면 URN이 됩니다" in finding.hint_ko
    assert "urn:pact:<회사 도메인>:product-id:" in finding.message_ko


@given(st.text(min_size=1, max_size=30).filter(lambda t: t.strip() == t and not t.lower().startswith("urn:")))
@settings(max_examples=300)
def test_any_item_with_a_urn_prefix_is_a_urn_that_gives_the_item_back(item: str) -> None:
    from urllib.parse import unquote

    from sangsaeng.standard.pact.vocabulary import URN
    from sangsaeng.standard.prefixes import prefixed, prefixed_one

    made = prefixed_one(PREFIX, item)
    assert URN.fullmatch(made) and unquote(made.removeprefix(PREFIX)) == item
    assert prefixed(pa.array([item, None]), PREFIX).to_pylist() == [made, None]  # the column and one value agree


# ---- known, not asked: what the connector knows of its company -------------------------------------------------
@pytest.mark.parametrize(
    ("participant", "public_url", "domain"),
    [
        ("urn:sangsaeng:participant:hanbit", "https://dsp.hanbit.example", "dsp.hanbit.example"),
        ("urn:sangsaeng:participant:hanbit", "https://dsp.hanbit.example:8443/path", "dsp.hanbit.example"),
        ("did:web:hanbit.example", "http://127.0.0.1:8181", "hanbit.example"),
        ("did:web:hanbit.example%3A8443:connector", "", "hanbit.example"),
        ("urn:sangsaeng:participant:hanbit", "http://127.0.0.1:8181", None),
        ("urn:sangsaeng:participant:hanbit", "http://[::1]:8181", None),
        ("urn:sangsaeng:participant:hanbit", "http://localhost:8181", None),
        ("urn:sangsaeng:participant:hanbit", "http://connector.local", None),
        ("urn:sangsaeng:participant:hanbit", "http://connector:8181", None),  # a bare host name is no domain
    ],
)
def test_the_companys_domain_is_only_what_the_settings_say(
    participant: str, public_url: str, domain: str | None
) -> None:
    from sangsaeng.standard.company import Company

    company = Company.of(participant, "한빛정밀", public_url)
    assert company.domain == domain
    assert company.prefix == (f"urn:pact:{domain}:product-id:" if domain else None)


def test_only_a_urn_participant_id_is_offered_for_company_ids() -> None:
    from sangsaeng.standard.company import Company

    urn = Company.of("urn:sangsaeng:participant:hanbit", "한빛정밀")
    assert urn.known("product_footprint") == {
        "company_ids": ["urn:sangsaeng:participant:hanbit"],
        "company_name": "한빛정밀",
    }
    assert Company.of("did:web:hanbit.example", "").known("product_footprint") == {}  # no URN, no name
    assert urn.known("quality_result") == {}


def test_the_check_offers_what_the_connector_knows_instead_of_asking() -> None:
    from sangsaeng.standard.company import Company
    from sangsaeng.standard.footprint_needs import asked

    document = yaml.safe_load(SHEET)
    del document["fields"]["company_ids"]
    mapping = load_mapping(yaml.safe_dump(document))
    company = Company.of("urn:sangsaeng:participant:hanbit", "(주)한빛정밀")
    found = {f.field: f for f in asked(mapping, company)}
    assert (found["company_ids"].code, found["company_ids"].value) == (
        "known-value",
        "[urn:sangsaeng:participant:hanbit]",
    )
    assert found["company_name"].code == "known-value" and found["company_name"].severity == "note"
    assert "company_name: {value: (주)한빛정밀}" in found["company_name"].hint
    assert found["product_description"].code == "pact-unmapped"  # what nobody knows is still asked
    assert {f.field for f in asked(mapping)} == {f.field for f in asked(mapping, company)} - {"company_ids"}


# ---- the suggestion reads a footprint sheet as SMEs and LCA tools write it --------------------------------------
SME_HEADERS = [
    "품번",
    "제품명",
    "기준단위(kg 또는 EA/개)",
    "탄소발자국(kgCO2e/개)",
    "화석 배출량",
    "기준기간(2026.01~2026.12)",
    "포장 포함(Y/N)",
    "비고",
]
SME_ROWS = [
    ["BRK-2041", "브래킷 A", "EA", "2.45", "2.31", "2026.01~2026.12", "N", ""],
    ["BRK-2042", "브래킷 B", "개", "3.10", "2.95", "2026.01~2026.12", "Y", "열처리 외주"],
    ["HSG-1001", "하우징", "kg", "12.8", "-", "2026.01~2026.12", "N", ""],
]


def suggested(headers: list[str], rows: list[list[str]], company: Any = None) -> Any:
    from sangsaeng.standard.suggest import suggest

    samples = {h: [r[i] for r in rows] for i, h in enumerate(headers)}
    return suggest("product_footprint", headers, samples, company=company)


def test_an_sme_sheet_is_mapped_by_suggestion_and_the_id_is_not_missing() -> None:
    proposal = suggested(SME_HEADERS, SME_ROWS)
    fields = proposal.document["fields"]
    assert proposal.missing == ["company_ids"]  # the id is the system's; the company is the connector's
    assert fields["product_ids"] == {"column": "품번"}  # no domain known: no prefix made up …
    assert any("urn:pact:<your domain>:product-id:" in n.en for n in proposal.notes)  # … but asked for
    assert fields["product_name"] == {"column": "제품명"}
    assert fields["declared_unit"] == {"column": "기준단위(kg 또는 EA/개)"} and fields["declared_amount"] == {
        "value": 1
    }
    assert fields["pcf_excluding_biogenic"] == {"column": "탄소발자국(kgCO2e/개)", "unit": "kgCO2e"}
    assert fields["fossil_ghg_emissions"] == {"column": "화석 배출량"}
    assert fields["reference_period_start"] == {"column": "기준기간(2026.01~2026.12)", "format": "2026.01"}
    assert fields["reference_period_end"] == {"column": "기준기간(2026.01~2026.12)", "format": "2026.12", "at": "end"}
    assert fields["packaging_emissions_included"] == {"column": "포장 포함(Y/N)", "values": {"N": False, "Y": True}}
    assert fields["comment"] == {"column": "비고"}


def test_the_connector_fills_in_its_company_and_the_prefix_of_its_domain() -> None:
    from sangsaeng.standard.company import Company

    company = Company.of("urn:sangsaeng:participant:hanbit", "(주)한빛정밀", "https://hanbit.example")
    proposal = suggested(SME_HEADERS, SME_ROWS, company)
    fields = proposal.document["fields"]
    assert proposal.missing == []
    assert fields["company_ids"] == {"value": ["urn:sangsaeng:participant:hanbit"]}
    assert fields["company_name"] == {"value": "(주)한빛정밀"}
    assert proposal.reasons["company_name"].code == "settings"
    assert fields["product_ids"] == {"column": "품번", "prefix": "urn:pact:hanbit.example:product-id:"}
    urns = [["urn:pact:x.example:product-id:1"], ["urn:pact:x.example:product-id:2"], ["urn:gtin:1"]]
    already = suggested(["제품 URN"], urns, company)
    assert already.document["fields"]["product_ids"] == {"column": "제품 URN"}  # URNs already: no prefix


def test_a_per_unit_header_gives_the_declared_unit_and_amount() -> None:
    proposal = suggested(["품번", "PCF (kgCO2e/kg)", "기준기간"], [["A-1", "1.2", "2026"], ["A-2", "1.3", "2026"]])
    fields = proposal.document["fields"]
    assert fields["declared_unit"] == {"value": "kg"} and fields["declared_amount"] == {"value": 1}
    assert fields["pcf_excluding_biogenic"] == {"column": "PCF (kgCO2e/kg)", "unit": "kgCO2e"}


# Headers as SMEs and LCA tools write them, and the field each names.
HEADERS = {
    "품목코드": "product_ids",
    "Part No.": "product_ids",
    "Product ID": "product_ids",
    "품명": "product_name",
    "Product name": "product_name",
    "제품 설명": "product_description",
    "제품탄소발자국(kgCO2e/개)": "pcf_excluding_biogenic",
    "PCF excl. biogenic": "pcf_excluding_biogenic",
    "생물기원 포함": "pcf_including_biogenic",
    "PCF incl. biogenic": "pcf_including_biogenic",
    "화석": "fossil_ghg_emissions",
    "Fossil GHG emissions": "fossil_ghg_emissions",
    "화석 탄소 함량": "fossil_carbon_content",
    "생물기원 탄소 함량": "biogenic_carbon_content",
    "포장": "packaging_emissions_included",
    "Packaging emissions included": "packaging_emissions_included",
    "포장 배출량": "packaging_ghg_emissions",
    "1차 데이터 비율": "primary_data_share",
    "Primary data share (%)": "primary_data_share",
    "제품 중량": "product_mass_per_declared_unit",
    "Product mass per declared unit": "product_mass_per_declared_unit",
    "비고": "comment",
    "Remarks": "comment",
    "기준단위": "declared_unit",
    "Declared unit": "declared_unit",
    "기준수량": "declared_amount",
    "Reference period start": "reference_period_start",
    "Reference period end": "reference_period_end",
    "산정기준": "cross_sectoral_standards",
    "Cross-sectoral standards": "cross_sectoral_standards",
    "IPCC": "ipcc_characterization_factors",
    "Characterization factors": "ipcc_characterization_factors",
    "제외 비율": "exempted_emissions_percent",
    "Exempted emissions (%)": "exempted_emissions_percent",
    "제외 사유": "exempted_emissions_description",
    "시스템 경계": "boundary_processes_description",
    "할당 기준": "allocation_rules_description",
    "CPC": "product_category_cpc",
    "생산국": "geography",
    "회사명": "company_name",
}


@pytest.mark.parametrize(("header", "field"), HEADERS.items())
def test_each_footprint_field_is_named_by_the_headers_smes_and_lca_tools_write(header: str, field: str) -> None:
    from sangsaeng.standard.suggest.headers import header_score, read_header
    from sangsaeng.standard.suggest.vocabulary import Vocabulary

    scored = header_score(field, read_header(header, Vocabulary()), Vocabulary())
    assert scored is not None and scored[0] >= 0.85, (header, field, scored)


@given(
    st.lists(st.text(max_size=12), min_size=1, max_size=3),
    st.lists(st.text(max_size=12), min_size=1, max_size=3),
    st.datetimes(timezones=st.just(UTC)),
    st.text(max_size=12),
)
@settings(max_examples=300)
def test_the_derived_id_is_the_uuid5_of_the_compact_json_docs_pact_md_describes(
    companies: list[str], products: list[str], start: datetime, unit: str
) -> None:
    import json
    import uuid

    end = start + timedelta(days=365) if start.year < 9999 else start
    name = json.dumps(
        [sorted(companies), sorted(products), start.isoformat(), end.isoformat(), unit],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    parts = {
        "company_ids": companies,
        "product_ids": products,
        "reference_period_start": start,
        "reference_period_end": end,
        "declared_unit": unit,
    }
    assert footprint_id(parts) == f"urn:uuid:{uuid.uuid5(NAMESPACE, name)}"
