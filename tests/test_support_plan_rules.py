"""The plan's rules as data (``support/plan/rules/*.toml``): every file loads, every fact, word, skill and
placeholder a rule names exists, a mistake is refused with where it is; and worked examples of the plan, whose
expected steps are read off the rule file by hand (priorities and conditions), not computed by the planner."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from typing import Any

import pytest

from sangsaeng.errors import InvalidInput
from sangsaeng.i18n import catalogs
from sangsaeng.support.assessment import loading
from sangsaeng.support.plan.conditions import check, read_condition
from sangsaeng.support.plan.facts import FACTS, Ask, Situation, fact_label
from sangsaeng.support.plan.planning import plan_of
from sangsaeng.support.plan.rules import PLACEHOLDERS, RULES_DIR, current, load, read_rulebook, rule_files
from sangsaeng.support.plan.vocabulary import SIRI_DIMENSIONS, SKILLS
from sangsaeng.support.plan.words import effort_words, explained, filled, skill_name
from sangsaeng.support.profile import Activity, Maturity, Profile

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def profile(**changes: Any) -> Profile:
    activity = changes.pop("activity", Activity())
    base: dict[str, Any] = {
        "participant_id": "urn:uuid:t2",
        "name": "한빛정밀",
        "sectors": ("C30",),
        "region": "KR-48",
        "size": "sme",
        "tiers": ("2차",),
        "maturity": None,
    }
    return Profile(**(base | changes), activity=activity)


def maturity(level: int, at: datetime = NOW, **bands: int) -> Maturity:
    return Maturity(dict(bands), level, "siri-2024.1+kosf-2024.1", at)


def steps(situation: Situation) -> list[str]:
    return [s.rule.id for s in plan_of(situation, current()).steps]


def refused(text: str, at: str = "rule[0].when[0]") -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        read_condition(text, at)
    return caught.value


# ---- the files --------------------------------------------------------------------------------------------------
def test_the_plan_knows_the_sixteen_siri_dimensions_the_assessment_scores() -> None:
    assert len(SIRI_DIMENSIONS) == 16
    assert {f"siri.{d}" for d in SIRI_DIMENSIONS} <= set(FACTS)
    assert {d.id for d in loading.current().siri.dimensions} == set(SIRI_DIMENSIONS)


def test_every_rule_file_loads_and_names_only_what_exists() -> None:
    files = rule_files()
    assert files, f"no rule file in {RULES_DIR}"
    for path in files:
        book = load(path)
        assert 20 <= len(book.rules) <= 40, path
        for rule in book.rules:
            for condition in (*rule.when, *rule.done_when):
                for test in condition.alternatives:
                    assert test.fact.name in FACTS
            assert set(rule.skills) <= set(SKILLS)
            # every placeholder a text uses is one the plan fills, in both languages alike
            for said in (rule.title, rule.why, rule.gain):
                filled_ko = said.ko.format(**{name: f"<{name}>" for name in PLACEHOLDERS})
                filled_en = said.en.format(**{name: f"<{name}>" for name in PLACEHOLDERS})
                assert "{" not in filled_ko + filled_en


def test_the_current_rules_are_the_newest_file_and_every_text_is_korean_and_english() -> None:
    book = current()
    versions = [tomllib.loads(p.read_text("utf-8"))["version"] for p in rule_files()]
    assert book.version == max(versions, key=lambda v: tuple(int(x) for x in v.split(".")))
    for rule in book.rules:
        for said in (rule.title, rule.why, rule.gain):
            assert any("\uac00" <= ch <= "\ud7a3" for ch in said.ko), rule.id
            assert not any("\uac00" <= ch <= "\ud7a3" for ch in said.en.replace("1차", "").replace("2차", "")), rule.id


def test_every_word_the_plan_says_is_in_both_catalogs() -> None:
    book = current()
    for language in catalogs.LANGUAGES:
        known = catalogs.entries(language, "plan")
        for fact in FACTS:
            key = "field.siri" if fact.startswith("siri.") else f"field.{fact}"
            assert key in known, (language, key)
            if fact.startswith("siri."):  # a dimension by the assessment model's name
                named = loading.current().siri.dimension(fact.removeprefix("siri.")).name.say(language)
                assert named in fact_label(fact, language), (language, fact)
        for skill in SKILLS:
            assert skill_name(skill, language) != skill, (language, skill)  # named by the experts' directory
        for rule in book.rules:
            assert f"cost.{rule.effort.cost}" in known and f"effort.{rule.effort.unit}" in known


# ---- refusals with where ------------------------------------------------------------------------------------------
def test_an_unknown_fact_is_refused_with_where_and_the_facts_there_are() -> None:
    error = refused("machines == 0", "rule[3].when[1]")
    assert error.position == "rule[3].when[1]"
    assert "machines" in error.message and "streams" in (error.hint or "")
    assert "machines" in error.details["message_ko"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("streams has 3", "rules.operator"),  # a number takes comparisons
        ("streams >= many", "rules.number"),
        ("level >= 6", "rules.number"),  # the Korean levels are 0–5
        ("siri.shop_floor_connectivity > 6", "rules.number"),
        ("siri.smoke-detection >= 1", "rules.fact-unknown"),  # not a SIRI dimension
        ("entities_published has inspection_results", "rules.value"),  # not a standard entity
        ("templates_offered has quality", "rules.value"),
        ("tier has 2nd", "rules.value"),
        ("size == small", "rules.value"),
        ("region == 경남", "rules.value"),  # rules name the code the hub keeps (KR-48)
        ("sector under [C99]", "rules.sector"),
        ("assessed == yes", "rules.flag"),
        ("streams", "rules.condition-shape"),
        ("streams == 0 and level >= 2", "rules.number"),  # 'and' is a list of lines, not a word
        ("size == [sme, large]", "rules.value-shape"),  # a list only where a list is taken
        ("", "rules.condition-shape"),
    ],
)
def test_a_condition_that_cannot_mean_what_it_says_is_refused(text: str, key: str) -> None:
    error = refused(text)
    expected_en = catalogs.text("plan", key, "en").split("{")[0]
    assert error.message.startswith(expected_en), (text, error.message)
    assert error.position == "rule[0].when[0]"


def minimal(**changes: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": "one",
        "priority": 1,
        "when": ["streams == 0"],
        "done_when": ["streams >= 1"],
        "effort": {"amount": 1, "unit": "days", "cost": "low"},
        "title": {"ko": "제목", "en": "Title"},
        "why": {"ko": "이유 {streams}", "en": "Why {streams}"},
        "gain": {"ko": "얻는 것", "en": "Gain"},
    }
    return {"id": "test-rules", "version": "2026.1", "rule": [rule | changes]}


def refused_book(data: dict[str, Any]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        read_rulebook(data, "test.toml")
    return caught.value


def test_a_minimal_rule_file_reads_and_each_mistake_in_it_is_refused_where_it_is() -> None:
    book = read_rulebook(minimal(), "test.toml")
    assert [r.id for r in book.rules] == ["one"] and book.name == "test-rules@2026.1"
    cases: list[tuple[dict[str, Any], str]] = [
        (minimal(colour="red"), "rule[0].colour"),
        (minimal(priority=0), "rule[0].priority"),
        (minimal(priority=True), "rule[0].priority"),
        (minimal(skills=["welding"]), "rule[0].skills[0]"),
        (minimal(subject="inspection_result"), "rule[0].subject"),
        (minimal(done_when=[]), "rule[0].done_when"),
        (minimal(when=["streams == 0", "machines > 1"]), "rule[0].when[1]"),
        (minimal(effort={"amount": 1, "unit": "months", "cost": "low"}), "rule[0].effort.unit"),
        (minimal(effort={"amount": 0, "unit": "days", "cost": "low"}), "rule[0].effort.amount"),
        (minimal(why={"ko": "이유 {askers}", "en": "Why {askers}"}), "rule[0].why"),  # needs a subject
        (minimal(why={"ko": "이유 {streams}", "en": "Why"}), "rule[0].why"),  # the languages differ
        (minimal(why={"ko": "이유 {stream}", "en": "Why {stream}"}), "rule[0].why.ko"),
        (minimal(why={"ko": "이유 {streams!r}", "en": "Why {streams!r}"}), "rule[0].why.ko"),
        (minimal(title={"ko": "제목"}), "rule[0].title.en"),
    ]
    for data, at in cases:
        assert refused_book(data).position == at, data
    del (no_gain := minimal())["rule"][0]["gain"]
    assert refused_book(no_gain).position == "rule[0].gain"
    twice = minimal()
    twice["rule"].append(dict(twice["rule"][0]))
    assert refused_book(twice).position == "rule[1].id"
    assert refused_book(minimal() | {"version": "1"}).position == "version"
    assert refused_book(minimal() | {"extra": 1}).position == "extra"


# ---- conditions, evaluated ----------------------------------------------------------------------------------------
def test_a_fact_nobody_knows_makes_every_comparison_fail_even_a_negative_one() -> None:
    unassessed = Situation(profile(), NOW)
    for text in ("level >= 1", "level != 3", "level < 5", "siri.collaboration <= 5", "months_since_assessment >= 0"):
        found = check(read_condition(text, "x"), unassessed)
        assert not found.held and found.seen[0].value is None, text
    said = explained(check(read_condition("level != 3", "x"), unassessed), "ko")
    assert said == ["스마트공장 수준: 알 수 없음 → ‘level != 3’ 판단할 수 없어 충족하지 않는 것으로 봄"]


def test_sectors_match_by_their_codes_beginning_and_or_joins_alternatives() -> None:
    fine = Situation(profile(sectors=("C3012",)), NOW)
    assert check(read_condition("sector under [C29, C30]", "x"), fine).held
    assert not check(read_condition("sector under 29", "x"), fine).held  # read as C29
    assert check(read_condition("sector not under C29", "x"), fine).held
    either = check(read_condition("streams >= 1 or tier has 2차", "x"), fine)
    assert either.held and [s.held for s in either.seen] == [False, True]


# ---- worked examples ------------------------------------------------------------------------------------------------
def test_a_supplier_asked_for_inspection_results_is_told_so_first_with_the_asker_and_the_reason() -> None:
    # Unassessed tier-2 with nothing published; its customer 현대모터 asked for quality results.
    # From the file: answer-quality-request (priority 10), take-assessment (16), first-dataset (20) fit; the
    # machine and energy steps (35, 50) come later.
    asked = Situation(
        profile(activity=Activity(requested_of_it=frozenset({"quality_result"}))),
        NOW,
        (Ask("quality_result", "현대모터", "수입검사를 줄이려고 합니다", "quality-to-customer"),),
    )
    plan = plan_of(asked, current())
    assert [s.rule.id for s in plan.steps] == ["answer-quality-request", "take-assessment", "first-dataset"]
    assert plan.later == ("first-machine-sensor", "energy-metering")
    first = plan.steps[0]
    why_ko = filled(first.rule.why, asked, first.rule, "ko")
    assert why_ko.startswith("현대모터이(가) 품질 검사 결과을(를) 요청했습니다: “수입검사를 줄이려고 합니다”.")
    assert "직접 고객사에 품질 데이터 제공" in why_ko
    why_en = filled(first.rule.why, asked, first.rule, "en")
    assert why_en.startswith("현대모터 asked for your Quality result: “수입검사를 줄이려고 합니다”.")
    assert effort_words(first.rule.effort, "en") == "about 1 day, no extra cost"
    assert effort_words(first.rule.effort, "ko") == "약 1일, 추가 비용 없음"


def test_a_company_that_publishes_and_is_assessed_gets_the_steps_its_bands_call_for() -> None:
    # Assessed level 2 last month: vertical integration 1, shop-floor connectivity 1, intelligence 1, strategy 1.
    # Publishes quality results under the quality template, one agreement, no stream. By the file:
    # connect-machines-mqtt (35: streams == 0, connectivity >= 1) and basic-mes (40: level <= 2, VI <= 1) fit,
    # then benchmark-defect-ppm (45); digital-roadmap and SPC (50) come later; first-dataset is done.
    situation = Situation(
        profile(
            maturity=maturity(
                2,
                datetime(2026, 11, 2, tzinfo=UTC),
                vertical_integration=1,
                shop_floor_connectivity=1,
                shop_floor_intelligence=1,
                strategy_governance=1,
                workforce_learning=2,
            ),
            activity=Activity(
                datasets_published=1,
                entities_published=frozenset({"quality_result"}),
                templates_offered=frozenset({"quality-to-customer"}),
                agreements_as_provider=1,
            ),
        ),
        NOW,
    )
    plan = plan_of(situation, current())
    assert [s.rule.id for s in plan.steps] == ["connect-machines-mqtt", "basic-mes", "benchmark-defect-ppm"]
    assert {"take-assessment", "first-dataset", "first-agreement", "quality-under-template", "reassess"} <= set(
        plan.done
    )
    assert plan.later[:4] == ("energy-metering", "spc-on-critical-dimensions", "digital-roadmap", "benchmark-delivery")
    mes = plan.steps[1]
    assert filled(mes.rule.why, situation, mes.rule, "en").startswith("Smart-factory level 2:")
    assert [c.condition.text for c in mes.trace] == ["level <= 2", "siri.vertical_integration <= 1"]
    assert explained(mes.trace[1], "en") == [
        "SIRI band in ‘Vertical integration’: 1 → ‘siri.vertical_integration <= 1’ holds"
    ]


def test_an_old_assessment_is_counted_in_calendar_months() -> None:
    before = Situation(profile(maturity=maturity(3, datetime(2025, 12, 2, tzinfo=UTC))), NOW)  # 11 months, 29 days
    after = Situation(profile(maturity=maturity(3, datetime(2025, 12, 1, tzinfo=UTC))), NOW)  # 12 months
    assert "reassess" not in steps(before) + list(plan_of(before, current()).later)
    assert "reassess" in steps(after) + list(plan_of(after, current()).later)
