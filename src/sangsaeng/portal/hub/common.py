"""What the hub's pages share: the hub of the request's context (404 elsewhere), the signed-in operator, and a
member's facts in words (sector and region by name, size in words, the registration number as it is written,
moments in the company's zone)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.exceptions import HTTPException as StarletteHTTPException

from sangsaeng.hub.members.brn import written
from sangsaeng.hub.members.ksic import MANUFACTURING, SECTIONS, Named, name_of
from sangsaeng.hub.members.regions import REGIONS, SIZES
from sangsaeng.hub.service.hub import Hub
from sangsaeng.portal.i18n import Words
from sangsaeng.services import CONTEXT, services
from sangsaeng.store.records import User

TIERS = ("OEM", *(f"{n}차" for n in range(1, 10)))
TIER_ROWS = 3  # chains a company names on the form (the core takes up to ten; more through the API)


class SignInRequired(Exception):
    """The operator's pages without a signed-in person: to the hub's sign-in page."""


def _absent() -> Hub:
    raise StarletteHTTPException(404)  # a connector or a hosted context: no hub pages (a page, not JSON)


def hub_of(request: Request) -> Hub:
    found: Hub = request.scope[CONTEXT].own(Hub, _absent)
    return found


async def signed_in(request: Request) -> User | None:
    name = request.session.get("user")
    if not isinstance(name, str):
        return None
    return await services(request).accounts.user(name)


async def operator(request: Request) -> User:
    user = await signed_in(request)
    if user is None:
        raise SignInRequired
    return user


def named(w: Words, named: Named) -> str:
    return named.ko if w.language == "ko" else named.en


def sector_choices(w: Words) -> list[dict[str, Any]]:
    """The KSIC picker: manufacturing by division, every other section as a whole (codes the core reads)."""
    groups = []
    for letter, (section, _) in SECTIONS.items():
        if letter == "C":
            options = [{"code": f"C{n}", "name": f"C{n} {named(w, d)}"} for n, d in MANUFACTURING.items()]
        else:
            options = [{"code": letter, "name": f"{letter} {named(w, section)}"}]
        groups.append({"label": f"{letter} {named(w, section)}", "options": options})
    return groups


def region_choices(w: Words) -> list[dict[str, str]]:
    return [{"code": code, "name": named(w, r)} for code, r in REGIONS.items()]


def size_choices(w: Words) -> list[dict[str, str]]:
    return [{"code": code, "name": named(w, s)} for code, s in SIZES.items()]


def tier_word(w: Words, tier: str) -> str:
    return tier if w.language == "ko" or tier == "OEM" else f"tier {tier.removesuffix('차')}"


def company_choices(w: Words) -> dict[str, Any]:
    """What the company fieldset (``hub_company.html``, on the apply and the hosted sign-up forms) offers to choose
    from, in the reader's words."""
    return {
        "sectors": sector_choices(w),
        "regions": region_choices(w),
        "sizes": size_choices(w),
        "tiers": [{"code": t, "name": tier_word(w, t)} for t in TIERS],
    }


def blank_company() -> dict[str, Any]:
    """The company fieldset as a fresh form shows it: nothing chosen, ``TIER_ROWS`` empty chain/tier rows."""
    return {"ksic": [], "tiers": [{"chain": "", "tier": ""} for _ in range(TIER_ROWS)]}


def facts(w: Words, view: dict[str, Any]) -> dict[str, Any]:
    """An application as the API's view gives it, in the reader's words."""
    company = view["company"]
    return {
        "id": view["id"],
        "state": w.t(f"hub.portal.state.{view['state']}"),
        "code": view["state"],
        "reason": view.get("reason"),
        "applied": w.when(view["appliedAt"]),
        "updated": w.when(view["updatedAt"]),
        "name": company["name"],
        "brn": written(company["brn"]),
        "sectors": [f"{code} {named(w, name_of(code))}" for code in company["ksic"]],
        "region": named(w, REGIONS[company["region"]]),
        "size": named(w, SIZES[company["size"]]),
        "tiers": [f"{t['chain']} · {tier_word(w, t['tier'])}" for t in company["tiers"]],
        "contact": company["contact"],
        "participant": view["participant"]["id"],
        "endpoint": view["participant"]["endpoint"],
        "hosted": view.get("hosted", False),  # the hub would host its connector (a portal sign-up)
    }
