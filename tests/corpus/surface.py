"""Plating and heat treatment: a coating inspection record (thickness, salt spray, appearance), a plating bath log,
a hardness report, a furnace log with Korean AM/PM times and an XRF gauge export."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from tests.corpus.kit import HOUR, KELVIN, MM, UM, Case, Num, Sheet, Table, utc, write_text, write_xlsx

PASS_FAIL = {"합격": True, "불합격": False}


def coating_inspection(folder: Path) -> Case:
    rng = random.Random(1421)
    name = "plating_coating_inspection.xlsx"
    sheet_name = "도금검사"
    case = Case(
        name="plating_coating_inspection",
        file=f"files/{name}",
        sector="plating",
        system="hand-kept Excel (도금 검사 기록)",
        entity="quality_result",
        sheet=sheet_name,
        suggest=False,
        describe="Zn-Ni coating of 10 lots: thickness x5 samples, appearance (attribute, '-' as value) and salt spray "
        "hours, lot/part/date merged down; thickness units spelt µm, ㎛, um, μm and once 마이크로; dates '2026. 3. 2.' "
        "as text and as date cells; a salt-spray test still running (진행중); a pasted-twice row",
        mapping={
            "entity": "quality_result",
            "sheet": sheet_name,
            "header": {"row": 4},
            "fill_down": ["로트번호", "품번", "검사일"],
            "fields": {
                "subject": {"column": "로트번호"},
                "characteristic": {"column": "검사항목"},
                "sample": {"column": "시료"},
                "value": {"column": "측정값", "unit_column": "단위"},
                "lower_spec_limit": {"column": "하한", "unit_column": "단위"},
                "upper_spec_limit": {"column": "상한", "unit_column": "단위"},
                "passed": {"column": "판정", "values": PASS_FAIL},
                "inspected_at": {"column": "검사일", "format": "2026. 3. 2."},
            },
        },
    )
    sheet = Sheet(sheet_name)
    sheet.title("아연-니켈 도금 검사 기록", 11)
    sheet.wide("고객사: 한빛모터스 / 규격: 도금두께 8~15 µm, 염수분무 720 h 이상 (적청 기준), 외관 이상 없을 것", 11)
    sheet.blank()
    sheet.row("로트번호", "품번", "검사일", "검사항목", "시료", "측정값", "단위", "하한", "상한", "판정", "비고")
    spellings = ["µm", "㎛", "um", "μm"]
    hours = ["h", "h", "h", "시간", "시간", "시간", "hr", "hr", "hr", "hr"]
    for lot_index in range(10):
        when = datetime(2026, 3, 2) + timedelta(days=lot_index // 3)
        lot = f"ZN{when:%y%m%d}-{lot_index % 3 + 1:02d}"
        first = sheet.next
        date_cell: object = f"{when.year}. {when.month}. {when.day}." if lot_index < 6 else when
        unit = "마이크로" if lot_index == 7 else spellings[lot_index % 4]

        def lead(row_start: int = first, lot: str = lot, date_cell: object = date_cell) -> list[object]:
            return [lot, "BR-4410", date_cell] if sheet.next == row_start else [None, None, None]

        for sample in range(1, 6):
            x = round(rng.gauss(11.5, 1.2), 1)
            ok = 8 <= x <= 15
            written: object = Num(x, "0.0")
            if (lot_index, sample) == (2, 4):
                written = f"{x}㎛"
            cells = [
                *lead(),
                "도금두께",
                sample,
                written,
                unit,
                Num(8, "0.0"),
                Num(15, "0.0"),
                "합격" if ok else "불합격",
            ]
            errors: list[tuple[str | None, str]] = [("value", "unknown-unit")] if lot_index == 7 else []
            for copy in range(2 if (lot_index, sample) == (3, 2) else 1):
                record = case.rec(
                    sheet.row(*cells) if copy == 0 else sheet.row(None, None, None, *cells[3:]),
                    errors if copy == 0 else [(None, "duplicate-row")],
                    subject=lot,
                    characteristic="도금두께",
                    sample=sample,
                    value=x * UM,
                    unit="meter",
                    lower_spec_limit=8 * UM,
                    upper_spec_limit=15 * UM,
                    passed=ok,
                    inspected_at=utc(when),
                )
                if (lot_index, sample, copy) in {(0, 1, 0), (1, 5, 0), (2, 4, 0), (5, 3, 0), (9, 2, 0), (3, 3, 0)}:
                    case.show(record)
        appearance = case.rec(
            sheet.row(*lead(), "외관", None, "-", None, None, None, "합격"),
            notes=1,
            subject=lot,
            characteristic="외관",
            value=None,
            unit=None,
            passed=True,
            inspected_at=utc(when),
        )
        if lot_index in (0, 6):
            case.show(appearance)
        running = lot_index == 8
        rust_at = 480 if lot_index == 9 else 720
        spray = case.rec(
            sheet.row(
                *lead(),
                "염수분무",
                None,
                None if running else rust_at,
                hours[lot_index],
                720,
                "-",
                "진행중" if running else ("불합격" if rust_at < 720 else "합격"),
                "적청 발생" if rust_at < 720 else None,
            ),
            [("value", "missing-measurement"), ("passed", "unknown-code")] if running else [],
            notes=1,
            subject=lot,
            characteristic="염수분무",
            value=rust_at * HOUR,
            unit="second",
            lower_spec_limit=720 * HOUR,
            upper_spec_limit=None,
            passed=rust_at >= 720,
            inspected_at=utc(when),
        )
        if lot_index in (1, 4, 9):
            case.show(spray)
        for col in (1, 2, 3):
            sheet.merge(first, col, sheet.next - 1, col)
    write_xlsx(folder / name, [sheet])
    return case


def bath_log(folder: Path) -> Case:
    rng = random.Random(1422)
    name = "plating_bath_log.xlsx"
    wide = ["온도(℃)", "니켈농도(g/L)", "전류밀도(A/dm²)"]
    case = Case(
        name="plating_bath_log",
        file=f"files/{name}",
        sector="plating",
        system="hand-kept Excel (도금조 관리일지), one sheet a month",
        entity="measurement",
        sheet="3월",
        suggest=False,
        describe="nickel bath log for March on the second of two month sheets: three readings a day, temperature, "
        "nickel g/L and current density A/dm² wide (pH kept but not shared), Sunday rows with only 휴무, weekly "
        "spacer rows, date cells and '2026. 3. 5. 13:00' text, '-' and 측정불가, a letter O in a number",
        mapping={
            "entity": "measurement",
            "sheet": "3월",
            "header": {"row": 4},
            "unpivot": {"columns": wide, "name": "항목", "value": "값", "unit": "단위"},
            "fields": {
                "equipment": {"value": "NI-BATH-02"},
                "signal": {"column": "항목"},
                "timestamp": {"column": "측정일시", "format": "%Y. %m. %d. %H:%M"},
                "value": {"column": "값", "unit_column": "단위"},
            },
        },
    )
    sheets = []
    for month, days in ((2, 28), (3, 31)):
        sheet = Sheet(f"{month}월")
        sheet.title(f"니켈 도금조 #2 관리일지 (2026년 {month}월)", 7)
        sheet.wide("관리기준: 온도 55±3 ℃ / pH 4.0~4.6 / 니켈 260~300 g/L / 전류밀도 2~5 A/dm²", 7)
        sheet.blank()
        sheet.row("측정일시", *wide[:1], "pH", *wide[1:], "측정자", "비고")
        for d in range(1, days + 1):
            today = datetime(2026, month, d)
            if today.weekday() == 6:
                sheet.row(today, None, None, None, None, None, "휴무")
                sheet.blank()
                continue
            for hour in (9, 13, 17):
                at = today + timedelta(hours=hour)
                temp = round(rng.gauss(55, 1.2), 1)
                ph = round(rng.gauss(4.3, 0.08), 2)
                nickel = round(rng.gauss(280, 7))
                density = round(rng.gauss(3.5, 0.4), 1)
                cells: list[object] = [Num(temp, "0.0"), Num(ph, "0.00"), Num(nickel, "0"), Num(density, "0.0")]
                when: object = at
                if month == 3 and d in (5, 19) and hour == 13:
                    when = f"2026. 3. {d}. 13:00"
                if month == 3 and (d, hour) in ((10, 9), (24, 17)):
                    cells[3] = "-"
                if month == 3 and (d, hour) == (12, 13):
                    cells[2] = "측정불가"
                if month == 3 and (d, hour) == (17, 9):
                    cells[2] = "28O"
                line = sheet.row(when, *cells, "한지민", None)
                if month != 3:
                    continue
                for k, (signal, value, factor, offset, unit) in enumerate(
                    [
                        ("온도", temp, 1.0, KELVIN, "kelvin"),
                        ("니켈농도", float(nickel), 1.0, 0.0, "kilogram / meter ** 3"),
                        ("전류밀도", density, 100.0, 0.0, "ampere / meter ** 2"),
                    ]
                ):
                    cell = cells[0 if k == 0 else k + 1]
                    if cell in ("측정불가", "-"):
                        continue
                    errors: list[tuple[str | None, str]] = [("value", "type-error")] if cell == "28O" else []
                    record = case.rec(
                        line,
                        errors,
                        equipment="NI-BATH-02",
                        signal=signal,
                        timestamp=utc(at),
                        value=value * factor + offset,
                        unit=unit,
                    )
                    if (d, hour, k) in {(2, 9, 0), (2, 9, 1), (2, 9, 2), (5, 13, 0), (31, 17, 2), (12, 13, 0)}:
                        case.show(record)
        sheets.append(sheet)
    write_xlsx(folder / name, sheets)
    return case


def hardness_report(folder: Path) -> Case:
    rng = random.Random(1423)
    name = "heat_treatment_hardness.xlsx"
    sheet_name = "경도검사"
    wide = ["표면경도(HRC)", "심부경도(HV10)", "유효경화깊이(mm)"]
    case = Case(
        name="heat_treatment_hardness",
        file=f"files/{name}",
        sector="heat_treatment",
        system="hand-kept Excel (열처리 경도 성적서)",
        entity="quality_result",
        sheet=sheet_name,
        suggest=True,  # the lot merged down over its readings is proposed as fill_down
        describe="carburised parts, 20 lots x 3 samples, surface HRC, core HV10 and case depth mm wide; lot, part, "
        "process and verdict merged down over the samples; '58..5', 측정불가, a depth typed '0.82mm', a surface value "
        "typed in HRB (another scale)",
        mapping={
            "entity": "quality_result",
            "sheet": sheet_name,
            "header": {"row": 4},
            "fill_down": ["로트번호", "품번", "열처리", "판정"],
            "unpivot": {"columns": wide, "name": "검사항목", "value": "측정값", "unit": "단위"},
            "fields": {
                "subject": {"column": "로트번호"},
                "characteristic": {"column": "검사항목"},
                "sample": {"column": "시료"},
                "value": {"column": "측정값", "unit_column": "단위"},
                "passed": {"column": "판정", "values": PASS_FAIL},
            },
        },
    )
    sheet = Sheet(sheet_name)
    sheet.title("침탄 열처리 경도 검사", 9)
    sheet.wide(
        "설비: 연속 침탄로 CF-01    검사일: 2026-03-03    규격: 표면 58~62 HRC, 심부 350~450 HV10, "
        "유효경화깊이 0.6~1.0 mm",
        9,
    )
    sheet.blank()
    sheet.row("로트번호", "품번", "열처리", "시료", *wide, "판정", "비고")
    for lot_index in range(20):
        lot = f"HT2603-{lot_index + 1:03d}"
        rows = []
        for _ in range(3):
            rows.append((round(rng.gauss(60, 0.9), 1), round(rng.gauss(400, 22)), round(rng.gauss(0.8, 0.06), 2)))
        ok = all(58 <= a <= 62 and 350 <= b <= 450 and 0.6 <= c <= 1.0 for a, b, c in rows)
        first = sheet.next
        for sample, (hrc, hv, depth) in enumerate(rows, start=1):
            written: list[object] = [Num(hrc, "0.0"), Num(hv, "0"), Num(depth, "0.00")]
            errors: dict[int, list[tuple[str | None, str]]] = {0: [], 1: [], 2: []}
            if (lot_index, sample) == (3, 2):
                written[0], errors[0] = "58..5", [("value", "type-error")]
            if (lot_index, sample) == (8, 3):
                written[2] = "측정불가"
            if (lot_index, sample) == (11, 1):
                written[2] = f"{depth:.2f}mm"
            if (lot_index, sample) == (14, 2):
                written[0], errors[0] = f"{hrc:.0f} HRB", [("value", "unit-mismatch")]
            lead = [lot, "SG-5520", "침탄 Q/T"] if sample == 1 else [None, None, None]
            line = sheet.row(*lead, sample, *written, ("합격" if ok else "불합격") if sample == 1 else None)
            for k, (item, value, factor, unit) in enumerate(
                [
                    ("표면경도", hrc, 1.0, "HRC"),
                    ("심부경도", float(hv), 1.0, "HV"),
                    ("유효경화깊이", depth, MM, "meter"),
                ]
            ):
                if written[k] == "측정불가":
                    continue
                record = case.rec(
                    line,
                    errors[k],
                    subject=lot,
                    characteristic=item,
                    sample=sample,
                    value=value * factor,
                    unit=unit,
                    passed=ok,
                )
                if (lot_index, sample, k) in {(0, 1, 0), (0, 1, 1), (0, 1, 2), (11, 1, 2), (19, 3, 1), (8, 3, 0)}:
                    case.show(record)
        for col in (1, 2, 3, 8):
            sheet.merge(first, col, sheet.next - 1, col)
    write_xlsx(folder / name, [sheet])
    return case


def _ampm(moment: datetime) -> str:
    """As Korean Excel shows a time: 오전/오후 and a 12-hour clock without a leading zero."""
    hour = moment.hour % 12 or 12
    return f"{moment:%Y-%m-%d} {'오전' if moment.hour < 12 else '오후'} {hour}:{moment:%M}"


def furnace_log(folder: Path) -> Case:
    rng = random.Random(1424)
    name = "heat_treatment_furnace_log.csv"
    wide = ["온도(℃)", "CP(%)", "분위기가스(Nm³/h)"]
    case = Case(
        name="heat_treatment_furnace_log",
        file=f"files/{name}",
        sector="heat_treatment",
        system="furnace recorder export (CSV, UTF-8 with BOM, Korean AM/PM times)",
        entity="measurement",
        suggest=False,
        describe="two carburising furnaces every 10 minutes for two days, times as '2026-03-02 오후 3:00', "
        "temperature, carbon potential % and endo gas Nm³/h wide; #N/A gaps, one impossible '오후 13:00'",
        mapping={
            "entity": "measurement",
            "unpivot": {"columns": wide, "name": "항목", "value": "값", "unit": "단위"},
            "fields": {
                "equipment": {"column": "로"},
                "signal": {"column": "항목"},
                "timestamp": {"column": "일시", "format": "2026-03-02 오후 3:00"},
                "value": {"column": "값", "unit_column": "단위"},
            },
        },
    )
    table = Table()
    table.row("일시", "로", *wide, "비고")
    start = datetime(2026, 3, 2, 0, 0)
    for step in range(288):
        at = start + timedelta(minutes=10 * step)
        for furnace in ("CF-01", "CF-02"):
            temp = round(rng.gauss(920, 2.5), 1)
            cp = round(rng.gauss(0.85, 0.04), 2)
            gas = round(rng.gauss(12.5, 0.4), 1)
            cells = [f"{temp}", f"{cp}", f"{gas}"]
            if (step, furnace) in ((40, "CF-02"), (41, "CF-02"), (200, "CF-01")):
                cells[1] = "#N/A"
            written = _ampm(at)
            bad = (step, furnace) == (93, "CF-01")
            if bad:
                written = f"{at:%Y-%m-%d} 오후 {at.hour}:{at:%M}"
            line = table.row(written, furnace, *cells, "")
            for k, (signal, value, factor, offset, unit) in enumerate(
                [
                    ("온도", temp, 1.0, KELVIN, "kelvin"),
                    ("CP", cp, 1.0, 0.0, "percent"),
                    ("분위기가스", gas, 1.0, 0.0, "normal_cubic_meter / hour"),
                ]
            ):
                if cells[k] == "#N/A":
                    continue
                record = case.rec(
                    line,
                    [("timestamp", "bad-date")] if bad else [],
                    equipment=furnace,
                    signal=signal,
                    timestamp=utc(at),
                    value=value * factor + offset,
                    unit=unit,
                )
                if (step, furnace, k) in {
                    (0, "CF-01", 0),
                    (72, "CF-02", 1),
                    (78, "CF-01", 2),
                    (287, "CF-02", 0),
                    (150, "CF-01", 1),
                }:
                    case.show(record)
    write_text(folder / name, table)
    return case


def xrf_export(folder: Path) -> Case:
    rng = random.Random(1425)
    name = "plating_xrf_thickness.csv"
    wide = ["ZnNi [µm]", "Ni [%]"]
    case = Case(
        name="plating_xrf_thickness",
        file=f"files/{name}",
        sector="plating",
        system="XRF coating gauge export (semicolon CSV)",
        entity="quality_result",
        suggest=True,
        describe="XRF readings, 12 lots x 5 readings, Zn-Ni thickness µm and Ni content % wide, an 'Average' line "
        "after each lot and a blank line between lots, under four preamble lines; '>50' over range, one '-'",
        mapping={
            "entity": "quality_result",
            "header": {"row": 5},
            "unpivot": {"columns": wide, "name": "Characteristic", "value": "Value", "unit": "Unit"},
            "fields": {
                "subject": {"column": "Lot"},
                "sample": {"column": "n"},
                "characteristic": {"column": "Characteristic"},
                "value": {"column": "Value", "unit_column": "Unit"},
                "passed": {"column": "Judgement"},
                "inspected_at": {"column": "Time", "format": "%Y-%m-%d %H:%M:%S"},
            },
        },
    )
    table = Table()
    table.row("Product", "ZnNi on Fe (Part BR-4410)")
    table.row("Application", "ZnNi/Fe 11.0")
    table.row("Operator", "정수빈")
    table.blank()
    table.row("Lot", "n", *wide, "Time", "Judgement")
    start = datetime(2026, 3, 3, 9, 0, 0)
    for lot_index in range(12):
        lot = f"ZN2603{lot_index // 4 + 3:02d}-{lot_index % 4 + 1:02d}"
        readings = [(round(rng.gauss(11.2, 0.9), 2), round(rng.gauss(13.4, 0.6), 1)) for _ in range(5)]
        ok = all(8 <= t <= 15 and 12 <= n <= 15 for t, n in readings)
        for n, (thickness, nickel) in enumerate(readings, start=1):
            at = start + timedelta(minutes=25 * lot_index, seconds=40 * n)
            cells = [f"{thickness:.2f}", f"{nickel:.1f}"]
            if (lot_index, n) == (4, 3):
                cells[0] = ">50"
            if (lot_index, n) == (8, 1):
                cells[1] = "-"
            line = table.row(lot, n, *cells, at.strftime("%Y-%m-%d %H:%M:%S"), "OK" if ok else "NG")
            for k, (item, value, factor, unit) in enumerate(
                [("ZnNi", thickness, UM, "meter"), ("Ni", nickel, 1.0, "percent")]
            ):
                if cells[k] == "-":
                    continue
                record = case.rec(
                    line,
                    [("value", "type-error")] if cells[k] == ">50" else [],
                    subject=lot,
                    sample=n,
                    characteristic=item,
                    value=value * factor,
                    unit=unit,
                    passed=ok,
                    inspected_at=utc(at),
                )
                if (lot_index, n, k) in {(0, 1, 0), (0, 1, 1), (4, 3, 1), (11, 5, 0), (8, 2, 1)}:
                    case.show(record)
        means = [sum(r[k] for r in readings) / 5 for k in range(2)]
        table.row("", "Average", f"{means[0]:.2f}", f"{means[1]:.1f}", "", "")
        table.blank()
    write_text(folder / name, table, delimiter=";")
    return case


MAKERS = [coating_inspection, bath_log, hardness_report, furnace_log, xrf_export]
