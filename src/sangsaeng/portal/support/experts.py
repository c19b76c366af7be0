"""Experts on the member's own portal (issue 18 § 3): the experts the hub matches to it, each with the reasons for
the match in words, availability, languages and skills by name; asking for one; and its own requests with their
state — the expert's contact shown only when the hub gives it (once a request is accepted). Each call asks the hub
as this member (``/hub/support/experts/…``, docs/support/experts.md); the hub keeps and decides everything.

- ``GET  /portal/support/experts?skills=mes,erp`` — the matches (the skills preselected, e.g. from the plan), the
  skills filter, the member's requests.
- ``POST /portal/support/experts/requests`` — ``expert``, ``message``: the hub's request; back to the page, or the
  page again with the hub's refusal beside that expert's message.

Asking is for the roles that may change things (``publisher``); a viewer reads."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sangsaeng.hubclient.support import HubSupport
from sangsaeng.portal.pages import UserDep, checked_form, publisher, render, words
from sangsaeng.portal.paths import url
from sangsaeng.portal.support.asked import (
    ACT,
    Asked,
    ask,
    bad_form,
    form_fields,
    listed,
    may_act,
    missing_page,
    status_of,
)
from sangsaeng.portal.support.common import HubDep, Said
from sangsaeng.portal.support.reasons import reasons_text
from sangsaeng.portal.support.shown import day, names_of, segment, thing
from sangsaeng.portal.words import Words
from sangsaeng.store.records import User
from sangsaeng.support.experts import vocabulary

router = APIRouter(prefix="/portal/support/experts", include_in_schema=False)
HUB: Final = "/hub/support/experts"
PAGE: Final = "/portal/support/experts"
OPEN: Final = ("requested", "accepted")
FORM: Final = frozenset({"expert", "message", "skills"})


def wanted_skills(given: list[str]) -> list[str]:
    """``?skills=a,b`` and ``?skills=a&skills=b`` alike: the skills asked for, once each, in order."""
    found = [s.strip().lower() for item in given for s in item.split(",") if s.strip()]
    return list(dict.fromkeys(found))


def availability(given: Any, w: Words) -> str:
    if thing(given).get("state") == "available":
        return w.t("support.experts.available")
    until = day(thing(given).get("until"), w.language)
    return w.t("support.experts.busy_until", day=until) if until else w.t("support.experts.busy")


def expert_view(match: Mapping[str, Any], w: Words) -> dict[str, Any]:
    expert = thing(match.get("expert"))
    language = w.language
    return {
        "id": str(expert.get("id", "")),
        "name": str(expert.get("name") or "—"),
        "organisation": str(expert.get("organisation") or ""),
        "points": match.get("points"),
        "reasons": reasons_text(match.get("reasons"), language),
        "availability": availability(expert.get("availability"), w),
        "free": thing(expert.get("availability")).get("state") == "available",
        "skills": names_of(expert.get("skills"), language),
        "languages": names_of(expert.get("languages"), language),
        "sectors": names_of(expert.get("sectors"), language, coded=True),
        "regions": names_of(expert.get("regions"), language),
    }


def request_view(item: Mapping[str, Any], w: Words) -> dict[str, Any]:
    expert = thing(item.get("expert"))
    contact = expert.get("contact") if isinstance(expert.get("contact"), Mapping) else None
    state = str(item.get("state") or "")
    return {
        "id": str(item.get("id", "")),
        "expert_id": str(expert.get("id", "")),
        "expert": str(expert.get("name") or w.t("support.experts.unnamed")),
        "message": str(item.get("message") or ""),
        "state": state,
        "state_words": w.word("support.experts.state", state),
        "requested": w.when(item.get("requestedAt")),
        "decided": w.when(item["decidedAt"]) if item.get("decidedAt") else None,
        "done": w.when(item["doneAt"]) if item.get("doneAt") else None,
        "note": item.get("note"),
        "contact": dict(contact) if contact else None,
    }


def skill_choices(language: str) -> list[tuple[str, str]]:
    """Every skill this software's vocabulary knows, by name in ``language``."""
    return [(code, getattr(named, language, named.ko)) for code, named in vocabulary.SKILLS.items()]


async def _page(
    request: Request,
    user: User,
    hub: HubSupport,
    skills: list[str],
    *,
    errors: dict[str, Said] | None = None,
    given: dict[str, str] | None = None,
    status: int | None = None,
) -> Response:
    w = words(request)
    language = w.language
    asked = {"skills": ",".join(skills) or None, "language": language}  # the language the member works in
    params = {k: v for k, v in asked.items() if v is not None}
    matches = await ask(request, partial(hub.call, "GET", f"{HUB}/matches", params=params, language=language))
    mine = await ask(request, partial(hub.get, f"{HUB}/requests", language))
    experts = [expert_view(m, w) for m in listed(matches, "matches")]
    requests = [request_view(r, w) for r in listed(mine, "requests")]
    asked_for = {r["expert_id"]: r for r in requests if r["state"] in OPEN}
    shown_ids = {e["id"] for e in experts}
    errors = errors or {}
    above = next((said for expert, said in errors.items() if expert not in shown_ids), None)
    about_skills = matches.position.startswith("skills")
    return render(
        request,
        "support_experts.html",
        user,
        status=status or status_of(matches, mine),
        hub=True,
        experts=experts,
        matches=matches,
        mine=mine,
        requests=requests,
        asked_for=asked_for,
        skills=skills,
        choices=skill_choices(language),
        errors=errors,
        above=above,
        skill_error=matches.said if about_skills else None,
        match_error=None if about_skills else matches.said,
        given=given or {},
        may_act=may_act(user),
    )


@router.get("", response_class=HTMLResponse)
async def experts_page(request: Request, user: UserDep, hub: HubDep) -> Response:
    """The experts that fit, best first, with why; the member's requests."""
    if hub is None:
        return render(request, "support_experts.html", user, hub=False)
    return await _page(request, user, hub, wanted_skills(request.query_params.getlist("skills")))


@router.post("/requests", response_class=HTMLResponse)
async def ask_for_expert(request: Request, user: UserDep, hub: HubDep) -> Response:
    """The hub's request for the expert, with the member's message."""
    publisher(user, ACT)
    form = form_fields(await checked_form(request), FORM)
    if hub is None:
        return render(request, "support_experts.html", user, hub=False)
    if form is None or not form.get("expert"):
        return bad_form(request, user)
    expert, message = form["expert"], form.get("message", "")
    skills = wanted_skills([form.get("skills", "")])
    language = words(request).language
    made: Asked = await ask(
        request, partial(hub.post, f"{HUB}/{segment(expert)}/requests", {"message": message}, language)
    )
    if made.missing:
        return missing_page(request, user)
    if made.failed:
        said = made.said or Said()
        return await _page(
            request, user, hub, skills, errors={expert: said}, given={expert: message}, status=made.status
        )
    query = f"?{urlencode({'skills': ','.join(skills)})}" if skills else ""
    return RedirectResponse(url(request, f"{PAGE}{query}#requests"), status_code=303)
