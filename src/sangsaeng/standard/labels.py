"""What a person reads for the canonical model: the name and a one-line description of each entity and field,
and a word for each code a field may hold (carrier ``electricity`` → 전력), in Korean and English.

Pure data, keyed by names (not by the models), so a label can be written before its field lands and every reader
— the portal's pages, the upload flow, the command line — says the same thing. Anything unknown falls back to
its own name: a label is never the reason a page fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Language = Literal["ko", "en"]


@dataclass(frozen=True)
class Label:
    ko: str
    en: str

    def text(self, language: str) -> str:
        return self.ko if language == "ko" else self.en


@dataclass(frozen=True)
class FieldLabel:
    """A field's name and what it holds, in both languages."""

    ko: str
    en: str
    ko_description: str
    en_description: str

    def text(self, language: str) -> str:
        return self.ko if language == "ko" else self.en

    def description(self, language: str) -> str:
        return self.ko_description if language == "ko" else self.en_description


F = FieldLabel

ENTITY_LABELS: dict[str, Label] = {
    "organization": Label("기업", "Organization"),
    "site": Label("사업장", "Site"),
    "equipment": Label("설비", "Equipment"),
    "part_type": Label("품목", "Part type"),
    "part_instance": Label("개별 부품·로트", "Part or lot"),
    "bom_link": Label("BOM 구성", "Bill of material link"),
    "measurement": Label("측정값(시계열)", "Machine measurement"),
    "production_run": Label("생산 실적", "Production run"),
    "quality_result": Label("품질 검사 결과", "Quality result"),
    "energy_record": Label("에너지 사용량", "Energy use"),
    "product_footprint": Label("제품 탄소발자국", "Product carbon footprint"),
    "demand_forecast": Label("수요 예측", "Demand forecast"),
}

# Fields several entities share, with the same meaning everywhere.
_RAW_VALUE = F("원본 값", "Value as read", "변환 전, 파일에 적힌 그대로의 값", "The value as the source gave it")
_RAW_UNIT = F("원본 단위", "Unit as read", "파일에 적힌 그대로의 단위", "The unit as the source wrote it")
_EQUIPMENT = F("설비", "Equipment", "설비 ID", "The equipment's id")
_PART_TYPE = F("품목", "Part type", "품목 ID", "The part type's id")

