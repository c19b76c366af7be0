"""Propose a mapping from a source's headers and a sample of its values (Korean and English synonyms).

The proposal is a starting point a person confirms or edits; every field it could not place is left out, and
``missing`` lists the required ones so the person knows what to add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sangsaeng.standard.entities import ENTITIES, literal_values
from sangsaeng.standard.mapping import FieldMap, Mapping, _base
from sangsaeng.standard.units import recognize

SYNONYMS: dict[str, list[str]] = {
    # shared
    "subject": ["로트번호", "로트", "lot", "lotno", "lotnumber", "batch", "batchno", "시리얼", "serial", "serialno"],
    "local_id": ["로트번호", "로트", "lot", "lotno", "batchno", "시리얼번호", "serialno", "serialnumber"],
    "part_type": ["품번", "partno", "partnumber", "part", "품목코드", "itemcode", "material"],
    "manufacturer_part_id": ["품번", "partno", "partnumber", "제조사품번"],
    "customer_part_id": ["고객품번", "customerpartno", "customerpartnumber"],
    "name": ["품명", "부품명", "name", "partname", "itemname", "회사명", "업체명"],
    "characteristic": ["검사항목", "측정항목", "특성", "characteristic", "item", "inspectionitem", "parameter"],
    "inspected_at": ["검사일자", "검사일시", "검사일", "inspectiondate", "inspectedat", "date", "일자"],
    "value": ["측정값", "측정치", "값", "value", "measured", "measurement", "result_value"],
    "lower_spec_limit": ["하한", "하한값", "규격하한", "lsl", "lowerlimit", "lowerspeclimit", "min"],
    "upper_spec_limit": ["상한", "상한값", "규격상한", "usl", "upperlimit", "upperspeclimit", "max"],
    "passed": ["판정", "합부", "합부판정", "결과", "result", "judgement", "judgment", "pass", "passed", "okng"],
    "equipment": ["설비", "설비번호", "설비코드", "equipment", "machine", "machineid", "호기"],
    "signal": ["신호", "태그", "항목", "signal", "tag", "tagname", "channel"],
    "timestamp": ["시각", "시간", "일시", "timestamp", "time", "datetime", "측정시각"],
    "consumer": ["사업장", "공장", "설비", "site", "plant", "consumer", "meter"],
    "period_start": ["시작", "시작일", "기간시작", "from", "start", "periodstart", "년월", "month"],
    "period_end": ["종료", "끝", "종료일", "기간종료", "to", "end", "periodend"],
    "carrier": ["에너지원", "에너지종류", "연료", "carrier", "energytype", "fuel"],
    "amount": ["사용량", "전력량", "에너지사용량", "amount", "consumption", "usage", "energy"],
    "emission_factor": ["배출계수", "emissionfactor", "ef"],
    "order": ["작업지시", "작업지시번호", "오더", "order", "orderno", "workorder"],
    "planned_time": ["계획시간", "부하시간", "plannedtime"],
    "run_time": ["가동시간", "runtime", "operatingtime"],
    "downtime": ["비가동시간", "정지시간", "downtime"],
    "total_count": ["생산수량", "총생산", "totalcount", "produced", "output"],
    "good_count": ["양품수량", "양품", "goodcount", "good"],
    "ideal_cycle_time": ["표준사이클타임", "이론사이클타임", "ct", "cycletime", "idealcycletime"],
    "production_date": ["생산일자", "제조일자", "productiondate", "manufacturedate"],
    "kind": ["구분", "kind", "type"],
    "parent": ["모품번", "상위", "parent"],
    "child": ["자품번", "하위", "child", "component"],
    "quantity": ["수량", "소요량", "quantity", "qty"],
    "buyer": ["고객사", "구매사", "buyer", "customer"],
    "firmness": ["확정구분", "firmness", "status"],
}
CODES: dict[str, str] = {
    "전기": "electricity",
    "전력": "electricity",
    "도시가스": "lng",
    "lng": "lng",
    "lpg": "lpg",
    "경유": "diesel",
    "디젤": "diesel",
    "스팀": "steam",
    "증기": "steam",
    "확정": "firm",
    "예상": "forecast",
    "예측": "forecast",
    "시리얼": "serial",
    "로트": "batch",
    "배치": "batch",
}
DATE_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%Y-%m",
    "%Y.%m",
    "%d/%m/%Y",
]
_UNIT_IN_HEADER = re.compile(r"^(.*?)[(\[]\s*([^()\[\]]+?)\s*[)\]]\s*$")
_UNIT_HEADERS = {"단위", "unit", "uom", "units"}


def _normal(text: str) -> str:
    return re.sub(r"[\s_\-./]", "", text).casefold()


@dataclass(frozen=True)
class Proposal:
    mapping: Mapping
    missing: list[str]  # required fields nobody could place


def _date_format(samples: list[str]) -> str | None:
    """The format that reads the most samples (at least most of them): a few bad dates must not hide it."""

    def reads(fmt: str, sample: str) -> bool:
        try:
            datetime.strptime(sample, fmt)
        except ValueError:
            return False
        return True

    scored = [(sum(reads(fmt, s) for s in samples), -rank, fmt) for rank, fmt in enumerate(DATE_FORMATS)]
    best, _, fmt = max(scored)
    return fmt if best * 2 > len(samples) else None


def suggest(entity: str, headers: list[str], samples: dict[str, list[str]]) -> Proposal:
    model = ENTITIES[entity]
    placed: dict[str, FieldMap] = {}
    used: set[str] = set()
    units_in_header: dict[str, str] = {}
    names: dict[str, str] = {}
    for header in headers:
        match = _UNIT_IN_HEADER.match(header)
        bare = match.group(1) if match and match.group(1).strip() else header
        if match and match.group(1).strip():
            units_in_header[header] = match.group(2)
        names[header] = _normal(bare)
    unit_column = next((h for h in headers if names[h] in _UNIT_HEADERS), None)
    decimal_comma = any(re.fullmatch(r"-?\d+,\d+", v or "") for vs in samples.values() for v in vs) and not any(
        re.fullmatch(r"-?\d+\.\d+", v or "") for vs in samples.values() for v in vs
    )
    for field, info in model.model_fields.items():
        wanted = {_normal(s) for s in SYNONYMS.get(field, [])} | {_normal(field)}
        column = next((h for h in headers if h not in used and names[h] in wanted), None)
        if column is None:
            continue
        used.add(column)
        base = _base(info.annotation)
        values = [v for v in samples.get(column, []) if v]
        rule: dict[str, Any] = {"column": column}
        if base.__name__ in ("datetime", "date") and values:
            fmt = _date_format(values)
            if fmt:
                rule["format"] = fmt
        if base in (int, float):
            if column in units_in_header:
                try:
                    recognize(units_in_header[column])
                    rule["unit"] = units_in_header[column]
                except Exception:  # an unreadable unit stays for the person to fix
                    pass
            elif unit_column and field in ("value", "amount", "quantity", "lower_spec_limit", "upper_spec_limit"):
                rule["unit_column"] = unit_column  # limits are in the unit of the value they bound
        choices = literal_values(info.annotation)
        if values and choices:
            mapped = {v: CODES.get(v.casefold(), CODES.get(v)) for v in sorted(set(values))}
            if any(m for m in mapped.values()) and all(m in choices for m in mapped.values() if m):
                rule["values"] = {k: v for k, v in mapped.items() if v}
        placed[field] = FieldMap(**rule)
    mapping = Mapping(entity=entity, decimal="," if decimal_comma else ".", fields=placed)
    missing = [n for n, i in model.model_fields.items() if i.is_required() and n not in placed and n not in _DERIVED]
    return Proposal(mapping, missing)


_DERIVED = {"unit"}  # filled from the unit of the value
