"""A product footprint sheet from an SME through the portal's upload flow (issue 15, asked where it enters): the
fields a PACT export will need that the file does not give are shown first and marked, each with a box to type
the value; a list is typed comma-separated and a yes/no picked; once given, the check asks no more, and the
published records hold the values as the standard writes them. Forms are posted as a browser posts them."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from tests.helpers import Dataspace
from tests.test_portal import session
from tests.test_portal_onboarding import changed, form_of, option_named, text_of, upload

pytestmark = pytest.mark.anyio
COMPANY = "urn:sangsaeng:participant:supplier"


def sme_footprint_csv() -> bytes:
    """As an SME's environment team keeps it, saved from Excel in CP949: a title row and a note above the
    header, Korean headers with units in brackets, the reference period as one cell (2026.01~2026.12), a share
    written with and without %, a remark column mostly empty, a no-value marker."""
    ids = [uuid.uuid5(uuid.NAMESPACE_URL, f"sangsaeng-test-footprint-{n}") for n in range(3)]
    lines = [
        "2026년 제품별 탄소발자국 산정 결과 - (주)한빛정밀,,,,,,,,",
        "작성: 환경안전팀 / 산정 기준: ISO 14067,,,,,,,,",
        "번호,PCF ID,제품명,품번,제품 URN,탄소발자국(kgCO2e/kg),생물기원 포함(kgCO2e/kg),화석 배출(kgCO2e/kg),"
        "기준기간,1차 데이터 비율(%),비고",
        f"1,{ids[0]},브래킷 A,BRK-2041,urn:sangsaeng:product:BRK-2041,2.45,2.40,2.31,2026.01~2026.12,62,",
        f"2,{ids[1]},브래킷 B,BRK-2042,urn:sangsaeng:product:BRK-2042,3.10,3.02,2.95,2026.01~2026.12,55%,열처리 외주",
        f"3,{ids[2]},하우징,HSG-1001,urn:sangsaeng:product:HSG-1001,12.8,12.1,-,2026.01~2026.12,40,",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp949")


def field_order(html: str) -> list[str]:
    return re.findall(r'<tr id="field-([a-z_]+)">', html)


async def test_an_sme_footprint_sheet_is_asked_what_pact_needs_and_published_with_it(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    steward = await session(supplier, "park", "steward")
    review_url = await upload(steward, "탄소발자국_2026.csv", sme_footprint_csv(), "product_footprint")
    page = await steward.get(review_url, params={"lang": "ko"})
    assert page.status_code == 200, page.text[:3000]
    shown = text_of(page.text)
    assert "2행짜리 제목 아래 3행에 머리글이 있고" in shown, shown[:1500]
    # What the file and the connector do not give comes first, marked, each with its box; the company's name is
    # the connector's, filled in to confirm, and the product's name is read from its column.
    order = field_order(page.text)
    assert order.index("product_description") < order.index("id") < order.index("company_name")
    assert "PACT 내보내기에 필요 (2.3, 3.0)" in shown
    assert "PACT 내보내기에 필요 (3.0)" in shown  # product_mass_per_declared_unit: v3.0 only
    assert 'id="pact-asked"' in page.text and "항목 10개가 더 필요합니다" in shown  # the standard: from the note row
    assert 'name="const.product_description"' in page.text and 'name="const.company_name"' in page.text
    assert "회사 설정에서 (확인)" in shown and 'value="Supplier"' in page.text
    assert 'placeholder="여러 값은 쉼표로 구분 (예: AR5, AR6)"' in page.text  # the list fields' boxes
    packaging = re.search(r'<select name="const.packaging_emissions_included"[^>]*>(.*?)</select>', page.text, re.S)
    assert packaging is not None and ">예<" in packaging.group(1) and ">아니요<" in packaging.group(1)

    # 1. The columns the file has, and the values of the whole file, picked and typed.
    columns = {
        "column__id": "PCF ID",
        "column__product_ids": "제품 URN",
        "column__product_name": "제품명",
        "column__pcf_excluding_biogenic": "탄소발자국(kgCO2e/kg)",
        "column__pcf_including_biogenic": "생물기원 포함(kgCO2e/kg)",
        "column__fossil_ghg_emissions": "화석 배출(kgCO2e/kg)",
        "column__reference_period_start": "기준기간",
        "column__reference_period_end": "기준기간",
        "column__primary_data_share": "1차 데이터 비율(%)",
        "column__comment": "비고",
        "const__spec_version": "2.3.0",
        "const__version": "1",
        "const__company_ids": COMPANY,
        "const__declared_unit": "kg",
        "const__declared_amount": "1",
    }
    assert (await steward.post(review_url, data=changed(form_of(page.text), **columns))).status_code == 303
    page = await steward.get(review_url, params={"lang": "ko"})
    shown = text_of(page.text)
    # The period's cell is read by its sides: the start of its first month, and — at its end — its last.
    assert "2026.01 → 2026년 1월 1일" in shown, shown[:4000]
    assert "문제 1건" not in shown  # what is only asked is no problem of the field
    pick_end = {"at__reference_period_end": "end"}
    assert (await steward.post(review_url, data=changed(form_of(page.text), **pick_end))).status_code == 303
    page = await steward.get(review_url, params={"lang": "ko"})
    shown = text_of(page.text)
    assert "2026.12 → 2026년 12월 1일" in shown and "3행을 모두 게시합니다." in shown, shown[:4000]
    assert "항목 10개가 더 필요합니다" in shown  # what the columns and the settings give is not asked
    notes = await steward.get(f"{review_url}/problems", params={"severity": "note", "lang": "ko"})
    listed = text_of(notes.text)
    assert "제품 설명 (product_description): PACT 2.3, 3.0 내보내기에 필요한데, 매핑이 열에서 읽지도" in listed
    assert "열을 매핑하거나 값을 입력하세요" in listed
    assert "화석 배출(kgCO2e/kg)" in listed  # the fossil cell with a marker: empty, and asked for its row

    # 2. What the person knows, typed once for the whole file: a list comma-separated, a yes/no picked.
    answers = {
        "const__company_name": "(주)한빛정밀",
        "const__product_description": "자동차 섀시용 강판 프레스 부품",
        "const__product_category_cpc": "1234",  # PACT's own example number (productClassifications)
        "const__ipcc_characterization_factors": "AR6",
        "const__cross_sectoral_standards": "ISO 14067, GHG Protocol Product standard",
        "const__boundary_processes_description": "원소재 생산부터 출하까지 (cradle-to-gate)",
        "const__exempted_emissions_percent": "0",
        "const__exempted_emissions_description": "제외한 배출 없음",
        "const__fossil_carbon_content": "0",
        "const__biogenic_carbon_content": "0",
        "const__product_mass_per_declared_unit": "1",
    }
    form = form_of(page.text)
    no = option_named(page.text, "아니요").split("=")
    assert no[0] == "const.packaging_emissions_included"
    answers[no[0].replace(".", "__")] = no[1]
    # A value no cell could hold is refused with its reason, and nothing is kept of that form.
    wrong = await steward.post(
        f"{review_url}?lang=ko", data=changed(form, **answers | {"const__cross_sectoral_standards": "ISO 9001"})
    )
    assert wrong.status_code == 400 and "ISO 9001" in wrong.text and "cross_sectoral_standards" in wrong.text
    assert 'value="ISO 9001"' not in (await steward.get(review_url)).text
    assert (await steward.post(review_url, data=changed(form, **answers))).status_code == 303
    page = await steward.get(review_url, params={"lang": "ko"})
    shown = text_of(page.text)
    assert 'id="pact-asked"' not in page.text, shown[:4000]
    assert 'value="ISO14067, GHGP-Product"' not in page.text  # the box shows what the person typed, read back
    assert 'value="ISO 14067, GHG Protocol Product standard"' in page.text
    notes = await steward.get(f"{review_url}/problems", params={"severity": "note", "lang": "ko"})
    listed = text_of(notes.text)
    assert "매핑이 열에서 읽지도" not in listed  # no field is asked for any more
    assert listed.count("비고 (comment): 비어 있습니다. PACT 2.3 내보내기에 필요합니다") == 2  # rows 4 and 6
    assert "4 비고 비고" in listed and "6 비고 비고" in listed  # each with its sheet row and column

    # 3. Published, with the values as the standard writes them.
    published = await steward.post(review_url, data=changed(form_of(page.text), action="publish"))
    assert published.status_code == 303 and published.headers["location"].startswith("/portal/offer/")
    datasets = (await supplier.api.get("/api/datasets")).json()
    async with supplier.connector.store.begin() as tx:
        dataset = await tx.datasets.get(datasets[0]["id"])
    assert dataset is not None and dataset.latest is not None
    stored = supplier.connector.datasets.parquet(dataset.latest.path).read().to_pylist()
    assert [r["product_name"] for r in stored] == ["브래킷 A", "브래킷 B", "하우징"]
    first = stored[0]
    assert first["company_ids"] == [COMPANY] and first["product_ids"] == ["urn:sangsaeng:product:BRK-2041"]
    assert first["cross_sectoral_standards"] == ["ISO14067", "GHGP-Product"]
    assert first["ipcc_characterization_factors"] == ["AR6"] and first["product_category_cpc"] == "1234"
    assert first["packaging_emissions_included"] is False and first["company_name"] == "(주)한빛정밀"
    assert [r["primary_data_share"] for r in stored] == [62.0, 55.0, 40.0]
    assert stored[2]["fossil_ghg_emissions"] is None  # "-": not known, and not made up
    assert first["reference_period_start"].isoformat() == "2025-12-31T15:00:00+00:00"  # 1 Jan 2026, Seoul
    assert first["reference_period_end"].isoformat() == "2026-12-31T15:00:00+00:00"  # 1 Jan 2027, Seoul
    assert first["id"].startswith("urn:uuid:")  # the bare UUID of the sheet, as the URN of it
    assert first["declared_unit"] == "kilogram"  # kg, as the canonical data names it


async def test_the_api_check_says_what_a_pact_export_will_ask_of_a_footprint_mapping(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    mapping = """
entity: product_footprint
header: {row: 3}
fields:
  id: {column: PCF ID}
  spec_version: {value: 2.3.0}
  version: {value: 1}
  company_ids: {value: [urn:sangsaeng:participant:supplier]}
  product_ids: {column: 품번}
  declared_unit: {value: kilogram}
  declared_amount: {value: 1}
  pcf_excluding_biogenic: {column: 탄소발자국(kgCO2e/kg)}
  reference_period_start: {column: 기준기간, format: "2026.01"}
  reference_period_end: {column: 기준기간, format: "2026.01", at: end}
  product_name: {column: 제품명}
