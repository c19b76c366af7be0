"""The member's tailored plan and its wants, on its own connector's portal (issue 18 § 2) — each page asks the hub
as this member (``/hub/support/plan…``, docs/support/plan.md); the hub decides and checks everything.

- ``GET  /portal/support/plan`` — the next three steps, each with why, effort, gain, the skills an expert would
  need (linked to ``/portal/support/experts?skills=…``) and the trace of the conditions that put it there; the
  steps done; the later ones (collapsed); what partners asked; what the plan knows and where it learnt it.
- ``GET  /portal/support/wants`` — the member's own wants of its partners (open and withdrawn), and the form.
- ``POST /portal/support/wants`` — a want: a standard entity, from a tier in its chain or from named members, why,
  optionally the offer template it suggests. The hub's refusal is said beside the field its JSON path names.
- ``POST /portal/support/wants/{want_id}/withdraw`` — one of its wants withdrawn.

A want is what a customer asks of its suppliers, so it lives here, not on the plan: a supplier's plan is where it
reads its customers' wants. Stating and withdrawing are for the roles that may change things (``publisher``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sangsaeng.hubclient.support import HubRefused, HubSupport
from sangsaeng.policy.templates import TEMPLATES
from sangsaeng.portal.names import short
from sangsaeng.portal.pages import UserDep, checked_form, publisher, render, words
from sangsaeng.portal.paths import url
from sangsaeng.portal.support.common import HubDep, Said, asking
from sangsaeng.portal.support.overview import no_hub
from sangsaeng.roles import allowed
from sangsaeng.services import services
from sangsaeng.standard.labels import ENTITY_LABELS
from sangsaeng.store.records import User
from sangsaeng.support.plan.facts import fact_label

router = APIRouter(prefix="/portal/support", include_in_schema=False)
HUB = "/hub/support/plan"
WANTS = "/portal/support/wants"
TIERS = ("1차", "2차", "3차", "4차", "5차", "OEM")  # suppliers first; the hub takes OEM and 1차–9차
FIELDS = frozenset({"csrf", "entity", "to", "tier", "chain", "members", "why", "template"})
TO = ("tier", "members")
# The field of the form a refusal's JSON path names (``from.members[2]`` → members); anything else is said above.
AT = {"entity": "entity", "why": "why", "template": "template", "from": "to", "from.tier": "tier",
      "from.chain": "chain", "from.members": "members"}  # fmt: skip


@dataclass
class Asked:
    """What the hub answered to one call (None when it failed), what went wrong in the reader's words, and the
    refusal, if it refused."""

    found: Any
    said: Said
    refused: HubRefused | None = None

    @property
    def status(self) -> int:
        """The page's status when the call failed: the hub's refusal's, else 502 (it could not be reached)."""
        return self.refused.answered if self.refused is not None else 502


async def _ask(request: Request, call: Any) -> Asked:
    asked = Asked(None, Said())
    with asking(request) as asked.said:
        try:
            asked.found = await call()
        except HubRefused as refused:
            asked.refused = refused
            raise
    return asked


def _segment(value: str) -> str:
    return quote(value, safe="")


def _may_act(user: User) -> bool:
    return allowed(user.role, "support.act")  # as ``publisher``: the roles that may act on support


def field_at(position: str | None) -> str | None:
    """The form's field a refusal's JSON path names, else None."""
    if not position:
        return None
    path = position.removeprefix("$.").split("[", 1)[0]
    return AT.get(path)


def fact_name(name: Any, language: str) -> str:
    """A fact of the plan by its name for people (this software's words; a fact it does not know by its id)."""
    try:
        return fact_label(str(name), language)
    except KeyError:
        return str(name)


def skills_link(step: dict[str, Any]) -> str | None:
    """``?skills=a,b`` for the experts' page: the skills a step needs, as the experts' vocabulary names them."""
    ids = [s["id"] for s in step.get("skills") or [] if isinstance(s, dict) and isinstance(s.get("id"), str)]
    return "?skills=" + quote(",".join(ids), safe=",") if ids else None


# ---- the plan ------------------------------------------------------------------------------------------------------
@router.get("/plan", response_class=HTMLResponse)
async def plan_page(request: Request, user: UserDep, hub: HubDep) -> Response:
    """The hub's plan in the reader's language."""
    if hub is None:
        return no_hub(request, user)
    language = words(request).language
    read = await _ask(request, partial(hub.get, HUB, language, lang=language))
    plan = read.found if isinstance(read.found, dict) else None
    if plan is None:
        return render(request, "support_plan.html", user, status=read.status, plan=None, said=read.said)
    steps = [s for s in plan.get("steps") or [] if isinstance(s, dict)]
    return render(
        request,
        "support_plan.html",
        user,
        plan=plan,
        steps=steps,
        skills={s.get("id"): skills_link(s) for s in steps},
        fact=partial(fact_name, language=language),
        said=read.said,
    )


