"""Product carbon footprints as suppliers keep them, without PACT's ids or URNs: an SME's hand-kept workbook, a
consultant's LCA tool export, and a CP949 sheet with its units in the headers.

The generator knows what each row means: the footprint's id is derived as ``docs/pact.md`` says (a UUID v5 of the
company ids, product ids, the reference period in UTC and the canonical declared unit), a part number becomes a
product URN by the mapping's prefix (percent-encoded as RFC 8141 requires), a declared unit that is a multiple
converts the amount, and what a PACT 2.3 or 3.0 export needs (their schemas' required lists; 2.x
``primaryDataShare`` by its text) and a row or the mapping leaves empty is a note.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.corpus.kit import SEOUL, Case, Sheet, Table, write_text, write_xlsx

COMPANY = "urn:sangsaeng:participant:hanbit"
COMPANY_NAME = "(주)한빛정밀"
DOMAIN = "hanbit.example"  # RFC 2606: a name for examples
PREFIX = f"urn:pact:{DOMAIN}:product-id:"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:sangsaeng:standard:product_footprint")
# What a PACT 2.3 or 3.0 export needs that the canonical footprint may leave unknown (docs/pact.md's table).
PACT_NEEDS = frozenset(
    {
        "company_name",
        "product_description",
        "product_category_cpc",
        "product_name",
        "comment",
        "product_mass_per_declared_unit",
        "pcf_including_biogenic",
        "fossil_ghg_emissions",
        "fossil_carbon_content",
        "biogenic_carbon_content",
        "packaging_emissions_included",
        "ipcc_characterization_factors",
        "cross_sectoral_standards",
        "boundary_processes_description",
        "exempted_emissions_percent",
        "exempted_emissions_description",
        "primary_data_share",
    }
)
# A declared unit as written → (canonical unit, factor, PACT's word kept)
UNITS = {
    "EA": ("piece", 1, None),
    "개": ("piece", 1, None),
    "piece": ("piece", 1, None),
    "kg": ("kilogram", 1, None),
    "톤": ("kilogram", 1000, None),
    "t": ("kilogram", 1000, None),
    "ton": ("kilogram", 1000, None),
    "L": ("meter ** 3", 0.001, "liter"),
    "liter": ("meter ** 3", 0.001, "liter"),
}
MARKER = ("-", "해당없음", "n/a")


def unmapped(fields: dict[str, Any]) -> int:
    """The mapping's own notes: each field a PACT export needs that it neither reads nor gives (no reason is
    needed when the exempted share is given as 0)."""
    missing = PACT_NEEDS - set(fields)
    exempted = fields.get("exempted_emissions_percent", {})
    if str(exempted.get("value")) in ("0", "0.0"):
        missing.discard("exempted_emissions_description")
    return len(missing)


def moment(year: int, month: int) -> datetime:
    """The first moment of a month in Seoul, in UTC."""
    return datetime(year, month, 1, tzinfo=SEOUL).astimezone(UTC)


def stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def footprint_id(companies: list[str], products: list[str], start: datetime, end: datetime, unit: str) -> str:
    name = [sorted(companies), sorted(products), start.isoformat(), end.isoformat(), unit]
    text = json.dumps(name, ensure_ascii=False, separators=(",", ":"))
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, text)}"


def product_urn(number: str) -> str:
    return number if number.lower().startswith("urn:") else PREFIX + quote(number, safe="-._~!$&'()*+,;=:@/")


def footprint(number: str, unit: str, amount: float, start: datetime, end: datetime, **values: Any) -> dict[str, Any]:
    """The canonical footprint of a row: its derived id, its product URN and its declared unit in canonical terms."""
    canonical, factor, word = UNITS[unit]
    products = [product_urn(number)]
    return {
        "id": footprint_id([COMPANY], products, start, end, canonical),
        "company_ids": [COMPANY],
        "product_ids": products,
        "declared_unit": canonical,
        "declared_amount": amount * factor,
        "declared_unit_pact": word,
        "reference_period_start": stamp(start),
        "reference_period_end": stamp(end),
        "spec_version": None,
        "version": 1,
        "status": "Active",
        **values,
    }


# ---- 1. an SME's hand-kept workbook -----------------------------------------------------------------------------
SME_PRODUCTS = [  # 품번, 제품명, 기준단위
    ("BRK-2041", "브래킷 A", "EA"),
    ("BRK-2042", "브래킷 B", "EA"),
    ("BRK-2043", "브래킷 C 보강형", "개"),
    ("HSG-1001", "하우징 주물", "kg"),
    ("HSG-1002", "하우징 커버", "EA"),
    ("SFT-3300", "샤프트 Ø25", "EA"),
    ("SFT-3301", "샤프트 Ø30", "EA"),
    ("KNL-7730", "너클 LH", "개"),
    ("KNL-7731", "너클 RH", "개"),
    ("PLT-0450", "플레이트 t4.5", "kg"),
    ("SCR-0100", "주물 스크랩", "톤"),
    ("OIL-0007", "방청유", "L"),
    ("SPC-1200", "스페이서", "EA"),
    ("CVR-5510", "커버 경량형", "EA"),
    ("BSH-0200", "부싱", "EA"),
    ("GSK-0090", "가스켓", "EA"),
    ("PIN-0040", "핀 Ø4", "EA"),
    ("NUT-0006", "너트 M6", "EA"),
]


def sme_handkept(folder: Path) -> Case:
    rng = random.Random(1501)
    name = "footprint_sme_handkept.xlsx"
    headers = [
        "품번",
        "제품명",
        "기준단위(kg 또는 EA/개)",
        "탄소발자국(kgCO2e/개)",
        "화석 배출량",
        "제품 중량(kg)",
        "기준기간",
        "포장 포함(Y/N)",
        "비고",
    ]
    fields: dict[str, Any] = {
        "company_ids": {"value": [COMPANY]},
        "company_name": {"value": COMPANY_NAME},
        "product_ids": {"column": "품번", "prefix": PREFIX},
        "product_name": {"column": "제품명"},
        "declared_unit": {"column": headers[2]},
        "declared_amount": {"value": 1},
        "pcf_excluding_biogenic": {"column": headers[3], "unit": "kgCO2e"},
        "fossil_ghg_emissions": {"column": "화석 배출량", "unit": "kgCO2e"},
        "product_mass_per_declared_unit": {"column": "제품 중량(kg)", "unit": "kg"},
        "reference_period_start": {"column": "기준기간", "format": "2026.01"},
        "reference_period_end": {"column": "기준기간", "format": "2026.01", "at": "end"},
        "packaging_emissions_included": {"column": "포장 포함(Y/N)"},
        "comment": {"column": "비고"},
        "cross_sectoral_standards": {"value": ["ISO14067"]},  # what the note row above the table says
        "ipcc_characterization_factors": {"value": ["AR6"]},
    }
    case = Case(
        name="footprint_sme_handkept",
        file=f"files/{name}",
        sector="machining",
        system="hand-kept Excel (제품 탄소발자국)",
        entity="product_footprint",
        sheet="2026 탄소발자국",
        suggest=True,
        describe="an SME's footprints of 19 products: part numbers and no ids or URNs, a title and a note row, the "
        "period 2026.01~2026.12 merged down over every row, declared units EA, 개, kg, 톤 and L; a missing part "
        "number, 약 3.1, an undeclared unit 포대, one product entered twice, '-' as fossil, remarks mostly empty",
        mapping={
            "entity": "product_footprint",
            "sheet": "2026 탄소발자국",
            "header": {"row": 3},
            "fill_down": ["기준기간"],
            "fields": fields,
        },
        company={"participant_id": COMPANY, "name": COMPANY_NAME, "public_url": f"https://{DOMAIN}"},
        mapping_notes=unmapped(fields),
    )
    sheet = Sheet("2026 탄소발자국")
    sheet.title(f"2026년 제품별 탄소발자국 산정 결과 — {COMPANY_NAME}", len(headers))
    sheet.wide(
        "산정 기준: ISO 14067, IPCC AR6 · 작성: 품질환경팀 · 탄소발자국은 기준단위 1개(1kg, 1톤, 1L)당", len(headers)
    )
    sheet.row(*headers)
    start, end = moment(2026, 1), moment(2027, 1)
    first = sheet.next
    rows = [*SME_PRODUCTS, SME_PRODUCTS[4]]  # the cover entered twice, with another figure
    by_id: dict[str, Any] = {}
    for i, (number, product, unit) in enumerate(rows):
        pcf = round(rng.uniform(0.6, 14.0), 2) if unit != "톤" else 1850.0
        fossil: float | None = round(pcf * rng.uniform(0.9, 0.98), 2)
        mass: float | None = {"kg": 1.0, "톤": 1000.0, "L": 0.87}.get(unit, round(rng.uniform(0.05, 3.5), 3))
        packed = rng.random() < 0.3
        remark = rng.choice(["열처리 외주", "도금 외주", "2025년 대비 재산정"]) if i % 5 == 2 else None
        errors: list[tuple[str | None, str]] = []
        notes = 0
        written: list[Any] = [number, product, unit, pcf, fossil, mass, None, "Y" if packed else "N", remark]
        if i == 0:
            written[6] = "2026.01~2026.12"  # the period, merged down over every row
        if i == 6:
            written[0], errors = None, [("product_ids", "missing-value")]
        if i == 8:
            written[3], errors = "약 3.1", [("pcf_excluding_biogenic", "type-error")]
        if i == 13:
            written[2], errors = "포대", [("declared_unit", "bad-format")]
        if i == 3:
            written[4], fossil, notes = "-", None, notes + 1  # a marker in a field PACT needs: one note
        if i == 10:
            written[5], mass, notes = None, None, notes + 1  # the scrap's mass left empty: asked
        if i == 15:
            written[7], packed = "포함", True  # the field's own word
        notes += remark is None  # the remark PACT 2.3 needs, empty
        line = sheet.row(*written)
        values = {
            "product_name": product,
            "pcf_excluding_biogenic": pcf,
            "fossil_ghg_emissions": fossil,
            "product_mass_per_declared_unit": mass,
            "packaging_emissions_included": packed,
            "comment": remark,
            "company_name": COMPANY_NAME,
            "cross_sectoral_standards": ["ISO14067"],
            "ipcc_characterization_factors": ["AR6"],
            "preceding_pf_ids": [],
        }
        record = case.rec(line, errors, notes, **footprint(number, unit, 1, start, end, **values))
        if i == len(rows) - 1:  # the same product, period and unit twice: one footprint told twice
            record.errors.append(("id", "duplicate-key"))
            by_id[record.values["id"]].errors.append(("id", "duplicate-key"))
        by_id[record.values["id"]] = record
        if i in (0, 2, 3, 9, 10, 11, 15):
            case.show(record)
    sheet.merge(first, 7, sheet.next - 1, 7)
    write_xlsx(folder / name, [sheet])
    return case


# ---- 2. a consultant's LCA tool export ----------------------------------------------------------------------------
LCA_HEADERS = [
    "Product code",
    "Product name",
    "Product description",
    "Company name",
    "Declared unit",
    "Declared unit amount",
    "Reference period start",
    "Reference period end",
    "PCF excl. biogenic [kg CO2e]",
    "PCF incl. biogenic [kg CO2e]",
    "Fossil GHG emissions [kg CO2e]",
    "Fossil carbon content [kg]",
    "Biogenic carbon content [kg]",
    "Product mass per declared unit [kg]",
    "Packaging emissions included",
    "Packaging emissions [kg CO2e]",
    "Primary data share [%]",
    "Exempted emissions [%]",
    "Exempted emissions description",
    "Cross-sectoral standards",
    "IPCC characterization factors",
    "Boundary processes",
    "Allocation rules",
    "Geography",
    "Comment",
]
LCA_FIELDS = [
    "product_ids",
    "product_name",
    "product_description",
    "company_name",
    "declared_unit",
    "declared_amount",
    "reference_period_start",
    "reference_period_end",
    "pcf_excluding_biogenic",
    "pcf_including_biogenic",
    "fossil_ghg_emissions",
    "fossil_carbon_content",
    "biogenic_carbon_content",
    "product_mass_per_declared_unit",
    "packaging_emissions_included",
    "packaging_ghg_emissions",
    "primary_data_share",
    "exempted_emissions_percent",
    "exempted_emissions_description",
    "cross_sectoral_standards",
    "ipcc_characterization_factors",
    "boundary_processes_description",
    "allocation_rules_description",
    "geography",
    "comment",
]
LCA_PRODUCTS = [  # code, name, description, declared unit, amount, mass of the amount (kg)
    ("HB-BRK-2041", "Bracket A", "Pressed steel bracket, zinc plated", "piece", 1, 0.42),
    ("HB-BRK-2042", "Bracket B", "Pressed steel bracket, e-coated", "piece", 1, 0.55),
    ("HB-HSG-1001", "Housing casting", "Ductile iron housing, machined", "kg", 1, 1.0),
    ("HB-SCR-0100", "Cast iron scrap", "Returned runners and risers", "t", 1, 1000.0),
    ("HB-OIL-0007", "Rust preventive oil", "Solvent-based rust preventive", "liter", 1, 0.87),
    ("HB-FST-0600", "Fastener kit M6", "Bolts, nuts and washers, packed", "piece", 100, 1.9),
    ("HB-SFT-3300", "Shaft 25", "Induction-hardened shaft", "piece", 1, 1.35),
    ("HB-KNL-7730", "Knuckle LH", "Steering knuckle, ductile iron", "piece", 1, 4.8),
    ("HB-KNL-7731", "Knuckle RH", "Steering knuckle, ductile iron", "piece", 1, 4.8),
    ("HB-PLT-0450", "Plate 4.5", "Hot-rolled plate, cut to size", "kg", 1, 1.0),
]


def lca_tool_export(folder: Path) -> Case:
    rng = random.Random(1502)
    name = "footprint_lca_tool_export.csv"
    fields: dict[str, Any] = {
        "company_ids": {"value": [COMPANY]},
        "product_ids": {"column": "Product code", "prefix": PREFIX},
        **{f: {"column": h} for f, h in zip(LCA_FIELDS[1:], LCA_HEADERS[1:], strict=True)},
    }
    for quantity in ("pcf_excluding_biogenic", "pcf_including_biogenic", "fossil_ghg_emissions"):
        fields[quantity]["unit"] = "kg CO2e"
    fields["packaging_ghg_emissions"]["unit"] = "kg CO2e"
    for mass in ("fossil_carbon_content", "biogenic_carbon_content", "product_mass_per_declared_unit"):
        fields[mass]["unit"] = "kg"
    fields["primary_data_share"]["unit"] = "%"
    fields["exempted_emissions_percent"]["unit"] = "%"
    fields["reference_period_start"]["format"] = "%Y-%m-%d"
    fields["reference_period_end"] |= {"format": "%Y-%m-%d", "at": "end"}
    fields["packaging_emissions_included"]["values"] = {"No": False, "Yes": True}
    case = Case(
        name="footprint_lca_tool_export",
        file=f"files/{name}",
        sector="casting",
        system="consultant's LCA tool export (CSV, UTF-8 with BOM, English headers)",
        entity="product_footprint",
        suggest=True,
        describe="10 product footprints a consultant's LCA tool exported for its client: every PACT figure as a "
        "column with its unit in brackets, product codes and no ids or URNs, declared units piece, kg, t and liter "
        "(one per 100 pieces), periods as first and last day, standards in free words; a negative credit, n/a as "
        "a primary data share, a comment left out",
        mapping={"entity": "product_footprint", "fields": fields},
        company={"participant_id": COMPANY, "name": COMPANY_NAME, "public_url": f"https://{DOMAIN}"},
        mapping_notes=unmapped(fields),  # the CPC code
    )
    table = Table()
    table.row(*LCA_HEADERS)
    start, end = moment(2025, 1), moment(2026, 1)
    for i, (code, product, description, unit, amount, mass) in enumerate(LCA_PRODUCTS):
        pcf = round(rng.uniform(0.8, 12.0), 3)  # per the declared amount: a tonne, a hundred pieces weigh more
        if unit == "t" or amount == 100:
            pcf = round(pcf * (150 if unit == "t" else 8), 2)
        biogenic = round(pcf * rng.uniform(0.97, 0.995), 3)
        fossil = round(pcf * rng.uniform(0.9, 0.97), 3)
        fossil_carbon = round(mass * rng.uniform(0.0, 0.02), 4)
        packed = i % 3 == 0
        packaging = round(pcf * 0.02, 3) if packed else None
        primary: float | None = round(rng.uniform(30, 75), 1)
        exempted, why = (1.5, "Cutting fluids and shop consumables below the cut-off") if i == 7 else (0, None)
        standards = "ISO 14067; GHG Protocol Product standard" if i % 2 else "ISO 14067:2018"
        reports = "AR5, AR6" if i == 2 else "AR6"
        comment: str | None = "Allocation by mass at the foundry" if unit in ("kg", "t") else "Supplier-specific data"
        errors: list[tuple[str | None, str]] = []
        notes = 0
        written_primary: Any = primary
        if i == 4:
            written_primary, primary, notes = "n/a", None, notes + 1  # a marker where PACT 2.3 needs a share
        if i == 8:
            comment, notes = None, notes + 1
        written_pcf: Any = pcf
        if i == 3:
            written_pcf, errors = -120.5, [("pcf_excluding_biogenic", "out-of-range")]  # a recycling credit
        line = table.row(
            code,
            product,
            description,
            COMPANY_NAME,
            unit,
            amount,
            "2025-01-01",
            "2025-12-31",
            written_pcf,
            biogenic,
            fossil,
            fossil_carbon,
            0,
            mass,
            "Yes" if packed else "No",
            packaging,
            written_primary,
            exempted,
            why,
            standards,
            reports,
            "Cradle-to-gate: raw materials, inbound transport, manufacturing",
            "Mass allocation" if unit in ("kg", "t") else None,
            "KR",
            comment,
        )
        canonical_pcf = -120.5 if i == 3 else pcf
        values = {
            "product_name": product,
            "product_description": description,
            "company_name": COMPANY_NAME,
            "pcf_excluding_biogenic": canonical_pcf,
            "pcf_including_biogenic": biogenic,
            "fossil_ghg_emissions": fossil,
            "fossil_carbon_content": fossil_carbon,
            "biogenic_carbon_content": 0.0,
            "product_mass_per_declared_unit": mass,
            "packaging_emissions_included": packed,
            "packaging_ghg_emissions": packaging,
            "primary_data_share": primary,
            "exempted_emissions_percent": float(exempted),
            "exempted_emissions_description": why,
            "cross_sectoral_standards": ["ISO14067", "GHGP-Product"] if i % 2 else ["ISO14067"],
            "ipcc_characterization_factors": ["AR5", "AR6"] if i == 2 else ["AR6"],
            "geography": "KR",
            "comment": comment,
        }
        record = case.rec(line, errors, notes, **footprint(code, unit, amount, start, end, **values))
        if i in (0, 2, 3, 4, 5, 7) and not errors:
            case.show(record)
    write_text(folder / name, table, encoding="utf-8-sig")
    return case


# ---- 3. CP949, units in the headers --------------------------------------------------------------------------------
def units_in_headers_cp949(folder: Path) -> Case:
    rng = random.Random(1503)
    name = "footprint_units_in_headers_cp949.csv"
    headers = [
        "품목코드",
        "품명",
        "기준단위",
        "PCF(tCO2e/톤)",
        "생물기원 포함(tCO2e/톤)",
        "화석(tCO2e/톤)",
        "제품 중량(kg)",
        "산정기간",
        "포장",
        "1차 데이터 비율(%)",
        "비고",
    ]
    fields: dict[str, Any] = {
        "company_ids": {"value": [COMPANY]},
        "company_name": {"value": COMPANY_NAME},
        "product_ids": {"column": "품목코드", "prefix": PREFIX},
        "product_name": {"column": "품명"},
        "declared_unit": {"column": "기준단위"},
        "declared_amount": {"value": 1},
        "pcf_excluding_biogenic": {"column": headers[3], "unit": "tCO2e"},
        "pcf_including_biogenic": {"column": headers[4], "unit": "tCO2e"},
        "fossil_ghg_emissions": {"column": headers[5], "unit": "tCO2e"},
        "product_mass_per_declared_unit": {"column": headers[6], "unit": "kg"},
        "reference_period_start": {"column": "산정기간", "format": "2025.01"},
        "reference_period_end": {"column": "산정기간", "format": "2025.01", "at": "end"},
        "packaging_emissions_included": {"column": "포장"},
        "primary_data_share": {"column": headers[9]},
        "comment": {"column": "비고"},
    }
    case = Case(
        name="footprint_units_in_headers_cp949",
        file=f"files/{name}",
        sector="casting",
        system="hand-kept Excel saved as CSV (CP949)",
        entity="product_footprint",
        suggest=False,
        describe="footprints of 14 cast and forged materials per tonne, saved from Excel in CP949: tCO2e per 톤 in "
        "the headers, declared units 톤, t and ton, Korean material codes, the period as one cell, 포함/미포함; "
        "a decimal comma 1,85, a month 13, an unknown unit 포대, 해당없음 where the biogenic figure goes",
        mapping={"entity": "product_footprint", "fields": fields},
        mapping_notes=unmapped(fields),
    )
    table = Table()
    table.row(*headers)
    materials = [
        ("FC250-잉곳", "회주철 잉곳 FC250"),
        ("FCD450-잉곳", "구상흑연주철 잉곳 FCD450"),
        ("AC4C-잉곳", "알루미늄 합금 잉곳 AC4C"),
        ("SCM440-봉강", "크롬몰리브덴강 봉강"),
        ("S45C-봉강", "기계구조용 탄소강 봉강"),
        ("ADC12-잉곳", "다이캐스팅 합금 ADC12"),
        ("SS275-판재", "일반구조용 압연강재"),
        ("SPHC-코일", "열연 코일"),
        ("SUS304-판재", "스테인리스 판재"),
        ("FC200-스크랩", "주물 스크랩"),
        ("C1100-봉", "무산소동 봉"),
        ("A6061-압출", "알루미늄 압출재"),
        ("ZDC2-잉곳", "아연 다이캐스팅 합금"),
        ("SCr420-단조", "단조 소재"),
    ]
    start, end = moment(2025, 1), moment(2026, 1)
    for i, (code, material) in enumerate(materials):
        unit = ("톤", "t", "ton")[i % 3]
        pcf = round(rng.uniform(0.4, 12.0), 3)
        biogenic: float | None = round(pcf * 0.99, 3)
        fossil = round(pcf * rng.uniform(0.93, 0.99), 3)
        packed = i % 4 == 1
        primary = rng.randint(20, 80)
        remark = "전력 배출계수 2024년 국가 고유값" if i % 3 == 0 else "공급사 1차 데이터"
        period = "2025.01~2025.12"
        errors: list[tuple[str | None, str]] = []
        notes = 0
        written = [code, material, unit, f"{pcf:.3f}", f"{biogenic:.3f}", f"{fossil:.3f}", "1000", period]
        written += ["포함" if packed else "미포함", f"{primary}", remark]
        if i == 4:
            written[3], errors = f"{pcf:.2f}".replace(".", ","), [("pcf_excluding_biogenic", "type-error")]
        if i == 7:
            written[7] = "2025.13~2025.12"
            errors = [("reference_period_start", "bad-date")]
        if i == 9:
            written[2], errors = "포대", [("declared_unit", "bad-format")]
        if i == 11:
            written[4], biogenic, notes = "해당없음", None, notes + 1  # PACT 3.0 needs it: asked, once
        line = table.row(*written)
        values = {
            "product_name": material,
            "pcf_excluding_biogenic": pcf * 1000,
            "pcf_including_biogenic": None if biogenic is None else biogenic * 1000,
            "fossil_ghg_emissions": fossil * 1000,
            "product_mass_per_declared_unit": 1000.0,
            "packaging_emissions_included": packed,
            "primary_data_share": float(primary),
            "comment": remark,
            "company_name": COMPANY_NAME,
        }
        record = case.rec(line, errors, notes, **footprint(code, unit, 1, start, end, **values))
        if i in (0, 1, 2, 11, 13):
            case.show(record)
    write_text(folder / name, table, encoding="cp949")
    return case


MAKERS = [sme_handkept, lca_tool_export, units_in_headers_cp949]
