"""Matching a member to experts and programs, as properties over generated directories: an ineligible program is
never matched (and every active program is either matched or said ineligible), every reason names facts that
hold, a match's score is its reasons' points and matches come best first; and the tables matching reads."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.hub.members.ksic import Named
from sangsaeng.hub.members.regions import REGIONS
from sangsaeng.support.experts import said, vocabulary
from sangsaeng.support.experts.matching import (
    POINTS,
    Needs,
    Reason,
    match_experts,
    match_programs,
)
from sangsaeng.support.experts.model import (
    Availability,
    Contact,
    Eligibility,
    Expert,
    ExpertFacts,
    Funding,
    Program,
    ProgramFacts,
)
from sangsaeng.support.profile import Profile

TODAY = date(2026, 12, 1)
T0 = datetime(2026, 11, 1, tzinfo=UTC)
CODES = ["C", "C10", "C25", "C29", "C2912", "C29120", "C30", "C3030", "C30320", "G46"]
EXPERT_CODES = [c for c in CODES if len(c) >= 3]  # an expert knows a division or finer
SIZES = ["sme", "midsize", "large"]
SKILLS = sorted(vocabulary.SKILLS)[:6]
T = TypeVar("T")
HANGUL = re.compile("[\uac00-\ud7a3]")

regions = st.sampled_from(sorted(REGIONS))
profiles = st.builds(
    Profile,
    participant_id=st.just("urn:uuid:member"),
    name=st.just("한빛정밀"),
    sectors=st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True).map(tuple),
    region=regions,
    size=st.sampled_from(SIZES),
    tiers=st.just(("2차",)),
)
days = st.one_of(st.integers(-2, 2), st.integers(-40, 60)).map(lambda n: TODAY + timedelta(days=n))  # the edge often
availabilities = st.one_of(
    st.just(Availability("available")),
    st.just(Availability("busy")),
    days.map(lambda d: Availability("busy", d)),
)


@st.composite
def experts(draw: st.DrawFn, number: int) -> Expert:
    facts = ExpertFacts(
        name=draw(st.sampled_from(["가", "나", "다"])),
        organisation="센터",
        sectors=tuple(draw(st.lists(st.sampled_from(EXPERT_CODES), min_size=1, max_size=3, unique=True))),
        regions=tuple(draw(st.lists(regions, min_size=1, max_size=3, unique=True))),
        skills=tuple(draw(st.lists(st.sampled_from(SKILLS), min_size=1, max_size=3, unique=True))),
        languages=tuple(draw(st.lists(st.sampled_from(["ko", "en", "vi"]), min_size=1, max_size=2, unique=True))),
        availability=draw(availabilities),
        contact=Contact(None, "e@example.co.kr", None),
    )
    retired = T0 if draw(st.booleans()) and draw(st.booleans()) else None
    return Expert(f"e{number}", facts, T0, T0, retired)


@st.composite
def programs(draw: st.DrawFn, number: int) -> Program:
    low = draw(st.integers(1, 5))
    rule = Eligibility(
        sizes=tuple(draw(st.lists(st.sampled_from(SIZES), max_size=2, unique=True))),
        sectors=tuple(draw(st.lists(st.sampled_from(CODES), max_size=2, unique=True))),
        regions=tuple(draw(st.lists(regions, max_size=3, unique=True))),
        min_level=low,
        max_level=draw(st.integers(low, 5)),
    )
    facts = ProgramFacts(
        name=Named(f"사업 {number}", f"Program {number}"),
        agency=Named("중소벤처기업부", "Ministry of SMEs and Startups"),
        eligibility=rule,
        funding=Funding(amount_krw=10_000_000),
        deadline=draw(st.none() | days),
        link="https://example.go.kr/",
    )
    retired = T0 if draw(st.booleans()) and draw(st.booleans()) else None
    return Program(f"p{number}", facts, T0, T0, retired)


def listed_of(make: Callable[[int], st.SearchStrategy[T]]) -> st.SearchStrategy[list[T]]:
    """Up to eight entries, each with its own id."""
    return st.integers(0, 8).flatmap(lambda n: st.tuples(*(make(i) for i in range(n))).map(list))


needs = st.builds(
    Needs,
    skills=st.lists(st.sampled_from(SKILLS), max_size=3, unique=True).map(tuple),
    level=st.none() | st.integers(1, 5),
    language=st.sampled_from(["ko", "en"]),
)


# ---- an oracle for eligibility, written from the rule as the issue states it -------------------------------------
def eligible(program: Program, profile: Profile, level: int | None) -> bool:
    rule, deadline = program.facts.eligibility, program.facts.deadline
    every_level = (rule.min_level, rule.max_level) == (1, 5)
    return (
        (deadline is None or deadline >= TODAY)
        and (not rule.sizes or profile.size in rule.sizes)
        and (not rule.sectors or any(c.startswith(p) for p in rule.sectors for c in profile.sectors))
        and (not rule.regions or profile.region in rule.regions)
        and (every_level or (level is not None and rule.min_level <= level <= rule.max_level))
    )


def program_reason_holds(reason: Reason, program: Program, profile: Profile, level: int | None) -> bool:
    rule, v = program.facts.eligibility, reason.values
    facts = {
        "deadline": lambda: v["date"] == program.facts.deadline and v["days"] == (v["date"] - TODAY).days >= 0,
        "deadline.passed": lambda: v["date"] == program.facts.deadline and v["date"] < TODAY,
        "size.any": lambda: rule.sizes == (),
        "size": lambda: v["size"] == profile.size and profile.size in rule.sizes,
        "size.not": lambda: v["size"] == profile.size and v["sizes"] == rule.sizes and profile.size not in rule.sizes,
        "sector.any": lambda: rule.sectors == (),
        "sector": lambda: (
            v["program_sector"] in rule.sectors
            and v["company_sector"] in profile.sectors
            and v["company_sector"].startswith(v["program_sector"])
        ),
        "sector.not": lambda: (
            v["sectors"] == rule.sectors and not any(c.startswith(p) for p in rule.sectors for c in profile.sectors)
        ),
        "region.any": lambda: rule.regions == (),
        "region": lambda: v["region"] == profile.region and profile.region in rule.regions,
        "region.not": lambda: v["region"] == profile.region and profile.region not in rule.regions,
        "level.any": lambda: (rule.min_level, rule.max_level) == (1, 5),
        "level": lambda: v["level"] == level and rule.min_level <= v["level"] <= rule.max_level,
        "level.not": lambda: v["level"] == level and not rule.min_level <= v["level"] <= rule.max_level,
        "level.unknown": lambda: level is None and (v["least"], v["most"]) == (rule.min_level, rule.max_level),
    }
    return facts[reason.key]()


def expert_reason_holds(reason: Reason, expert: Expert, profile: Profile, asked: Needs) -> bool:
    f, v = expert.facts, reason.values
    free = f.availability.free_from(TODAY)
    facts = {
        "skills": lambda: len(v["skills"]) > 0 and all(s in f.skills and s in asked.skills for s in v["skills"]),
        "sector.class": lambda: (
            v["expert_sector"] in f.sectors
            and v["company_sector"] in profile.sectors
            and min(len(v["expert_sector"]), len(v["company_sector"])) > 3
            and (
                v["company_sector"].startswith(v["expert_sector"]) or v["expert_sector"].startswith(v["company_sector"])
            )
        ),
        "sector.division": lambda: (
            v["expert_sector"] in f.sectors
            and v["company_sector"] in profile.sectors
            and v["expert_sector"][:3] == v["company_sector"][:3]
        ),
        "region.same": lambda: v["region"] == profile.region and profile.region in f.regions,
        "region.near": lambda: (
            v["region"] == profile.region
            and profile.region not in f.regions
            and len(v["regions"]) > 0
            and all(r in f.regions and profile.region in vocabulary.NEIGHBOURS[r] for r in v["regions"])
        ),
        "available": lambda: free == TODAY,
        "available.from": lambda: free is not None and free == v["date"] > TODAY,
        "busy": lambda: free is None,
        "language": lambda: v["language"] == asked.language and asked.language in f.languages,
    }
    return facts[reason.key]()


@settings(max_examples=300, deadline=None)
@given(profile=profiles, listed=listed_of(programs), asked=needs)
def test_an_ineligible_program_is_never_matched_and_every_reason_holds(
    profile: Profile, listed: list[Program], asked: Needs
) -> None:
    matched, ineligible = match_programs(profile, listed, asked, TODAY)
    active = {p.id for p in listed if p.retired_at is None}
    assert {m.program.id for m in matched} == {
        p.id for p in listed if p.id in active and eligible(p, profile, asked.level)
    }
    assert {m.program.id for m in matched} | {i.program.id for i in ineligible} == active
    assert not {m.program.id for m in matched} & {i.program.id for i in ineligible}
    for m in matched:
        assert all(program_reason_holds(r, m.program, profile, asked.level) for r in m.reasons), m
        assert m.points == sum(r.points for r in m.reasons)
    for i in ineligible:
        assert i.reasons and all(program_reason_holds(r, i.program, profile, asked.level) for r in i.reasons), i
    assert [m.points for m in matched] == sorted((m.points for m in matched), reverse=True)


@settings(max_examples=300, deadline=None)
@given(profile=profiles, listed=listed_of(experts), asked=needs)
def test_experts_are_listed_for_their_industry_or_a_needed_skill_and_every_reason_holds(
    profile: Profile, listed: list[Expert], asked: Needs
) -> None:
    found = match_experts(profile, listed, asked, TODAY, limit=100)

    def fits(e: Expert) -> bool:
        same_division = any(len(c) >= 3 and c[:3] == s[:3] for s in e.facts.sectors for c in profile.sectors)
        return e.retired_at is None and (same_division or bool(set(asked.skills) & set(e.facts.skills)))

    assert sorted(m.expert.id for m in found) == sorted(e.id for e in listed if fits(e))
    for m in found:
        assert all(expert_reason_holds(r, m.expert, profile, asked) for r in m.reasons), m
        assert m.points == sum(r.points for r in m.reasons)
        assert len({r.key for r in m.reasons}) == len(m.reasons)  # one reason of each kind
    assert [m.points for m in found] == sorted((m.points for m in found), reverse=True)


@given(profile=profiles, listed=listed_of(experts), asked=needs)
def test_a_needed_skill_weighs_more_than_any_other_single_fact(
    profile: Profile, listed: list[Expert], asked: Needs
) -> None:
    assert POINTS["skill"] >= max(v for k, v in POINTS.items() if k.startswith(("region", "available", "language")))
    for m in match_experts(profile, listed, asked, TODAY):
        said_skills = [r for r in m.reasons if r.key == "skills"]
        assert sum(r.points for r in said_skills) == POINTS["skill"] * len(
            set(asked.skills) & set(m.expert.facts.skills)
        )


# ---- what a reason says ------------------------------------------------------------------------------------------
def test_a_reason_names_its_facts_by_their_names_in_each_language() -> None:
    region = Reason("region.near", {"region": "KR-48", "regions": ("KR-26", "KR-31")}, 1)
    assert said.text(region, "ko") == "경상남도 인접 지역(부산광역시, 울산광역시) 현장 지원 가능"
    assert said.text(region, "en") == "works on site in Busan, Ulsan, next to South Gyeongsang"
    sector = Reason("sector.division", {"expert_sector": "C30", "company_sector": "C3030"}, 3)
    assert "C30 자동차 및 트레일러 제조업" in said.text(sector, "ko")
    assert "C3030 Motor vehicles, trailers and semitrailers" in said.text(sector, "en")
    skills = Reason("skills", {"skills": ("mes", "machine-vision")}, 6)
    assert said.text(skills, "ko").endswith("생산관리시스템(MES), 머신비전 검사")
    assert (
        said.text(Reason("size.not", {"size": "sme", "sizes": ("large",)}), "ko")
        == "대기업 대상이며 귀사는 중소기업입니다"
    )


# ---- the vocabulary --------------------------------------------------------------------------------------------
def test_neighbouring_regions_are_symmetric_never_themselves_and_jeju_has_none() -> None:
    assert set(vocabulary.NEIGHBOURS) == set(REGIONS)
    for region, others in vocabulary.NEIGHBOURS.items():
        assert region not in others
        assert all(region in vocabulary.NEIGHBOURS[o] for o in others)
    assert vocabulary.NEIGHBOURS["KR-49"] == frozenset()
    assert (
        vocabulary.near("KR-11", "KR-41")
        and vocabulary.near("KR-48", "KR-26")
        and not vocabulary.near("KR-11", "KR-48")
    )
    # Every mainland region borders at least one other: a table with a gap would leave a region with no one nearby.
    assert all(others for region, others in vocabulary.NEIGHBOURS.items() if region != "KR-49")


def test_every_skill_and_language_is_named_in_korean_and_english() -> None:
    for table in (vocabulary.SKILLS, vocabulary.LANGUAGES):
        for key, name in table.items():
            assert re.fullmatch(r"[a-z][a-z-]*", key), key
            assert HANGUL.search(name.ko) and not HANGUL.search(name.en) and name.en, key
    assert {"mes", "plc-scada", "data-analytics", "quality-spc", "energy", "carbon-accounting", "erp",
            "machine-vision", "dataspace-onboarding"} <= set(vocabulary.SKILLS)  # fmt: skip
