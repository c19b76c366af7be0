"""The assessment's models as data (``support/assessment/models/*.toml``): SIRI's structure, the Korean
smart-factory levels, a questionnaire an SME answers in about 20 minutes, their checks when loaded (a file that
would let a better answer score lower is refused), and answers read strictly with the JSON path of what is wrong."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sangsaeng.errors import InvalidInput
from sangsaeng.support.assessment import answers, loading
from sangsaeng.support.assessment.model import Option

MODELS = loading.current()
PURE = Path(loading.__file__).parent


def test_every_model_file_loads_and_the_current_questionnaire_is_the_newest() -> None:
    for version in loading.versions_of("questionnaire"):
        assert loading.problems(loading.load(version)) == []
    assert MODELS.versions == {"questionnaire": "2026.1", "siri": "2026.1", "kosf": "2026.1"}
    assert loading.scored_with(MODELS.versions) is MODELS
    with pytest.raises(loading.ModelError):
        loading.scored_with({"questionnaire": "2026.1", "siri": "1999.1", "kosf": "2026.1"})
    with pytest.raises(loading.ModelError):
        loading.load("1999.1")


def test_siri_has_three_building_blocks_eight_pillars_and_sixteen_dimensions_with_six_bands() -> None:
    siri = MODELS.siri
    assert [b.id for b in siri.blocks] == ["process", "technology", "organisation"]
    assert [len(b.pillars) for b in siri.blocks] == [3, 3, 2]
    assert [len(p.dimensions) for b in siri.blocks for p in b.pillars] == [1, 1, 1, 3, 3, 3, 2, 2]
    assert len(siri.dimensions) == 16
    for d in siri.dimensions:
        assert len(d.bands) == 6 and len(siri.ladders[d.ladder]) == 6
        assert all(band.ko != band.en for band in d.bands)  # both languages written, not one copied
    automation = siri.dimension("shop_floor_automation")
    assert [siri.band_name(automation, n).en for n in (0, 5)] == ["Manual", "Autonomous"]
    assert [siri.band_name(siri.dimension("shop_floor_intelligence"), n).en for n in range(1, 6)] == [
        "Computerised",
        "Visible",
        "Diagnostic",
        "Predictive",
        "Adaptive",
    ]


def test_the_korean_levels_are_the_four_stages_over_levels_1_to_5() -> None:
    kosf = MODELS.kosf
    assert [lv.stage.ko for lv in kosf.levels] == ["미도입", "기초", "중간1", "중간2", "고도화", "고도화"]
    assert [lv.name.ko for lv in kosf.levels][4:] == ["고도화 (최적화)", "고도화 (자율운영)"]
    assert kosf.levels[0].criteria == ()


def test_the_questionnaire_fits_twenty_minutes_and_asks_about_every_dimension() -> None:
    questions = MODELS.questionnaire.questions
    assert 30 <= len(questions) <= 45 and MODELS.questionnaire.minutes == 20
    asked = {q.dimension for q in questions}
    assert asked == {d.id for d in MODELS.siri.dimensions}
    for q in questions:
        assert 2 <= len(q.options) <= 6
        for o in q.options:
            assert o.label.ko and o.label.en and o.explain.ko and o.explain.en


def test_a_questionnaire_whose_better_answer_scores_lower_is_refused() -> None:
    question = MODELS.questionnaire.questions[0]
    swapped = (question.options[1], question.options[0], *question.options[2:])
    broken = MODELS.questionnaire.model_copy(
        update={"questions": (question.model_copy(update={"options": swapped}), *MODELS.questionnaire.questions[1:])}
    )
    found = loading.problems(loading.Models(broken, MODELS.siri, MODELS.kosf))
    assert found == ["question production-results: option none supports a lower band than paper before it"]


def test_a_questionnaire_with_a_criterion_that_shrinks_an_unknown_dimension_or_no_band_5_is_refused() -> None:
    question = MODELS.questionnaire.questions[0]  # production-results: pop meets production-tracking, machine more
    options = list(question.options)
    options[4] = options[4].model_copy(update={"meets": ("equipment-data",)})  # machine no longer meets what pop does
    options[5] = Option.model_validate({**options[5].model_dump(), "band": 4, "meets": ("equipment-data", "x-ray")})
    changed = question.model_copy(update={"options": tuple(options), "dimension": "telepathy"})
    broken = MODELS.questionnaire.model_copy(update={"questions": (changed, *MODELS.questionnaire.questions[1:])})
    found = loading.problems(loading.Models(broken, MODELS.siri, MODELS.kosf))
    assert "question production-results is on dimension 'telepathy', which SIRI 2026.1 does not have" in found
    assert "question production-results has no answer for band 5, so its dimension could never reach it" in found
    assert "question production-results: option machine meets less than pop before it" in found
    assert "question production-results, option adaptive: no criterion 'x-ray'" in found


def test_the_pure_core_imports_no_web_database_or_network_library() -> None:
    impure = ("fastapi", "starlette", "sqlalchemy", "alembic", "psycopg", "httpx", "asyncio", "anyio", "socket")
    for module in PURE.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            assert not [n for n in names if n.split(".")[0] in impure], module.name


# ---- answers read strictly ---------------------------------------------------------------------------------------
def refused(body: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        answers.read_part(body, MODELS.questionnaire)
    return caught.value


def test_answers_name_options_and_null_takes_one_back() -> None:
    part = answers.read_part(
        {"questionnaire": "2026.1", "answers": {"production-results": "pop", "ot-security": None}},
        MODELS.questionnaire,
    )
    assert part == {"production-results": "pop", "ot-security": None}
    saved = {"ot-security": "basic", "training": "planned"}
    assert answers.merge(saved, part) == {"training": "planned", "production-results": "pop"}
    assert saved == {"ot-security": "basic", "training": "planned"}  # what was saved is not changed in place


@pytest.mark.parametrize(
    ("body", "position", "english", "korean"),
    [
        ([], "$", "the body is not a JSON object", "본문이 JSON 객체가 아닙니다"),
        ({"answers": {}, "note": 1}, "$.note", "unknown field note", "알 수 없는 필드 note"),
        ({"questionnaire": "2025.1", "answers": {}}, "$.questionnaire", 'version "2025.1"', '버전 "2025.1"'),
        ({"questionnaire": 2026.1, "answers": {}}, "$.questionnaire", "version 2026.1;", "버전 2026.1용"),
        ({}, "$.answers", "the body has no answers", "본문에 answers가 없습니다"),
        ({"answers": ["pop"]}, "$.answers", "JSON object of question ids", "JSON 객체여야"),
        ({"answers": {"telepathy": "yes"}}, "$.answers.telepathy", "no question telepathy", "질문 telepathy"),
        ({"answers": {"a b": "x"}}, '$.answers["a b"]', "no question a b", "질문 a b"),
        ({"answers": {"production-results": 7}}, '$.answers["production-results"]', "7 is not an option id", "7은"),
        ({"answers": {"production-results": True}}, '$.answers["production-results"]', "true is not", "true은"),
        ({"answers": {"production-results": "robots"}}, '$.answers["production-results"]', "robots is not", "robots"),
    ],
)
def test_what_is_not_an_answer_is_refused_where_it_is_in_both_languages(
    body: object, position: str, english: str, korean: str
) -> None:
    error = refused(body)
    assert error.position == position
    assert english in error.message
    assert korean in error.details["message_ko"]
    assert error.hint and error.details["hint_ko"]


def test_an_unknown_option_is_refused_with_the_options_there_are() -> None:
    error = refused({"answers": {"ot-security": "moat"}})
    assert error.hint == "choose one of: nothing, basic, separated, managed, certified"
    assert error.details["hint_ko"] == "다음 중에서 고르세요: nothing, basic, separated, managed, certified"
