"""Energy: a KEPCO-style bill history, carriers wide, months wide, a gas meter log in Nm³ and 15-minute AMI data
per feeder (sizeable)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from tests.corpus.kit import GJ_KWH, MJ_KWH, Case, Num, Sheet, Table, next_month, utc, write_text, write_xlsx


def kepco_bill(folder: Path) -> Case:
    rng = random.Random(1451)
    name = "energy_kepco_monthly_bill.xlsx"
    sheet_name = "전력사용실적"
    case = Case(
        name="energy_kepco_monthly_bill",
        file=f"files/{name}",
        sector="energy",
        system="KEPCO bill history kept in Excel (한전 청구 기준)",
        entity="energy_record",
        sheet=sheet_name,
        suggest=True,
        describe="a year of monthly electricity bills of one plant: site and year only in the title, months as "
        "'3월분', usage as text with thousands separators or as formatted numbers, one '398,120kWh', a month "
        "whose usage is #N/A, a 합계 row and a note that December is estimated",
        mapping={
            "entity": "energy_record",
            "sheet": sheet_name,
            "header": {"row": 4},
            "fields": {
                "consumer": {"value": "창원공장"},
                "carrier": {"value": "electricity"},
                "period_start": {"column": "청구월", "format": "3월분", "year": 2025},
                "period_end": {"column": "청구월", "format": "3월분", "year": 2025, "at": "end"},
                "amount": {"column": "사용량(kWh)", "unit": "kWh"},
            },
        },
    )
    sheet = Sheet(sheet_name)
    sheet.title("2025년 창원공장 전력 사용 실적 (한전 청구 기준)", 8)
    sheet.wide("고객번호: 0123456789 / 계약종별: 산업용(을) 고압A 선택Ⅱ / 계약전력: 1,500 kW", 8)
    sheet.blank()
    sheet.row(
        "청구월",
        "사용기간",
        "사용량(kWh)",
        "최대수요전력(kW)",
        "역률(%)",
        "기본요금(원)",
        "전력량요금(원)",
        "청구금액(원)",
    )
    total = 0
    for month in range(1, 13):
        start = datetime(2025, month, 1)
        used = rng.randrange(380_000, 460_000, 10)
        total += used
        before = start - timedelta(days=20)
        written: object = f"{used:,}" if month % 2 else Num(used, "#,##0")
        errors: list[tuple[str | None, str]] = []
        if month == 7:
            written = f"{used:,}kWh"
        if month == 9:
            written, errors = "#N/A", [("amount", "missing-value")]
        demand = rng.randrange(1050, 1420)
        energy_charge = round(used * rng.uniform(118, 131))
        line = sheet.row(
            f"{month}월분",
            f"{before:%m}.10~{start:%m}.09",
            written,
            Num(demand, "#,##0"),
            Num(round(rng.uniform(0.93, 0.99), 3), "0.0%"),
            Num(demand * 8320, "#,##0"),
            Num(energy_charge, "#,##0"),
            Num(demand * 8320 + energy_charge, "#,##0"),
        )
        record = case.rec(
            line,
            errors,
            consumer="창원공장",
            carrier="electricity",
            period_start=utc(start),
            period_end=utc(next_month(start)),
            amount=float(used),
        )
        if month in (1, 2, 7, 12):
            case.show(record)
    sheet.row("합계", None, Num(total, "#,##0"))
    sheet.wide("※ 12월분은 검침 전 추정 청구, 확정 후 정정 예정", 8)
    write_xlsx(folder / name, [sheet])
    return case


def carriers_wide(folder: Path) -> Case:
    rng = random.Random(1452)
    name = "energy_carriers_wide.csv"
    wide = ["전력(kWh)", "도시가스(MJ)", "스팀(GJ)"]
    case = Case(
        name="energy_carriers_wide",
        file=f"files/{name}",
        sector="energy",
        system="energy manager's monthly summary (CSV, UTF-8 with BOM)",
        entity="energy_record",
        suggest=True,
        describe="two plants x 12 months, one column per carrier with its unit in the header (kWh, MJ, GJ), "
        "quoted thousands separators, a plant without steam ('-'), a blank line between plants, a negative "
        "gas correction",
        mapping={
            "entity": "energy_record",
            "unpivot": {"columns": wide, "name": "에너지원", "value": "사용량", "unit": "단위"},
            "fields": {
                "consumer": {"column": "사업장"},
                "carrier": {
                    "column": "에너지원",
                    "values": {"전력": "electricity", "도시가스": "lng", "스팀": "steam"},
                },
                "period_start": {"column": "년월", "format": "2025-01"},
                "period_end": {"column": "년월", "format": "2025-01", "at": "end"},
                "amount": {"column": "사용량", "unit_column": "단위"},
            },
        },
    )
    table = Table()
    table.row("사업장", "년월", *wide, "비고")
    plants = [
        ("창원공장", (400_000, 460_000), (1_800_000, 2_600_000), (300, 600)),
        ("김해공장", (150_000, 190_000), (600_000, 900_000), None),
    ]
    for p, (plant, power_range, gas_range, steam_range) in enumerate(plants):
        if p:
            table.blank()
        for month in range(1, 13):
            start = datetime(2025, month, 1)
            winter = 1.0 if month in (1, 2, 12) else 0.7
            power = rng.randrange(*power_range)
            gas = round(rng.randrange(*gas_range) * winter)
            steam = rng.randrange(*steam_range) if steam_range else None
            gas_text, note = f"{gas:,}", ""
            refund = (plant, month) == ("창원공장", 7)
            if refund:
                gas, gas_text, note = -12_400, "-12,400", "7월 가스 정산 환급분"
            line = table.row(
                plant, f"{start:%Y-%m}", f"{power:,}", gas_text, "-" if steam is None else f"{steam:,}", note
            )
            for carrier, value, factor in (("electricity", power, 1.0), ("lng", gas, MJ_KWH), ("steam", steam, GJ_KWH)):
                if value is None:
                    continue
                record = case.rec(
                    line,
                    [("amount", "out-of-range")] if refund and carrier == "lng" else [],
                    consumer=plant,
                    carrier=carrier,
                    period_start=utc(start),
                    period_end=utc(next_month(start)),
                    amount=value * factor,
                    raw_value=float(value),
                )
                if (p, month, carrier) in {
                    (0, 1, "electricity"),
                    (0, 1, "lng"),
                    (0, 12, "steam"),
                    (1, 6, "lng"),
                    (1, 12, "electricity"),
                }:
                    case.show(record)
    write_text(folder / name, table)
    return case


def months_wide(folder: Path) -> Case:
    rng = random.Random(1453)
    name = "energy_monthly_by_carrier.xlsx"
    months = [f"{m}월" for m in range(1, 13)]
    case = Case(
        name="energy_monthly_by_carrier",
        file=f"files/{name}",
        sector="energy",
        system="hand-kept Excel (에너지 사용 현황)",
        entity="energy_record",
        sheet="2026",
        suggest=True,
        describe="one row per carrier with its unit, one column per month (1월..12월) of which only three are filled, "
        "a 합계 column and a TOE 합계 row, site and year in the title, a note that March is estimated, 검침중 for "
        "a month not yet read",
        mapping={
            "entity": "energy_record",
            "sheet": "2026",
            "header": {"row": 3},
            "unpivot": {"columns": months, "name": "월", "value": "사용량"},
            "fields": {
                "consumer": {"value": "김해공장"},
                "carrier": {"column": "구분", "values": {"전력": "electricity", "도시가스": "lng", "스팀": "steam"}},
                "period_start": {"column": "월", "format": "3월", "year": 2026},
                "period_end": {"column": "월", "format": "3월", "year": 2026, "at": "end"},
                "amount": {"column": "사용량", "unit_column": "단위"},
            },
        },
    )
    sheet = Sheet("2026")
    sheet.title("2026년 에너지 사용 현황 (김해공장)", 15)
    sheet.blank()
    sheet.row("구분", "단위", *months, "합계")
    toe = [0.0, 0.0, 0.0]
    rows = [
        ("전력", "kWh", "electricity", (150_000, 190_000), 1.0, 0.229e-3),
        ("도시가스", "MJ", "lng", (600_000, 900_000), MJ_KWH, 0.0239e-3),
        ("스팀", "GJ", "steam", (80, 140), GJ_KWH, 0.0239),
    ]
    for name_ko, unit, carrier, span, factor, to_toe in rows:
        values = [rng.randrange(*span) for _ in range(3)]
        written: list[object] = [Num(v, "#,##0") for v in values]
        if carrier == "lng":
            written[1] = f"{values[1]:,}"
        if carrier == "steam":
            written[2] = "검침중"
        line = sheet.row(name_ko, unit, *written, *[None] * 9, Num(sum(values), "#,##0"))
        for m, value in enumerate(values):
            toe[m] += value * to_toe
            start = datetime(2026, m + 1, 1)
            record = case.rec(
                line,
                [("amount", "type-error")] if written[m] == "검침중" else [],
                consumer="김해공장",
                carrier=carrier,
                period_start=utc(start),
                period_end=utc(next_month(start)),
                amount=value * factor,
            )
            if (carrier, m) in {("electricity", 0), ("lng", 1), ("steam", 1), ("electricity", 2)}:
                case.show(record)
    sheet.row("합계", "TOE", *[Num(round(v, 1), "#,##0.0") for v in toe])
    sheet.wide("※ 3월은 검침 전 추정치 (4월 10일 확정)", 15)
    write_xlsx(folder / name, [sheet])
    return case


def gas_meter_log(folder: Path) -> Case:
    rng = random.Random(1454)
    name = "energy_gas_meter_log_cp949.csv"
    factor = 42.7  # MJ/Nm³, the supplier's gross calorific value for the month
    case = Case(
        name="energy_gas_meter_log_cp949",
        file=f"files/{name}",
        sector="energy",
        system="hand-kept Excel saved as CSV (CP949), daily gas meter readings",
        entity="energy_record",
        suggest=False,
        describe="daily city-gas readings in Nm³ for March (cumulative index and daily use), to become kWh with the "
        "supplier's gross calorific value 42.7 MJ/Nm³; Sundays 휴무 with small use, thousands separators, a day "
        "whose reading was missed (#N/A)",
        mapping={
            "entity": "energy_record",
            "fields": {
                "consumer": {"value": "창원공장"},
                "carrier": {"value": "lng"},
                "period_start": {"column": "검침일", "format": "2026.03.02"},
                "period_end": {"column": "검침일", "format": "2026.03.02", "at": "end"},
                "amount": {"column": "사용량(Nm³)", "unit": "Nm³"},
                "calorific_factor": {"value": factor},
                "calorific_unit": {"value": "MJ/Nm³"},
                "calorific_basis": {"value": "gross"},
            },
        },
    )
    table = Table()
    table.row("검침일", "지침(Nm³)", "사용량(Nm³)", "보정계수", "비고")
    index = 1_284_310
    for d in range(1, 32):
        today = datetime(2026, 3, d)
        sunday = today.weekday() == 6
        used = rng.randint(20, 45) if sunday else rng.randint(820, 1180)
        index += used
        missed = d == 18
        line = table.row(
            today.strftime("%Y.%m.%d"),
            "#N/A" if missed else f"{index:,}",
            "#N/A" if missed else f"{used:,}",
            "0.9987",
            "휴무" if sunday else ("검침 누락" if missed else ""),
        )
        record = case.rec(
            line,
            [("amount", "missing-value")] if missed else [],
            consumer="창원공장",
            carrier="lng",
            period_start=utc(today),
            period_end=utc(today + timedelta(days=1)),
            amount=used * factor * MJ_KWH,
            raw_value=float(used),
            calorific_factor=factor,
            calorific_basis="gross",
        )
        if d in (2, 8, 31, 17):
            case.show(record)
    write_text(folder / name, table, encoding="cp949")
    return case


def ami_intervals(folder: Path) -> Case:
    rng = random.Random(1455)
    name = "energy_ami_15min.csv"
    feeders = ["사출동", "조립동", "공조", "사무동"]
    wide = [f"{f}(kWh)" for f in feeders]
    case = Case(
        name="energy_ami_15min",
        file=f"files/{name}",
        sector="energy",
        system="AMI meter portal download (CSV, UTF-8 with BOM)",
        entity="energy_record",
        suggest=False,
        describe="8,000 quarter hours of four feeders wide (kWh), start and end of each interval; a two-hour "
        "communication gap '-' on one feeder, one negative reading",
        mapping={
            "entity": "energy_record",
            "unpivot": {"columns": wide, "name": "계통", "value": "사용량", "unit": "단위"},
            "fields": {
                "consumer": {"column": "계통"},
                "carrier": {"value": "electricity"},
                "period_start": {"column": "시작시각", "format": "%Y-%m-%d %H:%M"},
                "period_end": {"column": "종료시각", "format": "%Y-%m-%d %H:%M"},
                "amount": {"column": "사용량", "unit_column": "단위"},
            },
        },
    )
    table = Table()
    table.row("시작시각", "종료시각", *wide)
    spans = [(80, 140), (20, 45), (10, 60), (3, 9)]
    start = datetime(2026, 1, 1)
    for i in range(8000):
        begin = start + timedelta(minutes=15 * i)
        end = begin + timedelta(minutes=15)
        values = [round(rng.uniform(*span), 2) for span in spans]
        cells = [f"{v:.2f}" for v in values]
        if 3000 <= i < 3008:
            cells[2] = "-"
        negative = i == 5555
        if negative:
            values[3] = -0.40
            cells[3] = "-0.40"
        line = table.row(f"{begin:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}", *cells)
        for k, feeder in enumerate(feeders):
            if cells[k] == "-":
                continue
            record = case.rec(
                line,
                [("amount", "out-of-range")] if negative and k == 3 else [],
                consumer=feeder,
                carrier="electricity",
                period_start=utc(begin),
                period_end=utc(end),
                amount=values[k],
            )
            if (i, k) in {(0, 0), (0, 3), (2999, 2), (3008, 2), (7999, 1), (5555, 0)}:
                case.show(record)
    write_text(folder / name, table)
    return case


MAKERS = [kepco_bill, carriers_wide, months_wide, gas_meter_log, ami_intervals]
