"""``/hub/catalog/…``: the federated catalog's search and the crawl's state, for the hub app to mount
(``install``). Routes only translate; ``service.py`` decides."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Query
from pydantic import BaseModel, Field

from sangsaeng.hub.catalog.model import Filters, Hit
from sangsaeng.hub.catalog.service import HubCatalog, MemberStatus
from sangsaeng.roles import Principal
from sangsaeng.standard.labels import ENTITY_LABELS

READER = Principal("hub-catalog", "viewer", "api")  # who searches when the hub names no one: a reader


class ProviderOut(BaseModel):
    id: str
    name: str
    endpoint: str = Field(description="The provider's DSP protocol endpoint")
    tier: list[str]
    sector: list[str]
    region: list[str]


class EntityOut(BaseModel):
    id: str
    ko: str
    en: str


class OfferOut(BaseModel):
    id: str
    template: str | None = Field(description="The named offer (policy template) it was made from, if one")


class RequestOut(BaseModel):
    """How a member's portal asks for the offer in one click: a form post to its own portal."""

    method: str = "POST"
    path: str
    form: dict[str, str]


class HitOut(BaseModel):
    provider: ProviderOut
    dataset_id: str = Field(serialization_alias="datasetId")
    title: str
    description: str
    entity: EntityOut | None
    offers: list[OfferOut]
    request: RequestOut

    @classmethod
    def of(cls, hit: Hit) -> HitOut:
        label = ENTITY_LABELS.get(hit.entity or "")
        return cls(
            provider=ProviderOut(
                id=hit.provider,
                name=hit.provider_name,
                endpoint=hit.endpoint,
                tier=list(hit.tier),
                sector=list(hit.sector),
                region=list(hit.region),
            ),
            dataset_id=hit.dataset_id,
            title=hit.title,
            description=hit.description,
            entity=EntityOut(id=hit.entity, ko=label.ko, en=label.en) if hit.entity and label else None,
            offers=[OfferOut(id=o.id, template=o.template) for o in hit.offers],
            request=RequestOut(
                path=f"/portal/partners/{quote(hit.provider, safe='')}/request", form={"offer": hit.offers[0].id}
            ),
        )


class MemberOut(BaseModel):
    id: str
    name: str
    last_seen: datetime | None = Field(serialization_alias="lastSeen")
    last_error: str | None = Field(serialization_alias="lastError")
    last_error_at: datetime | None = Field(serialization_alias="lastErrorAt")
    failures: int
    next_try: datetime | None = Field(serialization_alias="nextTry")
    datasets: int
    skipped: int
    unlisted: int

    @classmethod
    def of(cls, status: MemberStatus) -> MemberOut:
        s = status.state
        return cls(
            id=status.member.id,
            name=status.member.name,
            last_seen=_time(s.last_seen),
            last_error=s.last_error,
            last_error_at=_time(s.last_error_at),
            failures=s.failures,
            next_try=_time(s.next_try) if s.failures else None,
            datasets=s.datasets,
            skipped=s.skipped,
            unlisted=s.unlisted,
        )


def _time(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


Text = Annotated[str | None, Query(max_length=100)]


def install(
    target: FastAPI | APIRouter,
    service: HubCatalog,
    who: Callable[..., Principal] | Callable[..., Awaitable[Principal]] | None = None,
) -> APIRouter:
    """Mount the catalog's routes on the hub's app (or a router of it). ``who`` is the hub's dependency naming
    the caller as a ``Principal``; without one every caller searches as a reader."""
    router = APIRouter(prefix="/hub/catalog", tags=["hub catalog"])
    caller = Depends(who or (lambda: READER))

    @router.get("/search", summary="Search the datasets members list at the hub, in Korean or English")
    async def search(
        q: Annotated[str, Query(max_length=1000, description="Words; every one must match")] = "",
        entity: Text = None,
        sector: Text = None,
        region: Text = None,
        tier: Text = None,
        template: Text = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        principal: Principal = caller,
    ) -> dict[str, Any]:
        filters = Filters(entity=entity, sector=sector, region=region, tier=tier, template=template)
        hits = service.search(principal, q, filters, limit)
        return {"hits": [HitOut.of(h).model_dump(by_alias=True) for h in hits]}

    @router.get("/members", summary="Each member's catalog: when the hub last read it, and the last failure")
    async def members(principal: Principal = caller) -> dict[str, Any]:
        return {"members": [MemberOut.of(s).model_dump(by_alias=True, mode="json") for s in service.status(principal)]}

    target.include_router(router)
    return router
