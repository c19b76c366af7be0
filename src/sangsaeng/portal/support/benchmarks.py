"""Sector benchmarks on the member's own portal (issue 18 § 4): the aggregates-only terms in Korean and English and
agreeing to them; contributing indicators for a period (one row per indicator, each in the unit the hub states,
a refusal said beside its row and nothing saved); its contributions; its position per indicator as a band among
its peers, drawn; and the published cells of its sector and region, suppressed ones with why. The hub keeps,
checks and releases everything (``/hub/support/benchmarks``, docs/support/benchmarks.md).

- ``GET  /portal/support/benchmarks?period=2026-Q3`` — everything of one period (this quarter by default).
- ``POST /portal/support/benchmarks/agree`` — ``terms``: the version shown.
- ``POST /portal/support/benchmarks/contribute`` — rows ``row.N.indicator|period|value|unit`` (those with a value
  are sent), ``shown``: the period the page shows.

Its place (sector, region) is what the credentials its hub issued it attest; agreeing and contributing are for
the roles that may change things (``publisher``)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sangsaeng.hubclient.support import HubSupport
from sangsaeng.identity import credentials
from sangsaeng.portal.pages import UserDep, checked_form, publisher, render, words
from sangsaeng.portal.paths import url
from sangsaeng.portal.support import benchmark_views as views
from sangsaeng.portal.support.asked import ACT, Asked, ask, bad_form, form_fields, listed, may_act, status_of
from sangsaeng.portal.support.common import HubDep, Said
from sangsaeng.portal.support.shown import name_of, text_in, thing
from sangsaeng.portal.words import Words
from sangsaeng.services import services
from sangsaeng.store.records import User

router = APIRouter(prefix="/portal/support/benchmarks", include_in_schema=False)
HUB: Final = "/hub/support/benchmarks"
PAGE: Final = "/portal/support/benchmarks"
MOST_ROWS: Final = 40  # far more than the indicators the hub knows; a form with more rows is not ours


def place_of(request: Request) -> tuple[set[str], set[str]] | None:
    """The member's sector divisions and regions, as its valid credentials from its hub attest them."""
    c = services(request).connector
    attested = credentials.attributes_of(
        c.wallet.tokens(), c.participant_id, [c.settings.hub_id], c.directory.keys_of, c.now(), c.directory.status_of
    )
    return views.own_place(attested)


def _period(request: Request, given: str | None = None) -> str:
    w = words(request)
    chosen = (given if given is not None else request.query_params.get("period", "")).strip()
    return chosen or views.quarter_of(services(request).connector.now().astimezone(w.zone).date())


async def _page(
    request: Request,
    user: User,
    hub: HubSupport,
    period: str,
    *,
    form: Mapping[str, str] | None = None,
    errors: dict[int, Said] | None = None,
    above: Said | None = None,
    status: int | None = None,
) -> Response:
    w = words(request)
    language = w.language
    get = partial(hub.get, language=language)
    terms = await ask(request, partial(get, f"{HUB}/terms"))
    agreement = await ask(request, partial(get, f"{HUB}/agreement"))
    mine = await ask(request, partial(get, f"{HUB}/contributions", period=period))
    position = await ask(request, partial(get, f"{HUB}/position", period=period))
    cells = await ask(request, partial(get, f"{HUB}/cells", period=period))
    indicators = listed(terms, "indicators")
    place = place_of(request)
    about_period = next((a.said for a in (mine, position, cells) if _names_period(a)), None)
    today = services(request).connector.now().astimezone(w.zone).date()
    given_rows = [int(k.split(".")[1]) + 1 for k in form or {} if k.startswith("row.")]
    rows = max([views.row_count(indicators), *given_rows])
    return render(
        request,
        "support_benchmarks.html",
        user,
        status=status or status_of(terms, agreement, mine, position, cells),
        hub=True,
        period=period,
        periods=views.periods(today),
        period_error=about_period,
        terms=terms,
        terms_text=text_in(thing(terms.found).get("text"), language)[0] if not terms.failed else None,
        version=thing(terms.found).get("version"),
        indicators=[views.indicator_view(i, w) for i in indicators],
        agreement=agreement,
        agreed=thing(agreement.found).get("agreed") is True,
        agreed_at=thing(agreement.found).get("agreedAt"),
        mine=mine,
        contributions=[_contribution(c, w) for c in listed(mine, "contributions")],
        position=position,
        positions=[views.position_view(p, views.valid_ranges(indicators), w) for p in listed(position, "positions")],
        cells=cells,
        place_known=place is not None,
        shown_cells=[views.cell_view(c, w) for c in views.in_order(listed(cells, "cells")) if views.holds(c, place)],
        rows=rows,
        form=form if form is not None else views.blank_rows(indicators, period, language),
        errors=errors or {},
        above=above or Said(),
        may_act=may_act(user),
    )


