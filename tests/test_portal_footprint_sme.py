"""End to end (issue 15): a real SME's footprint sheet — part numbers, no ids, no URNs, a declared unit column, the
period in one cell — goes through the portal's upload, the suggestion and a review where the person types only
the facts they know (the standard followed, the IPCC report, nothing exempted …), is published, and its dataset
exports as PACT 3.0 documents that validate against the official schema. The connector offers what it knows of
its company; a part number becomes a product URN of the company's domain. Forms are posted as a browser posts
them."""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from sangsaeng.cli.main import app
from tests.helpers import Dataspace, dataspace
from tests.pact_schemas import problems
from tests.test_portal import session
from tests.test_portal_onboarding import changed, form_of, text_of, upload

pytestmark = pytest.mark.anyio
DOMAIN = "hanbit.example"  # RFC 2606: a domain for examples
PREFIX = f"urn:pact:dsp.{DOMAIN}:product-id:"
PRODUCTS = [  # 품번, 제품명, 기준단위, 탄소발자국, 생물기원 포함, 화석 배출량, 제품 중량(kg), 포장, 1차 데이터
    ("BRK-2041", "브래킷 A", "EA", 2.45, 2.40, 2.31, 0.42, "N", 62),
    ("BRK-2042", "브래킷 B", "개", 3.10, 3.02, 2.95, 0.55, "Y", 55),
    ("HSG-1001", "하우징 주물", "kg", 1.92, 1.90, 1.85, 1, "N", 40),
    ("OIL-07", "방청유", "L", 3.6, 3.6, 3.5, 0.87, "N", 30),
]


def sme_workbook() -> bytes:
    """As a 30-person supplier's environment engineer keeps it: a title and a note over the header, part numbers
    and names, the declared unit per row (EA, 개, kg, L), the footprint per unit, the period as one cell, Y/N."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "2026 탄소발자국"
    sheet.append(["2026년 제품별 탄소발자국 (한빛정밀)"])
    sheet.append(["작성: 품질환경팀"])
    sheet.append(
        [
            "품번",
            "제품명",
            "기준단위(kg 또는 EA/개)",
            "탄소발자국(kgCO2e/개)",
            "생물기원 포함(kgCO2e/개)",
            "화석 배출량",
            "제품 중량(kg)",
            "기준기간",
            "포장 포함(Y/N)",
            "1차 데이터 비율(%)",
            "비고",
        ]
    )
    for number, name, unit, pcf, biogenic, fossil, mass, packaging, primary in PRODUCTS:
        remark = "열처리 외주" if number == "BRK-2042" else None
        sheet.append([number, name, unit, pcf, biogenic, fossil, mass, "2026.01~2026.12", packaging, primary, remark])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
async def hanbit(tmp_path: Path) -> AsyncIterator[Dataspace]:
    """A supplier whose connector is reached at a name of its company's domain (so the connector knows it)."""
    extra: dict[str, dict[str, object]] = {"supplier": {"public_url": f"https://dsp.{DOMAIN}"}}
    async with dataspace(tmp_path, ["supplier", "oem"], extra=extra) as space:
        yield space


def _row(html: str, field: str) -> str:
    found = re.search(rf'<tr id="field-{field}">(.*?)</tr>', html, re.S)
    assert found is not None, field
    return found.group(1)


