"""A buyer's demand: a supplier portal's monthly plan (wide by month) and weekly call-offs merged by hand (long)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from tests.corpus.kit import (
    Case,
    Num,
    Sheet,
    Table,
    month_end,
    write_text,
    write_xlsx,
)


def portal_monthly(folder: Path) -> Case:
    rng = random.Random(1471)
    name = "demand_portal_monthly.xlsx"
    months = [f"2026-{m:02d}" for m in range(4, 10)]
    case = Case(
        name="demand_portal_monthly",
        file=f"files/{name}",
        sector="machining",
        system="buyer's supplier portal download (Excel), monthly plan",
        entity="demand_forecast",
        sheet="소요계획",
        suggest=False,
        describe="a buyer's six-month plan for 30 parts, one column per month (2026-04..2026-09) and a 합계 column, a "
        "확정 row and a 예상 row per part, buyer only in the title, numbers formatted or as text with separators, "
        "a 합계 row, one TBD",
        mapping={
            "entity": "demand_forecast",
            "sheet": "소요계획",
            "header": {"row": 3},
            "unpivot": {"columns": months, "name": "월", "value": "수량"},
            "fields": {
                "buyer": {"value": "한빛모터스"},
                "part_type": {"column": "품번"},
                "period_start": {"column": "월", "format": "2026-04"},
                "period_end": {"column": "월", "format": "2026-04", "at": "end"},
                "quantity": {"column": "수량"},
                "firmness": {"column": "구분", "values": {"확정": "firm", "예상": "forecast"}},
            },
        },
    )
    sheet = Sheet("소요계획")
    sheet.title("한빛모터스 협력사 포털 - 월별 소요계획 (발행일 2026-03-02, 협력사: 대성정밀)", 10)
    sheet.blank()
    sheet.row("품번", "품명", "구분", *months, "합계")
    totals = [0] * 6
    for p in range(30):
        part = f"HB-{52100 + p * 7}"
        base = rng.randrange(400, 4000, 10)
        for firm in (True, False):
            values: list[int | None] = [None] * 6
            for m in range(6):
                if (m == 0) == firm:
                    values[m] = int(round(base * rng.uniform(0.8, 1.2), -1))
            written: list[object] = [None if v is None else Num(v, "#,##0") for v in values]
            if not firm and p % 6 == 2:
                written[2] = f"{values[2]:,}"
            bad = not firm and p == 16
            if bad:
                written[4] = "TBD"
            line = sheet.row(
                part, f"부품 {p + 1}", "확정" if firm else "예상", *written, Num(sum(v or 0 for v in values), "#,##0")
            )
            for m, v in enumerate(values):
                if v is None:
                    continue
                totals[m] += v
                start = date(2026, m + 4, 1)
                record = case.rec(
                    line,
                    [("quantity", "type-error")] if bad and m == 4 else [],
                    buyer="한빛모터스",
                    part_type=part,
                    period_start=start.isoformat(),
                    period_end=month_end(start).isoformat(),
                    quantity=float(v),
                    firmness="firm" if firm else "forecast",
                )
                if (p, firm, m) in {(0, True, 0), (0, False, 1), (2, False, 2), (29, False, 5), (16, False, 3)}:
                    case.show(record)
    sheet.row("합계", None, None, *[Num(t, "#,##0") for t in totals])
    write_xlsx(folder / name, [sheet])
    return case


def weekly_long(folder: Path) -> Case:
    rng = random.Random(1472)
    name = "demand_weekly_long.csv"
    case = Case(
        name="demand_weekly_long",
        file=f"files/{name}",
        sector="pcb",
        system="buyers' weekly call-offs merged by hand (semicolon CSV)",
        entity="demand_forecast",
        suggest=False,
        describe="two buyers x 12 parts x 8 weeks, long, with From/To dates 2026.03.02, quantities written '1,200 EA', "
        "status codes F/P; a negative quantity, an undeclared status C",
        mapping={
            "entity": "demand_forecast",
            "fields": {
                "buyer": {"column": "Customer"},
                "part_type": {"column": "Part No."},
                "period_start": {"column": "From", "format": "2026.03.02"},
                "period_end": {"column": "To", "format": "2026.03.02"},
                "quantity": {"column": "Qty", "unit": "EA"},
                "firmness": {"column": "Status", "values": {"F": "firm", "P": "forecast"}},
            },
        },
    )
    table = Table()
    table.row("Customer", "Part No.", "Week", "From", "To", "Qty", "Status")
    for buyer in ("한빛모터스", "세광전장"):
        for p in range(12):
            part = f"MB7-{300 + p * 11}"
            for w in range(8):
                monday = date(2026, 3, 2) + timedelta(weeks=w)
                sunday = monday + timedelta(days=6)
                qty = rng.randrange(100, 3000, 50)
                status = "F" if w < 2 else "P"
                errors: list[tuple[str | None, str]] = []
                if (buyer, p, w) == ("세광전장", 5, 3):
                    qty = -50
                    errors.append(("quantity", "out-of-range"))
                if (buyer, p, w) == ("한빛모터스", 9, 5):
                    status = "C"
                    errors.append(("firmness", "unknown-code"))
                line = table.row(
                    buyer,
                    part,
                    f"W{monday.isocalendar()[1]}",
                    f"{monday:%Y.%m.%d}",
                    f"{sunday:%Y.%m.%d}",
                    f"{qty:,} EA",
                    status,
                )
                record = case.rec(
                    line,
                    errors,
                    buyer=buyer,
                    part_type=part,
                    period_start=monday.isoformat(),
                    period_end=sunday.isoformat(),
                    quantity=float(qty),
                    firmness={"F": "firm", "P": "forecast"}.get(status),
                )
                if (
                    (buyer, p, w) in {("한빛모터스", 0, 0), ("세광전장", 11, 7), ("세광전장", 5, 2)}
                    or qty >= 1000
                    and w == 4
                ):
                    case.show(record)
    write_text(folder / name, table, delimiter=";")
    return case


MAKERS = [portal_monthly, weekly_long]
