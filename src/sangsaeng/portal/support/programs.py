"""Support programs on the member's own portal (issue 18 § 3): the programs the hub finds it eligible for, best fit
first, each with why, its deadline and its funding in won as Koreans write it (``5,000만 원``; ``KRW 50,000,000``
in English); on request (``?ineligible=1``) the others too, each with the counts it fails. The hub decides
eligibility from the member's facts and latest assessment (``/hub/support/programs/matches``).

- ``GET /portal/support/programs`` (``?ineligible=1``)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sangsaeng.portal.pages import UserDep, render, words
from sangsaeng.portal.support.asked import ask, listed
from sangsaeng.portal.support.common import HubDep
from sangsaeng.portal.support.krw import won
from sangsaeng.portal.support.reasons import reasons_text
from sangsaeng.portal.support.shown import day, name_of, thing
from sangsaeng.portal.words import Words

router = APIRouter(prefix="/portal/support/programs", include_in_schema=False)
HUB: Final = "/hub/support/programs/matches"
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


@router.get("", response_class=HTMLResponse)
async def programs_page(request: Request, user: UserDep, hub: HubDep) -> Response:
    """The programs the member may apply for, best fit first; with ``?ineligible=1`` the others and why."""
    if hub is None:
        return render(request, "support_programs.html", user, hub=False)
    w = words(request)
    others = request.query_params.get("ineligible", "").lower() in YES
    matched = await ask(request, partial(hub.get, HUB, w.language, ineligible="true" if others else None))
    return render(
        request,
        "support_programs.html",
        user,
        status=matched.status,
        hub=True,
        asked=matched,
        programs=[program_view(p, w) for p in listed(matched, "matches")],
        ineligible=[program_view(p, w) for p in listed(matched, "ineligible")],
        others=others,
    )
