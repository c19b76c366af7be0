"""Machining lines: an automatic final-inspection station export and a CNC controller trace (both sizeable)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from tests.corpus.kit import (
    KELVIN,
    MINUTE,
    MM,
    UM,
    Case,
    Num,
    Sheet,
    Table,
    utc,
    write_text,
    write_xlsx,
)


def final_inspection(folder: Path) -> Case:
    rng = random.Random(1405)
    name = "machining_final_inspection.xlsx"
    sheet_name = "최종검사"
    wide = ["Ra(µm)", "Rz(µm)", "체결토크(N·m)"]
    case = Case(
        name="machining_final_inspection",
        file=f"files/{name}",
        sector="machining",
        system="automatic final-inspection station export (Excel)",
        entity="quality_result",
        sheet=sheet_name,
        suggest=True,
        describe="4,000 serials, roughness Ra/Rz in µm and tightening torque in N·m wide, under a title; a text date "
        "2026-02-30 among date cells, '0..82', 측정불가 and #N/A in wide cells",
        mapping={
            "entity": "quality_result",
            "sheet": sheet_name,
            "header": {"row": 3},
            "unpivot": {"columns": wide, "name": "검사항목", "value": "측정값", "unit": "단위"},
            "fields": {
                "subject": {"column": "시리얼번호"},
                "characteristic": {"column": "검사항목"},
                "value": {"column": "측정값", "unit_column": "단위"},
                "passed": {"column": "판정"},
                "inspected_at": {"column": "검사일시", "format": "%Y-%m-%d %H:%M:%S"},
            },
        },
    )
    sheet = Sheet(sheet_name)
    sheet.title("최종검사 자동측정 데이터 (라인 FA-2)", 7)
    sheet.blank()
    sheet.row("검사일시", "시리얼번호", "품번", *wide, "판정")
    start = datetime(2026, 3, 2, 6, 0, 0)
    for i in range(4000):
        at = start + timedelta(seconds=45 * i)
        serial_no = f"FA2-{260302 + i // 1600}-{i % 1600 + 1:05d}"
        ra = round(rng.uniform(0.35, 1.2), 2)
        rz = round(ra * rng.uniform(5.5, 7.5), 2)
        torque = round(rng.gauss(25.0, 0.35), 2)
        ok = ra <= 1.6 and rz <= 10 and 24.0 <= torque <= 26.0
        written: list[object] = [Num(ra, "0.00"), Num(rz, "0.00"), Num(torque, "0.00")]
        when: object = at
        date_error = i == 1234
        if date_error:
            when = "2026-02-30 10:15:00"
        if i == 2345:
            written[0] = "0..82"
        if i == 3456:
            written[2] = "측정불가"
        if i in (100, 2000, 3900):
            written[1] = "#N/A"
        line = sheet.row(when, serial_no, "KN-7730", *written, "OK" if ok else "NG")
        for k, (item, value, factor, unit) in enumerate(
            [("Ra", ra, UM, "meter"), ("Rz", rz, UM, "meter"), ("체결토크", torque, 1.0, "newton_meter_torque")]
        ):
            if written[k] in ("측정불가", "#N/A"):
                continue
            errors: list[tuple[str | None, str]] = []
            if date_error:
                errors.append(("inspected_at", "bad-date"))
            if i == 2345 and k == 0:
                errors.append(("value", "type-error"))
            record = case.rec(
                line,
                errors,
                subject=serial_no,
                characteristic=item,
                value=value * factor,
                unit=unit,
                passed=ok,
                inspected_at=utc(at),
            )
            if (i, k) in {(0, 0), (0, 1), (0, 2), (1599, 2), (3456, 0), (3999, 1), (100, 2)}:
                case.show(record)
    write_xlsx(folder / name, [sheet])
    return case


def cnc_trace(folder: Path) -> Case:
    rng = random.Random(1406)
    name = "machining_cnc_spindle_trace.csv"
    wide = ["Spindle Load [%]", "Spindle Temp [°C]", "Feed Rate [mm/min]"]
    case = Case(
        name="machining_cnc_spindle_trace",
        file=f"files/{name}",
        sector="machining",
        system="CNC controller trace (semicolon CSV, decimal comma)",
        entity="measurement",
        suggest=False,
        describe="8,000 samples every 10 s from a controller trace: ';' delimiter, decimal comma and '.' thousands "
        "(1.250), signals wide with units in brackets, '-' while the spindle stands, two ERR cells",
        mapping={
            "entity": "measurement",
            "decimal": ",",
            "header": {"row": 4},
            "unpivot": {"columns": wide, "name": "Signal", "value": "Value", "unit": "Unit"},
            "fields": {
                "equipment": {"value": "VMC-07"},
                "signal": {"column": "Signal"},
                "timestamp": {"column": "Timestamp", "format": "%Y-%m-%d %H:%M:%S"},
                "value": {"column": "Value", "unit_column": "Unit"},
            },
        },
    )
    table = Table()
    table.row("Machine", "VMC-07")
    table.row("Trace", "Spindle monitor, 10 s")
    table.blank()
    table.row("Timestamp", *wide)
    start = datetime(2026, 3, 2, 6, 0, 0)
    temp = 31.0
    for i in range(8000):
        at = start + timedelta(seconds=10 * i)
        standing = i % 500 in (0, 1, 2)
        load = 0.0 if standing else round(rng.uniform(20, 85), 1)
        temp = round(min(55.0, max(30.0, temp + rng.uniform(-0.3, 0.35))), 1)
        feed = rng.choice([800, 950, 1200, 1250, 1600, 2400])
        cells = [f"{load:.1f}".replace(".", ","), f"{temp:.1f}".replace(".", ","), f"{feed:,}".replace(",", ".")]
        if standing:
            cells[2] = "-"
        bad_temp = i in (3333, 6666)
        if bad_temp:
            cells[1] = "ERR"
        line = table.row(at.strftime("%Y-%m-%d %H:%M:%S"), *cells)
        for k, (signal, value, factor, offset, unit) in enumerate(
            [
                ("Spindle Load", load, 1.0, 0.0, "percent"),
                ("Spindle Temp", temp, 1.0, KELVIN, "kelvin"),
                ("Feed Rate", float(feed), MM / MINUTE, 0.0, "meter / second"),
            ]
        ):
            if cells[k] == "-":
                continue
            errors: list[tuple[str | None, str]] = [("value", "type-error")] if bad_temp and k == 1 else []
            record = case.rec(
                line,
                errors,
                equipment="VMC-07",
                signal=signal,
                timestamp=utc(at),
                value=value * factor + offset,
                unit=unit,
            )
            if (i, k) in {(3, 0), (3, 1), (3, 2), (7999, 2), (500, 0)} or (k == 2 and feed >= 1000 and i in (10, 11)):
                case.show(record)
    write_text(folder / name, table, delimiter=";")
    return case


MAKERS = [final_inspection, cnc_trace]
