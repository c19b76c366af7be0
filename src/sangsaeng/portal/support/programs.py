"""Support programs on the member's own portal (issue 18 § 3): the programs the hub finds it eligible for, best fit
first, each with why, its deadline and its funding in won as Koreans write it (``5,000만 원``; ``KRW 50,000,000``
in English); on request (``?ineligible=1``) the others too, each with the counts it fails. The hub decides
eligibility from the member's facts and latest assessment (``/hub/support/programs/matches``).

- ``GET /portal/support/programs`` (``?ineligible=1``).
- ``POST /portal/support/programs/uptake`` — ``program``, ``state``: what became of a matched program (applied,
  granted, declined, withdrawn; ``/hub/support/programs/{id}/uptake``); back to the program, or the page again
  with the hub's refusal beside that program's form. For the roles that may act on support; a viewer reads."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sangsaeng.hubclient.support import HubSupport
from sangsaeng.portal.pages import UserDep, checked_form, publisher, render, words
from sangsaeng.portal.paths import url
from sangsaeng.portal.support.asked import ACT, ask, bad_form, form_fields, listed, may_act, missing_page, status_of
from sangsaeng.portal.support.common import HubDep, Said
from sangsaeng.portal.support.krw import won
from sangsaeng.portal.support.reasons import reasons_text
from sangsaeng.portal.support.shown import day, name_of, segment, thing
from sangsaeng.portal.words import Words
from sangsaeng.store.records import User
from sangsaeng.support.uptake.model import STATES

router = APIRouter(prefix="/portal/support/programs", include_in_schema=False)
HUB: Final = "/hub/support/programs/matches"
PROGRAMS: Final = "/hub/support/programs"
PAGE: Final = "/portal/support/programs"
FORM: Final = frozenset({"program", "state"})
YES: Final = ("1", "true", "yes", "on")


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def funding(given: Any, w: Words) -> str:
    """What a program pays, in words: a sum, or a share of the cost with its cap."""
    f = thing(given)
    amount, share, cap = _whole(f.get("amountKrw")), _whole(f.get("sharePercent")), _whole(f.get("capKrw"))
    if amount is not None:
        return w.t("support.programs.funding.amount", amount=won(amount, w.language))
    if share is not None and cap is not None:
        return w.t("support.programs.funding.share_cap", percent=share, cap=won(cap, w.language))
    if share is not None:
        return w.t("support.programs.funding.share", percent=share)
    return "—"


def link_of(given: Any) -> str | None:
    """The program's page, only when it is a web address (never ``javascript:`` or the like)."""
    return given if isinstance(given, str) and given.startswith(("https://", "http://")) else None


def program_view(item: Mapping[str, Any], w: Words) -> dict[str, Any]:
    program = thing(item.get("program"))
    deadline = day(program.get("deadline"), w.language)
    return {
        "id": str(program.get("id", "")),
        "name": name_of(program.get("name"), w.language),
        "agency": name_of(program.get("agency"), w.language),
        "funding": funding(program.get("funding"), w),
        "deadline": deadline or w.t("support.programs.open"),
        "deadline_iso": program.get("deadline"),
        "link": link_of(program.get("link")),
        "points": item.get("points"),
        "reasons": reasons_text(item.get("reasons"), w.language),
    }


def uptake_states(answer: Any) -> dict[str, str]:
    """The member's take-up state per program id, from ``/hub/support/programs/uptake/mine``."""
    found = answer.get("uptake") if isinstance(answer, Mapping) else None
    states: dict[str, str] = {}
    for item in found if isinstance(found, list) else []:
        program, state = thing(thing(item).get("program")), thing(thing(item).get("state"))
        if isinstance(program.get("id"), str) and state.get("code") in STATES:
            states[program["id"]] = state["code"]
    return states


async def _page(
    request: Request,
    user: User,
    hub: HubSupport,
    others: bool,
    *,
    errors: dict[str, Said] | None = None,
    status: int | None = None,
) -> Response:
    w = words(request)
    matched = await ask(request, partial(hub.get, HUB, w.language, ineligible="true" if others else None))
    taken = await ask(request, partial(hub.get, f"{PROGRAMS}/uptake/mine", w.language))
    return render(
        request,
        "support_programs.html",
        user,
        status=status or status_of(matched, taken),
        hub=True,
        asked=matched,
        programs=[program_view(p, w) for p in listed(matched, "matches")],
        ineligible=[program_view(p, w) for p in listed(matched, "ineligible")],
        others=others,
        taken=uptake_states(taken.found),
        taken_error=taken.said,
        states=[(s, w.word("support.programs.state", s)) for s in STATES],
        errors=errors or {},
        may_act=may_act(user),
    )


@router.get("", response_class=HTMLResponse)
async def programs_page(request: Request, user: UserDep, hub: HubDep) -> Response:
    """The programs the member may apply for, best fit first, each with its take-up; with ``?ineligible=1`` the
    others and why."""
    if hub is None:
        return render(request, "support_programs.html", user, hub=False)
    return await _page(request, user, hub, request.query_params.get("ineligible", "").lower() in YES)


@router.post("/uptake", response_class=HTMLResponse)
async def take_up(request: Request, user: UserDep, hub: HubDep) -> Response:
    """The hub told what became of the program; back to it."""
    publisher(user, ACT)
    form = form_fields(await checked_form(request), FORM)
    if hub is None:
        return render(request, "support_programs.html", user, hub=False)
    if form is None or not form.get("program"):
        return bad_form(request, user)
    program = form["program"]
    body = {"state": form.get("state", "")}
    made = await ask(request, partial(hub.post, f"{PROGRAMS}/{segment(program)}/uptake", body, words(request).language))
    if made.missing:
        return missing_page(request, user)
    if made.failed:
        return await _page(request, user, hub, False, errors={program: made.said or Said()}, status=made.status)
    return RedirectResponse(url(request, f"{PAGE}#program-{segment(program)}"), status_code=303)
