"""What the demo must tell of SME support (issue 18 § 6), checked against the demo's printed text: the tier-2's
level (the one its answers earn by the model files, read here by the test itself), its plan's three steps, the OEM's
ask named, an expert of the operator's directory matched with the reasons that make its points and asked for, the
benchmark released with the cells the threshold leaves, and a position whose band follows from the quartiles told."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

from sangsaeng.demo import support_data

MODELS = Path(__file__).resolve().parent.parent / "src" / "sangsaeng" / "support" / "assessment" / "models"


def earned_level(answers: dict[str, str]) -> int:
    """The Korean smart-factory level the answers reach, by the rule of docs/support/assessment.md: the highest
    level whose criteria, and those of every level below, are met by some chosen option."""
    questions = tomllib.loads((MODELS / "questionnaire-2026.1.toml").read_text("utf-8"))["questions"]
    levels = tomllib.loads((MODELS / "kosf-2026.1.toml").read_text("utf-8"))["levels"]
    met = {
        criterion
        for question in questions
        for option in question["options"]
        if option["id"] == answers[question["id"]]
        for criterion in option.get("meets", [])
    }
    reached = 0
    for level in sorted(levels, key=lambda entry: entry["level"]):
        if level["level"] == 0:
            continue
        if not set(level["criteria"]) <= met:
            break
        reached = level["level"]
    return reached


BANDS_TOLD = ("bottom 25 %", "25–50 % from the bottom", "25–50 % from the top", "top 25 %")  # worst to best


def band_told(value: float, quartiles: tuple[float, float, float], lower_is_better: bool) -> str:
    """The quarter of peers a value falls in, as the English lines say it: how many quartiles it is at least as good
    as (a value on a quartile counts on the better side)."""
    as_good = sum(value <= q if lower_is_better else value >= q for q in quartiles)
    return BANDS_TOLD[as_good]


def number(text: str) -> float:
    return float(text.replace(",", ""))


def check_support_told(text: str, korean: bool) -> None:
    """The English lines (and, with ``korean``, a Korean line of each part) of the demo's step 5 and where to look."""
    level = earned_level(support_data.TIER2_ANSWERS)
    assert level == 1, "the tier-2 is meant to be a small supplier at the basic level (기초)"
    assert re.search(rf"Result: smart-factory level {level}, ‘Basic’, mean of the 16 dimensions \d\.\d/5 — ", text)
    assert re.search(r"To reach level 2 \(Intermediate 1\): ", text)
    blocks = re.findall(r"^\s+(Process|Technology|Organisation) \(mean \d\.\d\): (.+)$", text, re.MULTILINE)
    assert [b for b, _ in blocks] == ["Process", "Technology", "Organisation"], text
    assert sum(len(d.split(" · ")) for _, d in blocks) == 16  # the radar's every dimension, with its band
    # The plan: three steps, each with its effort and why, and the OEM's ask named.
    plan = text[text.index("the next three steps:") : text.index("The plan names")]
    steps = re.findall(r"^\s+([1-9])\. .+ \(about .+\)$", plan, re.MULTILINE)
    assert steps == ["1", "2", "3"], plan
    assert len(re.findall(r"^\s+Why: \S", plan, re.MULTILINE)) == 3, plan
    assert re.search(r"The plan names 대한자동차's ask: Quality result — “", text)
    # An expert the operator added, best fit first, whose points are the sum of the reasons told under it.
    directory = {e["name"]: e["organisation"] for e in support_data.experts(date.today())}
    matched = re.search(r"the best fit: (\S+) \((.+?)\), (\d+) points:\n((?:\s+\+\d+ .+\n)+)", text)
    assert matched is not None, text
    expert, organisation, points, reasons = matched.groups()
    assert directory.get(expert) == organisation
    told = 2 if korean else 1  # each reason in Korean, then in English
    assert sum(int(p) for p in re.findall(r"\+(\d+) ", reasons)) == told * int(points)
    assert re.search(rf"성진금속 asks {expert} for advice: “.+” → state requested", text)
    # The benchmark: two indicators × (3 sector-region + 2 sector + 3 region + 1 all) cells; only the two cells of
    # all members hold the three contributors the threshold needs.
    assert "2 of 18 cells published, the others suppressed — fewer than 3 members contributed to this cell (16)" in text
    # The tier-2 gave 0.12 %, i.e. 1,200 ppm; its band is where that falls between the quartiles told.
    shown = re.search(
        r"Where 성진금속 stands — Defect rate 1,200 ppm: (.+?) \(against all members; published quartiles "
        r"([\d.,]+) / ([\d.,]+) / ([\d.,]+) ppm\)",
        text,
    )
    assert shown is not None, text
    quartiles = (number(shown[2]), number(shown[3]), number(shown[4]))
    assert quartiles == tuple(sorted(quartiles))
    assert shown[1] == band_told(1200.0, quartiles, lower_is_better=True)
    assert re.search(r"Where 성진금속 stands — On-time delivery 91 %: ", text)
    assert re.search(r"page\s+http://127\.0\.0\.1:\d+/c/tier2/portal/support/assessment/[0-9a-f-]{36}\n", text)
    assert re.search(r"page\s+http://127\.0\.0\.1:\d+/portal/hub/dashboard\n", text)
    if korean:
        assert f"결과: 스마트공장 수준 레벨 {level} ‘기초’" in text
        assert "계획이 대한자동차의 요청을 짚습니다: 품질 검사 결과" in text
        assert re.search(r"성진금속의 위치 — 불량률 1,200 ppm: ", text)
    else:
        assert "스마트공장 수준" not in text
