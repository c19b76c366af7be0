"""The names the plan's rules may use that other parts of support own: the SIRI dimensions the assessment scores,
the indicators the benchmarks take, the skills the experts' directory knows. Kept here as plain tuples so that the
plan's rule files are checked against them when they load; the parts that own them are built beside this one, so
each tuple is to be read from its owner once it lands (``docs/support/plan.md`` says where)."""

from __future__ import annotations

from typing import Final

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

# The indicators the hub's benchmarks take (issue 18 § 4).
INDICATORS: Final = ("energy_per_unit", "defect_ppm", "oee", "on_time_delivery", "co2e_per_unit")

# The skills an expert may have (issue 18 § 3): a step names those it needs, for matching experts.
SKILLS: Final = (
    "mes",
    "plc-scada",
    "data-analytics",
    "quality-spc",
    "energy",
    "carbon-accounting",
    "erp",
    "machine-vision",
    "dataspace-onboarding",
)

EFFORT_UNITS: Final = ("minutes", "hours", "days", "weeks")
COST_CLASSES: Final = ("none", "low", "medium", "high")  # the KRW each means is in the catalog's words
