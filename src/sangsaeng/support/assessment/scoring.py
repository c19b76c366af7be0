"""Answers → scores, by the models' stated rules (pure; the words for people are ``explaining.py``'s).

- A SIRI dimension's band is the **lowest** band its answers support. SIRI gives a band only when all it describes
  holds, so the weakest aspect asked about sets it (``band_of``).
- Pillars and building blocks are summarised by the mean of their dimensions' bands (one decimal) and their lowest
  dimension; SIRI itself rates dimensions, so these summaries are for reading, not bands.
- The Korean smart-factory level is the highest level whose criteria, and those of every level below it, are all
  met; a criterion is met when any chosen option meets it (``level_of``). Level 0 (미도입) needs nothing.

**Monotone.** Options go from least to most advanced with bands that never fall and criteria met that only grow
(``loading.py`` refuses a file where they do not), so choosing a later option never lowers a band, a summary or the
level: the minimum of non-decreasing values does not decrease, and a larger set of criteria met reaches at least
the same level. ``tests/test_support_assessment_properties.py`` checks it for all answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sangsaeng.support.assessment.answers import check_saved, incomplete
from sangsaeng.support.assessment.loading import Models
from sangsaeng.support.assessment.model import Kosf, Questionnaire
from sangsaeng.support.profile import Maturity


@dataclass(frozen=True)
class Scores:
    """One complete assessment's scores, as stored (ids and numbers; words come from the models when read)."""

    versions: dict[str, str]
    bands: dict[str, int]  # SIRI dimension id → band 0–5, in the model's order
    level: int  # the smart-factory level 0–5
    met: tuple[str, ...]  # the criteria met, in the model's order

    def to_json(self) -> dict[str, Any]:
        return {"models": self.versions, "bands": self.bands, "level": self.level, "met": list(self.met)}

    @classmethod
    def from_json(cls, found: Mapping[str, Any]) -> Scores:
        return cls(dict(found["models"]), dict(found["bands"]), int(found["level"]), tuple(found["met"]))


@dataclass(frozen=True)
class Summary:
    """A pillar or building block: the mean of its dimensions' bands and its weakest dimension."""

    id: str
    mean: float
    lowest: str  # the dimension with the lowest band (the first such in the model's order)
    dimensions: tuple[str, ...]


def band_of(questionnaire: Questionnaire, dimension: str, answers: Mapping[str, str]) -> int:
    """The lowest band the answers to the dimension's questions support (every question answered)."""
    supported = []
    for question in questionnaire.questions:
        if question.dimension == dimension:
            option = question.option(answers[question.id])
            assert option is not None, "answers are checked before they are scored"
            supported.append(option.band)
    return min(supported)


def criteria_met(models: Models, answers: Mapping[str, str]) -> tuple[str, ...]:
    """The smart-factory criteria some chosen option meets, in the model's order."""
    met: set[str] = set()
    for question in models.questionnaire.questions:
        chosen = answers.get(question.id)
        option = question.option(chosen) if chosen is not None else None
        if option is not None:
            met.update(option.meets)
    return tuple(c.id for c in models.kosf.criteria if c.id in met)


def level_of(kosf: Kosf, met: tuple[str, ...] | frozenset[str]) -> int:
    """The highest level reached: every criterion of it and of each level below it is met."""
    reached = 0
    for level in kosf.levels[1:]:
        if not set(level.criteria) <= set(met):
            break
        reached = level.level
    return reached


def score(models: Models, answers: Mapping[str, str]) -> Scores:
    """The scores of a complete set of answers; refused, naming the open questions, while any is unanswered."""
    refused = incomplete(models.questionnaire, answers)
    if refused is not None:
        raise refused
    check_saved(models.questionnaire, answers)
    bands = {d.id: band_of(models.questionnaire, d.id, answers) for d in models.siri.dimensions}
    met = criteria_met(models, answers)
    return Scores(models.versions, bands, level_of(models.kosf, met), met)


def _summary(summary_id: str, dimensions: tuple[str, ...], bands: Mapping[str, int]) -> Summary:
    values = [bands[d] for d in dimensions]
    lowest = dimensions[values.index(min(values))]
    return Summary(summary_id, round(sum(values) / len(values), 1), lowest, dimensions)


def pillars(models: Models, bands: Mapping[str, int]) -> list[Summary]:
    return [_summary(p.id, tuple(d.id for d in p.dimensions), bands) for b in models.siri.blocks for p in b.pillars]


def blocks(models: Models, bands: Mapping[str, int]) -> list[Summary]:
    return [_summary(b.id, tuple(d.id for p in b.pillars for d in p.dimensions), bands) for b in models.siri.blocks]


def overall(bands: Mapping[str, int]) -> float:
    """The mean band of all dimensions, one decimal: a single figure to follow over time, not a SIRI band."""
    return round(sum(bands.values()) / len(bands), 1)


def model_name(versions: Mapping[str, str]) -> str:
    """The models that scored, as ``Maturity.model`` names them: ``siri-2026.1+kosf-2026.1``."""
    return f"siri-{versions['siri']}+kosf-{versions['kosf']}"


def maturity(scores: Scores, at: datetime) -> Maturity:
    """The seam other parts of support read (``support/profile.py``). ``level`` may be 0: no criteria of 기초 met."""
    return Maturity(siri=dict(scores.bands), level=scores.level, model=model_name(scores.versions), at=at)
