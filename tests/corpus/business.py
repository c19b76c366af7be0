"""ERP exports (item master, BOM, lot history), a buyer's demand forecasts (portal wide by month, weekly long) and
hand-kept Excel (incoming inspection log, daily production)."""

from __future__ import annotations

import random
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

from tests.corpus.kit import (
    HOUR,
    MINUTE,
    MM,
    Case,
    Num,
    Sheet,
    Table,
    fmt3,
    fullwidth,
    korean_weekday,
    month_end,
    serial,
    utc,
    write_text,
    write_xlsx,
)

PASS_FAIL = {"합격": True, "불합격": False}


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def item_master(folder: Path) -> Case:
    rng = random.Random(1461)
    name = "erp_item_master.xlsx"
    headers = ["品番 (Part No.)", "品名", "規格", "顧客品番", "分類（ＥＣＬＡＳＳ）", "單位", "사용여부"]
    case = Case(
        name="erp_item_master",
        file=f"files/{name}",
        sector="machining",
        system="ERP item master export (Excel)",
        entity="part_type",
        sheet="품목마스터",
        suggest=True,
        describe="200 items under one export line, Hanja and English headers (品番 (Part No.), 品名, "
        "顧客品番, 分類 with full-width ＥＣＬＡＳＳ); customer numbers blank, '-' or 없음, a part number typed in "
        "full width, an item without a name, a part number used twice for two different items",
        mapping={
            "entity": "part_type",
            "sheet": "품목마스터",
            "header": {"row": 2},
            "fields": {
                "id": {"column": nfkc(headers[0])},
                "manufacturer_part_id": {"column": nfkc(headers[0])},
                "name": {"column": nfkc(headers[1])},
                "customer_part_id": {"column": nfkc(headers[3])},
                "classification": {"column": nfkc(headers[4])},
            },
        },
    )
    sheet = Sheet("품목마스터")
    sheet.row("품목 마스터 (ERP 출력: 2026-03-02 10:12, 사용자: admin)")
    sheet.row(*headers)
    kinds = [
        ("BR", "브래킷", "23-11-01-01"),
        ("CV", "커버", "23-11-02-03"),
        ("HS", "하우징", "23-11-02-01"),
        ("SH", "샤프트", "23-05-09-01"),
        ("DS", "드라이브 샤프트", "23-05-09-02"),
        ("KN", "너클", "23-11-01-07"),
        ("SP", "스페이서", "23-11-04-02"),
    ]
    ids: list[str] = []
    for i in range(200):
        prefix, base, eclass = kinds[i % len(kinds)]
        part = f"{prefix}-{4000 + i * 13 % 997 + i}"
        item_name = f"{base} {rng.choice(['A', 'B', 'C', 'LH', 'RH', '보강형', '경량형'])}"
        errors: list[tuple[str | None, str]] = []
        if i == 56:
            part = ids[11]
            errors.append(("id", "duplicate-key"))
        assert i == 56 or part not in ids, part
        ids.append(part)
        written_id = fullwidth(part) if i == 149 else part
        written_name: str | None = item_name
        if i == 100:
            written_name = None
            errors.append(("name", "missing-value"))
        customer: str | None = f"HB-{rng.randint(10000, 99999)}-A"
        written_customer: str | None = customer
        notes = 0
        if i % 10 in (7, 8):
            customer = written_customer = None
        if i % 10 == 9:
            customer, written_customer, notes = None, "-", 1
        classification = eclass if i % 13 else None
        line = sheet.row(
            written_id,
            written_name,
            f"{rng.choice(['Ø25', 'Ø30', 't2.5', 'M8'])}×{rng.randint(20, 150)}",
            written_customer,
            classification,
            "EA",
            "Y" if i % 17 else "N",
        )
        record = case.rec(
            line,
            errors,
            notes,
            id=part,
            manufacturer_part_id=part,
            name=item_name,
            customer_part_id=customer,
            classification=classification,
        )
        if i in (0, 9, 13, 149, 199, 11):
            case.show(record)
    write_xlsx(folder / name, [sheet])
    return case


