"""What a rule's conditions may ask of a company: each fact by the name rules use, its kind (a number, a word, a
set of words, KSIC sectors, yes/no), the values it may be compared with, how it is read from a ``Situation`` (the
company's ``Profile``, its partners' requests, the time) and how its values are named for people.

A fact the hub does not know (no assessment yet: no level, no SIRI band) reads as ``None``: every comparison with
it fails, ``!=`` and ``lacks`` included, so a step is never chosen on what nobody knows."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from sangsaeng.hub.members.facts import TIER
from sangsaeng.hub.members.ksic import name_of
from sangsaeng.hub.members.regions import REGIONS, SIZES
from sangsaeng.i18n import catalogs
from sangsaeng.policy.templates import TEMPLATES
from sangsaeng.standard.labels import ENTITY_LABELS
from sangsaeng.support.disclosure.indicators import catalogue
from sangsaeng.support.plan.vocabulary import DIMENSIONS, INDICATORS, SIRI_DIMENSIONS
from sangsaeng.support.profile import Profile

Kind = Literal["number", "text", "set", "sector", "flag"]
Value = float | str | bool | frozenset[str] | tuple[str, ...]


@dataclass(frozen=True)
class Ask:
    """A partner's open request of this company (``support_wants``): the standard entity it wants, the asking
    member's name, its reason in its own words, and the offer template it suggests."""

    entity: str
    asker: str
    why: str
    template: str | None = None


@dataclass(frozen=True)
class Situation:
    """What the plan decides from: the company's profile, its partners' open requests of it (``asks``: the
    ``requested_of_it`` of its activity, with who asked and why), how many requests it made of its own partners,
    and now (to tell how old its assessment is)."""

    profile: Profile
    now: datetime
    asks: tuple[Ask, ...] = ()
    wants_declared: int = 0


@dataclass(frozen=True)
class Fact:
    name: str
    kind: Kind
    read: Callable[[Situation], Value | None]
    words: frozenset[str] | None = None  # the values a rule may name (None: any that ``shape`` matches)
    shape: re.Pattern[str] | None = None
    low: float = 0
    high: float | None = None
    named: Callable[[str, str], str] | None = None  # (value, language) → its name for people

    def name_of(self, value: str, language: str) -> str:
        return self.named(value, language) if self.named is not None else value


def _months(since: datetime, now: datetime) -> int:
    """Whole calendar months from ``since`` to ``now`` (0 when ``now`` is not later)."""
    months = (now.year - since.year) * 12 + now.month - since.month - (1 if now.day < since.day else 0)
    return max(0, months)


def _level(s: Situation) -> float | None:
    return None if s.profile.maturity is None else s.profile.maturity.level


def _age(s: Situation) -> float | None:
    m = s.profile.maturity
    return None if m is None else _months(m.at, s.now)


def _siri(dimension: str) -> Callable[[Situation], float | None]:
    def read(s: Situation) -> float | None:
        m = s.profile.maturity
        return None if m is None else m.siri.get(dimension)

    return read


def _entity(value: str, language: str) -> str:
    label = ENTITY_LABELS.get(value)
    return label.text(language) if label else value


def _template(value: str, language: str) -> str:
    found = TEMPLATES.get(value)
    return value if found is None else found.title_ko if language == "ko" else found.title


def _size(value: str, language: str) -> str:
    return getattr(SIZES[value], language) if value in SIZES else value


def _region(value: str, language: str) -> str:
    return getattr(REGIONS[value], language) if value in REGIONS else value


def _sector(value: str, language: str) -> str:
    return f"{value} {getattr(name_of(value), language)}"


def _indicator(value: str, language: str) -> str:
    found = catalogue().get(value)
    return value if found is None else found.name.ko if language == "ko" else found.name.en


def _count(name: str, read: Callable[[Situation], float]) -> Fact:
    return Fact(name, "number", read)


_FACTS: Final = (
    Fact("size", "text", lambda s: s.profile.size, frozenset(SIZES), named=_size),
    Fact("region", "text", lambda s: s.profile.region, frozenset(REGIONS), named=_region),
    Fact("sector", "sector", lambda s: s.profile.sectors, named=_sector),
    Fact("tier", "set", lambda s: frozenset(s.profile.tiers), shape=TIER),
    Fact("assessed", "flag", lambda s: s.profile.maturity is not None),
    Fact("level", "number", _level, low=0, high=5),  # 0: no ICT yet (the assessment's kosf model has it)
    Fact("months_since_assessment", "number", _age),
    _count("datasets_published", lambda s: s.profile.activity.datasets_published),
    Fact("entities_published", "set", lambda s: s.profile.activity.entities_published, frozenset(ENTITY_LABELS),
         named=_entity),
    Fact("templates_offered", "set", lambda s: s.profile.activity.templates_offered, frozenset(TEMPLATES),
         named=_template),
    _count("agreements_as_provider", lambda s: s.profile.activity.agreements_as_provider),
    _count("agreements_as_consumer", lambda s: s.profile.activity.agreements_as_consumer),
    _count("streams", lambda s: s.profile.activity.streams),
    Fact("benchmark_indicators", "set", lambda s: s.profile.activity.benchmark_indicators, frozenset(INDICATORS),
         named=_indicator),
    Fact("requested_of_it", "set", lambda s: s.profile.activity.requested_of_it, frozenset(ENTITY_LABELS),
         named=_entity),
    _count("wants_declared", lambda s: s.wants_declared),
)  # fmt: skip
FACTS: Final = {f.name: f for f in _FACTS} | {
    f"siri.{d}": Fact(f"siri.{d}", "number", _siri(d), low=0, high=5) for d in SIRI_DIMENSIONS
}


def fact_label(name: str, language: str) -> str:
    """A fact's name for people: ``field.<name>`` in the plan's catalog (a SIRI dimension by the model's name)."""
    if name.startswith("siri."):
        dimension = DIMENSIONS[name.removeprefix("siri.")].say(language)
        return catalogs.text("plan", "field.siri", language, dimension=dimension)
    return catalogs.text("plan", f"field.{name}", language)
