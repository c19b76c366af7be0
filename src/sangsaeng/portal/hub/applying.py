"""A company applies (``/portal/hub/apply``) and follows its application (``/portal/hub/status``): the form
goes to the hub's one use case for applying (``Membership.apply``), as the API's ``POST /hub/applications``
does; each refusal is shown next to its field, in the reader's language, with everything typed kept."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from sangsaeng.errors import SangsaengError
from sangsaeng.hub.hosting.applying import HostedApplications
from sangsaeng.hub.service import callers
from sangsaeng.portal import auth
from sangsaeng.portal.hub.common import (
    blank_company,
    company_choices,
    facts,
    hub_of,
    signed_in,
)
from sangsaeng.portal.hub.form import application_of, field_of, problems, said, values_of
from sangsaeng.portal.pages import NotAllowed, from_here, render, words
from sangsaeng.services import CONTEXT

router = APIRouter(prefix="/portal/hub", include_in_schema=False)
HOSTED = "/portal/hub/hosted"  # the hosted sign-up's page (hosted.py)


async def posted(request: Request) -> FormData:
    """The posted form with every value of a repeated field, refused without the session's CSRF token."""
    form = await request.form()
    given = form.get("csrf")
    if not auth.csrf_valid(request.session, given if isinstance(given, str) else None) or not from_here(request):
        raise NotAllowed("csrf")
    return form


def _none() -> HostedApplications:
    raise LookupError


def hosted_offered(request: Request) -> bool:
    """Whether this hub hosts connectors: its context holds the sign-up's use case (``hub/hosting/``)."""
    try:
        request.scope[CONTEXT].own(HostedApplications, _none)
    except LookupError:
        return False
    return True


async def _form(request: Request, kept: dict[str, Any], errors: dict[str, Any], status: int = 200) -> Response:
    w = words(request)
    hub = hub_of(request)
    return render(
        request,
        "hub_apply.html",
        await signed_in(request),
        status=status,
        kept=kept,
        errors=errors,
        **company_choices(w),
        hub_id=hub.connector.participant_id,
        hub_url=hub.connector.settings.public_url.rstrip("/"),
        hosted=hosted_offered(request),
        hosted_url=HOSTED,
    )


@router.get("/apply", response_class=HTMLResponse)
async def apply_page(request: Request) -> Response:
    hub_of(request)
    return await _form(request, blank_company(), {})


@router.post("/apply", response_class=HTMLResponse)
async def apply(request: Request) -> Response:
    hub = hub_of(request)
    kept = values_of(await posted(request))
    application = application_of(kept)
    language = words(request).language
    errors: dict[str, Any] = problems(application, language)
    if not errors:
        address = request.client.host if request.client else "unknown"
        try:
            view = await hub.membership.apply(application, address)
        except SangsaengError as exc:
            errors = {field_of(exc.position): said(exc, language)}
        else:
            w = words(request)
            return render(
                request, "hub_status.html", await signed_in(request), status=201, fresh=True, a=facts(w, view)
            )
    return await _form(request, kept, errors, status=400)


@router.get("/status", response_class=HTMLResponse)
async def status_page(request: Request) -> Response:
    hub = hub_of(request)
    return render(request, "hub_status.html", await signed_in(request), hub_id=hub.connector.participant_id)


@router.post("/status", response_class=HTMLResponse)
async def status(request: Request) -> Response:
    """The applicant's view of its application: its id and a fresh token signed by the key it applied with
    (``sangsaeng hub identity`` prints one), read by the same use case as ``GET /hub/applications/{id}``."""
    hub = hub_of(request)
    form = await posted(request)
    application, token = str(form.get("application", "")).strip(), str(form.get("token", "")).strip()
    w = words(request)
    try:
        member = await callers.caller(hub.connector, token or None)
        view = await hub.membership.read(application, None, member)
    except SangsaengError as exc:
        # One answer for an unknown application, another's, a bad or used token: nothing tells which.
        error = {"message": w.t("hub.portal.status.refused"), "hint": w.t("hub.portal.status.refused.hint")}
        return render(
            request,
            "hub_status.html",
            await signed_in(request),
            status=exc.status if exc.status in (401, 404) else 400,
            error=error,
            application=application,
            hub_id=hub.connector.participant_id,
        )
    return render(request, "hub_status.html", await signed_in(request), a=facts(w, view))
