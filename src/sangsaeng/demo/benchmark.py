"""The demo's benchmark (issue 18 § 4 and § 6): the chain's three companies agree to the aggregates-only terms and
give the quarter's figures, the operator releases, and the tier-2 sees which quarter of its peers it is in. No
company's value leaves the hub: the tier-2 reads only its own value against the published (noisy) quartiles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sangsaeng.demo.asking import Member, Operator
from sangsaeng.demo.telling import Teller
from sangsaeng.i18n import catalogs
from sangsaeng.settings import Settings

BENCHMARKS = "/hub/support/benchmarks"
Figures = Mapping[str, tuple[float, str]]  # indicator id → (value, unit)


def quarter(now: datetime) -> str:
    """The period the figures are of: this quarter (in the hub's zone), which has begun, as a period must."""
    return f"{now.year}-Q{(now.month - 1) // 3 + 1}"


async def compare(operator: Operator, given: Sequence[tuple[Member, Figures]], now: datetime, teller: Teller) -> None:
    """Every member agrees and contributes, the operator releases, the last member reads where it stands."""
    period = quarter(now)
    terms = await given[0][0].hub.get(f"{BENCHMARKS}/terms")
    indicators = {i["id"]: i for i in terms["indicators"]}
    teller.say("support.benchmark.agree", count=len(given), terms=terms["version"], period=period)
    for member, figures in given:
        await member.hub.post(f"{BENCHMARKS}/agreement", {"terms": terms["version"]})
        rows = [{"indicator": i, "period": period, "value": v, "unit": u} for i, (v, u) in figures.items()]
        await member.hub.post(f"{BENCHMARKS}/contributions", {"contributions": rows})
        teller.say_each("support.benchmark.gave", partial(_gave, member.name, figures, indicators))
    released = await operator.call("POST", f"{BENCHMARKS}/releases", {"period": period})
    cells = (await operator.call("GET", f"{BENCHMARKS}/cells", period=period))["cells"]
    teller.say_each("support.benchmark.released", partial(_released, released, cells))
    small = given[-1][0]
    positions = (await small.hub.get(f"{BENCHMARKS}/position", period=period))["positions"]
    for position in positions:
        if position["band"] is None:
            teller.say_each("support.benchmark.unplaced", partial(_unplaced, small.name, position))
        else:
            teller.say_each("support.benchmark.position", partial(_position, small.name, position))
    default = Settings.model_fields["benchmark_min_contributors"].default
    teller.say("support.benchmark.noise", count=len(given), default=default)


def _number(value: float) -> str:
    """A figure as people write it: whole numbers with thousands separators from 100 up, else 3 digits."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _gave(name: str, figures: Figures, indicators: Mapping[str, Any], language: str) -> dict[str, Any]:
    given = [f"{indicators[i]['name'][language]} {_number(v)} {u}" for i, (v, u) in figures.items()]
    return {"name": name, "figures": " · ".join(given)}


def _released(released: Mapping[str, Any], cells: Sequence[Mapping[str, Any]], language: str) -> dict[str, Any]:
    """How many cells were published, and why the others were not (each rule with its words and count)."""
    why: dict[str, tuple[str, int]] = {}
    for cell in cells:
        if not cell["published"]:
            rule = cell["suppressed"]["rule"]
            words, count = why.get(rule, (cell["suppressed"]["reason"][language], 0))
            why[rule] = (words, count + 1)
    epsilon = max((r["epsilon"] for r in released["released"]), default=0.0)
    return {
        "published": released["published"],
        "cells": released["cells"],
        "suppressed": "; ".join(f"{words} ({count})" for words, count in why.values()) or "-",
        "epsilon": f"{epsilon:g}",
    }


def _against(against: Mapping[str, Any], language: str) -> str:
    parts = [against[part]["name"][language] for part in ("sector", "region") if against.get(part)]
    return " · ".join(parts) if parts else catalogs.text("demo", "support.benchmark.all", language)


def _position(name: str, position: Mapping[str, Any], language: str) -> dict[str, Any]:
    against = position["against"]
    quartiles = against["quartiles"]
    return {
        "name": name,
        "indicator": position["indicator"]["name"][language],
        "value": _number(position["value"]),
        "unit": position["unit"][language],
        "band": position["band"]["label"][language],
        "against": _against(against, language),
        "p25": _number(quartiles["p25"]),
        "p50": _number(quartiles["p50"]),
        "p75": _number(quartiles["p75"]),
    }


def _unplaced(name: str, position: Mapping[str, Any], language: str) -> dict[str, Any]:
    reason = position.get("reason")
    said = reason.get(language, "") if isinstance(reason, Mapping) else str(reason or "")
    return {"name": name, "indicator": position["indicator"]["name"][language], "reason": said}