def bom_export(folder: Path) -> Case:
    rng = random.Random(1462)
    name = "erp_bom_export_cp949.csv"
    case = Case(
        name="erp_bom_export_cp949",
        file=f"files/{name}",
        sector="injection",
        system="ERP single-level BOM export (tab-delimited text, CP949)",
        entity="bom_link",
        suggest=False,
        describe="single-level BOM of 8 assemblies, tab-delimited CP949 with ERP unit codes EA, KG, G, M, L; "
        "dates 20260302; in-house parts without supplier; a label with quantity 0 and packaging in BOX",
        mapping={
            "entity": "bom_link",
            "fields": {
                "parent": {"column": "모품번"},
                "child": {"column": "자품번"},
                "quantity": {"column": "소요량", "unit_column": "단위"},
                "business_partner": {"column": "공급업체"},
                "lifecycle": {"value": "as-planned"},
                "created_on": {"column": "적용일자", "format": "20260302"},
            },
        },
    )
    pool = [
        ("SCR-M6X16", "볼트 M6x16", "EA", [2, 4, 6, 8], "(주)대성볼트"),
        ("NUT-M6", "너트 M6", "EA", [2, 4], "(주)대성볼트"),
        ("WSH-6", "평와셔 6", "EA", [4, 8], "(주)대성볼트"),
        ("BR-4410", "브래킷", "EA", [1, 2], None),
        ("CV-1010", "커버", "EA", [1], None),
        ("HS-3110", "하우징", "EA", [1], None),
        ("GR-EP2", "그리스 EP2", "G", [12.5, 8.0, 20.0], "한국윤활(주)"),
        ("AD-1K", "접착제 1액형", "KG", [0.05, 0.12], "세원케미칼"),
        ("WH-AVS05", "전선 AVS 0.5sq", "M", [1.2, 0.8, 2.5], "경신전선"),
        ("PT-GRY", "도료 회색", "L", [0.05, 0.08], "세원케미칼"),
        ("LB-01", "라벨", "EA", [1], "인쇄나라"),
        ("SL-O25", "O-링 25", "EA", [1, 2], "동아실링"),
        ("SP-12", "스프링", "EA", [1, 2], "동아실링"),
        ("PN-D4", "핀 Ø4", "EA", [2], "(주)대성볼트"),
    ]
    units = {
        "EA": (1.0, "piece"),
        "KG": (1.0, "kilogram"),
        "G": (0.001, "kilogram"),
        "M": (1.0, "meter"),
        "L": (0.001, "meter ** 3"),
    }
    table = Table()
    table.row("레벨", "모품번", "자품번", "자품명", "소요량", "단위", "공급업체", "적용일자")
    for a in range(8):
        parent = f"ASSY-77{10 + a}"
        since = date(2026, 1, 5) + timedelta(days=14 * a)
        children = rng.sample(pool, 11)
        if a == 3 and all(c[0] != "LB-01" for c in children):
            children[-1] = pool[10]
        if a == 5:
            children.append(("PC-BOX", "포장박스", "BOX", [1], "태양포장"))
        for child, child_name, unit, choices, supplier in children:
            qty = rng.choice(choices)
            written_qty = str(qty)
            errors: list[tuple[str | None, str]] = []
            if a == 3 and child == "LB-01":
                qty, written_qty, errors = 0, "0", [("quantity", "out-of-range")]
            if unit == "BOX":
                errors = [("quantity", "unknown-unit")]
            line = table.row(
                "1", parent, child, child_name, written_qty, unit, supplier or "", since.strftime("%Y%m%d")
            )
            factor, canonical = units.get(unit, (1.0, None))
            record = case.rec(
                line,
                errors,
                parent=parent,
                child=child,
                quantity=qty * factor,
                quantity_unit=canonical,
                business_partner=supplier,
                lifecycle="as-planned",
                created_on=utc(datetime(since.year, since.month, since.day)),
            )
            if (a == 0 and child in (children[0][0], children[1][0])) or unit in ("G", "M", "L") and a in (1, 2, 6):
                case.show(record)
    write_text(folder / name, table, encoding="cp949", delimiter="\t")
    return case