async def test_an_sme_sheet_without_ids_or_urns_is_published_and_exports_as_pact_3(
    hanbit: Dataspace, tmp_path: Path
) -> None:
    supplier = hanbit.parties["supplier"]
    steward = await session(supplier, "kim", "steward")
    review_url = await upload(steward, "탄소발자국_2026.xlsx", sme_workbook(), "product_footprint")
    page = await steward.get(review_url, params={"lang": "ko"})
    assert page.status_code == 200, page.text[:3000]
    shown = text_of(page.text)
    # Known, not asked: the company's participant id and name are filled in to confirm, the part numbers get the
    # prefix of the company's domain, and the id is the system's.
    assert "urn:sangsaeng:participant:supplier" in _row(page.text, "company_ids")
    assert 'value="Supplier"' in _row(page.text, "company_name") and "회사 설정에서 (확인)" in shown
    assert f'name="prefix.product_ids" value="{PREFIX}"' in _row(page.text, "product_ids")
    assert "시스템이 만듦" in text_of(_row(page.text, "id"))
    # What the sheet says is placed: the period's two sides, the declared unit column, one unit each, Y/N.
    assert "2026.12 → 2026년 12월 1일" in shown  # the period's end, read at the end of its month
    document = yaml_of(supplier, review_url)
    fields = document["fields"]
    assert fields["declared_unit"] == {"column": "기준단위(kg 또는 EA/개)"}
    assert fields["declared_amount"] == {"value": 1}
    assert fields["pcf_excluding_biogenic"]["unit"] == "kgCO2e"
    assert fields["reference_period_end"]["at"] == "end"
    assert fields["packaging_emissions_included"]["values"] == {"N": False, "Y": True}
    assert "id" not in fields and "spec_version" not in fields and "version" not in fields
    assert "항목 9개가 더 필요합니다" in shown, shown[:6000]  # 4 of them for PACT 2.3 only

    # Only the facts a person knows, typed once for the whole file.
    facts = {
        "const__product_description": "자동차 섀시용 프레스·주조 부품과 방청유",
        "const__cross_sectoral_standards": "ISO 14067",
        "const__ipcc_characterization_factors": "AR6",
        "const__exempted_emissions_percent": "0",
        "const__fossil_carbon_content": "0",
    }
    posted = await steward.post(review_url, data=changed(form_of(page.text), **facts))
    assert posted.status_code == 303
    page = await steward.get(review_url, params={"lang": "ko"})
    shown = text_of(page.text)
    assert "4행을 모두 게시합니다." in shown, shown[:6000]
    assert "ISO14067" in shown and "[&#39;" not in page.text  # the preview shows a list's items, not its repr
    published = await steward.post(review_url, data=changed(form_of(page.text), action="publish"))
    assert published.status_code == 303 and published.headers["location"].startswith("/portal/offer/")

    datasets = (await supplier.api.get("/api/datasets")).json()
    async with supplier.connector.store.begin() as tx:
        dataset = await tx.datasets.get(datasets[0]["id"])
    assert dataset is not None and dataset.latest is not None
    stored = supplier.connector.datasets.parquet(dataset.latest.path).read().to_pylist()  # a folder or a bucket
    assert [r["product_ids"] for r in stored] == [[PREFIX + p[0]] for p in PRODUCTS]
    assert [(r["declared_unit"], r["declared_amount"], r["declared_unit_pact"]) for r in stored] == [
        ("piece", 1.0, None),
        ("piece", 1.0, None),
        ("kilogram", 1.0, None),
        ("meter ** 3", 0.001, "liter"),  # 1 L, and PACT's word for it kept
    ]
    assert all(uuid.UUID(r["id"].removeprefix("urn:uuid:")).version == 5 for r in stored)
    assert {(r["spec_version"], r["version"], r["status"]) for r in stored} == {(None, 1, "Active")}

    # The dataset exports as PACT 3.0, every document valid against the official schema.
    path = tmp_path / "stored.parquet"  # the stored file's bytes, wherever the connector keeps them
    path.write_bytes(supplier.connector.datasets.read_bytes(dataset.latest.path))
    out = tmp_path / "pact.json"
    result = CliRunner().invoke(app, ["pact", "export", str(path), "--version", "3.0", "--out", str(out)])
    assert result.exit_code == 0, result.output
    documents: list[dict[str, Any]] = json.loads(out.read_text("utf-8"))
    assert len(documents) == len(PRODUCTS)
    assert [problems(d, "3.0") for d in documents] == [[]] * len(PRODUCTS)
    assert [f"urn:uuid:{d['id']}" for d in documents] == [r["id"] for r in stored]
    first, oil = documents[0], documents[3]
    assert first["companyIds"] == ["urn:sangsaeng:participant:supplier"] and first["companyName"] == "Supplier"
    assert first["productIds"] == [PREFIX + "BRK-2041"] and first["productNameCompany"] == "브래킷 A"
    assert first["pcf"]["crossSectoralStandards"] == ["ISO14067"]
    assert first["pcf"]["ipccCharacterizationFactors"] == ["AR6"]
    assert (oil["pcf"]["declaredUnitOfMeasurement"], oil["pcf"]["declaredUnitAmount"]) == ("liter", "1")
    assert first["pcf"]["referencePeriodStart"] == "2025-12-31T15:00:00Z"  # 1 January 2026 in Seoul


def yaml_of(party: Any, review_url: str) -> dict[str, Any]:
    """The mapping document the stage holds (what publishing will read)."""
    from sangsaeng.portal import staging

    token = review_url.rsplit("/", 1)[-1]
    document: dict[str, Any] = staging.find(party.settings.data_dir, token).document()
    return document


async def test_without_the_companys_domain_the_page_asks_for_the_prefix(two: Dataspace) -> None:
    """Nothing is made up: a connector at an address knows no domain, so the part numbers stay what they are —
    each a problem saying how it becomes a URN — until the person gives the prefix."""
    supplier = two.parties["supplier"]
    steward = await session(supplier, "kim", "steward")
    review_url = await upload(steward, "탄소발자국_2026.xlsx", sme_workbook(), "product_footprint")
    page = await steward.get(review_url, params={"lang": "ko"})
    row = _row(page.text, "product_ids")
    assert (
        'name="prefix.product_ids" value=""' in row and 'placeholder="urn:pact:&lt;회사 도메인&gt;:product-id:"' in row
    )
    assert "품번이 URN이 아닙니다" in text_of(row)
    shown = text_of(page.text)
    assert "4행 중 0행을 게시하고 4행은 제외합니다" in shown and "게시할 수 있는 행이 없습니다" in shown
    problem = await steward.get(f"{review_url}/problems", params={"lang": "ko"})
    assert "품번은 매핑에서 이 항목의 접두어(prefix)를 주면 URN이 됩니다" in text_of(problem.text)
    # A prefix that is no URN's beginning is refused with its reason; the person's domain makes it.
    wrong = await steward.post(f"{review_url}?lang=ko", data=changed(form_of(page.text), prefix__product_ids="urn:x:"))
    assert wrong.status_code == 400 and "does not begin a URN" in wrong.text
    given = f"urn:pact:{DOMAIN}:product-id:"
    confirmed = await steward.post(review_url, data=changed(form_of(page.text), prefix__product_ids=given))
    assert confirmed.status_code == 303
    page = await steward.get(review_url, params={"lang": "ko"})
    assert "4행을 모두 게시합니다." in text_of(page.text)
    assert f'name="prefix.product_ids" value="{given}"' in page.text