# ---- wants -----------------------------------------------------------------------------------------------------------
@dataclass
class Given:
    """What the person entered, kept when the hub refuses it (so nothing typed is lost)."""

    entity: str = ""
    to: str = "tier"
    tier: str = ""
    chain: str = ""
    members: tuple[str, ...] = ()
    why: str = ""
    template: str = ""

    def body(self) -> dict[str, Any]:
        """The want as the hub takes it (``POST /hub/support/plan/wants``)."""
        if self.to == "members":
            source: dict[str, Any] = {"members": list(self.members)}
        else:
            source = {"tier": self.tier} | ({"chain": self.chain} if self.chain else {})
        body: dict[str, Any] = {"entity": self.entity, "from": source, "why": self.why}
        return body | ({"template": self.template} if self.template else {})


def _partners(request: Request) -> list[tuple[str, str]]:
    """The members a want may name: the directory's, by name, without this connector and its hub."""
    c = services(request).connector
    left_out = {c.participant_id, c.settings.hub_id}
    return sorted(
        ((p.id, p.name or short(p.id)) for p in c.directory.participants() if p.id not in left_out),
        key=lambda pair: pair[1],
    )


async def _wants_page(
    request: Request,
    user: User,
    hub: HubSupport,
    *,
    said: Said | None = None,
    given: Given | None = None,
    errors: dict[str, Said] | None = None,
    status: int = 200,
) -> Response:
    """The member's wants and, for those who may act, the form (with what was entered and the refusals)."""
    language = words(request).language
    read = await _ask(request, partial(hub.get, f"{HUB}/wants", language))
    found = read.found.get("wants") if isinstance(read.found, dict) else None
    shown = said if said is not None and said.problem else read.said
    if status == 200 and found is None:
        status = read.status
    return render(
        request,
        "support_plan_wants.html",
        user,
        status=status,
        wants=[x for x in found if isinstance(x, dict)] if isinstance(found, list) else None,
        said=shown,
        listing=read.said,
        given=given or Given(),
        errors=errors or {},
        may_act=_may_act(user),
        entities=list(ENTITY_LABELS),
        tiers=TIERS,
        partners=_partners(request),
        templates=[(t.name, t.title_ko if language == "ko" else t.title) for t in TEMPLATES.values()],
    )


@router.get("/wants", response_class=HTMLResponse)
async def wants_page(request: Request, user: UserDep, hub: HubDep) -> Response:
    if hub is None:
        return no_hub(request, user)
    return await _wants_page(request, user, hub)


def _bad_request(request: Request, user: User) -> Response:
    return render(request, "problem.html", user, status=400, title="problem.input", message="problem.bad_request")


def _text(form: dict[str, Any], key: str) -> str:
    value = form.get(key, "")
    return value.strip() if isinstance(value, str) else ""


@router.post("/wants", response_class=HTMLResponse)
async def want(request: Request, user: UserDep, hub: HubDep) -> Response:
    """A want stated at the hub; then the list. Refused: the form again, each refusal beside its field."""
    publisher(user, "support.act")
    form = await checked_form(request)
    if hub is None:
        return no_hub(request, user)
    members = tuple(m for m in (await request.form()).getlist("members") if isinstance(m, str))
    to = _text(form, "to") or "tier"
    if set(form) - FIELDS or to not in TO:
        return _bad_request(request, user)
    given = Given(
        entity=_text(form, "entity"),
        to=to,
        tier=_text(form, "tier"),
        chain=_text(form, "chain"),
        members=members,
        why=_text(form, "why"),
        template=_text(form, "template"),
    )
    language = words(request).language
    made = await _ask(request, partial(hub.post, f"{HUB}/wants", given.body(), language))
    if made.found is None:
        said, errors = made.said, {}
        named = field_at(said.position)
        if named is not None:  # said beside its field; anything else above the form
            errors[named], said = said, Said()
        return await _wants_page(request, user, hub, said=said, given=given, errors=errors, status=made.status)
    return RedirectResponse(url(request, WANTS), status_code=303)


@router.post("/wants/{want_id}/withdraw", response_class=HTMLResponse)
async def withdraw(request: Request, want_id: str, user: UserDep, hub: HubDep) -> Response:
    """One of the member's wants withdrawn at the hub; another member's, or an unknown one, is not found."""
    publisher(user, "support.act")
    await checked_form(request)
    if hub is None:
        return no_hub(request, user)
    language = words(request).language
    done = await _ask(request, partial(hub.call, "DELETE", f"{HUB}/wants/{_segment(want_id)}", language=language))
    if done.refused is not None and done.refused.answered == 404:
        return render(
            request, "problem.html", user, status=404, title="problem.missing", message="problem.missing.text"
        )
    if done.said.problem:
        return await _wants_page(request, user, hub, said=done.said, status=done.status)
    return RedirectResponse(url(request, WANTS), status_code=303)