def lot_master(folder: Path) -> Case:
    rng = random.Random(1463)
    name = "erp_lot_master.xlsx"
    kinds = {"LOT": "batch", "로트": "batch", "S/N": "serial", "시리얼": "serial"}
    case = Case(
        name="erp_lot_master",
        file=f"files/{name}",
        sector="casting",
        system="ERP lot history export (Excel)",
        entity="part_instance",
        sheet="로트이력",
        suggest=False,
        describe="150 lots and serials with kind written four ways (LOT, 로트, S/N, 시리얼), production dates as date "
        "cells, text 2026/3/2 and serial numbers; an undeclared 반제품, 2026/2/30, a lot number entered twice",
        mapping={
            "entity": "part_instance",
            "sheet": "로트이력",
            "fields": {
                "global_asset_id": {"column": "로트번호"},
                "local_id": {"column": "로트번호"},
                "part_type": {"column": "품번"},
                "kind": {"column": "구분", "values": kinds},
                "production_date": {"column": "생산일자", "format": "2026/3/2"},
                "site": {"column": "생산공장"},
            },
        },
    )
    sheet = Sheet("로트이력")
    sheet.row("로트번호", "품번", "구분", "생산일자", "생산공장", "수량", "비고")
    lots: list[str] = []
    for i in range(150):
        made = datetime(2026, 2, 2) + timedelta(days=i // 5)
        written_kind = rng.choices(list(kinds), [70, 10, 15, 5])[0]
        kind = kinds[written_kind]
        part = rng.choice(["VB-300", "VB-310", "HS-3110", "KN-7730"])
        lot = f"L{made:%y%m%d}-{i % 5 + 1:02d}" if kind == "batch" else f"SN{made:%y%m%d}{i:05d}"
        errors: list[tuple[str | None, str]] = []
        if i == 120:
            lot = lots[30]
            errors.append(("global_asset_id", "duplicate-key"))
        lots.append(lot)
        if i == 99:
            written_kind = "반제품"
            errors.append(("kind", "unknown-code"))
        when: object = made
        if i % 7 in (4, 5):
            when = f"{made.year}/{made.month}/{made.day}"
        if i % 7 == 6:
            when = Num(serial(made), "General")
        if i == 77:
            when = "2026/2/30"
            errors.append(("production_date", "bad-date"))
        site = "창원공장" if i % 3 else "김해공장"
        line = sheet.row(
            lot, part, written_kind, when, site, Num(rng.randint(200, 2000) if kind == "batch" else 1, "#,##0"), None
        )
        record = case.rec(
            line,
            errors,
            global_asset_id=lot,
            local_id=lot,
            part_type=part,
            kind=kind,
            production_date=utc(made),
            site=site,
        )
        if i in (0, 4, 6, 30, 149) or (written_kind in ("S/N", "시리얼") and i in (10, 11, 12, 13, 14, 15)):
            case.show(record)
    write_xlsx(folder / name, [sheet])
    return case


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
        suggest=False,
        describe="incoming inspection log, March on the third of three month sheets: title and note rows, 입고일자 "
        "header with a line break, an empty spacer column, an unnamed memo column, blank rows between days, a 주) "
        "note inside the data; dates as date cells, text 2026.03.05 and a serial number; 측정불가, 미검사, N/A, '-' "
        "for appearance, '12..5', full width, '120.02mm', 2026.02.30, a pasted-twice row",
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
            for sample in range(3):
                x = round(rng.gauss(centre, sigma), decimals)
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
                    written = f"{x:.2f}mm"
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


MAKERS = [item_master, bom_export, lot_master, portal_monthly, weekly_long, incoming_inspection, daily_production]
