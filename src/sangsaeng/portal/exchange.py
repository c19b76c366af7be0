"""The portal's exchange pages: partners' catalogs and requests (consumer), the requests inbox and agreements
(provider); received data is ``portal/received.py``'s."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import anyio
import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from sangsaeng.catalog.service import fetch_catalog
from sangsaeng.errors import SangsaengError
from sangsaeng.policy import duties
from sangsaeng.policy.model import parse_policy
from sangsaeng.portal import received
from sangsaeng.portal.pages import (
    NotAllowed,
    UserDep,
    acting,
    checked_form,
    names_for,
    refused_as,
    render,
    titles_of,
    words,
)
from sangsaeng.portal.paths import url
from sangsaeng.portal.summary import duty_text, summarize
from sangsaeng.roles import require
from sangsaeng.services import ServicesDep

router = APIRouter(prefix="/portal", include_in_schema=False)
PLOTLY = Path(str(__import__("plotly").__file__)).parent / "package_data" / "plotly.min.js"


@router.get("/static/plotly.min.js")
async def plotly_js() -> Response:
    """The charting library, from its Python package: a factory network reaches no CDN."""
    return FileResponse(PLOTLY, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})


# ---- consumer: partners' catalogs and requests ---------------------------------------------------------------
@router.get("/partners")
async def partners(request: Request, svc: ServicesDep, user: UserDep) -> Response:
    others = [p for p in svc.connector.directory.participants() if p.id != svc.connector.participant_id]
    return render(request, "partners.html", user, partners=others)


@router.get("/partners/{partner_id}")
async def partner_catalog(
    partner_id: str,
    request: Request,
    svc: ServicesDep,
    user: UserDep,
    chosen: Annotated[str | None, Query(alias="offer")] = None,
) -> Response:
    """A partner's catalog, each offer with its request form; ``offer`` (a hub search's hit links here with it)
    comes first and is marked, so the request is one click."""
    if svc.connector.directory.find(partner_id) is None:
        raise NotAllowed("dataset")
    w = words(request)
    names = await names_for(request, user)
    try:
        catalog = await fetch_catalog(svc.connector, partner_id)
    except (SangsaengError, httpx.HTTPError):
        return render(
            request, "catalog.html", user, partner=partner_id, datasets=[], unreachable=True, names=names, purposes=[]
        )
    await _remember_titles(request, partner_id, catalog)
    datasets = []
    for d in catalog.get("dataset", []):
        offers = []
        for offer in d.get("hasPolicy", []):
            try:
                summary = summarize(parse_policy(offer, where="offer", purposes=svc.connector.purposes), w, names)
            except SangsaengError:
                continue  # terms this connector cannot read are not offered for a request
            offers.append({"id": offer["@id"], "summary": summary})
        title = d.get("title") if isinstance(d.get("title"), str) and d.get("title") else None
        datasets.append({"id": d["@id"], "title": title or names.dataset(d["@id"], partner_id), "offers": offers})
    datasets.sort(key=lambda d: not any(o["id"] == chosen for o in d["offers"]))  # stable: the rest keep their order
    return render(
        request,
        "catalog.html",
        user,
        partner=partner_id,
        chosen=chosen,
        datasets=datasets,
        purposes=sorted(svc.connector.purposes),
        names=names,
    )


async def _remember_titles(request: Request, partner_id: str, catalog: dict[str, Any]) -> None:
    """A partner's dataset titles, kept so that what is requested and received is named after them."""
    titles = {
        str(d["@id"]): d["title"]
        for d in catalog.get("dataset", [])
        if isinstance(d, dict) and isinstance(d.get("@id"), str) and isinstance(d.get("title"), str) and d["title"]
    }
    if titles:
        await anyio.to_thread.run_sync(titles_of(request).remember, partner_id, titles)


@router.post("/partners/{partner_id}/request")
async def request_offer(partner_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    form = await checked_form(request)
    with refused_as("stage"):  # refused before the partner is asked for its catalog; the use case checks again
        require(acting(user), "negotiation.start")
    purpose = str(form.get("purpose", "")) or None
    if purpose is not None and purpose not in svc.connector.purposes:
        raise NotAllowed("purpose")
    try:
        catalog = await fetch_catalog(svc.connector, partner_id)
    except (SangsaengError, httpx.HTTPError):
        raise NotAllowed("stage") from None
    await _remember_titles(request, partner_id, catalog)
    wanted = str(form.get("offer", ""))
    for d in catalog.get("dataset", []):
        for offer in d.get("hasPolicy", []):
            if offer.get("@id") == wanted:
                with refused_as("stage"):
                    n = await svc.exchange.start_negotiation(acting(user), partner_id, d["@id"], offer, purpose)
                return RedirectResponse(url(request, f"/portal/negotiations/{n.id}"), status_code=303)
    raise NotAllowed("stage")


@router.get("/negotiations/{negotiation_id}")
async def negotiation(negotiation_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    with refused_as("stage"):
        n = await svc.exchange.negotiation(acting(user), negotiation_id)
    names = await names_for(request, user)
    settled = n.state in ("FINALIZED", "TERMINATED")
    return render(request, "negotiation.html", user, n=n, live=not settled, names=names)


# ---- provider: requests and agreements -----------------------------------------------------------------------
@router.get("/requests")
async def requests(request: Request, svc: ServicesDep, user: UserDep) -> Response:
    c = svc.connector
    seen = await svc.views.overview(acting(user), 500)
    negotiations, agreements = seen.negotiations, seen.agreements
    names = await names_for(request, user, agreements=agreements)
    waiting = [n for n in negotiations if n.role == "provider" and n.state == "REQUESTED" and not n.agreement_id]
    w = words(request)
    shown = []
    for a in agreements:
        if a.provider != c.participant_id:
            continue
        compiled = c.policies.compiled(a.id, a.body)
        owed = compiled.policy.duties
        shown.append(
            {
                "a": a,
                "signed": a.provider_signature is not None and a.consumer_signature is not None,
                "duties": [
                    {"what": duty_text(duty, w), "state": due["state"]}
                    for duty, due in zip(
                        owed, duties.status(owed, a.created_at, c.now(), a.fulfilled or {}), strict=True
                    )
                ],
                "summary": summarize(compiled.policy, w, names),
            }
        )
    offers = {n.id: summarize(parse_policy(n.offer, where="offer", purposes=c.purposes), w, names) for n in waiting}
    return render(request, "requests.html", user, waiting=waiting, offers=offers, agreements=shown, names=names)


@router.post("/requests/{negotiation_id}")
async def decide_request(negotiation_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    form = await checked_form(request)
    with refused_as("stage"):
        if form.get("action") == "approve":
            await svc.exchange.approve(acting(user), negotiation_id)
        else:
            reason = str(form.get("reason", "")).strip() or "declined"
            await svc.exchange.end_negotiation(acting(user), negotiation_id, reason)
    return RedirectResponse(url(request, "/portal/requests"), status_code=303)


@router.post("/agreements/{agreement_id}/terminate")
async def end_agreement(agreement_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    form = await checked_form(request)
    with refused_as("stage"):
        await svc.agreements.terminate(acting(user), agreement_id, str(form.get("reason", "")))
    return RedirectResponse(url(request, "/portal/requests"), status_code=303)


# ---- consumer: received data (portal/received.py: the copies kept here, refreshed only when asked) -------------
router.include_router(received.router)
