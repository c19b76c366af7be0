"""The plan's promises, for every company hypothesis can make up: a company that already takes a step (its
``done_when`` holds) is never told to start it; a plan never names a step twice, never has more than three, holds
only steps whose conditions all hold, in order of priority; and its trace shows the values the company has.

The conditions are judged here by an oracle of the test's own (a second reading of the rule lines, and the facts
read straight off the profile), not by the planner's evaluator."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sangsaeng.hub.members.regions import REGIONS, SIZES
from sangsaeng.policy.templates import TEMPLATES
from sangsaeng.standard.labels import ENTITY_LABELS
from sangsaeng.support.plan.facts import Ask, Situation
from sangsaeng.support.plan.planning import STEPS, plan_of
from sangsaeng.support.plan.rules import Rule, current
from sangsaeng.support.plan.vocabulary import INDICATORS, SIRI_DIMENSIONS
from sangsaeng.support.profile import Activity, Maturity, Profile

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BOOK = current()
ENTITIES = sorted(ENTITY_LABELS)
SECTORS = [f"C{d}" for d in range(10, 35)] + ["C3012", "C2511", "C291", "G46", "J"]


# ---- the oracle -----------------------------------------------------------------------------------------------------
def months_between(since: datetime, now: datetime) -> int:
    months = 0
    while True:
        year, month = divmod(since.month - 1 + months + 1, 12)
        # the same day of the month (the month's last day when it has fewer days)
        day = min(
            since.day, [31, 29 if (since.year + year) % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]
        )
        if datetime(since.year + year, month + 1, day).date() > now.date():
            return months
        months += 1


def fact(name: str, s: Situation) -> Any:
    p = s.profile
    m, a = p.maturity, p.activity
    direct = {
        "size": p.size,
        "region": p.region,
        "sector": set(p.sectors),
        "tier": set(p.tiers),
        "assessed": m is not None,
        "datasets_published": a.datasets_published,
        "entities_published": set(a.entities_published),
        "templates_offered": set(a.templates_offered),
        "agreements_as_provider": a.agreements_as_provider,
        "agreements_as_consumer": a.agreements_as_consumer,
        "streams": a.streams,
        "benchmark_indicators": set(a.benchmark_indicators),
        "requested_of_it": set(a.requested_of_it),
        "wants_declared": s.wants_declared,
    }
    if name in direct:
        return direct[name]
    if m is None:
        return None
    if name == "level":
        return m.level
    if name == "months_since_assessment":
        return months_between(m.at, s.now)
    return m.siri.get(name.removeprefix("siri."))


LINE = re.compile(r"^(\S+) (==|!=|<=|>=|<|>|not in|in|has any|has none|has|lacks|not under|under) (.+)$")


def holds(line: str, s: Situation) -> bool:
    for part in line.split(" or "):
        name, op, written = LINE.match(part).groups()  # type: ignore[union-attr]
        words = [w.strip() for w in written.strip("[]").split(",")]
        value = fact(name, s)
        if value is None:
            continue
        if op in ("==", "!=", "<", "<=", ">", ">=") and not isinstance(value, str | bool):
            n = float(written)
            ok = {
                "==": value == n,
                "!=": value != n,
                "<": value < n,
                "<=": value <= n,
                ">": value > n,
                ">=": value >= n,
            }
            if ok[op]:
                return True
        elif isinstance(value, bool):
            if value == (written == "true"):
                return True
        elif op in ("==", "in") and value in words or op in ("!=", "not in") and value not in words:
            return True
        elif op in ("has", "has any") and value & set(words) or op in ("lacks", "has none") and not value & set(words):
            return True
        elif op in ("under", "not under"):
            under = any(code.startswith(w) for code in value for w in words)
            if under == (op == "under"):
                return True
    return False


def fits(rule: Rule, s: Situation) -> bool:
    return all(holds(c.text, s) for c in rule.when)


def done(rule: Rule, s: Situation) -> bool:
    return all(holds(c.text, s) for c in rule.done_when)


# ---- companies -------------------------------------------------------------------------------------------------------
def some(values: list[str] | tuple[str, ...]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(list(values)), max_size=len(values))


@st.composite
def situations(draw: st.DrawFn) -> Situation:
    maturity = None
    if draw(st.booleans()):
        dimensions = draw(st.lists(st.sampled_from(SIRI_DIMENSIONS), unique=True))
        bands = {d: draw(st.integers(0, 5)) for d in dimensions}
        at = NOW - timedelta(days=draw(st.integers(0, 800)), hours=draw(st.integers(0, 23)))
        maturity = Maturity(bands, draw(st.integers(0, 5)), "test", at)
    requested = draw(some(ENTITIES))
    asks = tuple(Ask(e, draw(st.sampled_from(["현대모터", "Kia Parts", "대성"])), "이유") for e in sorted(requested))
    activity = Activity(
        datasets_published=draw(st.integers(0, 4)),
        entities_published=draw(some(ENTITIES)),
        templates_offered=draw(some(sorted(TEMPLATES))),
        agreements_as_provider=draw(st.integers(0, 3)),
        agreements_as_consumer=draw(st.integers(0, 3)),
        streams=draw(st.integers(0, 3)),
        benchmark_indicators=draw(some(INDICATORS)),
        requested_of_it=requested,
    )
    profile = Profile(
        participant_id="urn:uuid:x",
        name="한빛정밀",
        sectors=tuple(draw(st.lists(st.sampled_from(SECTORS), min_size=1, max_size=3, unique=True))),
        region=draw(st.sampled_from(sorted(REGIONS))),
        size=draw(st.sampled_from(sorted(SIZES))),
        tiers=tuple(draw(st.lists(st.sampled_from(["OEM", "1차", "2차", "3차"]), min_size=1, max_size=2, unique=True))),
        maturity=maturity,
        activity=activity,
    )
    return Situation(profile, NOW, asks, draw(st.integers(0, 2)))


# ---- the promises ----------------------------------------------------------------------------------------------------
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(situations())
def test_a_step_the_company_already_takes_is_never_suggested(situation: Situation) -> None:
    plan = plan_of(situation, BOOK)
    suggested = [s.rule for s in plan.steps] + [r for r in BOOK.rules if r.id in plan.later]
    assert not [r.id for r in suggested if done(r, situation)]
    assert set(plan.done) == {r.id for r in BOOK.rules if done(r, situation)}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(situations())
def test_the_plan_is_the_first_three_fitting_steps_by_priority_each_once(situation: Situation) -> None:
    plan = plan_of(situation, BOOK)
    ids = [s.rule.id for s in plan.steps]
    assert len(ids) <= STEPS and len(set(ids)) == len(ids)
    assert [s.rank for s in plan.steps] == list(range(1, len(ids) + 1))
    order = {r.id: i for i, r in enumerate(BOOK.rules)}
    fitting = sorted(
        (r for r in BOOK.rules if fits(r, situation) and not done(r, situation)),
        key=lambda r: (r.priority, order[r.id]),
    )
    assert ids == [r.id for r in fitting[:STEPS]]
    assert list(plan.later) == [r.id for r in fitting[STEPS:]]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(situations())
def test_the_trace_shows_every_condition_held_with_the_companys_own_values(situation: Situation) -> None:
    for step in plan_of(situation, BOOK).steps:
        assert [c.condition.text for c in step.trace] == [c.text for c in step.rule.when]
        assert all(c.held for c in step.trace)
        assert not all(c.held for c in step.done)
        for found in (*step.trace, *step.done):
            for seen in found.seen:
                expected = fact(seen.test.fact.name, situation)
                value = seen.value
                assert (set(value) if isinstance(value, tuple | frozenset) else value) == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(situations(), st.data())
def test_doing_a_suggested_step_takes_it_off_the_plan(situation: Situation, data: st.DataObject) -> None:
    """A step whose 'done' is about what the hub sees (a dataset, a template, an indicator) leaves the plan once the
    company does exactly that."""
    plan = plan_of(situation, BOOK)
    doable = [s.rule for s in plan.steps if len(s.rule.done_when) == 1 and " or " not in s.rule.done_when[0].text]
    sets = {"entities_published", "templates_offered", "benchmark_indicators"}
    doable = [
        r
        for r in doable
        if r.done_when[0].alternatives[0].op == "has" and r.done_when[0].alternatives[0].fact.name in sets
    ]
    if not doable:
        return
    rule = data.draw(st.sampled_from(doable))
    test = rule.done_when[0].alternatives[0]
    a = situation.profile.activity
    field = test.fact.name
    changed = Activity(**{**vars(a), field: getattr(a, field) | {test.words[0]}})
    after = Situation(
        Profile(**{**vars(situation.profile), "activity": changed}),
        situation.now,
        situation.asks,
        situation.wants_declared,
    )
    again = plan_of(after, BOOK)
    assert rule.id not in [s.rule.id for s in again.steps] + list(again.later)
    assert rule.id in again.done
