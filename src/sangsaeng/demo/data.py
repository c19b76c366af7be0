"""Realistic incoming-quality-inspection (수입검사) records of a tier-1 supplier, generated reproducibly."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

PARTS = [
    ("BRK-CAL-2041", "브레이크 캘리퍼 하우징", "bore_diameter", 54.0, 0.03, "mm"),
    ("BRK-CAL-2041", "브레이크 캘리퍼 하우징", "surface_roughness_ra", 0.8, 0.4, "um"),
    ("SUS-ARM-1180", "로어 컨트롤 암", "bushing_press_force", 12.5, 1.5, "kN"),
    ("SUS-ARM-1180", "로어 컨트롤 암", "hole_position", 0.0, 0.1, "mm"),
    ("ENG-BRK-0730", "엔진 마운트 브래킷", "tensile_strength", 520.0, 30.0, "MPa"),
    ("HV-BUS-3302", "고전압 버스바", "plating_thickness", 8.0, 2.0, "um"),
]
INSPECTORS = ["김민준", "이서연", "박지훈", "최유나", "정하늘"]
SITES = ["KR-Changwon-P1", "KR-Ulsan-P2"]

COLUMNS = [
    "inspection_id",
    "lot_no",
    "part_no",
    "part_name",
    "supplier_site",
    "characteristic",
    "nominal",
    "lsl",
    "usl",
    "measured",
    "unit",
    "result",
    "inspected_at",
    "inspector",
    "unit_cost_krw",
]
WITHHELD = ["inspector", "unit_cost_krw"]  # personal data and commercial terms stay with the supplier


def inspection_table(rows: int, seed: int = 29) -> pa.Table:
    rng = random.Random(seed)
    start = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
    data: dict[str, list[object]] = {c: [] for c in COLUMNS}
    for i in range(rows):
        part_no, name, characteristic, nominal, tolerance, unit = PARTS[i % len(PARTS)]
        lot = f"L{(start + timedelta(hours=i // 40)).strftime('%y%m%d')}-{(i // 40) % 100:02d}"
        spread = tolerance / 2.2 if rng.random() > 0.03 else tolerance * 1.4  # a few outliers
        measured = round(rng.gauss(nominal, spread), 4)
        lsl, usl = round(nominal - tolerance, 4), round(nominal + tolerance, 4)
        data["inspection_id"].append(f"IQC-{2026_000_000 + i}")
        data["lot_no"].append(lot)
        data["part_no"].append(part_no)
        data["part_name"].append(name)
        data["supplier_site"].append(SITES[(i // 500) % len(SITES)])
        data["characteristic"].append(characteristic)
        data["nominal"].append(nominal)
        data["lsl"].append(lsl)
        data["usl"].append(usl)
        data["measured"].append(measured)
        data["unit"].append(unit)
        data["result"].append("PASS" if lsl <= measured <= usl else "FAIL")
        data["inspected_at"].append(start + timedelta(minutes=3 * i))
        data["inspector"].append(rng.choice(INSPECTORS))
        data["unit_cost_krw"].append(rng.choice([18_500, 23_000, 41_200, 7_900]))
    return pa.table(data)


def write_inspection_csv(path: Path, rows: int, seed: int = 29) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(inspection_table(rows, seed), path)
    return path
