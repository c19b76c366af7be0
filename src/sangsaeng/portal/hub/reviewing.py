"""The operator's side (``/portal/hub/review``): sign in as a portal user of the hub's root context, the queue
oldest first with each company's facts in words, and the decisions — approve, decline with a reason, suspend with
a reason, reinstate — each through the hub's one use case (``Membership.decide``), which checks the role."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sangsaeng.errors import Forbidden, SangsaengError
from sangsaeng.hub.members import states
from sangsaeng.portal import account
from sangsaeng.portal.hub.applying import posted
from sangsaeng.portal.hub.common import facts, hub_of, operator
from sangsaeng.portal.hub.form import said
from sangsaeng.portal.pages import NotAllowed, acting, render, words
from sangsaeng.portal.paths import url
from sangsaeng.roles import allowed
from sangsaeng.store.records import User

router = APIRouter(prefix="/portal/hub", include_in_schema=False)
OperatorDep = Annotated[User, Depends(operator)]
Action = Literal["approve", "decline", "suspend", "reinstate"]
PAGE = 100
# What the operator may do from each state (the machine in ``hub/members/states.py``).
ACTIONS = {state: [a for a, (start, _) in states.STEPS.items() if start == state] for state in states.STATES}


@router.get("/signin", response_class=HTMLResponse)
async def sign_in_page(request: Request) -> Response:
    hub_of(request)
    return render(request, "hub_signin.html")


@router.post("/signin", response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    """The connector portal's sign-in (same sessions, limits and lockouts), landing on the review queue."""
    hub_of(request)
    return await account.sign_in(request, await posted(request), "hub_signin.html", "/portal/hub/review")


async def _queue(request: Request, user: User, state: str, **context: Any) -> Response:
    hub = hub_of(request)
    w = words(request)
    shown = state if state in states.STATES else "applied"
    try:
        found = await hub.membership.queue(acting(user), shown, PAGE, 0)
    except Forbidden:
        raise NotAllowed("role") from None
    status = context.pop("status", 200)
    return render(
        request,
        "hub_review.html",
        user,
        status=status,
        state=shown,
        states=states.STATES,
        applications=[facts(w, view) for view in found],
        actions=ACTIONS[shown],
        may_decide=allowed(user.role, "hub.review"),
        needs_reason=states.NEEDS_REASON,
        **context,
    )


@router.get("/review", response_class=HTMLResponse)
async def review(request: Request, user: OperatorDep, state: str = "applied") -> Response:
    return await _queue(request, user, state)


@router.post("/review/{application}/{action}", response_class=HTMLResponse)
async def decide(request: Request, user: OperatorDep, application: str, action: Action) -> Response:
    hub = hub_of(request)
    form = await posted(request)
    reason = str(form.get("reason", "")).strip() or None
    w = words(request)
    try:
        view = await hub.membership.decide(acting(user), application, action, reason)
    except Forbidden:
        raise NotAllowed("role") from None
    except SangsaengError as exc:  # no reason given, a step the state does not allow, an unknown application
        state = str(form.get("state", "applied"))
        refused = {"application": application, **said(exc, w.language)}
        return await _queue(request, user, state, status=exc.status if 400 <= exc.status < 500 else 400,
                            refused=refused, reason=reason or "")  # fmt: skip
    done = w.t(f"hub.portal.done.{action}", company=view["company"]["name"])
    request.session["flash"] = done
    return RedirectResponse(url(request, f"/portal/hub/review?state={states.STEPS[action][0]}"), status_code=303)