FIELD_LABELS: dict[str, dict[str, FieldLabel]] = {
    "organization": {
        "id": F(
            "기업 ID",
            "Company id",
            "기업을 가리키는 URI (예: urn:sangsaeng:participant:hanbit)",
            "A URI naming the company",
        ),
        "name": F("기업명", "Name", "기업의 이름", "The company's name"),
        "business_registration_number": F(
            "사업자등록번호",
            "Business registration number",
            "10자리 사업자등록번호",
            "Korean business number, 10 digits",
        ),
        "sector": F("업종", "Sector", "한국표준산업분류(KSIC) 코드 (예: C29 기계, C30 자동차)", "KSIC code, e.g. C29"),
        "size_class": F("기업 규모", "Size class", "대기업, 중견기업 또는 중소기업", "Large, mid-sized or SME"),
    },
    "site": {
        "id": F("사업장 ID", "Site id", "사업장을 가리키는 ID", "The site's id"),
        "organization": F("기업", "Organization", "사업장이 속한 기업의 ID", "The organization's id"),
        "country": F("국가", "Country", "ISO 국가 코드 (예: KR)", "ISO 3166-1 alpha-2 country code, e.g. KR"),
        "region": F("지역", "Region", "시·도 또는 도시 (예: 창원)", "Region or city, e.g. Changwon"),
    },
    "equipment": {
        "id": F(
            "설비 ID", "Equipment id", "설비를 가리키는 ID (AAS 자산 ID가 됩니다)", "Equipment id (the AAS asset id)"
        ),
        "site": F("사업장", "Site", "설비가 있는 사업장의 ID", "The site's id"),
        "isa95_path": F(
            "설비 계층 경로", "ISA-95 path", "기업/사업장/구역/작업장/설비 순의 ISA-95 계층", "Enterprise/Site/Area/…"
        ),
        "manufacturer": F("제조사", "Manufacturer", "설비 제조사 이름", "Manufacturer name"),
        "model": F("모델명", "Model", "제조사의 모델명", "Manufacturer's model designation"),
        "serial_number": F("제조번호", "Serial number", "설비의 제조번호", "Serial number"),
        "year": F("제작 연도", "Year built", "설비를 만든 연도", "Year of construction"),
    },
    "part_type": {
        "id": F("품목 ID", "Part type id", "품목을 가리키는 ID", "Part type id"),
        "manufacturer_part_id": F("품번", "Part number", "제조사의 품번", "The manufacturer's part number"),
        "customer_part_id": F(
            "고객사 품번", "Customer part number", "고객사가 쓰는 품번", "The customer's part number"
        ),
        "name": F("품명", "Part name", "품목의 이름", "Part name"),
        "classification": F("분류 코드", "Classification", "분류 체계의 코드 (예: ECLASS)", "e.g. an ECLASS code"),
        "name_at_customer": F("고객사 품명", "Name at customer", "고객사가 쓰는 품명", "The customer's name for it"),
        "classification_standard": F(
            "분류 체계", "Classification standard", "분류 코드가 속한 체계 (예: ECLASS)", "Standard of the code"
        ),
    },
    "part_instance": {
        "global_asset_id": F(
            "글로벌 자산 ID", "Global asset id", "Catena-X 글로벌 자산 ID (urn:uuid:…)", "Catena-X global asset id"
        ),
        "part_type": _PART_TYPE,
        "kind": F("구분", "Kind", "개별 부품(시리얼) 또는 로트", "A serialized part or a batch"),
        "local_id": F("일련번호·로트번호", "Serial or lot number", "일련번호 또는 로트번호", "Serial or lot number"),
        "production_date": F("생산 일시", "Made on", "만든 때", "When it was made"),
        "site": F("생산 사업장", "Site", "만든 사업장", "Where it was made"),
    },
    "bom_link": {
        "parent": F("상위 부품", "Parent", "상위 부품의 글로벌 자산 ID", "Parent part instance"),
        "child": F("하위 부품", "Child", "하위 부품의 글로벌 자산 ID", "Child part instance"),
        "quantity": F("수량", "Quantity", "상위 부품에 들어가는 하위 부품의 수량", "How many of the child"),
        "quantity_unit": F("수량 단위", "Quantity unit", "수량의 단위 (개, kg, m …)", "Unit of the quantity"),
        "business_partner": F("공급 기업", "Supplier", "하위 부품을 공급한 기업", "Who supplied the child"),
        "lifecycle": F("구분", "Lifecycle", "실적 BOM 또는 계획 BOM", "As built or as planned"),
        "created_on": F("구성 일시", "Linked on", "구성한 때", "When the link was made"),
        "customer": F("고객 기업", "Customer", "상위 부품을 만든, 하위 부품을 받은 기업", "Who built the parent"),
        "has_alternatives": F(
            "대체 후보 여부",
            "Has alternatives",
            "같은 품번의 다른 부품이 대신 들어갔을 수도 있는지",
            "Whether another part of the same number may be the one built in",
        ),
    },
    "measurement": {
        "equipment": _EQUIPMENT,
        "signal": F("신호명", "Signal", "측정한 신호 (예: 주축 온도)", "Signal name, e.g. spindle_temperature"),
        "timestamp": F("측정 일시", "Measured at", "측정한 때", "When it was measured"),
        "value": F("측정값", "Value", "단위 열의 단위로 적은 값", "The value in its unit"),
        "unit": F("단위", "Unit", "측정값의 단위", "Unit of the value"),
        "raw_value": _RAW_VALUE,
        "raw_unit": _RAW_UNIT,
        "quality": F("데이터 품질", "Data quality", "정상, 불확실 또는 불량 (OPC UA 방식)", "Good, uncertain or bad"),
        "source": F("수집 경로", "Source", "수집한 프로토콜과 주소", "Protocol and address it came from"),
    },
    "production_run": {
        "order": F("작업지시 번호", "Production order", "생산 작업지시 번호", "Production order"),
        "equipment": _EQUIPMENT,
        "part_type": F("품목", "Part type", "생산한 품목", "The part type made"),
        "planned_time": F("계획 가동 시간", "Planned time", "계획한 가동 시간", "Planned busy time"),
        "run_time": F("실가동 시간", "Run time", "실제로 가동한 시간", "Actual run time"),
        "downtime": F("비가동 시간", "Downtime", "계획에 없던 정지 시간", "Unplanned downtime"),
        "total_count": F("생산 수량", "Parts made", "만든 전체 수량", "Parts made"),
        "good_count": F("양품 수량", "Good parts", "양품 수량", "Good parts made"),
        "defect_count": F("불량 수량", "Defects", "불량 수량", "Defective parts"),
        "ideal_cycle_time": F(
            "이론 사이클 타임", "Ideal cycle time", "부품 하나의 이론 가공 시간", "Ideal time per part"
        ),
        "shift": F("근무조", "Shift", "작업한 근무조 (예: 주간, 야간, A조)", "The shift, e.g. day, night, A"),
        "started_at": F("시작 일시", "Started", "작업을 시작한 때", "When the run started"),
        "ended_at": F("종료 일시", "Ended", "작업을 마친 때", "When the run ended"),
        "cavities": F("캐비티 수", "Cavities", "한 번에 찍어 내는 금형 캐비티 수", "Mould cavities per shot"),
    },
    "quality_result": {
        "subject": F("검사 대상", "Subject", "검사한 부품의 일련번호나 로트번호", "Part or lot inspected"),
        "lot": F("로트번호", "Lot", "일련번호가 속한 로트", "The lot a serial belongs to"),
        "characteristic": F("검사 항목", "Characteristic", "측정한 항목 (예: 내경)", "What was measured"),
        "sample": F("시료 번호", "Sample", "같은 항목을 여러 번 잰 경우의 순번 (1, 2, …)", "Sample number 1, 2, …"),
        "inspected_at": F("검사 일시", "Inspected at", "검사한 때", "When it was inspected"),
        "value": F("측정값", "Value", "단위 열의 단위로 적은 측정값 (외관 검사는 비어 있음)", "Measured value"),
        "nominal": F("기준값", "Nominal", "도면상의 기준 치수 (측정값과 같은 단위)", "Nominal value, in the unit"),
        "unit": F("단위", "Unit", "측정값과 규격의 단위", "Unit of value and limits"),
        "raw_value": _RAW_VALUE,
        "raw_unit": _RAW_UNIT,
        "lower_spec_limit": F(
            "하한 규격", "Lower limit", "규격 하한 (측정값과 같은 단위)", "Lower specification limit"
        ),
        "upper_spec_limit": F(
            "상한 규격", "Upper limit", "규격 상한 (측정값과 같은 단위)", "Upper specification limit"
        ),
        "passed": F("합격 여부", "Passed", "이 항목이 합격했는지", "Whether the characteristic passed"),
        "disposition": F(
            "판정",
            "Disposition",
            "합격, 불합격, 재작업, 재검사 또는 특채",
            "Accept, reject, rework, reinspect, concession",
        ),
    },
    "energy_record": {
        "consumer": F("사용처", "Consumer", "에너지를 쓴 사업장이나 설비의 ID", "Site or equipment id"),
        "period_start": F("기간 시작", "Period start", "사용 기간의 시작", "Start of the period"),
        "period_end": F("기간 종료", "Period end", "사용 기간의 끝", "End of the period"),
        "carrier": F("에너지원", "Carrier", "전력, LNG, LPG, 경유, 스팀 등", "Electricity, LNG, LPG, diesel, steam …"),
        "amount": F("사용량", "Amount", "사용한 에너지 (kWh)", "Energy used (kWh)"),
        "raw_value": _RAW_VALUE,
        "raw_unit": _RAW_UNIT,
        "emission_factor": F("배출계수", "Emission factor", "에너지원의 온실가스 배출계수", "Emission factor"),
        "calorific_factor": F(
            "발열량 환산계수",
            "Calorific factor",
            "연료의 부피·무게를 kWh로 바꾼 계수",
            "Factor that made fuel into kWh",
        ),
        "calorific_unit": F("발열량 단위", "Calorific unit", "환산계수의 단위 (예: MJ/Nm³)", "Unit of the factor"),
        "calorific_basis": F("발열량 기준", "Calorific basis", "총발열량 또는 순발열량", "Gross or net"),
        "estimated": F("추정치 여부", "Estimated", "검침값이 아니라 추정한 값인지", "Whether the value is an estimate"),
    },
    "product_footprint": {
        "id": F("탄소발자국 ID", "Footprint id", "탄소발자국의 ID (urn:uuid:…)", "Footprint id"),
        "spec_version": F("PACT 규격 버전", "PACT version", "따른 PACT 규격의 버전 (예: 2.2.0)", "PACT spec version"),
        "version": F("버전", "Version", "이 탄소발자국의 버전", "Version of this footprint"),
        "status": F("상태", "Status", "유효 또는 폐기", "Active or deprecated"),
        "company_ids": F("보고 기업", "Company ids", "보고한 기업의 ID", "Ids of the reporting company"),
        "product_ids": F("제품 ID", "Product ids", "제품의 ID", "Ids of the product"),
        "declared_unit": F("기준 단위", "Declared unit", "탄소발자국이 기준으로 삼는 단위", "The unit it refers to"),
        "declared_amount": F("기준 수량", "Declared amount", "기준 단위의 수량", "Amount of the declared unit"),
        "pcf_excluding_biogenic": F(
            "탄소발자국(생물기원 제외)", "PCF without biogenic", "생물기원 흡수를 뺀 배출량", "Without biogenic uptake"
        ),
        "pcf_including_biogenic": F(
            "탄소발자국(생물기원 포함)", "PCF with biogenic", "생물기원 흡수를 포함한 배출량", "With biogenic uptake"
        ),
        "reference_period_start": F("기준 기간 시작", "Period start", "기준 기간의 시작", "Start of the period"),
        "reference_period_end": F("기준 기간 종료", "Period end", "기준 기간의 끝", "End of the period"),
        "geography": F(
            "지역", "Geography", "국가(KR), 시·도(KR-26) 또는 UN 지역(Eastern Asia)", "Country, subdivision or region"
        ),
        "preceding_pf_ids": F(
            "이전 판 탄소발자국", "Earlier versions", "이 탄소발자국의 이전 판 ID", "Ids of earlier versions"
        ),
        "primary_data_share": F("1차 데이터 비율", "Primary data share", "1차 데이터의 비율 (%)", "Share, percent"),
        "company_name": F("보고 기업명", "Company name", "탄소발자국을 보고하는 기업의 이름", "The reporting company"),
        "product_name": F("제품명", "Product name", "기업이 부르는 제품의 이름 (상품명)", "The product's trade name"),
        "product_description": F("제품 설명", "Product description", "제품과 생산 방식의 설명", "What the product is"),
        "product_category_cpc": F(
            "제품 분류(CPC)", "Product category (CPC)", "UN CPC 제품 분류 코드 (예: 43221)", "UN CPC code"
        ),
        "product_classifications": F(
            "제품 분류 URN", "Product classifications", "제품 분류 URN 목록", "Classifications as URNs"
        ),
        "comment": F("비고", "Comment", "그 밖에 알릴 내용", "Anything else to know"),
        "product_mass_per_declared_unit": F(
            "기준 단위당 제품 질량",
            "Mass per declared unit",
            "포장을 뺀 제품 질량 (kg)",
            "Product mass without packaging",
        ),
        "fossil_ghg_emissions": F(
            "화석 온실가스 배출량",
            "Fossil GHG emissions",
            "화석 연료·공정에서 나온 배출량",
            "Emissions from fossil sources",
        ),
        "fossil_carbon_content": F(
            "화석 탄소 함량", "Fossil carbon content", "제품에 든 화석 탄소의 질량", "Mass of fossil carbon"
        ),
        "biogenic_carbon_content": F(
            "생물기원 탄소 함량", "Biogenic carbon content", "제품에 든 생물기원 탄소의 질량", "Mass of biogenic carbon"
        ),
        "packaging_emissions_included": F(
            "포장 배출 포함", "Packaging included", "탄소발자국에 포장 배출이 포함되었는지", "Whether packaging is in"
        ),
        "packaging_ghg_emissions": F(
            "포장 배출량", "Packaging emissions", "포장에서 나온 배출량", "Emissions of the packaging"
        ),
        "ipcc_characterization_factors": F(
            "IPCC 특성화 계수", "IPCC factors", "사용한 IPCC 평가보고서 (예: AR6)", "IPCC reports used, e.g. AR6"
        ),
        "cross_sectoral_standards": F(
            "산정 표준", "Standards followed", "따른 산정 표준 (예: ISO14067)", "Standards, e.g. ISO14067"
        ),
        "boundary_processes_description": F(
            "공정 범위 설명", "Boundary processes", "단계별로 포함한 공정", "Processes included"
        ),
        "exempted_emissions_percent": F(
            "제외 배출 비율",
            "Exempted emissions",
            "산정에서 뺀 배출의 비율 (%, 5% 이하 권장)",
            "Share left out, percent",
        ),
        "exempted_emissions_description": F(
            "제외 배출 설명", "Why exempted", "배출을 뺀 이유 (없으면 빈칸)", "Why emissions were left out"
        ),
        "allocation_rules_description": F(
            "할당 규칙", "Allocation rules", "적용한 할당 규칙과 그 이유", "Allocation rules applied"
        ),
        "created": F("작성 일시", "Created", "탄소발자국을 만든 때", "When the footprint was made"),
        "validity_period_start": F("유효 기간 시작", "Valid from", "사용해도 되는 기간의 시작", "Valid for use from"),
        "validity_period_end": F("유효 기간 종료", "Valid until", "사용해도 되는 기간의 끝", "Valid for use until"),
        "declared_unit_pact": F(
            "PACT 기준 단위", "PACT declared unit", "PACT가 부르는 기준 단위 (예: 메가줄)", "PACT's word for the unit"
        ),
    },
    "demand_forecast": {
        "buyer": F("구매 기업", "Buyer", "구매하는 기업", "The buying organization"),
        "part_type": _PART_TYPE,
        "period_start": F("기간 시작일", "Period start", "기간의 첫날", "First day of the period"),
        "period_end": F("기간 종료일", "Period end", "기간의 마지막 날", "Last day of the period"),
        "quantity": F("수량", "Quantity", "수량 단위로 적은 수량", "Quantity in its unit"),
        "quantity_unit": F("수량 단위", "Quantity unit", "수량의 단위", "Unit of the quantity"),
        "firmness": F("확정 여부", "Firmness", "확정 주문 또는 예측", "A firm order or a forecast"),
    },
}

