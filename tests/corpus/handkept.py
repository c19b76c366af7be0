"""Hand-kept Excel: an incoming inspection log (one sheet a month) and a line's daily production."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from tests.corpus.kit import (
    HOUR,
    MINUTE,
    MM,
    Case,
    Num,
    Sheet,
    fmt3,
    fullwidth,
    korean_weekday,
    serial,
    utc,
    write_xlsx,
)

PASS_FAIL = {"합격": True, "불합격": False}


SUPPLIERS = [
    (
        "대성정밀",
        "BR-4410",
        "BR",
        [("외경", "mm", 29.970, 30.000, 29.986, 0.005), ("두께", "mm", 7.950, 8.050, 8.0, 0.012)],
    ),
    ("한일금속", "SH-2508", "SH", [("길이", "mm", 119.90, 120.10, 120.0, 0.03), ("경도", "HRC", 58, 62, 60, 0.7)]),
    ("세진테크", "CV-1010", "CV", [("중량", "g", 12.3, 12.7, 12.5, 0.06), ("두께", "mm", 2.45, 2.55, 2.5, 0.012)]),
]
FACTORS = {"mm": (MM, "meter"), "HRC": (1.0, "HRC"), "g": (0.001, "kilogram")}


def incoming_inspection(folder: Path) -> Case:
    rng = random.Random(1481)
    name = "handkept_incoming_inspection.xlsx"
    case = Case(
        name="handkept_incoming_inspection",
        file=f"files/{name}",
        sector="machining",
        system="hand-kept Excel (수입검사 일지), one sheet a month",
        entity="quality_result",
        sheet="3월",
        suggest=True,
        describe="incoming inspection log, March on the third of three month sheets: title and note rows, 입고일자 "
        "header with a line break, an empty spacer column, an unnamed memo column, blank rows between days, a 주) "
        "note inside the data; dates as date cells, text 2026.03.05 and a serial number; 측정불가, 미검사, N/A, '-' "
        "for appearance, '12..5', full width, '120.025mm', 2026.02.30, a pasted-twice row",
        mapping={
            "entity": "quality_result",
            "sheet": "3월",
            "header": {"row": 5},
            "fields": {
                "subject": {"column": "LOT NO"},
                "characteristic": {"column": "검사항목"},
                "value": {"column": "측정값", "unit_column": "단위"},
                "lower_spec_limit": {"column": "하한", "unit_column": "단위"},
                "upper_spec_limit": {"column": "상한", "unit_column": "단위"},
                "passed": {"column": "판정", "values": PASS_FAIL},
                "inspected_at": {"column": "입고 일자", "format": "2026.03.02"},
            },
        },
    )
    sheets = [_inspection_month(rng, month, case if month == 3 else None) for month in (1, 2, 3)]
    write_xlsx(folder / name, sheets)
    return case


def _inspection_month(rng: random.Random, month: int, case: Case | None) -> Sheet:
    sheet = Sheet(f"{month}월")
    sheet.title("수입검사 일지", 13)
    sheet.row(f"2026년 {month}월")
    sheet.wide("※ 측정 단위는 단위란 참조, 외관은 합부만 기록", 13)
    sheet.blank()
    sheet.row(
        "입고\n일자",
        "업체명",
        None,
        "품번",
        "ＬＯＴ　ＮＯ",
        "검사항목",
        "단위",
        "하한",
        "상한",
        "측정값",
        "판정",
        "검사자",
        None,
    )
    days = [2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17] if case else [5, 6, 7, 8, 12, 13]
    show = {
        (0, "외경", 1),
        (0, "두께", 1),
        (3, "두께", 2),
        (6, "외경", 0),
        (7, "길이", 0),
        (11, "중량", 2),
        (8, "두께", 0),
    }
    for lot_index, d in enumerate(days):
        when = datetime(2026, month, d)
        supplier, part, prefix, items = SUPPLIERS[lot_index % 3]
        lot = f"{prefix}{when:%m%d}-1"
        date_cell: object = when
        if case and lot_index == 3:
            date_cell = when.strftime("%Y.%m.%d")
        if case and lot_index == 6:
            date_cell = Num(serial(when), "General")
        for item, unit, lsl, usl, centre, sigma in items:
            factor, canonical = FACTORS[unit]
            decimals = 1 if unit == "HRC" else (2 if unit == "g" else 3)
            readings: list[float] = []
            while len(readings) < 3:  # three different readings: rows alike in every cell would be one row twice
                x = round(rng.gauss(centre, sigma), decimals)
                if x not in readings:
                    readings.append(x)
            for sample, x in enumerate(readings):
                ok = lsl <= x <= usl
                written: object = Num(x, "0." + "0" * decimals)
                errors: list[tuple[str | None, str]] = []
                notes = 0
                lsl_cell: object = lsl
                when_cell = date_cell
                memo = None
                special = (lot_index, item, sample) if case else None
                if special == (0, "두께", 1):
                    written = fullwidth(fmt3(x))
                if special == (1, "길이", 2):
                    written, errors = "측정불가", [("value", "missing-measurement")]
                if special == (2, "중량", 1):
                    written, errors = "12..5", [("value", "type-error")]
                if case and lot_index == 5 and item == "두께":
                    lsl_cell, notes = "N/A", 1
                if special == (7, "길이", 0):
                    written = f"{x:.3f}mm"
                if special == (9, "외경", 1):
                    when_cell, errors = "2026.02.30", [("inspected_at", "bad-date")]
                if case and lot_index == 8 and sample == 0 and item == "두께":
                    memo = "재측정"
                verdict = "합격" if ok else "불합격"
                cells = [
                    when_cell,
                    supplier,
                    None,
                    part,
                    lot,
                    item,
                    unit,
                    lsl_cell,
                    usl,
                    written,
                    verdict,
                    "송하늘",
                    memo,
                ]
                copies = 2 if special == (10, "경도", 1) else 1
                for copy in range(copies):
                    line = sheet.row(*cells)
                    if case is None:
                        continue
                    record = case.rec(
                        line,
                        errors if copy == 0 else [(None, "duplicate-row")],
                        notes,
                        subject=lot,
                        characteristic=item,
                        sample=sample + 1,
                        value=x * factor,
                        unit=canonical,
                        lower_spec_limit=None if notes else lsl * factor,
                        upper_spec_limit=usl * factor,
                        passed=ok,
                        inspected_at=utc(when),
                    )
                    if (lot_index, item, sample) in show and copy == 0:
                        case.show(record)
        looked = "미검사" if case and lot_index == 4 else "합격"
        memo = "도면 Rev.C 기준" if case and lot_index == 11 else None
        line = sheet.row(date_cell, supplier, None, part, lot, "외관", None, None, None, "-", looked, "송하늘", memo)
        if case:
            record = case.rec(
                line,
                [("passed", "missing-value")] if looked == "미검사" else [],
                1,
                subject=lot,
                characteristic="외관",
                value=None,
                unit=None,
                lower_spec_limit=None,
                upper_spec_limit=None,
                passed=True,
                inspected_at=utc(when),
            )
            if lot_index in (0, 11):
                case.show(record, "sample")
        if case and lot_index == 6:
            line = sheet.row("주) 3/11 입고 세진테크 로트 반품 처리 (중량 불합격)")
            sheet.merge(line, 1, line, 13)
        sheet.blank()
    return sheet


def daily_production(folder: Path) -> Case:
    rng = random.Random(1482)
    name = "handkept_daily_production.xlsx"
    sheet_name = "3월 생산실적"
    case = Case(
        name="handkept_daily_production",
        file=f"files/{name}",
        sector="injection",
        system="hand-kept Excel (생산실적)",
        entity="production_run",
        sheet=sheet_name,
        suggest=False,
        describe="a line's March, one order a day, dates typed '2026년 3월 2일 (월)', hours, minutes and "
        "seconds in the headers, weekly '소 계' rows and a '합 계' row (spaced), a count typed in full width, "
        "'1,050' as text, a good count typed as -12",
        mapping={
            "entity": "production_run",
            "sheet": sheet_name,
            "header": {"row": 3},
            "fields": {
                "order": {"column": "작업지시번호"},
                "equipment": {"column": "라인"},
                "part_type": {"column": "품번"},
                "started_at": {"column": "일자", "format": "2026년 3월 2일 (월)"},
                "planned_time": {"column": "계획시간(h)", "unit": "h"},
                "run_time": {"column": "가동시간(h)", "unit": "h"},
                "downtime": {"column": "비가동시간(분)", "unit": "min"},
                "ideal_cycle_time": {"column": "C/T(초)", "unit": "s"},
                "total_count": {"column": "생산수량"},
                "good_count": {"column": "양품수량"},
                "defect_count": {"column": "불량수량"},
            },
        },
    )
    sheet = Sheet(sheet_name)
    sheet.title("3월 생산실적 (조립 2라인)", 12)
    sheet.blank()
    sheet.row(
        "일자",
        "라인",
        "품번",
        "작업지시번호",
        "계획시간(h)",
        "가동시간(h)",
        "비가동시간(분)",
        "C/T(초)",
        "생산수량",
        "양품수량",
        "불량수량",
        "비고",
    )
    week = [0, 0, 0]
    grand = [0, 0, 0]
    days = [d for d in range(2, 32) if datetime(2026, 3, d).weekday() < 5]
    for index, d in enumerate(days):
        today = datetime(2026, 3, d)
        planned = 12.0 if index == 11 else 8.0
        down = 60 if index == 11 else rng.randrange(15, 76, 3)
        run = planned - down / 60
        made = int(run * 3600 / (36 * rng.uniform(1.05, 1.15)))
        if index == 3:
            made = 720
        if index == 11:
            made = 1050
        bad = rng.randint(0, 8)
        good = made - bad
        written_made: object = Num(made, "#,##0")
        written_good: object = Num(good, "#,##0")
        errors: list[tuple[str | None, str]] = []
        if index == 3:
            written_made = fullwidth(str(made))
        if index == 11:
            written_made = f"{made:,}"
        if index == 8:
            good, written_good = -12, "-12"
            errors.append(("good_count", "out-of-range"))
        part = "KN-7730" if index % 2 == 0 else "KN-7740"
        order = f"WO{today:%y%m%d}A2"
        typed = f"{today.year}년 {today.month}월 {today.day}일 ({korean_weekday(today)})"
        line = sheet.row(
            typed,
            "조립2라인",
            part,
            order,
            Num(planned, "0.0"),
            Num(run, "0.00"),
            down,
            Num(36, "0.0"),
            written_made,
            written_good,
            bad,
            "잔업 4시간" if index == 11 else None,
        )
        record = case.rec(
            line,
            errors,
            order=order,
            equipment="조립2라인",
            part_type=part,
            started_at=utc(today),
            planned_time=planned * HOUR,
            run_time=run * HOUR,
            downtime=down * MINUTE,
            ideal_cycle_time=36.0,
            total_count=made,
            good_count=good,
            defect_count=bad,
        )
        if index in (0, 3, 11, 21, 9):
            case.show(record)
        for k, v in enumerate((made, good, bad)):
            week[k] += v
        if today.weekday() == 4 or index == len(days) - 1:
            sheet.row(None, "소 계", *[None] * 6, *[Num(v, "#,##0") for v in week])
            grand = [a + b for a, b in zip(grand, week, strict=True)]
            week = [0, 0, 0]
    sheet.row("합 계", None, *[None] * 6, *[Num(v, "#,##0") for v in grand])
    write_xlsx(folder / name, [sheet])
    return case


MAKERS = [incoming_inspection, daily_production]
