"""The names the plan's rules may use that other parts of support own: the SIRI dimensions the assessment scores,
the indicators the benchmarks take, the skills the experts' directory knows — so that the plan's rule files are
checked against them when they load. The indicators and skills are read from their parts; the SIRI dimensions are
a copy until the assessment part lands on main (then ``assessment``'s model file is the one to read)."""

from __future__ import annotations

from typing import Final

from sangsaeng.support.disclosure.indicators import catalogue
from sangsaeng.support.experts.vocabulary import SKILLS as EXPERT_SKILLS

# Singapore's Smart Industry Readiness Index: 16 dimensions in 8 pillars and 3 building blocks (process,
# technology, organisation), by the ids of the assessment's model file (``support/assessment/models/siri-*.toml``,
# being built beside this part: the same ids as on its branch when this was written).
SIRI_DIMENSIONS: Final = (
    "vertical_integration",
    "horizontal_integration",
    "integrated_product_lifecycle",
    "shop_floor_automation",
    "enterprise_automation",
    "facility_automation",
    "shop_floor_connectivity",
    "enterprise_connectivity",
    "facility_connectivity",
    "shop_floor_intelligence",
    "enterprise_intelligence",
    "facility_intelligence",
    "workforce_learning",
    "leadership_competency",
    "collaboration",
    "strategy_governance",
)

# The indicators the hub's benchmarks take (``support/disclosure/indicators.yaml``), and the skills the experts'
# directory knows (``support/experts/vocabulary.toml``): a step names those it needs, for matching experts.
INDICATORS: Final = catalogue().ids
SKILLS: Final = tuple(EXPERT_SKILLS)

EFFORT_UNITS: Final = ("minutes", "hours", "days", "weeks")
COST_CLASSES: Final = ("none", "low", "medium", "high")  # the KRW each means is in the catalog's words