# The codes a field may hold (its Literal values; booleans as "true"/"false"), by field name: each such field
# means the same in every entity that has it.
CODE_LABELS: dict[str, dict[str, Label]] = {
    "size_class": {
        "large": Label("대기업", "large"),
        "mid": Label("중견기업", "mid-sized"),
        "sme": Label("중소기업", "SME"),
    },
    "kind": {"serial": Label("개별 부품", "serial"), "batch": Label("로트", "batch")},
    "lifecycle": {"as-built": Label("실적 BOM", "as built"), "as-planned": Label("계획 BOM", "as planned")},
    "quality": {"good": Label("정상", "good"), "uncertain": Label("불확실", "uncertain"), "bad": Label("불량", "bad")},
    "carrier": {
        "electricity": Label("전력", "electricity"),
        "lng": Label("LNG", "LNG"),
        "lpg": Label("LPG", "LPG"),
        "diesel": Label("경유", "diesel"),
        "steam": Label("스팀", "steam"),
        "other": Label("기타", "other"),
    },
    "status": {"Active": Label("유효", "active"), "Deprecated": Label("폐기", "deprecated")},
    "firmness": {"firm": Label("확정 주문", "firm"), "forecast": Label("예측", "forecast")},
    "disposition": {
        "accept": Label("합격", "accept"),
        "reject": Label("불합격", "reject"),
        "rework": Label("재작업", "rework"),
        "reinspect": Label("재검사", "reinspect"),
        "concession": Label("특채", "concession"),
    },
    "calorific_basis": {"gross": Label("총발열량", "gross"), "net": Label("순발열량", "net")},
    "passed": {"true": Label("합격", "pass"), "false": Label("불합격", "fail")},
    "estimated": {"true": Label("추정", "estimated"), "false": Label("실측", "metered")},
    "has_alternatives": {"true": Label("후보 중 하나", "one of several"), "false": Label("확정", "this one")},
    "declared_unit_pact": {
        "liter": Label("리터", "liter"),
        "kilogram": Label("킬로그램", "kilogram"),
        "cubic meter": Label("세제곱미터", "cubic meter"),
        "kilowatt hour": Label("킬로와트시", "kilowatt hour"),
        "megajoule": Label("메가줄", "megajoule"),
        "ton kilometer": Label("톤킬로미터", "ton kilometer"),
        "square meter": Label("제곱미터", "square meter"),
        "piece": Label("개", "piece"),
        "hour": Label("시간", "hour"),
        "megabit second": Label("메가비트초", "megabit second"),
    },
}


