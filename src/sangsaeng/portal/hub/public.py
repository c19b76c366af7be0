"""What anyone may see on the hub: the member directory (public facts only — name, tiers, sectors, region,
whether active; the signed directory says as much) and the federated catalog's search, whose hits open the
searcher's OWN connector portal at the provider, where the request is one click (the hub never negotiates for a
member, and a form posted from the hub to a member's portal would rightly be refused there as cross-site)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from sangsaeng.errors import SangsaengError
from sangsaeng.hub.catalog.model import Filters
from sangsaeng.hub.catalog.routes import HitOut
from sangsaeng.hub.catalog.service import HubCatalog
from sangsaeng.hub.members.ksic import name_of
from sangsaeng.hub.members.regions import REGIONS
from sangsaeng.identity.directory import UnsafeAddress, normalised
from sangsaeng.policy.templates import TEMPLATES
from sangsaeng.portal.hub.common import TIERS, hub_of, named, region_choices, sector_choices, signed_in, tier_word
from sangsaeng.portal.hub.form import said
from sangsaeng.portal.pages import render, words
from sangsaeng.roles import Principal
from sangsaeng.services import CONTEXT
from sangsaeng.standard.entities import ENTITIES

router = APIRouter(prefix="/portal/hub", include_in_schema=False)
PUBLIC = Principal("hub-portal", "viewer", "portal")  # a visitor: reads what the hub shows everyone
Text = Annotated[str, Query(max_length=1000)]
Facet = Annotated[str, Query(max_length=100)]


def _none() -> HubCatalog:
    raise LookupError


def catalog_of(request: Request) -> HubCatalog | None:
    """The hub's federated catalog, where the hub's wiring gives its context one."""
    try:
        found: HubCatalog = request.scope[CONTEXT].own(HubCatalog, _none)
    except LookupError:
        return None
    return found


@router.get("/members", response_class=HTMLResponse)
async def directory(request: Request) -> Response:
    hub = hub_of(request)
    w = words(request)
    shown = []
    for state in ("approved", "suspended"):  # what the signed directory lists; applicants are not members yet
        for view in await hub.membership.queue(PUBLIC, state, 10_000, 0):
            company = view["company"]
            shown.append({
                "name": company["name"],
                "tiers": [f"{t['chain']} · {tier_word(w, t['tier'])}" for t in company["tiers"]],
                "sectors": [f"{code} {named(w, name_of(code))}" for code in company["ksic"]],
                "region": named(w, REGIONS[company["region"]]),
                "state": w.t(f"hub.portal.member.{state}"),
                "since": w.when(view["updatedAt"]) if state == "suspended" else w.when(view["appliedAt"]),
            })  # fmt: skip
    shown.sort(key=lambda m: m["name"])
    return render(request, "hub_members.html", await signed_in(request), members=shown)


def _mine(text: str) -> str | None:
    """The searcher's own connector portal (its base address), where a hit's request is made."""
    if not text:
        return None
    try:
        return normalised(text).rstrip("/")
    except UnsafeAddress:
        return None


@router.get("/search", response_class=HTMLResponse)
async def search(
    request: Request,
    q: Text = "",
    entity: Facet = "",
    sector: Facet = "",
    region: Facet = "",
    tier: Facet = "",
    template: Facet = "",
    mine: Facet = "",
) -> Response:
    hub_of(request)
    w = words(request)
    catalog = catalog_of(request)
    asked = {"q": q, "entity": entity, "sector": sector, "region": region, "tier": tier, "template": template}
    own = _mine(mine)
    hits: list[dict[str, Any]] = []
    error = None
    if catalog is not None and any(asked.values()):
        filters = Filters(**{k: v or None for k, v in asked.items() if k != "q"})
        try:
            found = catalog.search(PUBLIC, q, filters, 50)
        except SangsaengError as exc:
            error = said(exc, w.language)
            found = []
        for hit in found:
            out = HitOut.of(hit)
            partner_page = out.request.path.removesuffix("/request")
            hits.append({
                "title": hit.title,
                "description": hit.description,
                "entity": w.entity(hit.entity) if hit.entity else "",
                "provider": hit.provider_name,
                "provider_id": hit.provider,
                "region": ", ".join(named(w, REGIONS[r]) for r in hit.region if r in REGIONS),
                "tiers": ", ".join(tier_word(w, t) for t in hit.tier),
                "offers": [TEMPLATES[o.template].title_ko if w.language == "ko" else TEMPLATES[o.template].title
                           for o in hit.offers if o.template in TEMPLATES],
                "request": f"{own}{partner_page}?offer={quote(out.request.form['offer'], safe='')}" if own else None,
            })  # fmt: skip
    return render(
        request,
        "hub_search.html",
        await signed_in(request),
        status=400 if error else 200,
        available=catalog is not None,
        asked=asked,
        mine=mine,
        mine_ok=own is not None or not mine,
        hits=hits,
        error=error,
        entities=[{"code": e, "name": w.entity(e)} for e in ENTITIES],
        templates=[{"code": k, "name": t.title_ko if w.language == "ko" else t.title} for k, t in TEMPLATES.items()],
        sectors=sector_choices(w),
        regions=region_choices(w),
        tiers=[{"code": t, "name": tier_word(w, t)} for t in TIERS],
    )
