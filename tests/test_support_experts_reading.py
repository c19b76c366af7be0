"""The directory's and the cases' documents read whole: what is kept (codes as the hub keeps them, names in both
languages) and what is refused — where (a JSON path), in Korean and English, never ignored."""

from __future__ import annotations

from copy import deepcopy
from datetime import date
from typing import Any

import pytest

from sangsaeng.errors import InvalidInput
from sangsaeng.support.experts.read import read_case, read_expert, read_message, read_note, read_program

EXPERT: dict[str, Any] = {
    "name": "박전문",
    "organisation": "경남스마트제조혁신센터",
    "sectors": ["30", "C2912"],
    "regions": ["경남", "Busan"],
    "skills": ["MES", "machine-vision", "mes"],
    "languages": ["ko", "en"],
    "availability": {"state": "busy", "until": "2027-01-15"},
    "contact": {"email": "park@example.co.kr"},
}
PROGRAM: dict[str, Any] = {
    "name": {"ko": "스마트공장 구축 지원", "en": "Smart factory build-out"},
    "agency": {"ko": "중소벤처기업부", "en": "Ministry of SMEs and Startups"},
    "eligibility": {"sizes": ["중소기업"], "sectors": ["C"], "minLevel": 1, "maxLevel": 3},
    "funding": {"sharePercent": 50, "capKrw": 100_000_000},
    "deadline": "2027-03-31",
    "link": "https://www.smart-factory.kr/",
}
CASE: dict[str, Any] = {
    "title": {"ko": "수입검사 자동화", "en": "Automated incoming inspection"},
    "sector": "C30",
    "levelBefore": 2,
    "levelAfter": 3,
    "problem": {"ko": "검사 인력 부족", "en": "Too few inspectors"},
    "done": {"ko": "머신비전 도입", "en": "Machine vision"},
    "results": [{"metric": {"ko": "불량", "en": "Defects"}, "before": 1200, "after": 400.5, "unit": "ppm"}],
    "contact": {"name": "김담당", "email": "kim@hanbit.co.kr", "phone": "055-123-4567"},
}


def test_documents_are_kept_as_the_hub_keeps_codes() -> None:
    expert = read_expert(EXPERT)
    assert expert.sectors == ("C30", "C2912") and expert.regions == ("KR-48", "KR-26")
    assert expert.skills == ("mes", "machine-vision")  # lowercased, duplicates once
    assert expert.availability.until == date(2027, 1, 15) and expert.contact.phone is None
    program = read_program(PROGRAM)
    assert program.eligibility.sizes == ("sme",) and program.eligibility.regions == ()
    assert (program.funding.share_percent, program.funding.cap_krw, program.funding.amount_krw) == (
        50,
        100_000_000,
        None,
    )
    assert program.deadline == date(2027, 3, 31)
    without = read_program({k: v for k, v in PROGRAM.items() if k not in ("eligibility", "deadline")})
    assert without.eligibility.any_level and without.deadline is None
    case = read_case(CASE)
    assert case.languages == ("en", "ko") and case.results[0].after == 400.5 and case.company is None
    assert read_message({"message": " MES 도입 상담 "}) == "MES 도입 상담"
    assert read_note(None) is None


def changed(base: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """``base`` with the value at ``path`` replaced (or removed, for ``...``)."""
    copy: Any = deepcopy(base)
    target = copy
    for step in path[:-1]:
        target = target[step]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return dict(copy)


@pytest.mark.parametrize(
    ("reader", "base", "path", "value", "position"),
    [
        (read_expert, EXPERT, ("hobby",), "golf", "hobby"),
        (read_expert, EXPERT, ("skills",), ..., "skills"),
        (read_expert, EXPERT, ("sectors", 0), "C", "sectors[0]"),
        (read_expert, EXPERT, ("sectors", 1), "C99", "sectors[1]"),
        (read_expert, EXPERT, ("languages", 0), "klingon", "languages[0]"),
        (read_expert, EXPERT, ("availability", "until"), "15/01/2027", "availability.until"),
        (read_expert, EXPERT, ("availability",), {"state": "available", "until": "2027-01-15"}, "availability.until"),
        (read_expert, EXPERT, ("contact", "email"), "park", "contact.email"),
        (read_expert, EXPERT, ("regions",), [], "regions"),
        (read_program, PROGRAM, ("name",), {"ko": "한국어만"}, "name"),
        (read_program, PROGRAM, ("funding",), {"capKrw": 5}, "funding"),
        (read_program, PROGRAM, ("funding", "sharePercent"), 150, "funding.sharePercent"),
        (read_program, PROGRAM, ("eligibility", "maxLevel"), 6, "eligibility.maxLevel"),
        (read_program, PROGRAM, ("eligibility", "tiers"), ["1차"], "eligibility.tiers"),
        (read_program, PROGRAM, ("link",), "javascript:alert(1)", "link"),
        (read_case, CASE, ("problem",), {"ko": "한국어만"}, "problem"),
        (read_case, CASE, ("title", "fr"), "Inspection", "title.fr"),
        (read_case, CASE, ("levelAfter",), 1, "levelAfter"),
        (read_case, CASE, ("results",), [], "results"),
        (read_case, CASE, ("results", 0, "before"), "많음", "results[0].before"),
        (read_case, CASE, ("results", 0, "metric"), {"en": "Defects"}, "results[0].metric"),
        (read_case, CASE, ("levelBefore",), True, "levelBefore"),
    ],
)
def test_what_is_not_understood_is_refused_where_it_is_in_both_languages(
    reader: Any, base: dict[str, Any], path: tuple[Any, ...], value: Any, position: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        reader(changed(base, path, value))
    assert refused.value.position == position
    korean = refused.value.details["message_ko"]
    assert korean and korean != refused.value.message
