"""The member's own dashboard (issue 18 § 5, the SME's half): what sharing gives it, on its own connector's portal.

``GET /portal/support`` shows, in the reader's language and the company's time zone:

- what it shares and with whom — read from this connector's own store, not from the hub: its agreements as
  provider by partner and dataset, the datasets it offers with their offers and whether the hub lists them;
- what it received in return — its agreements as consumer and the copies kept here, the demand it sees (received
  data holding a demand forecast), its benchmark position, what partners asked of it, its requests for an expert;
- its smart-factory level over time, the first step of its plan, and whether it shares its activity with the hub.

Each block the hub answers is asked on its own (``Block``): a hub that refuses or cannot be reached is said in that
block, and the rest of the page stands. A connector that joined no hub is told what joining gives and how."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from sangsaeng.hubclient.support import HubSupport
from sangsaeng.identity.hub import HubDirectory
from sangsaeng.portal.names import Names
from sangsaeng.portal.pages import UserDep, acting, names_for, render, words
from sangsaeng.portal.support.attention import attention
from sangsaeng.portal.support.common import HubDep, Said, asking
from sangsaeng.portal.words import Words, day_text
from sangsaeng.services import services
from sangsaeng.store.records import Agreement, Dataset, Offer, Received, User
from sangsaeng.support.charts.bars import bar_chart
from sangsaeng.support.charts.svg import Bar, canvas, rect, text, written

router = APIRouter(prefix="/portal/support", include_in_schema=False)
P = "support.overview"
READ = 500  # agreements, datasets and copies read for the page: a small company's whole trade
DEMAND = frozenset({"demand_forecast"})  # the standard's entities that show a customer's demand
HIGHEST_LEVEL = 5  # the Korean smart-factory levels go from 0 (none yet) to 5


# ---- what it shares and receives: this connector's own store ---------------------------------------------------------
@dataclass(frozen=True)
class Traded:
    """Agreements with one partner on one dataset: how many, how many still live, the latest one's day."""

    partner: str
    dataset: str
    provider: str
    agreements: int
    live: int
    latest: datetime


def traded(agreements: Iterable[Agreement], me: str, as_provider: bool) -> list[Traded]:
    """Agreements where this connector is provider (or consumer), by partner and dataset, most agreements first,
    then the most recent."""
    groups: dict[tuple[str, str], list[Agreement]] = {}
    for a in agreements:
        if (a.provider == me) != as_provider or a.provider == a.consumer:
            continue
        partner = a.consumer if as_provider else a.provider
        groups.setdefault((partner, a.dataset_id), []).append(a)
    found = [
        Traded(
            partner,
            dataset,
            group[0].provider,
            len(group),
            sum(1 for a in group if a.terminated_at is None),
            max(a.created_at for a in group),
        )
        for (partner, dataset), group in groups.items()
    ]
    return sorted(found, key=lambda t: (-t.agreements, -t.latest.timestamp(), t.partner, t.dataset))


