"""What support knows of one company, as plain values: the seam between the assessment (which yields a
``Maturity``), the hub (which knows the ``Company`` and, from its catalog and hosted connectors, the ``Activity``),
and the parts that decide from them (the plan, the matching of experts and programs, the dashboards)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Maturity:
    """One completed assessment's scores: each SIRI dimension's band (0–5, by dimension id of the model's data file)
    and the Korean smart-factory level (1 기초 … 5 고도화), with the model versions that scored them."""

    siri: dict[str, int]
    level: int
    model: str  # e.g. "siri-2024.1+kosf-2024.1"
    at: datetime


@dataclass(frozen=True)
class Activity:
    """What the company already does on the platform (counts, and the names that say what)."""

    datasets_published: int = 0
    entities_published: frozenset[str] = frozenset()  # standard entity ids (e.g. "inspection_result")
    templates_offered: frozenset[str] = frozenset()  # offer templates (e.g. "quality", "demand-to-tier1")
    agreements_as_provider: int = 0
    agreements_as_consumer: int = 0
    streams: int = 0
    benchmark_indicators: frozenset[str] = frozenset()  # indicators it contributes to the hub's benchmarks
    requested_of_it: frozenset[str] = frozenset()  # entities its partners asked it for (open requests)


@dataclass(frozen=True)
class Profile:
    """One member: its facts as the hub admitted them, its latest maturity (None before its first assessment)
    and its activity."""

    participant_id: str
    name: str
    sectors: tuple[str, ...]  # KSIC codes
    region: str  # ISO 3166-2:KR
    size: str  # sme | midsize | large
    tiers: tuple[str, ...]  # "OEM", "1차", "2차", …
    maturity: Maturity | None = None
    activity: Activity = field(default_factory=Activity)
