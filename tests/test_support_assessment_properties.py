"""Rules of the self-assessment that hold for every set of answers (hypothesis): bands stay in 0–5 and the level
in 0–5; the model is monotone — a more advanced answer to any question never lowers a band, a summary or the
level; the level is exactly the top of the ladder of criteria met; and the explanation names, for every
dimension, an answer that sets its band."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.support.assessment import explaining, loading, scoring

MODELS = loading.current()
QUESTIONS = MODELS.questionnaire.questions

answer_sets = st.tuples(*(st.sampled_from([o.id for o in q.options]) for q in QUESTIONS)).map(
    lambda chosen: dict(zip((q.id for q in QUESTIONS), chosen, strict=True))
)


def position(question_index: int, option_id: str) -> int:
    return [o.id for o in QUESTIONS[question_index].options].index(option_id)


@settings(max_examples=300, deadline=None)
@given(answer_sets)
def test_bands_and_levels_stay_in_range(chosen: dict[str, str]) -> None:
    scores = scoring.score(MODELS, chosen)
    assert set(scores.bands) == {d.id for d in MODELS.siri.dimensions}
    assert all(0 <= band <= 5 for band in scores.bands.values())
    assert 0 <= scores.level <= 5 and 0 <= scoring.overall(scores.bands) <= 5


@settings(max_examples=300, deadline=None)
@given(answer_sets, st.integers(0, len(QUESTIONS) - 1), st.integers(1, 5))
def test_a_more_advanced_answer_never_lowers_a_band_a_summary_or_the_level(
    chosen: dict[str, str], index: int, step: int
) -> None:
    question = QUESTIONS[index]
    here = position(index, chosen[question.id])
    better = chosen | {question.id: question.options[min(here + step, len(question.options) - 1)].id}
    before, after = scoring.score(MODELS, chosen), scoring.score(MODELS, better)
    assert all(after.bands[d] >= before.bands[d] for d in before.bands)
    assert after.level >= before.level
    assert set(before.met) <= set(after.met)
    for old, new in zip(scoring.pillars(MODELS, before.bands), scoring.pillars(MODELS, after.bands), strict=True):
        assert new.mean >= old.mean


@settings(max_examples=200, deadline=None)
@given(answer_sets)
def test_the_level_is_the_top_of_the_ladder_of_criteria_met(chosen: dict[str, str]) -> None:
    scores = scoring.score(MODELS, chosen)
    met = set(scores.met)
    levels = MODELS.kosf.levels
    assert all(set(lv.criteria) <= met for lv in levels[1 : scores.level + 1])
    if scores.level < 5:
        assert not set(levels[scores.level + 1].criteria) <= met


@settings(max_examples=100, deadline=None)
@given(answer_sets)
def test_every_band_is_set_by_an_answer_the_explanation_names(chosen: dict[str, str]) -> None:
    scores = scoring.score(MODELS, chosen)
    result = explaining.result(MODELS, chosen, scores, "en")
    setting = {(a["dimension"], a["band"]) for a in result["answers"] if a["setsBand"]}
    for dimension in result["dimensions"]:
        assert dimension["heldBy"], dimension["id"]
        assert (dimension["id"], dimension["band"]) in setting
        assert all(a["band"] >= dimension["band"] for a in result["answers"] if a["dimension"] == dimension["id"])
    assert [a["question"] for a in result["answers"]] == [q.id for q in QUESTIONS]
