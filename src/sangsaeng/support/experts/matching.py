"""Matching a member to experts and support programs, with the reasons for each match as data.

A reason is a fact that holds (a key, the values it names, the points it adds); a match's score is the sum of its
reasons' points, so what ranks a match first is exactly what it says. The weights (``POINTS``) say what matters
most: a skill the company's plan needs, then an expert who knows its industry to the class, then to the division,
then one on site in its region or a neighbouring one, free now, speaking its language.

Experts: listed when they know one of the company's industries to the division or finer, or have a skill its plan
needs. Programs: listed only when the company is eligible on every count (size, sector, region, level) and the
deadline has not passed; the others are returned apart with the counts that fail, for whoever asks why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from sangsaeng.support.experts.model import Expert, Program
from sangsaeng.support.experts.vocabulary import near
from sangsaeng.support.profile import Profile

POINTS: Final = {
    "skill": 3,  # each skill the plan needs that the expert has
    "sector.class": 4,  # the expert's and the company's KSIC codes, one within the other, finer than a division
    "sector.division": 3,  # the same KSIC division
    "region.same": 2,  # the expert works on site in the company's region
    "region.near": 1,  # … in a region that shares a land border with it
    "available": 2,  # free today
    "available.soon": 1,  # free within ``SOON``
    "language": 1,  # speaks the language the member asked for
    "program.sector": 2,  # a program meant for the company's industry
    "program.region": 2,  # … for its region
    "program.level": 1,  # … for its smart-factory level
    "program.size": 1,  # … for its size class
}
SOON: Final = timedelta(days=30)


@dataclass(frozen=True)
class Reason:
    key: str  # the catalog key ``reason.<key>`` (domain ``experts``) says it in words
    values: Mapping[str, Any] = field(default_factory=dict)
    points: int = 0


@dataclass(frozen=True)
class Needs:
    """What a member asks beyond its profile: the skills its plan needs (ids of ``vocabulary.SKILLS``), its
    smart-factory level (else its latest assessment's), the language it works in."""

    skills: tuple[str, ...] = ()
    level: int | None = None
    language: str = "ko"

    def level_of(self, profile: Profile) -> int | None:
        if self.level is not None:
            return self.level
        return profile.maturity.level if profile.maturity is not None else None


@dataclass(frozen=True)
class ExpertMatch:
    expert: Expert
    reasons: tuple[Reason, ...]

    @property
    def points(self) -> int:
        return sum(r.points for r in self.reasons)


@dataclass(frozen=True)
class ProgramMatch:
    program: Program
    reasons: tuple[Reason, ...]

    @property
    def points(self) -> int:
        return sum(r.points for r in self.reasons)


@dataclass(frozen=True)
class Ineligible:
    program: Program
    reasons: tuple[Reason, ...]  # each a count on which the company is not eligible


# ---- experts -------------------------------------------------------------------------------------------------
def sector_fit(expert_sectors: Iterable[str], company_sectors: Iterable[str]) -> Reason | None:
    """The closest fit between an expert's and a company's KSIC codes, at the division or finer; None if none."""
    best: Reason | None = None
    for mine in expert_sectors:
        for theirs in company_sectors:
            if len(mine) < 3 or len(theirs) < 3 or mine[:3] != theirs[:3]:
                continue
            within = theirs.startswith(mine) or mine.startswith(theirs)
            key = "sector.class" if within and min(len(mine), len(theirs)) > 3 else "sector.division"
            if best is None or POINTS[key] > best.points:
                best = Reason(key, {"expert_sector": mine, "company_sector": theirs}, POINTS[key])
    return best


def region_fit(expert_regions: Sequence[str], region: str) -> Reason | None:
    if region in expert_regions:
        return Reason("region.same", {"region": region}, POINTS["region.same"])
    nearby = tuple(r for r in expert_regions if near(region, r))
    return Reason("region.near", {"region": region, "regions": nearby}, POINTS["region.near"]) if nearby else None


def availability_fit(expert: Expert, today: date) -> Reason:
    free = expert.facts.availability.free_from(today)
    if free is None:
        return Reason("busy")
    if free == today:
        return Reason("available", {}, POINTS["available"])
    return Reason("available.from", {"date": free}, POINTS["available.soon"] if free - today <= SOON else 0)


def expert_reasons(expert: Expert, profile: Profile, needs: Needs, today: date) -> tuple[Reason, ...] | None:
    """Why this expert fits the company, or None when it does not (neither its industry nor a needed skill)."""
    facts = expert.facts
    skills = tuple(s for s in dict.fromkeys(needs.skills) if s in facts.skills)
    sector = sector_fit(facts.sectors, profile.sectors)
    if sector is None and not skills:
        return None
    found = [Reason("skills", {"skills": skills}, POINTS["skill"] * len(skills))] if skills else []
    found += [r for r in (sector, region_fit(facts.regions, profile.region)) if r is not None]
    found.append(availability_fit(expert, today))
    if needs.language in facts.languages:
        found.append(Reason("language", {"language": needs.language}, POINTS["language"]))
    return tuple(found)


def match_experts(
    profile: Profile, experts: Iterable[Expert], needs: Needs, today: date, limit: int = 20
) -> list[ExpertMatch]:
    """Active experts that fit, best first (ties: by name, then id)."""
    found = []
    for expert in experts:
        if expert.retired_at is not None:
            continue
        reasons = expert_reasons(expert, profile, needs, today)
        if reasons is not None:
            found.append(ExpertMatch(expert, reasons))
    found.sort(key=lambda m: (-m.points, m.expert.facts.name, m.expert.id))
    return found[:limit]


# ---- programs ------------------------------------------------------------------------------------------------
def program_reasons(
    program: Program, profile: Profile, level: int | None, today: date
) -> tuple[list[Reason], list[Reason]]:
    """(the counts on which the company is eligible, those on which it is not)."""
    rule, deadline = program.facts.eligibility, program.facts.deadline
    holds: list[Reason] = []
    fails: list[Reason] = []
    if deadline is not None and deadline < today:
        fails.append(Reason("deadline.passed", {"date": deadline}))
    elif deadline is not None:
        holds.append(Reason("deadline", {"date": deadline, "days": (deadline - today).days}))
    if not rule.sizes:
        holds.append(Reason("size.any"))
    elif profile.size in rule.sizes:
        holds.append(Reason("size", {"size": profile.size}, POINTS["program.size"]))
    else:
        fails.append(Reason("size.not", {"size": profile.size, "sizes": rule.sizes}))
    within = [(p, c) for p in rule.sectors for c in profile.sectors if c.startswith(p)]
    if not rule.sectors:
        holds.append(Reason("sector.any"))
    elif within:
        program_sector, company_sector = within[0]
        holds.append(
            Reason(
                "sector", {"program_sector": program_sector, "company_sector": company_sector}, POINTS["program.sector"]
            )
        )
    else:
        fails.append(Reason("sector.not", {"sectors": rule.sectors, "company_sectors": profile.sectors}))
    if not rule.regions:
        holds.append(Reason("region.any"))
    elif profile.region in rule.regions:
        holds.append(Reason("region", {"region": profile.region}, POINTS["program.region"]))
    else:
        fails.append(Reason("region.not", {"region": profile.region, "regions": rule.regions}))
    bounds = {"least": rule.min_level, "most": rule.max_level}
    if rule.any_level:
        holds.append(Reason("level.any"))
    elif level is None:
        fails.append(Reason("level.unknown", bounds))
    elif rule.min_level <= level <= rule.max_level:
        holds.append(Reason("level", {"level": level, **bounds}, POINTS["program.level"]))
    else:
        fails.append(Reason("level.not", {"level": level, **bounds}))
    return holds, fails


def match_programs(
    profile: Profile, programs: Iterable[Program], needs: Needs, today: date
) -> tuple[list[ProgramMatch], list[Ineligible]]:
    """(the active programs the company is eligible for, best fit first, then the nearest deadline; the active ones
    it is not eligible for, with why)."""
    level = needs.level_of(profile)
    eligible: list[ProgramMatch] = []
    ineligible: list[Ineligible] = []
    for program in programs:
        if program.retired_at is not None:
            continue
        holds, fails = program_reasons(program, profile, level, today)
        if fails:
            ineligible.append(Ineligible(program, tuple(fails)))
        else:
            eligible.append(ProgramMatch(program, tuple(holds)))
    eligible.sort(
        key=lambda m: (-m.points, m.program.facts.deadline or date.max, m.program.facts.name.ko, m.program.id)
    )
    ineligible.sort(key=lambda i: (i.program.facts.name.ko, i.program.id))
    return eligible, ineligible
