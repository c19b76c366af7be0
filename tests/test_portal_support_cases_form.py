"""The success-case form both ways (``portal/support/case_form.py``, pure): a case the hub answers, put in the form
and read back, is the same case; numbers typed as people type them; and a refusal's JSON path lands on the form's
field — a result by the form's row it was typed in, not by its place in the document."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sangsaeng.portal.support.case_form import FIELDS, ROWS, document_of, form_of, number, slot_of

words = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=12
)
figures = st.one_of(
    st.integers(min_value=-(10**9), max_value=10**9), st.floats(allow_nan=False, allow_infinity=False, width=32)
)


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    languages = draw(st.sampled_from([("ko",), ("en",), ("ko", "en")]))

    def texts() -> dict[str, str]:
        return {lang: draw(words) for lang in languages}

    case: dict[str, Any] = {
        "title": texts(),
        "sector": draw(st.sampled_from(["C30", "C2912", "C"])),
        "levelBefore": draw(st.integers(1, 5)),
        "levelAfter": draw(st.integers(1, 5)),
        "problem": texts(),
        "done": texts(),
        "results": [
            {"metric": texts(), "before": draw(figures), "after": draw(figures), "unit": draw(words)}
            for _ in range(draw(st.integers(1, ROWS)))
        ],
        "contact": {"email": "kim@dure.co.kr"} | ({"name": draw(words)} if draw(st.booleans()) else {}),
    }
    if draw(st.booleans()):
        case["company"] = draw(words)
    technologies = draw(st.lists(words.filter(lambda w: "," not in w), max_size=4, unique=True))
    if technologies:
        case["technologies"] = technologies
    return case


@given(cases())
def test_a_case_put_in_the_form_reads_back_as_the_same_case(case: dict[str, Any]) -> None:
    answered = case | {"sector": {"code": case["sector"], "ko": "…", "en": "…"}, "id": "x", "state": "published"}
    form = form_of(answered)
    assert set(form) <= FIELDS
    read, rows = document_of(form)
    assert read == case
    assert rows == list(range(len(case["results"])))


def test_numbers_are_read_as_people_type_them_and_anything_else_goes_as_typed() -> None:
    assert number("1,200") == 1200 and isinstance(number("1,200"), int)
    assert number("0.5") == 0.5 and number("-3") == -3 and number("1e3") == 1000.0
    assert number("다섯") == "다섯" and number("nan") == "nan" and number("1e999") == "1e999" and number("") == ""


@given(st.lists(st.integers(0, ROWS - 1), min_size=1, max_size=ROWS, unique=True).map(sorted), st.data())
def test_a_refusal_of_a_result_lands_on_the_row_it_was_typed_in(rows: list[int], data: st.DataObject) -> None:
    sent = data.draw(st.integers(0, len(rows) - 1))
    field = data.draw(st.sampled_from(["before", "after", "unit", "metric.ko", "metric.en"]))
    for prefix in ("", "$."):
        assert slot_of(f"{prefix}results[{sent}].{field}", rows) == f"results.{rows[sent]}.{field}"
        assert slot_of(f"{prefix}results[{sent}]", rows) == f"results.{rows[sent]}"
    assert slot_of(f"results[{len(rows)}].before", rows) == "results"  # no such row: beside the results


def test_other_refusals_land_on_their_field_or_group_or_above_the_form() -> None:
    assert slot_of("title.en", []) == "title.en"
    assert slot_of("problem", []) == "problem"
    assert slot_of("technologies[3]", []) == "technologies"
    assert slot_of("contact.email", []) == "contact.email"
    assert slot_of("contact.fax", []) == "contact"
    assert slot_of("$", []) is None and slot_of(None, []) is None and slot_of("colour", []) is None
    assert slot_of("results[x", [0]) is None
