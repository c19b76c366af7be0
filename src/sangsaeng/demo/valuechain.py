"""A small, seeded value chain and the files its companies would really send: an OEM (대한모터스), a tier-1
(한빛정밀) and a tier-2 (성진금속). Korean headers, CP949 CSV, an Excel workbook, mixed units (mm and µm, kWh and
MWh, minutes), decimal commas, and, when asked, a few deliberate errors whose rows and codes are returned so
that tests can check the validation finds exactly them.
"""

from __future__ import annotations

import io
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sangsaeng.standard.catenax import write_bom, write_part
from sangsaeng.standard.entities import BomLink, PartInstance, PartType, ProductFootprint, arrow_schema
from sangsaeng.standard.pact import to_pact

OEM, TIER1, TIER2 = (
    "urn:sangsaeng:participant:daehan-motors",
    "urn:sangsaeng:participant:hanbit-precision",
    "urn:sangsaeng:participant:sungjin-metal",
)
START = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
# Catena-X business partner numbers of the demo's companies and tier-1's plant: made up for the demo (DEMO in them
# where a registered number has digits), only the form (BPNL/BPNS and 12 letters or digits) is Catena-X's.
BPNL = {OEM: "BPNLDEMODAEHAN01", TIER1: "BPNLDEMOHANBIT01", TIER2: "BPNLDEMOSUNGJIN1"}
TIER1_PLANT = "BPNSDEMOHANBITC1"


@dataclass
class Files:
    folder: Path
    paths: dict[str, Path] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    # name → [(row, field, code)] of the errors put in on purpose
    injected: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)


