"""The names the plan's rules may use that other parts of support own — the SIRI dimensions the assessment scores,
the indicators the benchmarks take, the skills the experts' directory knows — read from those parts' data, so that
the plan's rule files are checked against them when they load."""

from __future__ import annotations

from typing import Final

from sangsaeng.support.assessment import loading
from sangsaeng.support.disclosure.indicators import catalogue
from sangsaeng.support.experts.vocabulary import SKILLS as EXPERT_SKILLS

# Singapore's Smart Industry Readiness Index: its 16 dimensions by the ids of the assessment's current SIRI model
# (``support/assessment/models/siri-*.toml``), with their names.
DIMENSIONS: Final = {d.id: d.name for d in loading.current().siri.dimensions}
SIRI_DIMENSIONS: Final = tuple(DIMENSIONS)

# The indicators the hub's benchmarks take (``support/disclosure/indicators.yaml``), and the skills the experts'
# directory knows (``support/experts/vocabulary.toml``): a step names those it needs, for matching experts.
INDICATORS: Final = catalogue().ids
SKILLS: Final = tuple(EXPERT_SKILLS)

EFFORT_UNITS: Final = ("minutes", "hours", "days", "weeks")
COST_CLASSES: Final = ("none", "low", "medium", "high")  # the KRW each means is in the catalog's words
