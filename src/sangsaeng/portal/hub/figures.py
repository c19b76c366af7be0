"""The operator's figures in the reader's words: each a table (a title, column headings, rows of names and numbers)
and, where people look rather than read, a chart of it. The page and the Excel export show the same tables, so a
number in the workbook is the number on the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from sangsaeng.hub.members.ksic import name_of
from sangsaeng.hub.members.regions import REGIONS, SIZES
from sangsaeng.i18n import catalogs
from sangsaeng.portal.hub.common import named, tier_word
from sangsaeng.portal.i18n import MONTHS_EN, Words
from sangsaeng.support.assessment.loading import current
from sangsaeng.support.charts.bars import bar_chart
from sangsaeng.support.charts.columns import column_chart
from sangsaeng.support.charts.svg import Bar
from sangsaeng.support.service.dashboard import STATES, Figures, Tally
from sangsaeng.support.uptake.model import STATES as UPTAKE_STATES

P = "hub.portal.dashboard"
ACTIVITY_CHARTS = ("datasetsOffered", "agreementsProvided", "transfersProvided")  # each agreement, exchange once
ACTIVITY_COLUMNS = (
    "members",
    "datasetsOffered",
    "agreementsProvided",
    "agreementsObtained",
    "transfersProvided",
    "transfersObtained",
    "partners",
    "streams",
)

Cell = str | int


@dataclass
class Table:
    key: str  # what the figure is (``sectors``, ``months`` …): the page's anchor, the test's handle
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    charts: list[Markup] = field(default_factory=list)
    note: str | None = None


def sector_name(w: Words, code: str) -> str:
    return f"{code} {named(w, name_of(code))}"


def month_name(w: Words, month: str, short: bool = False) -> str:
    year, number = month.split("-")
    if w.language == "ko":
        return f"{int(number)}월" if short else f"{year}년 {int(number)}월"
    english = MONTHS_EN[int(number) - 1]
    return english if short else f"{english} {year}"


def _chart(w: Words, title: str, bars: list[Bar], columns: bool = False) -> Markup:
    description = w.t(f"{P}.chart.desc", count=w.number(len(bars)))
    draw = column_chart if columns else bar_chart
    return Markup(draw(title, description, bars, w.number))  # noqa: S704 - ElementTree escaped every text in it


def _members(w: Words, key: str, title: str, heading: str, rows: tuple[Tally, ...], name: Any) -> Table:
    headers = [heading, *(w.t(f"hub.portal.state.{s}") for s in STATES), w.t(f"{P}.col.total")]
    table = Table(key, title, headers, [[name(t.code), t.approved, t.suspended, t.applied, t.total] for t in rows])
    table.charts.append(_chart(w, title, [Bar(str(r[0]), float(r[-1])) for r in table.rows]))
    return table


def tables(w: Words, figures: Figures) -> list[Table]:
    t = w.t
    region = lambda code: named(w, REGIONS[code]) if code in REGIONS else code  # noqa: E731
    size = lambda code: named(w, SIZES[code]) if code in SIZES else code  # noqa: E731
    made = [
        _members(w, "sectors", t(f"{P}.sectors"), t(f"{P}.col.sector"), figures.sectors, lambda c: sector_name(w, c)),
        _members(w, "regions", t(f"{P}.regions"), t(f"{P}.col.region"), figures.regions, region),
        _members(w, "sizes", t(f"{P}.sizes"), t(f"{P}.col.size"), figures.sizes, size),
        _members(w, "tiers", t(f"{P}.tiers"), t(f"{P}.col.tier"), figures.tiers, lambda c: tier_word(w, c)),
    ]
    datasets = Table(
        "datasets",
        t(f"{P}.datasets"),
        [t(f"{P}.col.sector"), t(f"{P}.col.datasets")],
        [[sector_name(w, code), n] for code, n in figures.datasets],
    )
    datasets.charts.append(_chart(w, datasets.title, [Bar(str(r[0]), float(r[1])) for r in datasets.rows]))
    months = Table(
        "months",
        t(f"{P}.months"),
        [t(f"{P}.col.month"), t(f"{P}.col.reporting"), *(t(f"{P}.col.{c}") for c in ACTIVITY_COLUMNS[1:])],
        [[month_name(w, m.month), m.members, *(m.counts[c] for c in ACTIVITY_COLUMNS[1:])] for m in figures.months],
    )
    for count in ACTIVITY_CHARTS:
        bars = [Bar(month_name(w, m.month, short=True), float(m.counts[count])) for m in figures.months]
        months.charts.append(_chart(w, t(f"{P}.col.{count}"), bars, columns=True))
    cover = Table(
        "cover",
        t(f"{P}.cover"),
        [t(f"{P}.col.sector"), t(f"{P}.col.members"), t(f"{P}.col.experts"), t(f"{P}.col.too_few")],
        [
            [sector_name(w, c.sector), c.members, c.experts, t(f"{P}.too_few") if c.too_few else ""]
            for c in figures.cover
        ],
        note=t(f"{P}.cover.rule", per=w.number(figures.per_expert)),
    )
    requests = Table(
        "requests",
        t(f"{P}.requests"),
        [t(f"{P}.col.state"), t(f"{P}.col.count")],
        [[catalogs.text("experts", f"request.state.{s}", w.language), n] for s, n in figures.requests],
    )
    return [*made, datasets, months, cover, requests, *_maturity(w, figures), *_uptake(w, figures)]


def _maturity(w: Words, figures: Figures) -> list[Table]:
    """Members by their latest self-assessed smart-factory level, per sector; none before any assessment."""
    if not any(row.assessed for row in figures.maturity):
        return []
    t = w.t
    levels = current().kosf.levels
    named_levels = [f"{level.level} {level.name.say(w.language)}" for level in levels]
    table = Table(
        "maturity",
        t(f"{P}.maturity"),
        [t(f"{P}.col.sector"), t(f"{P}.col.members"), t(f"{P}.col.assessed"), *named_levels],
        [[sector_name(w, r.sector), r.members, r.assessed, *r.counts] for r in figures.maturity],
    )
    totals = [sum(r.counts[level.level] for r in figures.maturity) for level in levels]
    table.charts.append(
        _chart(w, t(f"{P}.maturity"), [Bar(n, float(v)) for n, v in zip(named_levels, totals, strict=True)])
    )
    return [table]


def _uptake(w: Words, figures: Figures) -> list[Table]:
    """Members per program by what they say became of it; none before the hub lists a program."""
    if not figures.uptake:
        return []
    t = w.t
    states = [catalogs.text("experts", f"uptake.state.{s}", w.language) for s in UPTAKE_STATES]
    table = Table(
        "uptake",
        t(f"{P}.uptake"),
        [t(f"{P}.col.program"), *states],
        [[named(w, p.name), *p.counts] for p in figures.uptake],
    )
    bars = [Bar(named(w, p.name), float(p.of("granted") + p.of("applied"))) for p in figures.uptake]
    table.charts.append(_chart(w, t(f"{P}.uptake.chart"), bars))
    return [table]