def entity_label(entity: str, language: str = "ko") -> str:
    found = ENTITY_LABELS.get(entity)
    return found.text(language) if found else entity


def _field(entity: str | None, name: str) -> FieldLabel | None:
    if entity in FIELD_LABELS:
        return FIELD_LABELS[entity].get(name)
    # A column whose entity is not known: named only when every entity that has it names it alike (``unit``,
    # ``raw_value``), not ``name`` (a company's name in one, a part's in another).
    found = {fields[name] for fields in FIELD_LABELS.values() if name in fields}
    return found.pop() if len({f.ko for f in found}) == 1 else None


def field_label(entity: str | None, name: str, language: str = "ko") -> str:
    """The field's name in ``language``; ``entity`` None (a column of unknown origin) takes the label every
    entity with that field agrees on; an unknown name is itself."""
    found = _field(entity, name)
    return found.text(language) if found else name


def field_description(entity: str | None, name: str, language: str = "ko") -> str:
    found = _field(entity, name)
    return found.description(language) if found else ""


def code_label(field: str, code: Any, language: str = "ko") -> str:
    """The word for a code ``field`` holds (``carrier``, ``electricity`` → 전력); True/False as ``"true"``/
    ``"false"``; anything unknown as written."""
    key = ("true" if code else "false") if isinstance(code, bool) else str(code)
    found = CODE_LABELS.get(field, {}).get(key)
    return found.text(language) if found else key


def entity_of(columns: list[str]) -> str | None:
    """The entity a table of these columns holds, when exactly one entity has every one of them (a partner's
    data carries its column names, not always its entity)."""
    wanted = set(columns)
    found = [entity for entity, fields in FIELD_LABELS.items() if wanted and wanted <= set(fields)]
    return found[0] if len(found) == 1 else None


def has_codes(field: str) -> bool:
    return field in CODE_LABELS
