"""The 17 first-level divisions of Korea (시·도) by their ISO 3166-2:KR codes, with Korean and English names. A
region is given by its code, its Korean or English name, or the short name people write (경남, 서울, Gyeongnam, and
강원도/전라북도 as they were called before 2023/2024); the hub keeps the code."""

from __future__ import annotations

from sangsaeng.hub.members.ksic import Named
from sangsaeng.i18n.refusals import refusal

REGIONS: dict[str, Named] = {
    "KR-11": Named("서울특별시", "Seoul"),
    "KR-26": Named("부산광역시", "Busan"),
    "KR-27": Named("대구광역시", "Daegu"),
    "KR-28": Named("인천광역시", "Incheon"),
    "KR-29": Named("광주광역시", "Gwangju"),
    "KR-30": Named("대전광역시", "Daejeon"),
    "KR-31": Named("울산광역시", "Ulsan"),
    "KR-50": Named("세종특별자치시", "Sejong"),
    "KR-41": Named("경기도", "Gyeonggi"),
    "KR-42": Named("강원특별자치도", "Gangwon"),
    "KR-43": Named("충청북도", "North Chungcheong"),
    "KR-44": Named("충청남도", "South Chungcheong"),
    "KR-45": Named("전북특별자치도", "North Jeolla"),
    "KR-46": Named("전라남도", "South Jeolla"),
    "KR-47": Named("경상북도", "North Gyeongsang"),
    "KR-48": Named("경상남도", "South Gyeongsang"),
    "KR-49": Named("제주특별자치도", "Jeju"),
}
# What people write besides the official names: the two-syllable short names, the romanised short forms, and the
# names Gangwon and Jeonbuk had before they became special self-governing provinces.
SHORT: dict[str, tuple[str, ...]] = {
    "KR-11": ("서울", "서울시"), "KR-26": ("부산", "부산시"), "KR-27": ("대구", "대구시"),
    "KR-28": ("인천", "인천시"), "KR-29": ("광주", "광주시"), "KR-30": ("대전", "대전시"),
    "KR-31": ("울산", "울산시"), "KR-50": ("세종", "세종시"), "KR-41": ("경기",),
    "KR-42": ("강원", "강원도"), "KR-43": ("충북", "Chungbuk"), "KR-44": ("충남", "Chungnam"),
    "KR-45": ("전북", "전라북도", "Jeonbuk"), "KR-46": ("전남", "Jeonnam"), "KR-47": ("경북", "Gyeongbuk"),
    "KR-48": ("경남", "Gyeongnam"), "KR-49": ("제주", "제주도"),
}  # fmt: skip
_BY_NAME = {
    name.casefold(): code
    for code, named in REGIONS.items()
    for name in (named.ko, named.en, code, *SHORT.get(code, ()))
}

SIZES: dict[str, Named] = {
    "sme": Named("중소기업", "small or medium-sized enterprise"),
    "midsize": Named("중견기업", "mid-sized enterprise"),
    "large": Named("대기업", "large enterprise"),
}
_SIZE_BY_NAME = {name.casefold(): code for code, named in SIZES.items() for name in (code, named.ko)}


def read_region(text: object, at: str = "company.region") -> str:
    code = _BY_NAME.get(text.strip().casefold()) if isinstance(text, str) else None
    if code is None:
        raise refusal("hub", "region.unknown", at=at, given=str(text)[:40], codes=", ".join(REGIONS))
    return code


def read_size(text: object, at: str = "company.size") -> str:
    code = _SIZE_BY_NAME.get(text.strip().casefold()) if isinstance(text, str) else None
    if code is None:
        raise refusal("hub", "size.unknown", at=at, given=str(text)[:40])
    return code
