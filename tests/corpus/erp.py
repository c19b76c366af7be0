"""ERP exports: an item master with Hanja headers, a single-level BOM (tab-delimited CP949) and a lot history."""

from __future__ import annotations

import random
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

from tests.corpus.kit import (
    Case,
    Num,
    Rec,
    Sheet,
    Table,
    fullwidth,
    serial,
    utc,
    write_text,
    write_xlsx,
)


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
    made: list[Rec] = []
    for i in range(200):
        prefix, base, eclass = kinds[i % len(kinds)]
        part = f"{prefix}-{4000 + i * 13 % 997 + i}"
        item_name = f"{base} {rng.choice(['A', 'B', 'C', 'LH', 'RH', '보강형', '경량형'])}"
        errors: list[tuple[str | None, str]] = []
        if i == 56:  # one number, two different items: neither can be trusted, both are set aside
            part = ids[11]
            errors.append(("id", "duplicate-key"))
            made[11].errors.append(("id", "duplicate-key"))
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
            customer, written_customer, notes = None, "없음" if i % 20 == 19 else "-", 1
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
        made.append(record)
        if i in (0, 9, 13, 149, 199, 19):
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
    sheet.row("로트번호", "품번", "구분", "생산일자", "생산공장", "數量", "비고")
    lots: list[str] = []
    made_records: list[Rec] = []
    for i in range(150):
        made = datetime(2026, 2, 2) + timedelta(days=i // 5)
        written_kind = rng.choices(list(kinds), [70, 10, 15, 5])[0]
        kind = kinds[written_kind]
        part = rng.choice(["VB-300", "VB-310", "HS-3110", "KN-7730"])
        lot = f"L{made:%y%m%d}-{i % 5 + 1:02d}" if kind == "batch" else f"SN{made:%y%m%d}{i:05d}"
        errors: list[tuple[str | None, str]] = []
        if i == 120:  # one lot number entered twice with different quantities: both are set aside
            lot = lots[30]
            errors.append(("global_asset_id", "duplicate-key"))
            made_records[30].errors.append(("global_asset_id", "duplicate-key"))
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
        made_records.append(record)
        if i in (0, 4, 6, 31, 149) or (written_kind in ("S/N", "시리얼") and i in (10, 11, 12, 13, 14, 15)):
            case.show(record)
    write_xlsx(folder / name, [sheet])
    return case


MAKERS = [item_master, bom_export, lot_master]