def _names_period(asked: Asked) -> bool:
    return asked.position == "period"


def _contribution(item: Mapping[str, Any], w: Words) -> dict[str, Any]:
    given = thing(item.get("given"))
    return {
        "indicator": name_of(thing(item.get("indicator")).get("name"), w.language),
        "period": str(item.get("period", "")),
        "value": views.figure(item.get("value"), w),
        "unit": name_of(item.get("unit"), w.language) if item.get("unit") else "",
        "given": f"{views.figure(given.get('value'), w)} {given.get('unit') or ''}".strip(),
        "at": item.get("at"),
    }


@router.get("", response_class=HTMLResponse)
async def benchmarks_page(request: Request, user: UserDep, hub: HubDep) -> Response:
    """The terms, the member's agreement, contributions, position and its place's cells, for one period."""
    if hub is None:
        return render(request, "support_benchmarks.html", user, hub=False)
    return await _page(request, user, hub, _period(request))


def _back(request: Request, period: str, anchor: str) -> Response:
    return RedirectResponse(url(request, f"{PAGE}?{urlencode({'period': period})}#{anchor}"), status_code=303)


@router.post("/agree", response_class=HTMLResponse)
async def agree(request: Request, user: UserDep, hub: HubDep) -> Response:
    """The hub's agreement to the terms' version the page showed."""
    publisher(user, ACT)
    form = form_fields(await checked_form(request), frozenset({"terms", "shown"}))
    if hub is None:
        return render(request, "support_benchmarks.html", user, hub=False)
    if form is None:
        return bad_form(request, user)
    period = _period(request, form.get("shown", ""))
    done = await ask(request, partial(hub.post, f"{HUB}/agreement", {"terms": form.get("terms", "")},
                                      words(request).language))  # fmt: skip
    if done.failed:
        return await _page(request, user, hub, period, above=done.said, status=done.status)
    return _back(request, period, "contribute")


@router.post("/contribute", response_class=HTMLResponse)
async def contribute(request: Request, user: UserDep, hub: HubDep) -> Response:
    """The rows with a value, as one batch: saved whole, or refused whole with the hub's words beside the row."""
    publisher(user, ACT)
    posted = await checked_form(request)
    if hub is None:
        return render(request, "support_benchmarks.html", user, hub=False)
    form = form_fields(posted, views.row_fields(MOST_ROWS) | {"shown"})
    if form is None:
        return bad_form(request, user)
    period = _period(request, form.pop("shown", ""))
    sent, where = views.contributions_of(form, MOST_ROWS)
    done = await ask(request, partial(hub.post, f"{HUB}/contributions", {"contributions": sent},
                                      words(request).language))  # fmt: skip
    if done.failed:
        row = views.row_at(done.refused.position if done.refused else None, where)
        errors, above = ({row: done.said or Said()}, None) if row is not None else ({}, done.said)
        return await _page(request, user, hub, period, form=form, errors=errors, above=above, status=done.status)
    return _back(request, period, "contributions")