def _uid(rng: random.Random) -> str:
    return f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _decimal_comma(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def inspections(path: Path, rows: int, rng: random.Random, errors: bool) -> list[tuple[int, str, str]]:
    """Tier-2's incoming inspection export: CP949, semicolons, decimal commas, mm and µm."""
    characteristics = [("내경", 54.0, 0.03, "mm"), ("외경", 72.0, 0.05, "mm"), ("표면조도", 0.8, 0.4, "um")]
    lines = ["로트번호;품번;검사항목;검사일시;측정값;단위;하한;상한;판정"]
    injected: list[tuple[int, str, str]] = []
    bad = set(rng.sample(range(1, rows + 1), k=min(4, rows))) if errors else set()
    kinds = ["type-error", "bad-date", "unknown-unit", "unknown-code"]
    for i in range(1, rows + 1):
        name, nominal, tolerance, unit = characteristics[i % len(characteristics)]
        measured = rng.gauss(nominal, tolerance / 2.5)
        passed = abs(measured - nominal) <= tolerance
        cells = {
            "lot": f"SJ{(START + timedelta(hours=i // 30)).strftime('%y%m%d')}-{i // 30 % 100:02d}",
            "part": "SJ-RNG-0730",
            "item": name,
            "at": (START + timedelta(minutes=2 * i)).strftime("%Y-%m-%d %H:%M"),
            "value": _decimal_comma(measured, 4),
            "unit": unit,
            "lsl": _decimal_comma(nominal - tolerance, 4),
            "usl": _decimal_comma(nominal + tolerance, 4),
            "result": "합격" if passed else "불합격",
        }
        cells["lot"] += f"-{i:05d}"  # one lot line per inspection: rows stay unique
        if i in bad:
            kind = kinds[len(injected) % len(kinds)]
            target = {
                "type-error": ("value", "12,3,4", "value"),
                "bad-date": ("at", "2026-13-01 08:00", "inspected_at"),
                "unknown-unit": ("unit", "mmm", "단위"),
                "unknown-code": ("result", "보류", "passed"),
            }[kind]
            cells[target[0]] = target[1]
            injected.append((i, target[2], kind))
        lines.append(";".join(cells.values()))
    path.write_bytes("\n".join(lines).encode("cp949"))
    return injected


def inspections_at_scale(path: Path, gib: float, seed: int = 11) -> int:
    """The same tier-2 inspection export as ``inspections`` (CP949, semicolons, decimal commas, mm and µm, no
    errors), at benchmark scale: written half a million rows at a time with NumPy. Returns the rows written."""
    rng = np.random.default_rng(seed)
    names = np.array(["내경", "외경", "표면조도"])
    nominal, tolerance = np.array([54.0, 72.0, 0.8]), np.array([0.03, 0.05, 0.4])
    units = np.array(["mm", "mm", "um"])
    rows, chunk = 0, 500_000
    header = "로트번호;품번;검사항목;검사일시;측정값;단위;하한;상한;판정\n".encode("cp949")
    with path.open("wb") as handle:
        handle.write(header)
        while handle.tell() < gib * 2**30:
            index = np.arange(rows + 1, rows + chunk + 1)
            kind = index % 3
            measured = rng.normal(nominal[kind], tolerance[kind] / 2.5)
            minutes = np.datetime64(START.replace(tzinfo=None), "m") + (2 * index).astype("timedelta64[m]")
            lot = np.char.add(
                np.char.add("SJ", (index // 30 % 1_000_000).astype(str)), np.char.add("-", index.astype(str))
            )
            table = pa.table(
                {
                    "lot": lot,
                    "part": np.full(chunk, "SJ-RNG-0730"),
                    "item": names[kind],
                    "at": pc.replace_substring(pa.array(np.datetime_as_string(minutes, unit="m")), "T", " "),
                    "value": np.char.replace(np.round(measured, 4).astype(str), ".", ","),
                    "unit": units[kind],
                    "lsl": np.char.replace(np.round(nominal - tolerance, 4)[kind].astype(str), ".", ","),
                    "usl": np.char.replace(np.round(nominal + tolerance, 4)[kind].astype(str), ".", ","),
                    "result": np.where(np.abs(measured - nominal[kind]) <= tolerance[kind], "합격", "불합격"),
                }
            )
            buffer = io.BytesIO()
            options = pacsv.WriteOptions(include_header=False, delimiter=";", quoting_style="none")
            pacsv.write_csv(table, buffer, options)
            handle.write(buffer.getvalue().decode("utf-8").encode("cp949"))
            rows += chunk
    return rows


def energy(path: Path, months: int, rng: random.Random) -> None:
    """Tier-1's energy workbook (Excel): electricity in kWh or MWh, city gas in kWh, an emission factor."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "에너지 사용량"
    sheet.append(["사업장", "시작일", "종료일", "에너지원", "사용량", "단위", "배출계수(kgCO2e/kWh)"])
    for month in range(months):
        first = datetime(2026, 1 + month % 12, 1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        for site in ("창원1공장", "창원2공장"):
            mwh = rng.uniform(150, 260)
            if rng.random() < 0.5:
                sheet.append([site, first, last, "전기", round(mwh, 3), "MWh", 0.4594])
            else:
                sheet.append([site, first, last, "전기", round(mwh * 1000, 1), "kWh", 0.4594])
            sheet.append([site, first, last, "도시가스", round(rng.uniform(20_000, 60_000), 1), "kWh", 0.2026])
    book.save(path)


def production(path: Path, orders: int, rng: random.Random) -> None:
    """Tier-1's MES export: UTF-8 CSV, times in minutes, cycle time in seconds."""
    lines = ["작업지시번호,설비,품번,계획시간(min),가동시간(min),비가동시간(min),생산수량,양품수량,표준사이클타임(s)"]
    for i in range(1, orders + 1):
        planned = 480
        down = rng.randint(0, 90)
        run = planned - down
        cycle = rng.choice([24, 30, 36])
        total = int(run * 60 / cycle * rng.uniform(0.8, 0.97))
        good = total - rng.randint(0, max(1, total // 50))
        lines.append(f"WO-2610-{i:04d},CNC-{1 + i % 8:02d},HB-CAL-2041,{planned},{run},{down},{total},{good},{cycle}")
    path.write_text("\n".join(lines) + "\n", "utf-8")


def generate(folder: Path, seed: int = 7, inspections_rows: int = 600, errors: bool = False) -> Files:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = Files(folder)
    files.paths["quality_result"] = folder / "성진금속_수입검사.csv"
    files.injected["quality_result"] = inspections(files.paths["quality_result"], inspections_rows, rng, errors)
    files.rows["quality_result"] = inspections_rows
    files.paths["energy_record"] = folder / "한빛정밀_에너지.xlsx"
    energy(files.paths["energy_record"], 12, rng)
    files.rows["energy_record"] = 12 * 2 * 2
    files.paths["production_run"] = folder / "한빛정밀_생산실적.csv"
    production(files.paths["production_run"], 40, rng)
    files.rows["production_run"] = 40
    # What tier-1 passes up to the OEM in standard form: a part, its as-built BoM, its footprint.
    caliper_type = PartType(
        id="pt:HB-CAL-2041", manufacturer_part_id="HB-CAL-2041", customer_part_id="58130-AB000", name="브레이크 캘리퍼"
    )
    caliper = PartInstance(
        global_asset_id=_uid(rng),
        part_type=caliper_type.id,
        kind="batch",
        local_id="HB261001-01",
        production_date=START,
        site=TIER1_PLANT,
    )
    rings = [
        BomLink(
            parent=caliper.global_asset_id,
            child=_uid(rng),
            quantity=2,
            lifecycle="as-built",
            business_partner=BPNL[TIER2],
            created_on=START,
            customer=BPNL[TIER1],
            has_alternatives=False,
        )
    ]
    # Everything PACT 3.0 requires, per kilogram of caliper. No UN CPC code: PACT 2.x would require one, and a
    # code is not made up here; 3.0 lists classifications only when known.
    emissions = round(rng.uniform(4, 9), 3)
    footprint = ProductFootprint(
        id=_uid(rng),
        spec_version="3.0.0",
        version=1,
        created=datetime(2026, 2, 2, tzinfo=UTC),
        company_name="한빛정밀",
        company_ids=[TIER1],
        product_name="브레이크 캘리퍼 HB-CAL-2041",
        product_description="주철 브레이크 캘리퍼: 주조, 가공, 도장 (창원1공장), 포장 제외",
        product_ids=["urn:gtin:8801234567890"],
        declared_unit="kilogram",
        declared_amount=1.0,
        product_mass_per_declared_unit=1.0,
        pcf_excluding_biogenic=emissions,
        pcf_including_biogenic=emissions,
        fossil_ghg_emissions=emissions,
        fossil_carbon_content=0.035,
        biogenic_carbon_content=0.0,
        packaging_emissions_included=False,
        reference_period_start=datetime(2025, 1, 1, tzinfo=UTC),
        reference_period_end=datetime(2026, 1, 1, tzinfo=UTC),
        geography="KR",
        ipcc_characterization_factors=["AR6"],
        cross_sectoral_standards=["ISO14067", "GHGP-Product"],
        boundary_processes_description="요람에서 출하까지: 선철·고철 조달, 용해·주조, 가공, 도장, 공장 내 물류",
        exempted_emissions_percent=0.0,
        allocation_rules_description="공장 전력·가스는 생산 중량으로 배분",
        primary_data_share=round(rng.uniform(40, 90), 1),
    )
    standard = {  # Catena-X aspects in the envelope that carries their semantic id
        "catenax_batch.json": write_part(caliper, caliper_type, manufacturer=BPNL[TIER1]).envelope(),
        "catenax_bom.json": write_bom(caliper.global_asset_id, rings).envelope(),
        "pact_footprint.json": to_pact(footprint, "3.0"),
    }
    for name, document in standard.items():
        files.paths[name] = folder / name
        files.paths[name].write_text(json.dumps(document, ensure_ascii=False, indent=2), "utf-8")
    return files


def part_files(folder: Path, seed: int = 7) -> list[Path]:
    """Tier-1's parts in canonical form, as `map ingest` writes them: two serialised calipers and a lot of the
    rings built into them, with their part types (what `catenax export parts` needs of each)."""
    rng = random.Random(seed)
    caliper = PartType(
        id="pt:HB-CAL-2041",
        manufacturer_part_id="HB-CAL-2041",
        customer_part_id="58130-AB000",
        name="브레이크 캘리퍼",
        name_at_customer="캘리퍼 ASSY",
        classification="1004712",
        classification_standard="GIN 20510-21513",
    )
    ring = PartType(id="pt:SJ-RING-07", manufacturer_part_id="SJ-RING-07", name="씰 링")
    parts = [
        PartInstance(
            global_asset_id=_uid(rng),
            part_type=caliper.id,
            kind="serial",
            local_id=f"HB261001-{n:04d}",
            production_date=START + timedelta(minutes=7 * n),
            site=TIER1_PLANT,
        )
        for n in (1, 2)
    ]
    parts.append(
        PartInstance(
            global_asset_id=_uid(rng), part_type=ring.id, kind="batch", local_id="SJ-L2609", production_date=START
        )
    )
    written = []
    for name, records in (("part_instances.parquet", parts), ("part_types.parquet", [caliper, ring])):
        table = pa.Table.from_pylist([r.model_dump() for r in records], schema=arrow_schema(type(records[0])))
        pq.write_table(table, folder / name)
        written.append(folder / name)
    return written
