"""What the directories hold and members publish, as values: experts and support programs (the operator's), success
cases (a member's) and requests for an expert (a member's, moved on by the operator)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from sangsaeng.hub.members.ksic import Named

LEVELS: Final = range(1, 6)  # the Korean smart-factory levels: 1 기초 … 5 고도화
Texts = Mapping[str, str]  # a text in the languages it is written in: {"ko": …, "en": …}


@dataclass(frozen=True)
class Contact:
    name: str | None
    email: str
    phone: str | None


@dataclass(frozen=True)
class Availability:
    """``available``, or ``busy`` — until a day (inclusive: free again the day after) or until further notice."""

    state: str  # "available" | "busy"
    until: date | None = None

    def free_from(self, today: date) -> date | None:
        """The first day from ``today`` on which the expert is free; None while busy until further notice."""
        if self.state == "available":
            return today
        if self.until is None:
            return None
        return max(today, self.until + timedelta(days=1))


@dataclass(frozen=True)
class ExpertFacts:
    name: str
    organisation: str
    sectors: tuple[str, ...]  # KSIC codes, a division or finer (C29, C2912)
    regions: tuple[str, ...]  # ISO 3166-2:KR codes where the expert works on site
    skills: tuple[str, ...]  # ids of ``vocabulary.SKILLS``
    languages: tuple[str, ...]  # ids of ``vocabulary.LANGUAGES``
    availability: Availability
    contact: Contact


@dataclass(frozen=True)
class Expert:
    id: str
    facts: ExpertFacts
    created_at: datetime
    updated_at: datetime
    retired_at: datetime | None = None


@dataclass(frozen=True)
class Eligibility:
    """Who a program is for; an empty tuple is "any", levels 1–5 are every level."""

    sizes: tuple[str, ...] = ()  # sme | midsize | large
    sectors: tuple[str, ...] = ()  # KSIC codes: a company's code must lie within one (C29 holds C2912)
    regions: tuple[str, ...] = ()
    min_level: int = 1
    max_level: int = 5

    @property
    def any_level(self) -> bool:
        return self.min_level == LEVELS[0] and self.max_level == LEVELS[-1]


@dataclass(frozen=True)
class Funding:
    """A fixed amount, or a share of the project's cost (percent) up to a cap; in Korean won."""

    amount_krw: int | None = None
    share_percent: int | None = None
    cap_krw: int | None = None


@dataclass(frozen=True)
class ProgramFacts:
    name: Named
    agency: Named
    eligibility: Eligibility
    funding: Funding
    deadline: date | None  # the last day to apply, in Korea's calendar; None: open until further notice
    link: str


@dataclass(frozen=True)
class Program:
    id: str
    facts: ProgramFacts
    created_at: datetime
    updated_at: datetime
    retired_at: datetime | None = None


@dataclass(frozen=True)
class Result:
    metric: Texts
    before: float
    after: float
    unit: str


@dataclass(frozen=True)
class CaseFacts:
    title: Texts
    company: str | None  # the company the case is about; None: the member that publishes it
    sector: str  # KSIC code
    level_before: int
    level_after: int
    problem: Texts
    done: Texts
    results: tuple[Result, ...]
    technologies: tuple[str, ...]
    contact: Contact

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages its text is written in (every text of a case has the same ones)."""
        return tuple(sorted(self.title))


@dataclass(frozen=True)
class Case:
    id: str
    owner: str  # the publishing member's participant id
    publisher: str  # its name when it last published or edited
    facts: CaseFacts
    state: str  # published | withdrawn
    published_at: datetime
    updated_at: datetime

    @property
    def company(self) -> str:
        return self.facts.company or self.publisher


@dataclass(frozen=True)
class ExpertRequest:
    id: str
    expert_id: str
    participant_id: str
    message: str
    state: str  # requested | accepted | declined | done
    note: str | None  # the operator's word on its last step
    requested_at: datetime
    decided_at: datetime | None = None
    done_at: datetime | None = None
