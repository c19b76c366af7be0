"""Casting (X-ray grades, a melt record, a leak tester export) and PCB assembly (AOI repair log, SPI export, a
reflow profile)."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from pathlib import Path

from tests.corpus.kit import KELVIN, UM, Case, Num, Sheet, Table, utc, write_text, write_xlsx

PASS_FAIL = {"합격": True, "불합격": False}


def xray_grades(folder: Path) -> Case:
    rng = random.Random(1431)
    name = "casting_xray_porosity.xlsx"
    sheet_name = "RT검사"
    areas = ["A부", "B부", "C부"]
    case = Case(
        name="casting_xray_porosity",
        file=f"files/{name}",
        sector="casting",
        system="hand-kept Excel (RT 판독 기록)",
        entity="quality_result",
        sheet=sheet_name,
        suggest=False,
        describe="radiography porosity grades (ASTM E505 level, no unit) of 120 castings in three areas wide, heat "
        "number as the lot, year-less dates '3월 2일'; areas not shot '-', a reader's '2~3', an undeclared 보류",
        mapping={
            "entity": "quality_result",
            "sheet": sheet_name,
            "header": {"row": 3},
            "unpivot": {"columns": areas, "name": "부위", "value": "등급"},
            "fields": {
                "subject": {"column": "시리얼"},
                "lot": {"column": "Heat No."},
                "characteristic": {"column": "부위"},
                "value": {"column": "등급"},
                "passed": {"column": "판정", "values": PASS_FAIL},
                "inspected_at": {"column": "검사일", "format": "3월 2일", "year": 2026},
            },
        },
    )
    sheet = Sheet(sheet_name)
    sheet.title("방사선투과검사(RT) 결과 - 기공 등급 (ASTM E505, 2등급 이하 합격)", 8)
    sheet.blank()
    sheet.row("검사일", "Heat No.", "시리얼", *areas, "판정", "판독자")
    for i in range(120):
        when = datetime(2026, 3, 2) + timedelta(days=i // 24)
        heat = f"H2603-{i // 8 + 1:02d}"
        serial_no = f"VB{when:%y%m%d}{i + 1:04d}"
        grades = [rng.choices([1, 2, 3, 4], [55, 35, 8, 2])[0] for _ in areas]
        shot = [True, True, i % 2 == 0]
        ok = all(g <= 2 for g, s in zip(grades, shot, strict=True) if s)
        written: list[object] = [g if s else "-" for g, s in zip(grades, shot, strict=True)]
        if i == 36:
            written[1] = "2~3"
        verdict = "보류" if i == 87 else ("합격" if ok else "불합격")
        line = sheet.row(f"{when.month}월 {when.day}일", heat, serial_no, *written, verdict, "오태윤")
        for k, area in enumerate(areas):
            if not shot[k]:
                continue
            errors: list[tuple[str | None, str]] = []
            if written[k] == "2~3":
                errors.append(("value", "type-error"))
            if i == 87:
                errors.append(("passed", "unknown-code"))
            record = case.rec(
                line,
                errors,
                subject=serial_no,
                lot=heat,
                characteristic=area,
                value=float(grades[k]),
                unit=None,
                passed=ok,
                inspected_at=utc(when),
            )
            if (i, k) in {(0, 0), (0, 2), (25, 1), (119, 0), (36, 0)}:
                case.show(record)
    write_xlsx(folder / name, [sheet])
    return case


def melt_record(folder: Path) -> Case:
    rng = random.Random(1432)
    name = "casting_melt_record.xlsx"
    sheet_name = "용해일지"
    wide = ["출탕온도 (℃)", "C (%)", "Si (%)", "Mn (%)", "Mg (%)"]
    case = Case(
        name="casting_melt_record",
        file=f"files/{name}",
        sector="casting",
        system="hand-kept Excel (용해일지)",
        entity="quality_result",
        sheet=sheet_name,
        suggest=False,
        describe="ductile iron melt record, 40 heats: name over unit header (C over %), date merged over each day's "
        "heats, tapping temperature with a thousands format, Mg in Excel percent cells (0.045% held as 0.00045), "
        "a letter O in Si, 재분석 written in place of a value",
        mapping={
            "entity": "quality_result",
            "sheet": sheet_name,
            "header": {"row": 4, "rows": 2},
            "fill_down": ["일자"],
            "unpivot": {"columns": wide, "name": "성분", "value": "측정값", "unit": "단위"},
            "fields": {
                "subject": {"column": "Heat No."},
                "characteristic": {"column": "성분"},
                "value": {"column": "측정값", "unit_column": "단위"},
                "passed": {"column": "판정", "values": PASS_FAIL},
                "inspected_at": {"column": "일자", "format": "%Y-%m-%d"},
            },
        },
    )
    sheet = Sheet(sheet_name)
    sheet.title("용해 일지 - 구상흑연주철 (FCD450)", 10)
    sheet.wide("※ 성분: 분광분석기 (wt%), 출탕온도: 침지식 열전대", 10)
    sheet.blank()
    top = sheet.row("일자", "Heat No.", "용해로", "출탕온도", "C", "Si", "Mn", "Mg", "판정", "비고")
    sheet.row(None, None, None, "℃", "%", "%", "%", "%", None, None)
    for col in (1, 2, 3, 9, 10):
        sheet.merge(top, col, top + 1, col)
    for d in range(10):
        when = datetime(2026, 3, 2) + timedelta(days=d + 2 * (d // 5))
        first = sheet.next
        for h in range(4):
            index = d * 4 + h
            heat = f"M{when:%y%m%d}-{h + 1}"
            temp = round(rng.uniform(1478, 1522))
            c, si = round(rng.uniform(3.52, 3.80), 2), round(rng.uniform(2.30, 2.70), 2)
            mn, mg = round(rng.uniform(0.20, 0.42), 2), round(rng.uniform(0.035, 0.055), 3)
            ok = 1470 <= temp <= 1530 and 3.4 <= c <= 3.9 and 2.2 <= si <= 2.8 and mn <= 0.5 and 0.03 <= mg <= 0.06
            written: list[object] = [
                Num(temp, "#,##0"),
                Num(c, "0.00"),
                Num(si, "0.00"),
                Num(mn, "0.00"),
                Num(round(mg / 100, 5), "0.000%"),
            ]
            if index == 12:
                written[2] = f"{si:.1f}O"
            if index == 27:
                written[1] = "재분석"
            line = sheet.row(
                when if h == 0 else None,
                heat,
                f"{h % 2 + 1}호로",
                *written,
                "합격" if ok else "불합격",
                "재분석 의뢰" if index == 27 else None,
            )
            for k, (item, value, factor, offset, unit) in enumerate(
                [
                    ("출탕온도", float(temp), 1.0, KELVIN, "kelvin"),
                    ("C", c, 1.0, 0.0, "percent"),
                    ("Si", si, 1.0, 0.0, "percent"),
                    ("Mn", mn, 1.0, 0.0, "percent"),
                    ("Mg", mg, 1.0, 0.0, "percent"),
                ]
            ):
                bad = isinstance(written[k], str)
                record = case.rec(
                    line,
                    [("value", "type-error")] if bad else [],
                    subject=heat,
                    characteristic=item,
                    value=value * factor + offset,
                    unit=unit,
                    passed=ok,
                    inspected_at=utc(when),
                )
                if (index, k) in {(0, 0), (0, 1), (0, 4), (13, 4), (39, 2), (1, 3)}:
                    case.show(record)
        sheet.merge(first, 1, sheet.next - 1, 1)
    write_xlsx(folder / name, [sheet])
    return case


def leak_test(folder: Path) -> Case:
    rng = random.Random(1433)
    name = "casting_leak_test_cp949.csv"
    wide = ["시험압력(kPa)", "누설량(cc/min)"]
    case = Case(
        name="casting_leak_test_cp949",
        file=f"files/{name}",
        sector="casting",
        system="air leak tester export (CSV, CP949)",
        entity="quality_result",
        suggest=True,
        describe="5,000 valve-body leak tests from a tester's Korean firmware: test pressure kPa and leak cc/min "
        "wide, dates 2026/03/02 08:00:12; gross leaks logged as OVER, two missing pressures '-'",
        mapping={
            "entity": "quality_result",
            "unpivot": {"columns": wide, "name": "검사항목", "value": "측정값", "unit": "단위"},
            "fields": {
                "subject": {"column": "바코드"},
                "characteristic": {"column": "검사항목"},
                "value": {"column": "측정값", "unit_column": "단위"},
                "passed": {"column": "결과"},
                "inspected_at": {"column": "검사일시", "format": "%Y/%m/%d %H:%M:%S"},
            },
        },
    )
    table = Table()
    table.row("검사일시", "바코드", "모델", *wide, "결과")
    start = datetime(2026, 3, 2, 8, 0, 0)
    for i in range(5000):
        at = start + timedelta(seconds=17 * i + (i // 1500) * 36000)
        barcode = f"VB{at:%y%m%d}{i + 1:05d}"
        pressure = round(rng.gauss(150, 0.5), 1)
        leak = round(rng.uniform(0.4, 4.2) if rng.random() > 0.02 else rng.uniform(5.1, 9.0), 2)
        over = i in (777, 2222, 4444)
        ok = not over and leak <= 5.0
        cells = [f"{pressure}", "OVER" if over else f"{leak:.2f}"]
        if i in (1500, 3001):
            cells[0] = "-"
        line = table.row(at.strftime("%Y/%m/%d %H:%M:%S"), barcode, "VB-300", *cells, "OK" if ok else "NG")
        for k, (item, value, factor, unit) in enumerate(
            [("시험압력", pressure, 1000.0, "pascal"), ("누설량", leak, 1e-6 / 60, "meter ** 3 / second")]
        ):
            if cells[k] == "-":
                continue
            record = case.rec(
                line,
                [("value", "type-error")] if cells[k] == "OVER" else [],
                subject=barcode,
                characteristic=item,
                value=value * factor,
                unit=unit,
                passed=ok,
                inspected_at=utc(at),
            )
            if (i, k) in {(0, 0), (0, 1), (1500, 1), (4999, 0), (777, 0)}:
                case.show(record)
    write_text(folder / name, table, encoding="cp949")
    return case


def aoi_repair_log(folder: Path) -> Case:
    rng = random.Random(1441)
    name = "pcb_aoi_repair_log.csv"
    case = Case(
        name="pcb_aoi_repair_log",
        file=f"files/{name}",
        sector="pcb",
        system="AOI repair station export (CSV, UTF-8 with BOM)",
        entity="quality_result",
        suggest=False,
        describe="1,500 AOI calls judged at the repair station, 가성 (false call) or 진성 (real defect), English "
        "headers with Korean codes; two undeclared 재검, an unreadable board barcode N/A",
        mapping={
            "entity": "quality_result",
            "fields": {
                "subject": {"column": "Board S/N"},
                "characteristic": {"column": "Defect Type"},
                "passed": {"column": "Repair Judge", "values": {"가성": True, "진성": False}},
                "inspected_at": {"column": "Inspect Time", "format": "%Y-%m-%d %H:%M:%S"},
            },
        },
    )
    table = Table()
    table.row("Inspect Time", "Line", "Model", "Board S/N", "Ref", "Defect Type", "Repair Judge", "Operator")
    kinds = ["Missing", "Bridge", "Shift", "Tombstone", "Insufficient", "Polarity", "Billboard"]
    refs = ["C12", "C13", "R101", "R102", "U3", "U12", "Q4", "D7", "L2", "J1"]
    at = datetime(2026, 3, 2, 8, 30, 0)
    board = 0
    for i in range(1500):
        if i == 0 or rng.random() < 0.35:
            board += 1
            at += timedelta(seconds=rng.randint(25, 60))
        else:
            at += timedelta(seconds=3)
        serial_no = f"MB7C{260302 + board // 900}{board % 900 + 1:04d}"
        kind = rng.choice(kinds)
        real = rng.random() < 0.3
        judge = "진성" if real else "가성"
        written_serial = serial_no
        errors: list[tuple[str | None, str]] = []
        if i in (640, 1288):
            judge = "재검"
            errors.append(("passed", "unknown-code"))
        if i == 1200:
            written_serial = "N/A"
            errors.append(("subject", "missing-value"))
        line = table.row(
            at.strftime("%Y-%m-%d %H:%M:%S"),
            "SMT-2",
            "MB-7 rev C",
            written_serial,
            rng.choice(refs),
            kind,
            judge,
            "OP" + str(1 + i % 4),
        )
        record = case.rec(
            line, errors, subject=serial_no, characteristic=kind, passed=not real, inspected_at=utc(at), value=None
        )
        if i in (0, 1, 999, 1499, 1201):
            case.show(record)
    write_text(folder / name, table)
    return case


def spi_export(folder: Path) -> Case:
    rng = random.Random(1442)
    name = "pcb_spi_export.csv"
    wide = ["Volume(%)", "Height(um)", "Area(%)"]
    case = Case(
        name="pcb_spi_export",
        file=f"files/{name}",
        sector="pcb",
        system="SPI (solder paste inspection) export (CSV, UTF-8)",
        entity="quality_result",
        suggest=True,
        describe="120 boards x 50 pads, paste volume %, height um and area % wide, one time per board so pads are "
        "repeated samples of a characteristic; five WARNING results not declared as pass or fail",
        mapping={
            "entity": "quality_result",
            "unpivot": {"columns": wide, "name": "Item", "value": "Value", "unit": "Unit"},
            "fields": {
                "subject": {"column": "Barcode"},
                "characteristic": {"column": "Item"},
                "value": {"column": "Value", "unit_column": "Unit"},
                "passed": {"column": "Result"},
                "inspected_at": {"column": "Inspect Time", "format": "%Y-%m-%d %H:%M:%S"},
            },
        },
    )
    table = Table()
    table.row("Barcode", "Pad", *wide, "Result", "Inspect Time")
    warnings = {(17, 3), (17, 40), (58, 9), (90, 21), (101, 33)}
    for b in range(120):
        at = datetime(2026, 3, 2, 9, 0, 0) + timedelta(seconds=38 * b)
        barcode = f"MB7C2603020{b + 1:03d}"
        for p in range(50):
            volume, height, area = round(rng.gauss(100, 9), 1), round(rng.gauss(130, 8), 1), round(rng.gauss(100, 6), 1)
            if (b, p) in ((44, 12), (77, 30)):
                volume = 42.5
            ok = 50 <= volume <= 150 and 80 <= height <= 180 and 60 <= area <= 140
            result = "WARNING" if (b, p) in warnings else ("PASS" if ok else "FAIL")
            line = table.row(
                barcode,
                f"P{p + 1:03d}",
                f"{volume:.1f}",
                f"{height:.1f}",
                f"{area:.1f}",
                result,
                at.strftime("%Y-%m-%d %H:%M:%S"),
            )
            for k, (item, value, factor, unit) in enumerate(
                [("Volume", volume, 1.0, "percent"), ("Height", height, UM, "meter"), ("Area", area, 1.0, "percent")]
            ):
                record = case.rec(
                    line,
                    [("passed", "unknown-code")] if result == "WARNING" else [],
                    subject=barcode,
                    characteristic=item,
                    sample=p + 1,
                    value=value * factor,
                    unit=unit,
                    passed=ok,
                    inspected_at=utc(at),
                )
                if (b, p, k) in {(0, 0, 0), (0, 0, 1), (3, 16, 1), (44, 12, 0), (119, 49, 2)}:
                    case.show(record)
    write_text(folder / name, table, encoding="utf-8")
    return case


def reflow_profile(folder: Path) -> Case:
    rng = random.Random(1443)
    name = "pcb_reflow_profile.xlsx"
    wide = [f"TC{i} (℃)" for i in range(1, 7)]
    case = Case(
        name="pcb_reflow_profile",
        file=f"files/{name}",
        sector="pcb",
        system="reflow profiler export (Excel, summary sheet first)",
        entity="measurement",
        sheet="Data",
        suggest=False,
        describe="a 300 s reflow profile of six thermocouples on the second sheet (a summary table first), run "
        "details above a name-over-unit header (TC1 over ℃); one thermocouple reads OPEN for five seconds",
        mapping={
            "entity": "measurement",
            "sheet": "Data",
            "header": {"row": 5, "rows": 2},
            "unpivot": {"columns": wide, "name": "TC", "value": "온도", "unit": "단위"},
            "fields": {
                "equipment": {"value": "REFLOW-1"},
                "signal": {"column": "TC"},
                "timestamp": {"column": "Timestamp", "format": "%Y-%m-%d %H:%M:%S"},
                "value": {"column": "온도", "unit_column": "단위"},
            },
        },
    )
    data = Sheet("Data")
    data.row("Profile: LF-SAC305-01")
    data.row("Oven: HELLER 1913 MK5 / Conveyor 85 cm/min / Board: MB-7 rev C")
    data.row("Run: 2026-03-02 14:30:00")
    data.blank()
    top = data.row("Timestamp", "Elapsed", *[f"TC{i}" for i in range(1, 7)])
    data.row(None, "s", *["℃"] * 6)
    data.merge(top, 1, top + 1, 1)
    start = datetime(2026, 3, 2, 14, 30, 0)
    peaks = [0.0] * 6
    for t in range(300):
        at = start + timedelta(seconds=t)
        temps = []
        for k in range(6):
            lag = 4 * k
            x = max(0, t - lag)
            base = 25 + 150 * (1 - math.exp(-x / 60)) + (95 * math.exp(-(((x - 215) / 28) ** 2)))
            temps.append(round(base + rng.uniform(-0.4, 0.4), 1))
            peaks[k] = max(peaks[k], temps[-1])
        written: list[object] = [Num(v, "0.0") for v in temps]
        bad = 240 <= t < 245
        if bad:
            written[5] = "OPEN"
        line = data.row(at, t, *written)
        for k in range(6):
            record = case.rec(
                line,
                [("value", "type-error")] if bad and k == 5 else [],
                equipment="REFLOW-1",
                signal=f"TC{k + 1}",
                timestamp=utc(at),
                value=temps[k] + KELVIN,
                unit="kelvin",
            )
            if (t, k) in {(0, 0), (120, 3), (215, 5), (299, 5), (242, 4)}:
                case.show(record)
    summary = Sheet("Summary")
    summary.row("TC", "Peak (℃)", "TAL >217 ℃ (s)", "Max slope (℃/s)")
    for k in range(6):
        summary.row(
            f"TC{k + 1}", Num(peaks[k], "0.0"), rng.randint(48, 70), Num(round(rng.uniform(1.2, 2.4), 2), "0.00")
        )
    write_xlsx(folder / name, [summary, data])
    return case


MAKERS = [xray_grades, melt_record, leak_test, aoi_repair_log, spi_export, reflow_profile]
