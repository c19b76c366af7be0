"""What the benchmarks' API answers (JSON), from records and the pure core's outcomes: names in Korean and English
instead of codes, times in the hub's time zone, and never a value other than the caller's own."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sangsaeng.hub.members.ksic import name_of
from sangsaeng.hub.members.regions import REGIONS
from sangsaeng.i18n.refusals import both
from sangsaeng.support.disclosure.cells import ANY, Cell
from sangsaeng.support.disclosure.indicators import Catalogue
from sangsaeng.support.disclosure.position import Band
from sangsaeng.support.disclosure.rules import Rules
from sangsaeng.support.store.benchmarks import CellRecord, ContributionRecord

DOMAIN = "benchmarks"


def said(key: str, **values: Any) -> dict[str, str]:
    en, ko = both(DOMAIN, key, **values)
    return {"ko": ko, "en": en}


def when(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).isoformat()


def sector_view(code: str) -> dict[str, Any] | None:
    return None if code == ANY else {"code": code, "name": vars(name_of(code))}


def region_view(code: str) -> dict[str, Any] | None:
    named = REGIONS.get(code)
    return None if code == ANY else {"code": code, "name": vars(named) if named else {"ko": code, "en": code}}


def cell_view(cell: Cell, catalogue: Catalogue) -> dict[str, Any]:
    indicator = catalogue.get(cell.indicator)
    return {
        "indicator": {"id": cell.indicator, "name": indicator.name.to_dict() if indicator else None},
        "level": cell.level,
        "sector": sector_view(cell.sector),
        "region": region_view(cell.region),
    }


def reason(rule: str, rules: Rules) -> dict[str, str]:
    return said(f"rule.{rule}", k=rules.k, n=rules.n, percent=f"{rules.dominance:g}", p=f"{rules.p:g}")


def published_view(
    record: CellRecord, seq: int, released_at: datetime, catalogue: Catalogue, rules: Rules, zone: str
) -> dict[str, Any]:
    cell = Cell(record.indicator, record.sector, record.region)
    view = cell_view(cell, catalogue) | {"release": seq, "releasedAt": when(released_at, zone)}
    if record.rule is not None:
        return view | {"published": False, "suppressed": {"rule": record.rule, "reason": reason(record.rule, rules)}}
    indicator = catalogue.get(record.indicator)
    return view | {
        "published": True,
        "contributors": {"from": record.band_from, "to": record.band_to},
        "quartiles": {"p25": record.q1, "p50": record.q2, "p75": record.q3},
        "unit": indicator.shown.to_dict() if indicator else None,
    }


def contribution_view(record: ContributionRecord, catalogue: Catalogue, zone: str) -> dict[str, Any]:
    indicator = catalogue.get(record.indicator)
    return {
        "indicator": {"id": record.indicator, "name": indicator.name.to_dict() if indicator else None},
        "period": record.period,
        "value": record.value,
        "unit": indicator.shown.to_dict() if indicator else None,
        "given": {"value": record.given, "unit": record.unit},
        "at": when(record.at, zone),
    }


def band_view(band: Band) -> dict[str, Any]:
    return {"id": band, "label": said(f"band.{band}")}
