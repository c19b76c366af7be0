"""Worked examples of the self-assessment's scoring (``support/assessment/scoring.py``). Each answer set is written
out by hand and its expected bands and level are worked out here from the models' stated rules, not by calling
the scorer:

- a dimension's band is the LOWEST band its answers support (the option's ``band`` in questionnaire-2026.1.toml);
- the level is the highest one whose criteria, and those of every level below, are all met (kosf-2026.1.toml:
  1 기초 needs master-data + production-tracking; 2 중간1 equipment-data + realtime-monitoring + quality-analysis;
  3 중간2 equipment-control + realtime-response + systems-linked; 4 optimisation + flexible-production +
  value-chain; 5 autonomous + digital-twin); a criterion is met when any chosen option lists it under ``meets``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sangsaeng.errors import InvalidInput
from sangsaeng.support.assessment import answers, explaining, loading, scoring

MODELS = loading.load("2026.1")
DIMENSIONS = (
    "vertical_integration",
    "horizontal_integration",
    "integrated_product_lifecycle",
    "shop_floor_automation",
    "enterprise_automation",
    "facility_automation",
    "shop_floor_connectivity",
    "enterprise_connectivity",
    "facility_connectivity",
    "shop_floor_intelligence",
    "enterprise_intelligence",
    "facility_intelligence",
    "workforce_learning",
    "leadership_competency",
    "collaboration",
    "strategy_governance",
)

# A tier-2 machining shop: POP terminals with barcodes, plans in spreadsheets, little else connected.
TIER2 = {
    "production-results": "pop",  # band 3, meets production-tracking
    "plan-to-floor": "files",  # band 2
    "master-data": "one-system",  # band 3, meets master-data
    "partner-orders": "portal",  # 2
    "stock-visibility": "system",  # 2
    "design-changes": "cad",  # 2
    "new-product": "checklist",  # 1
    "machine-automation": "cells",  # 2
    "machine-settings": "stored",  # 2
    "material-flow": "aids",  # 1
    "office-work": "software",  # 2
    "customer-documents": "copied",  # 2
    "utilities": "timers",  # 1
    "safety-environment": "alarms",  # 1
    "machine-network": "some",  # 1
    "machine-data": "copied",  # 2
    "ot-security": "basic",  # 2
    "office-systems": "shared-folders",  # 1
    "partner-data": "email",  # 1
    "facility-network": "none",  # 0
    "energy-metering": "read-by-hand",  # 1
    "quality-data": "charts",  # 2
    "downtime": "logged",  # 1
    "deviations": "light",  # 2
    "management-figures": "typed-reports",  # 1
    "volume-planning": "spreadsheet",  # 2
    "energy-use": "monthly",  # 1
    "facility-maintenance": "schedule",  # 1
    "training": "colleagues",  # 1
    "data-people": "one-person",  # 1
    "leaders-understanding": "understand",  # 2
    "leaders-learning": "occasional",  # 1
    "internal-collaboration": "meetings",  # 2
    "partner-collaboration": "reviews",  # 2
    "digital-plan": "ideas",  # 1
    "digital-ownership": "whoever",  # 1
}
TIER2_BANDS = {
    "vertical_integration": 2,  # min(3, 2, 3)
    "horizontal_integration": 2,  # min(2, 2)
    "integrated_product_lifecycle": 1,  # min(2, 1)
    "shop_floor_automation": 1,  # min(2, 2, 1)
    "enterprise_automation": 2,
    "facility_automation": 1,
    "shop_floor_connectivity": 1,  # min(1, 2, 2)
    "enterprise_connectivity": 1,
    "facility_connectivity": 0,  # min(0, 1)
    "shop_floor_intelligence": 1,  # min(2, 1, 2)
    "enterprise_intelligence": 1,
    "facility_intelligence": 1,
    "workforce_learning": 1,
    "leadership_competency": 1,
    "collaboration": 2,
    "strategy_governance": 1,
}

FIRST = {q.id: q.options[0].id for q in MODELS.questionnaire.questions}
LAST = {q.id: q.options[-1].id for q in MODELS.questionnaire.questions}


def test_the_tier2_shop_is_at_basic_with_bands_set_by_its_weakest_answers() -> None:
    scores = scoring.score(MODELS, TIER2)
    assert scores.bands == TIER2_BANDS
    assert list(scores.bands) == list(DIMENSIONS)  # the model's order: the radar's axes go this way
    assert scores.met == ("master-data", "production-tracking")
    assert scores.level == 1  # 기초: both its criteria met; 중간1 needs equipment-data, which nothing met
    assert scores.versions == {"questionnaire": "2026.1", "siri": "2026.1", "kosf": "2026.1"}
    assert scoring.overall(scores.bands) == 1.2  # 19 / 16 = 1.19


def test_the_tier2_result_explains_what_set_each_band_and_what_the_next_level_needs() -> None:
    scores = scoring.score(MODELS, TIER2)
    result = explaining.result(MODELS, TIER2, scores, "en")
    vertical = result["dimensions"][0]
    assert (vertical["id"], vertical["band"], vertical["bandName"]) == ("vertical_integration", 2, "Digital")
    assert vertical["heldBy"] == ["plan-to-floor"]  # the only answer at 2; the other two support 3
    by_question = {a["question"]: a for a in result["answers"]}
    assert by_question["plan-to-floor"]["setsBand"] and not by_question["production-results"]["setsBand"]
    assert "holds this dimension at band 2" in by_question["production-results"]["effect"]
    assert "Production results are captured at the source" in by_question["production-results"]["effect"]
    level = result["level"]
    assert (level["level"], level["name"], level["stage"]) == (1, "Basic", "Basic")
    assert level["next"]["level"] == 2
    assert [m["id"] for m in level["next"]["missing"]] == ["equipment-data", "realtime-monitoring", "quality-analysis"]
    ways = {w["question"]: w["option"] for w in level["next"]["missing"][0]["ways"]}
    assert ways == {"production-results": "machine", "machine-data": "collected"}  # the least advanced that meet it
    korean = explaining.result(MODELS, TIER2, scores, "ko")
    assert korean["level"]["name"] == "기초" and korean["dimensions"][0]["bandName"] == "디지털화"


def test_pillars_and_blocks_are_summarised_by_their_mean_and_weakest_dimension() -> None:
    scores = scoring.score(MODELS, TIER2)
    pillars = {p.id: p for p in scoring.pillars(MODELS, scores.bands)}
    assert len(pillars) == 8
    assert (pillars["operations"].mean, pillars["operations"].lowest) == (2.0, "vertical_integration")
    assert pillars["automation"].mean == 1.3  # (1 + 2 + 1) / 3
    assert (pillars["connectivity"].mean, pillars["connectivity"].lowest) == (0.7, "facility_connectivity")
    blocks = {b.id: b for b in scoring.blocks(MODELS, scores.bands)}
    assert list(blocks) == ["process", "technology", "organisation"]
    assert (blocks["process"].mean, blocks["process"].lowest) == (1.7, "integrated_product_lifecycle")  # 5 / 3
    assert (blocks["technology"].mean, blocks["technology"].lowest) == (1.0, "facility_connectivity")  # 9 / 9


def test_a_factory_at_intermediate_2_misses_the_advanced_level_for_want_of_flexible_lines() -> None:
    given = TIER2 | {
        "production-results": "machine",  # 4: production-tracking, equipment-data
        "plan-to-floor": "linked",  # 3: systems-linked
        "machine-data": "live",  # 4: equipment-data, realtime-monitoring
        "quality-data": "causes",  # 3: quality-analysis
        "machine-settings": "sent",  # 3: equipment-control
        "deviations": "alert",  # 3: realtime-response
    }
    scores = scoring.score(MODELS, given)
    assert scores.level == 3  # 중간2
    assert set(scores.met) == {
        "master-data",
        "production-tracking",
        "equipment-data",
        "realtime-monitoring",
        "quality-analysis",
        "equipment-control",
        "realtime-response",
        "systems-linked",
    }
    assert scores.bands["vertical_integration"] == 3  # min(4, 3, 3)
    assert scores.bands["shop_floor_connectivity"] == 1  # machine-network "some" still holds it at 1
    level = explaining.level(MODELS, given, scores, "ko")
    assert level["name"] == "중간2"
    assert [m["id"] for m in level["next"]["missing"]] == ["optimisation", "flexible-production", "value-chain"]


def test_the_levels_are_a_ladder_every_criterion_above_counts_for_nothing_without_the_basics() -> None:
    given = LAST | {"production-results": "spreadsheet"}  # the only answer that could meet production-tracking
    scores = scoring.score(MODELS, given)
    assert "production-tracking" not in scores.met and len(scores.met) == 12
    assert scores.level == 0  # 기초 is not met, so 중간1 … 고도화 are not reached either
    assert scores.bands["vertical_integration"] == 2
    assert all(band == 5 for d, band in scores.bands.items() if d != "vertical_integration")


def test_the_least_advanced_answers_give_band_0_everywhere_and_no_level() -> None:
    scores = scoring.score(MODELS, FIRST)
    assert scores.bands == dict.fromkeys(DIMENSIONS, 0)
    assert (scores.level, scores.met) == (0, ())  # ot-security's first answer supports 2, machine-network's 0


def test_the_most_advanced_answers_give_band_5_everywhere_and_level_5() -> None:
    scores = scoring.score(MODELS, LAST)
    assert scores.bands == dict.fromkeys(DIMENSIONS, 5)
    assert scores.level == 5 and len(scores.met) == 13
    assert explaining.level(MODELS, LAST, scores, "en")["next"] is None


def test_unprotected_machines_cap_shop_floor_connectivity_at_band_2_but_leave_the_level() -> None:
    scores = scoring.score(MODELS, LAST | {"ot-security": "nothing"})
    assert scores.bands["shop_floor_connectivity"] == 2  # min(5, 5, 2): a band counts only when all of it holds
    assert scores.level == 5  # protection is not one of the smart-factory level criteria


def test_maturity_names_the_models_that_scored_it() -> None:
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    found = scoring.maturity(scoring.score(MODELS, TIER2), at)
    assert (found.siri, found.level, found.model, found.at) == (TIER2_BANDS, 1, "siri-2026.1+kosf-2026.1", at)


def test_scores_survive_their_stored_form() -> None:
    scores = scoring.score(MODELS, TIER2)
    assert scoring.Scores.from_json(scores.to_json()) == scores


def test_incomplete_answers_are_refused_naming_every_open_question() -> None:
    given = {k: v for k, v in TIER2.items() if k not in {"ot-security", "digital-plan"}}
    with pytest.raises(InvalidInput) as refused:
        scoring.score(MODELS, given)
    assert refused.value.position == "$.answers"
    assert refused.value.details["missing"] == ["ot-security", "digital-plan"]  # in the questionnaire's order
    assert refused.value.message.startswith("2 of 36 questions are not answered yet")
    assert refused.value.details["message_ko"].startswith("질문 36개 중 2개에 아직 답하지 않았습니다")
    assert answers.missing(MODELS.questionnaire, {}) == [q.id for q in MODELS.questionnaire.questions]


def test_a_draft_explains_each_answer_without_claiming_a_band() -> None:
    explained = explaining.answers(MODELS, {"partner-data": "controlled"}, None, "ko")
    assert len(explained) == 1
    assert explained[0]["band"] == 3 and explained[0]["setsBand"] is False
    assert explained[0]["effect"] == "기업 연결성: 이 답은 최대 3 밴드(상호운용·보안)를 뒷받침합니다."
