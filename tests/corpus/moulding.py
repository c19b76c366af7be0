"""Injection moulding: an MES daily production report, a machine's shot monitor (sizeable, tab-delimited) and a
hand-kept cavity dimension sheet."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from tests.corpus.kit import KELVIN, MINUTE, MM, Case, Num, Sheet, Table, utc, write_text, write_xlsx


def mes_daily(folder: Path) -> Case:
    rng = random.Random(1411)
    name = "injection_mes_daily_report.xlsx"
    sheet_name = "생산일보"
    case = Case(
        name="injection_mes_daily_report",
        file=f"files/{name}",
        sector="injection",
        system="MES production report (Excel export)",
        entity="production_run",
        sheet=sheet_name,
        suggest=False,
        describe="six days x two shifts x four machines: two-row header (시간(분) over 계획/가동/비가동, 수량 over "
        "쇼트/생산/불량), date and shift merged down, a 소계 row per day and a 합계, good count as 생산 minus 불량, "
        "a run time typed as '600분', a blank planned time, a family mould written '4+4' cavities",
        mapping={
            "entity": "production_run",
            "sheet": sheet_name,
            "header": {"row": 4, "rows": 2},
            "fill_down": ["작업일자", "주야"],
            "fields": {
                "order": {"column": "작업지시"},
                "equipment": {"column": "호기"},
                "part_type": {"column": "품번"},
                "shift": {"column": "주야"},
                "started_at": {"column": "시작", "format": "%Y-%m-%d %H:%M"},
                "ended_at": {"column": "종료", "format": "%Y-%m-%d %H:%M"},
                "planned_time": {"column": "시간(분) 계획", "unit": "min"},
                "run_time": {"column": "시간(분) 가동", "unit": "min"},
                "downtime": {"column": "시간(분) 비가동", "unit": "min"},
                "ideal_cycle_time": {"column": "표준C/T (초)", "unit": "s"},
                "total_count": {"column": "수량 생산"},
                "good_count": {"column": "수량 생산", "minus": "수량 불량"},
                "defect_count": {"column": "수량 불량"},
                "cavities": {"column": "캐비티"},
            },
        },
    )
    machines = [
        ("1호기", "M-101", "CV-1010", 4, 32.5),
        ("2호기", "M-205", "CV-2050", 2, 45.0),
        ("3호기", "M-311", "HS-3110", 8, 28.0),
        ("4호기", "M-402", "BZ-4020", 1, 62.0),
    ]
    sheet = Sheet(sheet_name)
    sheet.title("사출 생산일보", 17)
    sheet.wide("기간: 2026-03-02 ~ 2026-03-07    출력: MES 2026-03-08 07:30    공장: 김해 사출동", 17)
    sheet.blank()
    top = sheet.row(
        "작업일자",
        "주야",
        "호기",
        "금형",
        "품번",
        "작업지시",
        "캐비티",
        "시작",
        "종료",
        "시간(분)",
        None,
        None,
        "표준C/T",
        "수량",
        None,
        None,
        "비고",
    )
    sheet.row(*[None] * 9, "계획", "가동", "비가동", "초", "쇼트", "생산", "불량", None)
    for col in (*range(1, 10), 17):
        sheet.merge(top, col, top + 1, col)
    sheet.merge(top, 10, top, 12)
    sheet.merge(top, 14, top, 16)
    totals = [0, 0, 0]
    for d in range(6):
        today = datetime(2026, 3, 2) + timedelta(days=d)
        first_of_day = sheet.next
        day_totals = [0, 0, 0]
        for shift_index, (shift, hour) in enumerate((("주간", 8), ("야간", 20))):
            first_of_shift = sheet.next
            for m, (machine, mould, part, cavities, cycle) in enumerate(machines):
                start = today + timedelta(hours=hour)
                end = start + timedelta(hours=12)
                planned = 660
                down = rng.randint(10, 90)
                run = planned - down
                shots = int(run * 60 / (cycle * rng.uniform(1.02, 1.10)))
                made = shots * cavities
                bad = rng.randint(0, max(1, made // 50))
                order = f"WO{today:%y%m%d}{'DN'[shift_index]}{m + 1}"
                cells: list[object] = [
                    today if sheet.next == first_of_day else None,
                    shift if sheet.next == first_of_shift else None,
                    machine,
                    mould,
                    part,
                    order,
                    cavities,
                    start,
                    end,
                    planned,
                    run,
                    down,
                    Num(cycle, "0.0"),
                    Num(shots, "#,##0"),
                    Num(made, "#,##0"),
                    bad,
                    None,
                ]
                errors: list[tuple[str | None, str]] = []
                if (d, shift_index, m) == (2, 1, 1):
                    cells[9], cells[16] = None, "계획 미입력"
                    errors.append(("planned_time", "missing-value"))
                if (d, shift_index, m) == (4, 0, 2):
                    cells[6] = "4+4"
                    errors.append(("cavities", "type-error"))
                if (d, shift_index, m) == (1, 0, 3):
                    cells[10] = f"{run}분"
                if (d, shift_index, m) == (3, 1, 0):
                    cells[14] = f"{made:,}"
                line = sheet.row(*cells)
                record = case.rec(
                    line,
                    errors,
                    order=order,
                    equipment=machine,
                    part_type=part,
                    shift=shift,
                    started_at=utc(start),
                    ended_at=utc(end),
                    planned_time=planned * MINUTE,
                    run_time=run * MINUTE,
                    downtime=down * MINUTE,
                    ideal_cycle_time=cycle,
                    total_count=made,
                    good_count=made - bad,
                    defect_count=bad,
                    cavities=cavities,
                )
                if (d, shift_index, m) in {(0, 0, 0), (0, 1, 3), (1, 0, 3), (3, 1, 0), (5, 1, 2), (2, 1, 0)}:
                    case.show(record)
                for k, v in enumerate((shots, made, bad)):
                    day_totals[k] += v
            sheet.merge(first_of_shift, 2, sheet.next - 1, 2)
        sheet.merge(first_of_day, 1, sheet.next - 1, 1)
        sheet.row(None, "소계", *[None] * 11, *[Num(v, "#,##0") for v in day_totals])
        totals = [a + b for a, b in zip(totals, day_totals, strict=True)]
    line = sheet.row("합계", *[None] * 12, *[Num(v, "#,##0") for v in totals])
    sheet.merge(line, 1, line, 9)
    write_xlsx(folder / name, [sheet])
    return case


def shot_monitor(folder: Path) -> Case:
    rng = random.Random(1412)
    name = "injection_shot_monitor.txt"
    wide = ["사출압력(bar)", "보압(bar)", "금형온도(℃)", "사이클타임(s)", "계량시간(s)"]
    case = Case(
        name="injection_shot_monitor",
        file=f"files/{name}",
        sector="injection",
        system="injection machine shot monitor (tab-delimited text)",
        entity="measurement",
        suggest=True,
        describe="12,000 shots of two machines, five process values wide with units in the headers, tab-delimited "
        "UTF-8 without BOM; '-' when the hold-pressure sensor is off, two garbled cells",
        mapping={
            "entity": "measurement",
            "unpivot": {"columns": wide, "name": "항목", "value": "값", "unit": "단위"},
            "fields": {
                "equipment": {"column": "호기"},
                "signal": {"column": "항목"},
                "timestamp": {"column": "일시", "format": "%Y-%m-%d %H:%M:%S"},
                "value": {"column": "값", "unit_column": "단위"},
            },
        },
    )
    table = Table()
    table.row("일시", "호기", "쇼트번호", *wide)
    clocks = {"IM-03": (datetime(2026, 3, 2, 6, 0, 0), 32.0), "IM-05": (datetime(2026, 3, 2, 6, 0, 7), 41.0)}
    shots = {"IM-03": 0, "IM-05": 0}
    next_at = {m: start for m, (start, _) in clocks.items()}
    for i in range(12000):
        machine = min(next_at, key=lambda m: (next_at[m], m))
        at = next_at[machine]
        cycle = round(clocks[machine][1] + rng.uniform(-0.6, 0.8), 1)
        next_at[machine] = at + timedelta(seconds=round(cycle))
        shots[machine] += 1
        values = [
            round(rng.uniform(1180, 1420), 1),
            round(rng.uniform(600, 800), 1),
            round(rng.uniform(42, 58), 1),
            cycle,
            round(rng.uniform(7.5, 9.5), 2),
        ]
        cells = [f"{v}" for v in values]
        if i % 997 == 500:
            cells[1] = "-"
        broken = i in (4321, 9876)
        if broken:
            cells[0] = "1.234.5"
        line = table.row(at.strftime("%Y-%m-%d %H:%M:%S"), machine, shots[machine], *cells)
        for k, (signal, factor, offset, unit) in enumerate(
            [
                ("사출압력", 1e5, 0.0, "pascal"),
                ("보압", 1e5, 0.0, "pascal"),
                ("금형온도", 1.0, KELVIN, "kelvin"),
                ("사이클타임", 1.0, 0.0, "second"),
                ("계량시간", 1.0, 0.0, "second"),
            ]
        ):
            if cells[k] == "-":
                continue
            errors: list[tuple[str | None, str]] = [("value", "type-error")] if broken and k == 0 else []
            record = case.rec(
                line,
                errors,
                equipment=machine,
                signal=signal,
                timestamp=utc(at),
                value=values[k] * factor + offset,
                unit=unit,
            )
            if (i, k) in {(0, 0), (1, 2), (2, 3), (500, 0), (11999, 4), (4321, 1)}:
                case.show(record)
    write_text(folder / name, table, encoding="utf-8", delimiter="\t")
    return case


def cavity_dimensions(folder: Path) -> Case:
    rng = random.Random(1413)
    name = "injection_cavity_dimensions.xlsx"
    sheet_name = "치수검사"
    wide = ["전장 (mm)", "폭 (mm)", "두께 (mm)", "중량 (g)"]
    case = Case(
        name="injection_cavity_dimensions",
        file=f"files/{name}",
        sector="injection",
        system="hand-kept Excel (초·중·종물 치수검사)",
        entity="quality_result",
        sheet=sheet_name,
        suggest=False,
        describe="first/middle/last-shot checks of 8 lots x 4 cavities: name over unit header (전장 over mm), date, "
        "lot and 초/중/종물 merged down, a blocked cavity all '-', '2..51', a row pasted twice inside a merged lot",
        mapping={
            "entity": "quality_result",
            "sheet": sheet_name,
            "header": {"row": 4, "rows": 2},
            "fill_down": ["검사일자", "로트번호", "구분"],
            "unpivot": {"columns": wide, "name": "검사항목", "value": "측정값", "unit": "단위"},
            "fields": {
                "subject": {"column": "로트번호"},
                "characteristic": {"column": "검사항목"},
                "value": {"column": "측정값", "unit_column": "단위"},
                "passed": {"column": "판정", "values": {"합격": True, "불합격": False}},
                "inspected_at": {"column": "검사일자", "format": "%Y-%m-%d"},
            },
        },
    )
    specs = [
        ("전장", 85.00, 0.10, 0.03, MM),
        ("폭", 42.00, 0.08, 0.025, MM),
        ("두께", 2.50, 0.05, 0.015, MM),
        ("중량", 18.2, 0.3, 0.08, 0.001),
    ]
    sheet = Sheet(sheet_name)
    sheet.title("사출품 치수 검사 (초·중·종물)", 10)
    sheet.wide(
        "품번: CV-1010 커버    금형: M-101 (4 cavity)    규격: 전장 85.00±0.10, 폭 42.00±0.08, "
        "두께 2.50±0.05 mm, 중량 18.2±0.3 g",
        10,
    )
    sheet.blank()
    top = sheet.row("검사일자", "로트번호", "구분", "캐비티", "전장", "폭", "두께", "중량", "판정", "비고")
    sheet.row(None, None, None, None, "mm", "mm", "mm", "g", None, None)
    for col in (1, 2, 3, 4, 9, 10):
        sheet.merge(top, col, top + 1, col)
    show = {(0, 0, 0, 0), (0, 0, 1, 3), (6, 1, 0, 0), (7, 2, 3, 3), (2, 1, 2, 1), (5, 2, 0, 2)}
    for lot_index in range(8):
        when = datetime(2026, 3, 2) + timedelta(days=lot_index // 2)
        lot = f"CV{when:%y%m%d}-{lot_index % 2 + 1}"
        first_of_lot = sheet.next
        samples = {s[0]: 0 for s in specs}
        for phase_index, phase in enumerate(("초물", "중물", "종물")):
            first_of_phase = sheet.next
            for cavity in range(4):
                blocked = lot_index == 6 and cavity == 3
                xs = [round(rng.gauss(nominal, sigma), 3 if unit == MM else 2) for _, nominal, _, sigma, unit in specs]
                if (lot_index, phase_index, cavity) == (4, 0, 1):
                    xs[3] = round(xs[3], 1)
                ok = all(abs(x - nominal) <= tol for x, (_, nominal, tol, _, _) in zip(xs, specs, strict=True))
                written: list[object] = [
                    Num(x, "0.000" if s[4] == MM else "0.00") for x, s in zip(xs, specs, strict=True)
                ]
                if blocked:
                    written = ["-"] * 4
                if (lot_index, phase_index, cavity) == (1, 1, 2):
                    written[2] = "2..51"
                if (lot_index, phase_index, cavity) == (4, 0, 1):
                    written[3] = f"{xs[3]:.1f}g"
                verdict = "막음" if blocked else ("합격" if ok else "불합격")
                cells = [
                    when if sheet.next == first_of_lot else None,
                    lot if sheet.next == first_of_lot else None,
                    phase if sheet.next == first_of_phase else None,
                    f"#{cavity + 1}",
                    *written,
                    verdict,
                    "캐비티 막음" if blocked else None,
                ]
                copies = 2 if (lot_index, phase_index, cavity) == (3, 2, 1) else 1
                for copy in range(copies):
                    line = sheet.row(*(cells if copy == 0 else [None, None, None, *cells[3:]]))
                    if blocked:
                        continue
                    for k, (item, _, _, _, factor) in enumerate(specs):
                        errors: list[tuple[str | None, str]] = []
                        if written[k] == "2..51":
                            errors.append(("value", "type-error"))
                        if copy == 1:
                            errors = [(None, "duplicate-row")]
                        else:
                            samples[item] += 1
                        record = case.rec(
                            line,
                            errors,
                            subject=lot,
                            characteristic=item,
                            sample=samples[item] if copy == 0 else None,
                            value=xs[k] * factor,
                            unit="kilogram" if item == "중량" else "meter",
                            passed=ok,
                            inspected_at=utc(when),
                        )
                        if (lot_index, phase_index, cavity, k) in show:
                            case.show(record)
            sheet.merge(first_of_phase, 3, sheet.next - 1, 3)
        sheet.merge(first_of_lot, 1, sheet.next - 1, 1)
        sheet.merge(first_of_lot, 2, sheet.next - 1, 2)
    write_xlsx(folder / name, [sheet])
    return case


MAKERS = [mes_daily, shot_monitor, cavity_dimensions]
