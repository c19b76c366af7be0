"""Machining: a CMM export, an SPC X̄-R sheet, a hand-filled process inspection sheet, a gauge log kept in Excel
and saved as CP949 CSV."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from tests.corpus.kit import (
    MM,
    UM,
    Case,
    Num,
    Sheet,
    Table,
    fmt3,
    fullwidth,
    korean_weekday,
    serial,
    utc,
    write_text,
    write_xlsx,
)


def cmm_export(folder: Path) -> Case:
    rng = random.Random(1401)
    name = "machining_cmm_export.csv"
    case = Case(
        name="machining_cmm_export",
        file=f"files/{name}",
        sector="machining",
        system="CMM software export (CSV, UTF-8 with BOM)",
        entity="quality_result",
        suggest=True,
        describe="CMM report of 24 housings x 8 features under three preamble lines; one-sided tolerances with '-' "
        "as LSL, a typed-over actual, an unmeasured feature (N/A, no judgement), one duplicated line",
        mapping={
            "entity": "quality_result",
            "header": {"row": 5},
            "fields": {
                "subject": {"column": "Serial No."},
                "lot": {"column": "Lot No."},
                "characteristic": {"column": "Feature"},
                "nominal": {"column": "Nominal", "unit_column": "Unit"},
                "lower_spec_limit": {"column": "LSL", "unit_column": "Unit"},
                "upper_spec_limit": {"column": "USL", "unit_column": "Unit"},
                "value": {"column": "Actual", "unit_column": "Unit"},
                "passed": {"column": "Judge"},
                "inspected_at": {"column": "Measured At", "format": "%Y-%m-%d %H:%M:%S"},
            },
        },
    )
    features = [
        ("Bore D25", 25.000, 24.990, 25.010, 0.003),
        ("Bore D12", 12.000, 11.985, 12.015, 0.004),
        ("Length L80", 80.000, 79.950, 80.050, 0.012),
        ("Depth H15", 15.000, 14.980, 15.020, 0.005),
        ("Width W30", 30.000, 29.970, 30.030, 0.006),
        ("Flatness A", 0.000, None, 0.020, 0.004),
        ("Position 4xD6", 0.000, None, 0.050, 0.010),
        ("Perpendicularity B", 0.000, None, 0.015, 0.003),
    ]
    table = Table()
    table.row("CMM Measurement Report")
    table.row("Program: HSG-A_OP30.prg", "Machine: CONTURA G2 RDS")
    table.row("Operator: 김민수", "Exported: 2026-03-02 17:40")
    table.blank()
    table.row(
        "Part No.",
        "Lot No.",
        "Serial No.",
        "Feature",
        "Nominal",
        "LSL",
        "USL",
        "Actual",
        "Unit",
        "Judge",
        "Measured At",
    )
    start = datetime(2026, 3, 2, 8, 10, 0)
    for s in range(24):
        serial_no = f"HA260302{s + 1:04d}"
        lot = "L260302-A" if s < 12 else "L260302-B"
        for f, (feature, nominal, lsl, usl, sigma) in enumerate(features):
            at = start + timedelta(minutes=6 * s, seconds=25 * f)
            if lsl is None:
                actual = round(abs(rng.gauss(usl * 0.4, sigma)), 3)
            else:
                actual = round(rng.gauss(nominal, sigma), 3)
            if (s, f) == (13, 0):
                actual = 25.012  # out of tolerance: a real NG, kept
            ok = (lsl is None or actual >= lsl) and actual <= usl
            written, judge, errors = fmt3(actual), "OK" if ok else "NG", []
            notes = 1 if lsl is None else 0
            if (s, f) == (4, 2):
                written, errors = "80..012", [("value", "type-error")]
            if (s, f) == (8, 1):
                written, judge = "N/A", ""
                errors = [("value", "missing-measurement"), ("passed", "missing-value")]
            cells = (
                "HSG-A",
                lot,
                serial_no,
                feature,
                fmt3(nominal),
                "-" if lsl is None else fmt3(lsl),
                fmt3(usl),
                written,
                "mm",
                judge,
                at.strftime("%Y-%m-%d %H:%M:%S"),
            )
            line = table.row(*cells)
            values = {
                "subject": serial_no,
                "lot": lot,
                "characteristic": feature,
                "nominal": nominal * MM,
                "lower_spec_limit": None if lsl is None else lsl * MM,
                "upper_spec_limit": usl * MM,
                "value": actual * MM,
                "unit": "meter",
                "passed": ok,
                "inspected_at": utc(at),
            }
            record = case.rec(line, errors, notes, **values)
            if (s, f) in {(0, 0), (0, 5), (13, 0), (23, 7), (8, 2)}:
                case.show(record)
            if (s, f) == (16, 4):  # the export wrote this feature twice
                case.rec(table.row(*cells), [(None, "duplicate-row")], notes, **values)
    write_text(folder / name, table)
    return case


def spc_xbar_r(folder: Path) -> Case:
    rng = random.Random(1402)
    name = "machining_spc_xbar_r.xlsx"
    sheet_name = "X-R 데이터"
    samples = ["X1", "X2", "X3", "X4", "X5"]
    case = Case(
        name="machining_spc_xbar_r",
        file=f"files/{name}",
        sector="machining",
        system="SPC sheet kept in Excel (X-bar R chart data)",
        entity="quality_result",
        sheet=sheet_name,
        suggest=False,
        describe="X̄-R data of 50 lots, five samples X1..X5 wide, characteristic and limits only in the title; date "
        "cells, serial numbers and text dates mixed; a missed and an N/A sample, a letter O typed for a zero, a "
        "full-width sample, a pasted-twice lot, an average row and a control-limit note",
        mapping={
            "entity": "quality_result",
            "sheet": sheet_name,
            "header": {"row": 5},
            "unpivot": {"columns": samples, "name": "시료", "value": "측정값"},
            "fields": {
                "subject": {"column": "로트번호"},
                "characteristic": {"value": "외경"},
                "sample": {"column": "시료", "values": {x: i + 1 for i, x in enumerate(samples)}},
                "value": {"column": "측정값", "unit": "mm"},
                "lower_spec_limit": {"value": 24.98, "unit": "mm"},
                "upper_spec_limit": {"value": 25.02, "unit": "mm"},
                "passed": {"column": "판정"},
                "inspected_at": {"column": "일자", "format": "2026.03.02"},
            },
        },
    )
    sheet = Sheet(sheet_name)
    sheet.title("X̄-R 관리도 데이터", 12)
    sheet.wide("품명: 드라이브 샤프트    품번: DS-2210    특성: 외경 Ø25 (mm)    규격: 24.980 ~ 25.020", 12)
    sheet.wide("공정: OP20 외경 연삭    측정기: 디지털 마이크로미터 (0.001)    측정자: 이정호", 12)
    sheet.blank()
    sheet.row("No", "일자", "로트번호", *samples, "X̄", "R", "판정", "비고")
    day = datetime(2026, 3, 2)
    means, ranges = [], []
    for index in range(50):
        lot_day = day + timedelta(days=(index // 2) + 2 * ((index // 2) // 5))  # two lots a day, weekdays
        lot = f"DS2603-{index + 1:03d}"
        xs = [round(rng.gauss(25.001, 0.004), 3) for _ in samples]
        if index == 17:
            xs[1] = 25.023
        ok = all(24.980 <= x <= 25.020 for x in xs)
        written: list[object] = [Num(x, "0.000") for x in xs]
        if index == 11:
            written[3] = None  # not measured
        if index == 19:
            written[4] = "N/A"
        if index == 32:
            written[1] = "25.0O8"
        if index == 39:
            written[2] = fullwidth(f"{xs[2]:.3f}")
        if index == 5 or index == 40:
            when: object = Num(serial(lot_day), "General")  # pasted as a number
        elif index in (8, 23):
            when = lot_day.strftime("%Y.%m.%d")
        else:
            when = lot_day
        mean, spread = sum(xs) / 5, max(xs) - min(xs)
        means.append(mean)
        ranges.append(spread)
        row = [
            index + 1,
            when,
            lot,
            *written,
            Num(round(mean, 4), "0.0000"),
            Num(round(spread, 3), "0.000"),
            "OK" if ok else "NG",
            "재측정" if index == 32 else None,
        ]
        for copy in range(2 if index == 26 else 1):
            line = sheet.row(*row)
            for i, x in enumerate(xs):
                if written[i] is None or written[i] == "N/A":
                    continue
                errors: list[tuple[str | None, str]] = []
                if index == 32 and i == 1:
                    errors = [("value", "type-error")]
                if copy == 1:
                    errors = [(None, "duplicate-row")]
                record = case.rec(
                    line,
                    errors,
                    subject=lot,
                    characteristic="외경",
                    sample=i + 1,
                    value=x * MM,
                    unit="meter",
                    lower_spec_limit=24.98 * MM,
                    upper_spec_limit=25.02 * MM,
                    passed=ok,
                    inspected_at=utc(lot_day),
                )
                if (index, i) in {(0, 0), (5, 4), (8, 2), (17, 1), (39, 2), (11, 4), (49, 4)}:
                    case.show(record)
    sheet.row(
        None,
        None,
        "평균",
        None,
        None,
        None,
        None,
        None,
        Num(round(sum(means) / 50, 4), "0.0000"),
        Num(round(sum(ranges) / 50, 4), "0.0000"),
    )
    sheet.wide("※ 관리한계(X̄): UCL 25.0062 / CL 25.0010 / LCL 24.9958, (R): UCL 0.0191", 12)
    write_xlsx(folder / name, [sheet])
    return case


def process_inspection(folder: Path) -> Case:
    rng = random.Random(1403)
    name = "machining_process_inspection.xlsx"
    sheet_name = "검사성적서"
    columns = [f"측정값 {i}" for i in range(1, 6)]
    case = Case(
        name="machining_process_inspection",
        file=f"files/{name}",
        sector="machining",
        system="hand-kept Excel (공정검사 성적서)",
        entity="quality_result",
        sheet=sheet_name,
        suggest=True,  # lot and date in the title: the suggestion reads them as constants
        describe="공정검사 성적서 on the second of three sheets: lot and date in the title, a two-row header "
        "(규격 over 하한/상한, 측정값 over 1..5), units per characteristic, a cell with its unit, a full-width "
        "cell, '45..012', a characteristic in 'mmm', an undeclared 재검, '-' as one-sided limit, an overall "
        "verdict under the table",
        mapping={
            "entity": "quality_result",
            "sheet": sheet_name,
            "header": {"row": 5, "rows": 2},
            "unpivot": {"columns": columns, "name": "시료", "value": "측정값"},
            "fields": {
                "subject": {"value": "L2603-017"},
                "characteristic": {"column": "검사항목"},
                "sample": {"column": "시료", "values": {c: i + 1 for i, c in enumerate(columns)}},
                "value": {"column": "측정값", "unit_column": "단위"},
                "lower_spec_limit": {"column": "규격 하한", "unit_column": "단위"},
                "upper_spec_limit": {"column": "규격 상한", "unit_column": "단위"},
                "passed": {"column": "판정", "values": {"합격": True, "불합격": False}},
            },
        },
    )
    cover = Sheet("표지")
    cover.title("공정검사 성적서", 6)
    cover.blank()
    cover.row("품번", "BR-4410", None, "품명", "브래킷")
    cover.row("고객사", "한빛모터스", None, "공정", "OP10 CNC 선반")
    cover.blank()
    cover.row("작성", "검토", "승인")
    cover.row("박지은", "최현우", None)
    sheet = Sheet(sheet_name)
    sheet.title("공 정 검 사 성 적 서", 12)
    sheet.wide("품번: BR-4410    품명: 브래킷    공정: OP10 CNC 선반", 12)
    inspected = datetime(2026, 3, 2)
    sheet.wide(f"LOT No.: L2603-017    검사일: 2026년 3월 2일 ({korean_weekday(inspected)})    검사자: 박지은", 12)
    sheet.blank()
    top = sheet.row("No", "검사항목", "단위", "규격", None, "측정값", None, None, None, None, "판정", "비고")
    sheet.row(None, None, None, "하한", "상한", 1, 2, 3, 4, 5)
    for col in (1, 2, 3, 11, 12):
        sheet.merge(top, col, top + 1, col)
    sheet.merge(top, 4, top, 5)
    sheet.merge(top, 6, top, 10)
    specs = [
        ("외경 Ø30", "mm", 29.970, 30.000, 29.986, 0.006, 5),
        ("내경 Ø18 H7", "mm", 18.000, 18.018, 18.008, 0.003, 5),
        ("전장", "mm", 44.900, 45.100, 45.005, 0.02, 5),
        ("폭", "mm", 19.950, 20.050, 20.004, 0.01, 5),
        ("두께", "mm", 7.950, 8.050, 8.010, 0.01, 5),
        ("나사 유효경 M8", "mmm", 7.160, 7.250, 7.200, 0.01, 5),
        ("진원도", "mm", None, 0.010, 0.004, 0.001, 3),
        ("표면조도 Ra", "µm", None, 1.6, 0.9, 0.15, 5),
        ("경도", "HRC", 58, 62, 60, 0.8, 5),
        ("동심도", "mm", None, 0.020, 0.008, 0.002, 5),
    ]
    factor = {"mm": MM, "µm": UM, "HRC": 1.0, "mmm": None}
    canonical = {"mm": "meter", "µm": "meter", "HRC": "HRC", "mmm": None}
    for number, (item, unit, lsl, usl, centre, sigma, count) in enumerate(specs, start=1):
        xs = [round(abs(rng.gauss(centre, sigma)), 3 if unit != "HRC" else 1) for _ in range(count)]
        if item == "두께":
            xs[3] = 8.061
        ok = all((lsl is None or x >= lsl) and x <= usl for x in xs)
        verdict = "재검" if item == "폭" else ("합격" if ok else "불합격")
        written: list[object] = [Num(x, "0.000" if unit != "HRC" else "0.0") for x in xs]
        if item == "외경 Ø30":
            written[2] = f"{xs[2]:.3f}mm"
        if item == "내경 Ø18 H7":
            written[1] = fullwidth(f"{xs[1]:.3f}")
        if item == "전장":
            written[3] = "45..012"
        written += [None] * (5 - count)
        line = sheet.row(
            number, item, unit, "-" if lsl is None else Num(lsl, "0.000"), Num(usl, "0.000"), *written, verdict, None
        )
        for i, x in enumerate(xs):
            errors: list[tuple[str | None, str]] = []
            if item == "전장" and i == 3:
                errors.append(("value", "type-error"))
            if item == "폭":
                errors.append(("passed", "unknown-code"))
            if unit == "mmm":
                errors.append(("value", "unknown-unit"))
            f = factor[unit]
            record = case.rec(
                line,
                errors,
                notes=1 if lsl is None else 0,
                subject="L2603-017",
                characteristic=item,
                sample=i + 1,
                value=None if f is None else x * f,
                unit=canonical[unit],
                lower_spec_limit=None if lsl is None or f is None else lsl * f,
                upper_spec_limit=None if f is None else usl * f,
                passed=ok,
            )
            if (item, i) in {
                ("외경 Ø30", 0),
                ("외경 Ø30", 2),
                ("내경 Ø18 H7", 1),
                ("두께", 3),
                ("진원도", 2),
                ("표면조도 Ra", 4),
                ("경도", 0),
            }:
                case.show(record)
    sheet.blank()
    sheet.wide("※ 판정 기준: 전 시료 규격 이내일 때 합격, 측정값 단위는 단위란 기준", 12)
    sheet.wide("종합판정: 불합격 (두께 4번 시료 규격 초과, 폭 재검 후 판정)", 12)
    history = Sheet("변경이력")
    history.row("개정", "일자", "내용", "작성")
    history.row("A", datetime(2025, 11, 3), "최초 작성", "박지은")
    history.row("B", datetime(2026, 1, 12), "동심도 항목 추가", "박지은")
    write_xlsx(folder / name, [cover, sheet, history])
    return case


def gauge_log(folder: Path) -> Case:
    rng = random.Random(1404)
    name = "machining_gauge_log_cp949.csv"
    case = Case(
        name="machining_gauge_log_cp949",
        file=f"files/{name}",
        sector="machining",
        system="hand-kept Excel saved as CSV (CP949)",
        entity="quality_result",
        suggest=True,
        describe="gauge log, five rows per lot and characteristic (no sample column), dates as 26-3-2, units typed "
        "into some cells (mm, full-width ㎜, a stray 'l' for litre), an undeclared 재검, 26-2-30, a pasted-twice row",
        mapping={
            "entity": "quality_result",
            "fields": {
                "subject": {"column": "로트"},
                "characteristic": {"column": "측정항목"},
                "value": {"column": "측정값(mm)", "unit": "mm"},
                "lower_spec_limit": {"column": "하한", "unit": "mm"},
                "upper_spec_limit": {"column": "상한", "unit": "mm"},
                "passed": {"column": "판정"},
                "inspected_at": {"column": "일자", "format": "26-3-2"},
            },
        },
    )
    table = Table()
    table.row("일자", "시각", "로트", "품번", "측정항목", "측정값(mm)", "하한", "상한", "판정", "측정자", "비고")
    items = [("외경", 24.990, 25.010, 25.000, 0.004), ("길이", 119.900, 120.100, 120.005, 0.03)]
    cell = 0
    for lot_index in range(15):
        when = datetime(2026, 3, 2) + timedelta(days=lot_index // 3)
        lot = f"GS{when:%m%d}-{lot_index % 3 + 1:02d}"
        for item, lsl, usl, centre, sigma in items:
            for sample in range(5):
                cell += 1
                x = round(rng.gauss(centre, sigma), 3)
                ok = lsl <= x <= usl
                written = fmt3(x)
                errors: list[tuple[str | None, str]] = []
                if cell % 23 == 0:
                    written = f"{x:.3f}mm"
                if (lot_index, item, sample) == (4, "외경", 2):
                    written = f"{x:.3f}㎜"
                if (lot_index, item, sample) == (9, "외경", 1):
                    written, errors = f"{x:.2f}l", [("value", "unit-mismatch")]
                verdict = "합격" if ok else "불합격"
                if (lot_index, item, sample) == (6, "길이", 4):
                    verdict, errors = "재검", [("passed", "unknown-code")]
                date_text = f"{when:%y}-{when.month}-{when.day}"
                if (lot_index, item, sample) == (12, "길이", 0):
                    date_text, errors = "26-2-30", [("inspected_at", "bad-date")]
                clock = f"{8 + lot_index % 3 * 3}:{sample * 2 + (0 if item == '외경' else 20):02d}"
                cells = (date_text, clock, lot, "SH-2508", item, written, fmt3(lsl), fmt3(usl), verdict, "윤서준", "")
                line = table.row(*cells)
                record = case.rec(
                    line,
                    errors,
                    subject=lot,
                    characteristic=item,
                    sample=sample + 1,
                    value=x * MM,
                    unit="meter",
                    lower_spec_limit=lsl * MM,
                    upper_spec_limit=usl * MM,
                    passed=ok,
                    inspected_at=utc(when),
                )
                if (lot_index, item, sample) in {
                    (0, "외경", 0),
                    (0, "외경", 4),
                    (4, "외경", 2),
                    (14, "길이", 4),
                    (3, "길이", 2),
                }:
                    case.show(record)
                if (lot_index, item, sample) == (7, "외경", 3):  # pasted twice
                    case.rec(table.row(*cells), [(None, "duplicate-row")], **record.values)
    write_text(folder / name, table, encoding="cp949")
    return case


MAKERS = [cmm_export, spc_xbar_r, process_inspection, gauge_log]
