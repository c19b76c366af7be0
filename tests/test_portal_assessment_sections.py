"""The walk's pure parts (``portal/support/assessment.py``): the questionnaire cut into pages for any questionnaire,
where a walk resumes, the question a refusal's JSON path names, and the assessment before another in a history."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sangsaeng.portal.support.assessment import MOST, previous_of, question_at, resume_at, sections
from sangsaeng.support.assessment import explaining, loading

# A questionnaire as the hub sends it: each question in a pillar of a block, in the model's order (a pillar's
# questions together, a block's pillars together).
blocks = st.lists(st.lists(st.integers(1, 12), min_size=1, max_size=4), min_size=1, max_size=4)


def questions_of(shape: list[list[int]]) -> list[dict[str, Any]]:
    return [
        {"id": f"q{b}-{p}-{n}", "block": f"b{b}", "pillar": f"p{b}-{p}", "dimensionName": f"d{b}-{p}"}
        for b, pillars in enumerate(shape)
        for p, count in enumerate(pillars)
        for n in range(count)
    ]


@given(blocks, st.integers(1, 10))
def test_every_question_is_on_one_page_in_order_and_a_page_holds_one_block_and_whole_pillars(
    shape: list[list[int]], most: int
) -> None:
    asked = questions_of(shape)
    pages = sections(asked, most)
    assert [q["id"] for s in pages for q in s.questions] == [q["id"] for q in asked]
    assert [s.number for s in pages] == list(range(1, len(pages) + 1))
    for s in pages:
        assert {q["block"] for q in s.questions} == {s.block}
        assert [q["pillar"] for q in s.questions] == [p for p in s.pillars for q in asked if q["pillar"] == p]
        # more than ``most`` only where one pillar alone has more
        assert len(s.questions) <= most or len(s.pillars) == 1
    # two neighbouring pages of one block could not have been one
    for one, two in zip(pages, pages[1:], strict=False):
        if one.block == two.block:
            assert len(one.questions) + len(two.questions) > most


def test_the_current_questionnaire_walks_in_a_handful_of_pages_of_a_handful_of_questions() -> None:
    asked = explaining.questionnaire(loading.current(), "ko")["questions"]
    pages = sections(asked)
    assert 3 <= len(pages) <= 10 and all(1 <= len(s.questions) <= MOST for s in pages)


@given(blocks, st.data())
def test_a_walk_resumes_on_the_first_page_with_an_open_question(shape: list[list[int]], data: st.DataObject) -> None:
    asked = questions_of(shape)
    answered = {q["id"]: "x" for q in asked if data.draw(st.booleans())}
    pages = sections(asked, 5)
    page = resume_at(pages, answered)
    open_pages = [s for s in pages if any(i not in answered for i in s.ids)]
    assert page == (open_pages[0] if open_pages else pages[-1])


@given(st.text(min_size=1, max_size=30))
def test_the_question_a_refusal_names_is_read_from_its_json_path(question: str) -> None:
    assert question_at(f"$.answers[{json.dumps(question, ensure_ascii=False)}]") == question
    assert question_at("$.answers.production") == "production"
    for elsewhere in (None, "", "$", "$.questionnaire", "$.answers", "answers.x", '$.answers["x"].y'):
        assert question_at(elsewhere) is None


def test_the_assessment_before_another_is_the_next_completed_one_in_the_newest_first_history() -> None:
    history = [
        {"id": "d", "state": "draft", "completedAt": None},
        {"id": "c", "state": "complete", "completedAt": "2026-03-01T09:00:00+09:00"},
        {"id": "b", "state": "complete", "completedAt": "2026-02-01T09:00:00+09:00"},
        {"id": "a", "state": "complete", "completedAt": "2026-01-01T09:00:00+09:00"},
    ]
    assert [(previous_of({"id": i}, history) or {}).get("id") for i in "abcdx"] == [None, "a", "b", None, None]
