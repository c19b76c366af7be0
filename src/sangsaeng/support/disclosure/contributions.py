"""A member's batch of contributions read whole and checked: every value for a known indicator and period, in its
indicator's unit (converted from another unit of the same dimension with pint), within the indicator's valid
range, once per indicator and period. The first problem refuses the whole batch, saying where and how to fix it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sangsaeng.errors import InvalidInput
from sangsaeng.i18n.refusals import PerLanguage, refusal
from sangsaeng.standard.units import recognize
from sangsaeng.support.disclosure.indicators import Catalogue, Indicator

DOMAIN = "benchmarks"
MAX_BATCH = 500
FIELDS = frozenset({"indicator", "period", "value", "unit"})
PERIOD = re.compile(r"^(20\d\d)(?:-Q([1-4]))?$")
# "per unit" as people write it: pint reads a piece (standard/units.py) and no "unit".
_PER_UNIT = re.compile(r"(?<=/)\s*(?:units?|개|EA)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Contribution:
    indicator: str
    period: str
    value: float  # in the indicator's unit
    given: float  # as the member gave it
    unit: str  # as the member gave it


def read_period(text: object, today: date, at: str) -> str:
    """A year (``2026``) or a quarter (``2026-Q3``) that has begun."""
    match = PERIOD.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise refusal(DOMAIN, "period.shape", at=at, given=str(text)[:20])
    year, quarter = int(match.group(1)), int(match.group(2) or 1)
    if date(year, 3 * quarter - 2, 1) > today:
        raise refusal(DOMAIN, "period.future", at=at, given=match.group(0))
    return match.group(0)


def convert(value: float, unit: str, indicator: Indicator, at: str) -> float:
    """``value`` in ``unit`` as a value in the indicator's unit; a unit of another dimension is refused."""
    expected = PerLanguage(lambda language: getattr(indicator.shown, language))
    name = PerLanguage(lambda language: getattr(indicator.name, language))
    try:
        given = recognize(_PER_UNIT.sub("piece", unit.strip()))
    except InvalidInput as exc:
        raise refusal(DOMAIN, "unit.unknown", at=at, unit=unit[:40], indicator=name, expected=expected) from exc
    target = recognize(indicator.unit)
    if given.canonical != target.canonical or given.offset or target.offset:
        raise refusal(DOMAIN, "unit.mismatch", at=at, unit=unit[:40], indicator=name, expected=expected)
    return value * given.factor / target.factor


def _one(item: object, catalogue: Catalogue, today: date, at: str) -> Contribution:
    if not isinstance(item, dict):
        raise refusal(DOMAIN, "contribution.shape", at=at)
    unknown = sorted(set(item) - FIELDS)
    if unknown:
        raise refusal(DOMAIN, "contribution.field", at=f"{at}.{unknown[0]}", field=str(unknown[0])[:40])
    missing = sorted(FIELDS - set(item))
    if missing:
        raise refusal(DOMAIN, "contribution.missing", at=f"{at}.{missing[0]}", field=missing[0])
    indicator = catalogue.get(item["indicator"]) if isinstance(item["indicator"], str) else None
    if indicator is None:
        known = ", ".join(catalogue.ids)
        raise refusal(DOMAIN, "indicator.unknown", at=f"{at}.indicator", given=str(item["indicator"])[:40], known=known)
    period = read_period(item["period"], today, f"{at}.period")
    given = item["value"]
    if isinstance(given, bool) or not isinstance(given, int | float) or not math.isfinite(given):
        raise refusal(DOMAIN, "value.number", at=f"{at}.value", given=str(given)[:40])
    unit = item["unit"]
    if not isinstance(unit, str):
        raise refusal(DOMAIN, "unit.text", at=f"{at}.unit")
    value = convert(float(given), unit, indicator, f"{at}.unit")
    low, high = indicator.valid
    if not low <= value <= high:
        raise refusal(
            DOMAIN,
            "value.range",
            at=f"{at}.value",
            given=f"{given:g} {unit[:40]}",
            low=f"{low:g}",
            high=f"{high:g}",
            unit=PerLanguage(lambda language: getattr(indicator.shown, language)),
            indicator=PerLanguage(lambda language: getattr(indicator.name, language)),
        )
    return Contribution(indicator.id, period, value, float(given), unit)


def read_batch(body: Any, catalogue: Catalogue, today: date) -> list[Contribution]:
    """``{"contributions": [{"indicator", "period", "value", "unit"}, …]}`` (1 to 500), checked whole."""
    if not isinstance(body, dict) or set(body) != {"contributions"} or not isinstance(body["contributions"], list):
        raise refusal(DOMAIN, "batch.shape", at="contributions")
    items = body["contributions"]
    if not 1 <= len(items) <= MAX_BATCH:
        raise refusal(DOMAIN, "batch.size", at="contributions", given=len(items), most=MAX_BATCH)
    found: list[Contribution] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(items):
        one = _one(item, catalogue, today, f"contributions[{i}]")
        if (one.indicator, one.period) in seen:
            raise refusal(DOMAIN, "batch.twice", at=f"contributions[{i}]", indicator=one.indicator, period=one.period)
        seen.add((one.indicator, one.period))
        found.append(one)
    return found
