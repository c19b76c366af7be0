"""The Korean Standard Industrial Classification (KSIC, 10th revision): sections A–U and their two-digit
divisions, with Korean and English names — every division of manufacturing (C10–C34) by name, the others by
their section. A code is a section letter alone, or a class code of 2 to 5 digits (division, group, class,
sub-class), optionally after its section's letter; only the division is checked to exist."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sangsaeng.i18n.refusals import refusal


@dataclass(frozen=True)
class Named:
    ko: str
    en: str


SECTIONS: dict[str, tuple[Named, range]] = {
    "A": (Named("농업, 임업 및 어업", "Agriculture, forestry and fishing"), range(1, 4)),
    "B": (Named("광업", "Mining and quarrying"), range(5, 9)),
    "C": (Named("제조업", "Manufacturing"), range(10, 35)),
    "D": (
        Named("전기, 가스, 증기 및 공기 조절 공급업", "Electricity, gas, steam and air conditioning supply"),
        range(35, 36),
    ),
    "E": (
        Named(
            "수도, 하수 및 폐기물 처리, 원료 재생업", "Water supply, sewage, waste management and materials recovery"
        ),
        range(36, 40),
    ),
    "F": (Named("건설업", "Construction"), range(41, 43)),
    "G": (Named("도매 및 소매업", "Wholesale and retail trade"), range(45, 48)),
    "H": (Named("운수 및 창고업", "Transportation and storage"), range(49, 53)),
    "I": (Named("숙박 및 음식점업", "Accommodation and food service activities"), range(55, 57)),
    "J": (Named("정보통신업", "Information and communication"), range(58, 64)),
    "K": (Named("금융 및 보험업", "Financial and insurance activities"), range(64, 67)),
    "L": (Named("부동산업", "Real estate activities"), range(68, 69)),
    "M": (Named("전문, 과학 및 기술 서비스업", "Professional, scientific and technical activities"), range(70, 74)),
    "N": (
        Named("사업시설 관리, 사업 지원 및 임대 서비스업", "Business facilities management, support and rental"),
        range(74, 77),
    ),
    "O": (
        Named("공공 행정, 국방 및 사회보장 행정", "Public administration, defence and social security"),
        range(84, 85),
    ),
    "P": (Named("교육 서비스업", "Education"), range(85, 86)),
    "Q": (Named("보건업 및 사회복지 서비스업", "Human health and social work activities"), range(86, 88)),
    "R": (Named("예술, 스포츠 및 여가관련 서비스업", "Arts, sports and recreation related services"), range(90, 92)),
    "S": (
        Named(
            "협회 및 단체, 수리 및 기타 개인 서비스업", "Membership organisations, repair and other personal services"
        ),
        range(94, 97),
    ),
    "T": (
        Named("가구 내 고용활동 및 자가 소비 생산활동", "Activities of households as employers and for own use"),
        range(97, 99),
    ),
    "U": (Named("국제 및 외국기관", "Activities of extraterritorial organisations"), range(99, 100)),
}

MANUFACTURING: dict[int, Named] = {
    10: Named("식료품 제조업", "Food products"),
    11: Named("음료 제조업", "Beverages"),
    12: Named("담배 제조업", "Tobacco products"),
    13: Named("섬유제품 제조업; 의복 제외", "Textiles, except apparel"),
    14: Named("의복, 의복 액세서리 및 모피제품 제조업", "Wearing apparel, clothing accessories and fur articles"),
    15: Named("가죽, 가방 및 신발 제조업", "Leather, luggage and footwear"),
    16: Named("목재 및 나무제품 제조업; 가구 제외", "Wood and products of wood, except furniture"),
    17: Named("펄프, 종이 및 종이제품 제조업", "Pulp, paper and paper products"),
    18: Named("인쇄 및 기록매체 복제업", "Printing and reproduction of recorded media"),
    19: Named("코크스, 연탄 및 석유정제품 제조업", "Coke, briquettes and refined petroleum products"),
    20: Named("화학 물질 및 화학제품 제조업; 의약품 제외", "Chemicals and chemical products, except pharmaceuticals"),
    21: Named("의료용 물질 및 의약품 제조업", "Pharmaceuticals, medicinal chemicals and botanical products"),
    22: Named("고무 및 플라스틱제품 제조업", "Rubber and plastics products"),
    23: Named("비금속 광물제품 제조업", "Other non-metallic mineral products"),
    24: Named("1차 금속 제조업", "Basic metals"),
    25: Named("금속 가공제품 제조업; 기계 및 가구 제외", "Fabricated metal products, except machinery and furniture"),
    26: Named(
        "전자 부품, 컴퓨터, 영상, 음향 및 통신장비 제조업",
        "Electronic components, computers, audio, video and communication equipment",
    ),
    27: Named("의료, 정밀, 광학 기기 및 시계 제조업", "Medical, precision and optical instruments, watches and clocks"),
    28: Named("전기장비 제조업", "Electrical equipment"),
    29: Named("기타 기계 및 장비 제조업", "Other machinery and equipment"),
    30: Named("자동차 및 트레일러 제조업", "Motor vehicles, trailers and semitrailers"),
    31: Named("기타 운송장비 제조업", "Other transport equipment"),
    32: Named("가구 제조업", "Furniture"),
    33: Named("기타 제품 제조업", "Other manufactured goods"),
    34: Named("산업용 기계 및 장비 수리업", "Repair of industrial machinery and equipment"),
}

# Divisions of the 10th revision outside manufacturing (numbers the sections' ranges skip do not exist).
OTHER_DIVISIONS = frozenset(
    {1, 2, 3, 5, 6, 7, 8, 35, 36, 37, 38, 39, 41, 42, 45, 46, 47, 49, 50, 51, 52, 55, 56, 58, 59, 60, 61, 62, 63}
    | {64, 65, 66, 68, 70, 71, 72, 73, 74, 75, 76, 84, 85, 86, 87, 90, 91, 94, 95, 96, 97, 98, 99}
)
DIVISIONS = frozenset(MANUFACTURING) | OTHER_DIVISIONS
CODE = re.compile(r"^([A-U])?(\d{2,5})?$")


def section_of(division: int) -> str:
    return next(letter for letter, (_, numbers) in SECTIONS.items() if division in numbers)


def read_ksic(text: object, at: str = "company.ksic") -> str:
    """A KSIC code as the hub keeps it: the section's letter, then the digits given (``C30``, ``C3030``, ``G``)."""
    given = text.strip().upper() if isinstance(text, str) else ""
    match = CODE.match(given)
    if not given or match is None:
        raise refusal("hub", "ksic.shape", at=at, given=str(text)[:40])
    letter, digits = match.groups()
    if digits is None:
        return letter
    division = int(digits[:2])
    if division not in DIVISIONS:
        raise refusal("hub", "ksic.division", at=at, given=given, division=digits[:2])
    section = section_of(division)
    if letter is not None and letter != section:
        raise refusal("hub", "ksic.section", at=at, given=given, division=digits[:2], section=section)
    return section + digits


def name_of(code: str) -> Named:
    """The division's name (manufacturing), else its section's."""
    digits = code[1:]
    if len(digits) >= 2 and int(digits[:2]) in MANUFACTURING:
        return MANUFACTURING[int(digits[:2])]
    return SECTIONS[code[0]][0]
