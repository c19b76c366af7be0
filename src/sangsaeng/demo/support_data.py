"""What the demo's support part is made of: the experts and the program the hub's operator keeps, the answers the
tier-2 (성진금속) gives the self-assessment, the want the OEM states, and the figures the three companies give the
benchmarks. The people, phone numbers, addresses and figures are invented; the organisations are the kinds of
bodies that help Korean manufacturers (smart manufacturing innovation centres, technoparks, KITECH)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final

# The tier-2 is a small machining shop: paper and Excel almost everywhere, one line with an MES that reads each lot's
# barcode (a first smart-factory project), CNC programs kept on the machines, energy known from the monthly bills.
# Its inspection results now reach its customer through the hub's connector, which is what `partner-data` says.
TIER2_ANSWERS: Final[dict[str, str]] = {
    "production-results": "pop",  # the MES line: lots scanned at the machine (the rest of the floor: check sheets)
    "plan-to-floor": "files",
    "master-data": "files",
    "partner-orders": "forms",
    "stock-visibility": "periodic",
    "design-changes": "cad",
    "new-product": "checklist",
    "machine-automation": "programmed",
    "machine-settings": "stored",
    "material-flow": "aids",
    "office-work": "software",
    "customer-documents": "template",
    "utilities": "timers",
    "safety-environment": "alarms",
    "machine-network": "some",
    "machine-data": "written",
    "ot-security": "basic",
    "office-systems": "shared-folders",
    "partner-data": "controlled",
    "facility-network": "none",
    "energy-metering": "bills",
    "quality-data": "recorded",
    "downtime": "logged",
    "deviations": "rounds",
    "management-figures": "typed-reports",
    "volume-planning": "spreadsheet",
    "energy-use": "monthly",
    "facility-maintenance": "breakdown",
    "training": "colleagues",
    "data-people": "one-person",
    "leaders-understanding": "understand",
    "leaders-learning": "occasional",
    "internal-collaboration": "meetings",
    "partner-collaboration": "reviews",
    "digital-plan": "ideas",
    "digital-ownership": "whoever",
}

# What the OEM wants of its suppliers (one want per tier: a want names one tier of one chain), and the plan's step
# that answers such a want (support/plan/rules/sme-steps-*.toml).
WANTED_ENTITY: Final = "quality_result"
WANTED_FROM: Final = ("1차", "2차")
WANTED_WHY: Final = "1차·2차 협력사의 검사 결과로 입고 불량의 원인을 공정까지 거슬러 찾으려 합니다"
ANSWERING: Final = "answer-quality-request"

# What the tier-2 writes when it asks for the expert its plan's steps fit best.
REQUEST_MESSAGE: Final = (
    "MES가 있는 2라인 밖의 CNC 설비도 연결해 가동·정지와 OEE를 자동으로 보고 싶습니다. 방문 상담 가능할까요?"
)


def experts(today: date) -> list[dict[str, Any]]:
    """Three experts of the south-east, where the chain's plants are; one busy for three weeks."""
    return [
        {
            "name": "정민호",
            "organisation": "경남스마트제조혁신센터",
            "sectors": ["C29", "C30"],
            "regions": ["KR-48", "KR-26"],
            "skills": ["mes", "iot-sensors", "plc-scada", "dataspace-onboarding"],
            "languages": ["ko"],
            "availability": {"state": "available"},
            "contact": {"name": "정민호", "email": "jung.mh@gn-smart.example.kr", "phone": "055-210-3341"},
        },
        {
            "name": "한수진",
            "organisation": "부산테크노파크 스마트제조지원단",
            "sectors": ["C25", "C29"],
            "regions": ["KR-26"],
            "skills": ["quality-spc", "data-analytics", "machine-vision"],
            "languages": ["ko", "en"],
            "availability": {"state": "busy", "until": (today + timedelta(days=21)).isoformat()},
            "contact": {"name": "한수진", "email": "han.sj@btp-smart.example.kr", "phone": "051-974-2218"},
        },
        {
            "name": "최동현",
            "organisation": "한국생산기술연구원 동남본부",
            "sectors": ["C30"],
            "regions": ["KR-31"],
            "skills": ["robotics", "predictive-maintenance", "energy"],
            "languages": ["ko", "vi"],
            "availability": {"state": "available"},
            "contact": {"name": "최동현", "email": "choi.dh@kitech-se.example.kr", "phone": "052-980-6603"},
        },
    ]


def program(today: date) -> dict[str, Any]:
    """A first-MES programme for SMEs at the first levels (its figures are the demo's, not a real call's)."""
    return {
        "name": {
            "ko": "스마트공장 구축 지원사업 (기초·중간1)",
            "en": "Smart factory build-out support (basic, intermediate 1)",
        },
        "agency": {
            "ko": "중소벤처기업부 · 스마트제조혁신추진단",
            "en": "Ministry of SMEs and Startups, smart manufacturing office",
        },
        "eligibility": {"sizes": ["sme"], "sectors": ["C"], "minLevel": 1, "maxLevel": 2},
        "funding": {"sharePercent": 50, "capKrw": 100_000_000},
        "deadline": (today + timedelta(days=60)).isoformat(),
        "link": "https://smart-factory.example.kr/programs/basic",
    }


# Each company's figures of the quarter, in the units it keeps them in. Chosen so that the one cell the three fill
# together (all members: no sector or region holds three of them) passes the disclosure rules at their defaults:
# the two largest defect rates make 1,820 of 2,250 ppm (81 % ≤ 85 %, the (2, 85) dominance rule) and leave 430 ppm,
# 36 % of the largest (≥ 10 %, the p% rule); on-time delivery is far from concentrated.
FIGURES: Final[dict[str, dict[str, tuple[float, str]]]] = {
    "oem": {"defect-ppm": (430.0, "ppm"), "on-time-delivery": (97.5, "%")},
    "tier1": {"defect-ppm": (620.0, "ppm"), "on-time-delivery": (95.0, "%")},
    "tier2": {"defect-ppm": (0.12, "%"), "on-time-delivery": (91.0, "%")},  # 0.12 % is 1,200 ppm
}