def by_partner(rows: Iterable[Traded]) -> dict[str, int]:
    """Agreements per partner, most first (ties in the order met)."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.partner] = counts.get(row.partner, 0) + row.agreements
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


@dataclass(frozen=True)
class Offered:
    """One of our datasets with the offers on it, named by what each allows, and whether the hub may list it."""

    dataset: Dataset
    offers: list[str]
    listed_at_hub: bool


def offered(
    datasets: Iterable[Dataset], offers: Iterable[Offer], names: Names, purposes: frozenset[str]
) -> list[Offered]:
    on: dict[str, list[Offer]] = {}
    for o in offers:
        on.setdefault(o.dataset_id, []).append(o)
    return [
        Offered(d, [names.offer(o.id, o.policy, purposes) for o in on[d.id]], d.listed_at_hub)
        for d in datasets
        if d.id in on
    ]


def demand_seen(copies: Iterable[Received]) -> list[Received]:
    """The copies received that hold a partner's demand: what the company sees of its customers' plans."""
    return [r for r in copies if r.entity in DEMAND]


def bars(counts: dict[str, int], names: Names) -> list[Bar]:
    return [Bar(names.partner(partner), float(n)) for partner, n in counts.items()]


def partners_chart(w: Words, title: str, counts: dict[str, int], names: Names) -> Markup | None:
    if not counts:
        return None
    description = w.t(f"{P}.chart.partners.desc", count=len(counts))
    return Markup(bar_chart(title, description, bars(counts, names), w.number))  # ElementTree escaped every label


# ---- its level over time -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LevelAt:
    completed: datetime
    level: int
    name: str


def levels_of(mine: Any) -> list[LevelAt]:
    """The completed self-assessments in the hub's answer (``…/assessment/mine``), oldest first: only entries whose
    level is a level and whose moment is a moment (a chart is never drawn from anything else)."""
    found: list[LevelAt] = []
    listed = mine.get("assessments") if isinstance(mine, dict) else None
    for a in reversed(listed) if isinstance(listed, list) else []:  # newest first: reversed, ties keep their order
        if not isinstance(a, dict) or a.get("state") != "complete":
            continue
        level, at = a.get("level"), a.get("completedAt")
        if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= HIGHEST_LEVEL:
            continue
        try:
            moment = datetime.fromisoformat(str(at))
        except ValueError:
            continue
        if moment.tzinfo is None:
            continue
        found.append(LevelAt(moment, level, str(a.get("levelName") or "")))
    return sorted(found, key=lambda x: x.completed)


LEFT, COLUMN, GAP, PLOT, TOP, BOTTOM = 34, 64, 20, 120, 18, 24


def level_chart(w: Words, levels: list[LevelAt]) -> Markup:
    """The levels as columns on the fixed scale 0–5 (a level 2 is two fifths high, whatever came before), oldest on
    the left, each with its level above and its day below."""
    width = LEFT + 12 + COLUMN * max(len(levels), 1)
    svg = canvas(width, TOP + PLOT + BOTTOM, w.t(f"{P}.level.chart"), w.t(f"{P}.level.chart.desc", count=len(levels)))
    base = TOP + PLOT
    for level in range(HIGHEST_LEVEL + 1):
        y = base - PLOT * level / HIGHEST_LEVEL
        ET.SubElement(svg, "line", {"x1": str(LEFT), "x2": str(width - 6), "y1": f"{y:g}", "y2": f"{y:g}",
                                    "stroke": "#e3e6ea" if level else "#999999", "class": "axis"})  # fmt: skip
        text(svg, LEFT - 6, y + 4, str(level), "axis", "end")
    for i, at in enumerate(levels):
        x = LEFT + 6 + i * COLUMN + GAP / 2
        middle = x + (COLUMN - GAP) / 2
        height = PLOT * at.level / HIGHEST_LEVEL
        group = ET.SubElement(svg, "g", {"class": "column"})
        rect(group, x, base - height, COLUMN - GAP, height, at.level)
        text(group, middle, base - height - 4, str(at.level), "value", "middle")
        text(group, middle, base + 16, short_day(at.completed, w), "axis", "middle")
    return Markup(written(svg))


def short_day(moment: datetime, w: Words) -> str:
    """A day short enough to stand under a column: ``26.3.2``, ``2 Mar 26``, in the company's zone."""
    day = moment.astimezone(w.zone).date()
    if w.language == "ko":
        return f"{day.year % 100}.{day.month}.{day.day}"
    return day_text(day, "en").rsplit(" ", 1)[0] + f" {day.year % 100:02d}"


# ---- the hub's blocks ------------------------------------------------------------------------------------------------
@dataclass
class Block:
    """One part of the page the hub answers: what it found, or what went wrong, in the reader's words."""

    found: Any = None
    said: Said = field(default_factory=Said)

    @property
    def failed(self) -> bool:
        return self.said.problem is not None


async def _block(request: Request, ask: Callable[[], Awaitable[Any]]) -> Block:
    block = Block()
    with asking(request) as block.said:
        block.found = await ask()
    return block