"""
    answer = await supplier.api.post(
        "/api/ingest/check",
        data={"mapping": mapping, "limit": "100"},
        files={"file": ("탄소발자국.csv", sme_footprint_csv())},
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    # 품번 is no URN: each row's product id is a problem with its row, column and a hint in both languages.
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert [(f["line"], f["column"], f["code"], f["value"]) for f in errors] == [
        (4, "품번", "bad-format", "BRK-2041"),
        (5, "품번", "bad-format", "BRK-2042"),
        (6, "품번", "bad-format", "HSG-1001"),
    ]
    assert "URN, 예: urn:pact:sample.com:product-id:" in errors[0]["hint_ko"]
    asked = [f for f in report["findings"] if f["code"] == "pact-unmapped"]
    assert report["counts"]["pact-unmapped"] == len(asked) == 15  # all but the product's and company's names
    assert {f["field"] for f in asked} >= {"product_description", "cross_sectoral_standards", "fossil_carbon_content"}
    description = next(f for f in asked if f["field"] == "product_description")
    assert (description["row"], description["line"], description["severity"]) == (0, None, "note")
    assert description["message_ko"].startswith("제품 설명 (product_description): PACT 2.3, 3.0 내보내기에 필요한데")
    assert description["message"].startswith("Product description (product_description): needed to export PACT")
    assert description["hint"].startswith("map a column or type the value")
    # The company's name is known, not asked: the check offers the connector's own.
    (name,) = [f for f in report["findings"] if f["code"] == "known-value"]
    assert (name["field"], name["value"], name["severity"]) == ("company_name", "Supplier", "note")
    assert name["message_ko"] == "보고 기업명 (company_name): 매핑에는 없지만 이 커넥터 설정에 Supplier(으)로 있습니다"
    assert "company_name: {value: Supplier}" in name["hint"] and "포털의 검토 화면에는 미리 채워져" in name["hint_ko"]


CELLS = [
    "",
    " ",
    ",,,;;;|||",
    "\n\n",
    "AR6\u2028AR5",
    "ＡＲ６，ＡＲ５",
    "urn:",
    "urn:x:",
    "URN:A:b c",
    "\x00",
    "\ufeffISO 14067",
    "ISO 14067 (",
    "PACT v2; PACT 2.0; pact-2",
    "-",
    "N/A",
    "=cmd|' /C calc'!A0",
    "😀, 👍",
    "a" * 5000,
    ",".join(["ISO14067"] * 2000),
    '"quoted, inside", plain',
]


async def test_no_text_in_a_list_cell_or_a_list_value_answers_5xx(two: Dataspace) -> None:
    import csv
    import io
    import random

    supplier = two.parties["supplier"]
    pick = random.Random(15)
    alphabet = ",;|\n\r \t\u2028\u3000，；｜-~urnAR6ISO14067:가나다\x00\ufeff\\\"'"
    cells = CELLS + ["".join(pick.choice(alphabet) for _ in range(pick.randint(0, 40))) for _ in range(300)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "cs", "ipcc", "pkg"])
    for index, cell in enumerate(cells):
        writer.writerow([f"urn:uuid:{index:08d}-0000-0000-0000-000000000000", cell, cell, cell])
    fields = "id: {column: id}, cross_sectoral_standards: {column: cs}, ipcc_characterization_factors: {column: ipcc}"
    mapping = f"entity: product_footprint\nfields: {{{fields}, packaging_emissions_included: {{column: pkg}}}}"
    answer = await supplier.api.post(
        "/api/ingest/check", data={"mapping": mapping}, files={"file": ("f.csv", out.getvalue().encode())}
    )
    assert answer.status_code == 200, answer.text[:2000]
    report = answer.json()
    assert report["rows"] == len(cells) and report["errors"] > 0
    for value in ("ISO 9001", ["AR6", "six"], "", "\x00", [""], 12):
        document = {"entity": "product_footprint", "fields": {"id": {"column": "id"}}}
        document["fields"]["cross_sectoral_standards"] = {"value": value}
        answer = await supplier.api.post(
            "/api/ingest/check",
            data={"mapping": json.dumps(document)},
            files={"file": ("f.csv", out.getvalue().encode())},
        )
        assert 400 <= answer.status_code < 500, (value, answer.status_code, answer.text[:500])