def _listed(found: Any, key: str) -> list[dict[str, Any]]:
    """A list of objects the hub answered under ``key``; anything else in it is left out."""
    items = found.get(key) if isinstance(found, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


async def position(hub: HubSupport, language: str) -> dict[str, Any]:
    """Where the member stands, for the latest period it contributed: ``{"state": "not-agreed" | "none" | "shown",
    "period", "positions"}`` — "not yet" until it agreed to the terms and contributed."""
    agreement = await hub.get("/hub/support/benchmarks/agreement", language)
    if not (isinstance(agreement, dict) and agreement.get("agreed") is True):
        return {"state": "not-agreed"}
    given = _listed(await hub.get("/hub/support/benchmarks/contributions", language), "contributions")
    periods = [(str(c.get("at") or ""), c.get("period")) for c in given if isinstance(c.get("period"), str)]
    if not periods:
        return {"state": "none"}
    latest = max(periods)[1]
    found = await hub.get("/hub/support/benchmarks/position", language, period=latest)
    return {"state": "shown", "period": latest, "positions": _listed(found, "positions")}


async def hub_blocks(request: Request, hub: HubSupport) -> dict[str, Block]:
    """Every block the hub answers, asked side by side; each fails alone."""
    language = words(request).language
    asks: dict[str, Callable[[], Awaitable[Any]]] = {
        "plan": lambda: hub.get("/hub/support/plan", language, lang=language),
        "levels": lambda: hub.get("/hub/support/assessment/mine", language, lang=language),
        "position": lambda: position(hub, language),
        "addressed": lambda: hub.get("/hub/support/plan/wants/addressed", language),
        "requests": lambda: hub.get("/hub/support/experts/requests", language),
    }
    found: dict[str, Block] = {}

    async def one(name: str, ask: Callable[[], Awaitable[Any]]) -> None:
        found[name] = await _block(request, ask)

    async with anyio.create_task_group() as group:
        for name, ask in asks.items():
            group.start_soon(one, name, ask)
    return found


# ---- the page ------------------------------------------------------------------------------------------------------
def no_hub(request: Request, user: User) -> Response:
    """What joining a hub gives and how (the support pages' answer on a connector that joined none)."""
    return render(request, "support_overview.html", user, hub=False)


@router.get("", response_class=HTMLResponse)
async def overview(request: Request, user: UserDep, hub: HubDep) -> Response:
    if hub is None:
        return no_hub(request, user)
    svc = services(request)
    c, w = svc.connector, words(request)
    seen = await svc.views.overview(acting(user), READ)
    copies = await svc.received.list(acting(user), 0, READ)
    names = await names_for(request, user, datasets=seen.datasets, agreements=seen.agreements)
    given, obtained = traded(seen.agreements, c.participant_id, True), traded(seen.agreements, c.participant_id, False)
    blocks = await hub_blocks(request, hub)
    levels = levels_of(blocks["levels"].found)
    plan = blocks["plan"].found if isinstance(blocks["plan"].found, dict) else {}
    steps = _listed(plan, "steps")
    stale = isinstance(c.directory, HubDirectory) and c.directory.stale() is not None
    alerts = attention(seen.negotiations, c.wallet.tokens(), c.settings.hub_id, stale, c.now())
    return render(
        request,
        "support_overview.html",
        user,
        hub=True,
        alerts=alerts,
        names=names,
        given=given,
        obtained=obtained,
        given_chart=partners_chart(w, w.t(f"{P}.chart.given"), by_partner(given), names),
        obtained_chart=partners_chart(w, w.t(f"{P}.chart.obtained"), by_partner(obtained), names),
        offered=offered(seen.datasets, seen.offers, names, c.purposes),
        copies=sorted(copies, key=lambda r: r.received_at, reverse=True),
        demand=demand_seen(copies),
        blocks=blocks,
        levels=levels,
        level_chart=level_chart(w, levels) if levels else None,
        first_step=steps[0] if steps else None,
        addressed=_listed(blocks["addressed"].found, "wants"),
        requests=_listed(blocks["requests"].found, "requests"),
        shares_activity=c.settings.hub_share_activity,
        hosted="hosted" in (plan.get("sources") or ()),  # the hub reads a connector it hosts itself
    )
