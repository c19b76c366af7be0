"""Machine streams in the management API: their state, their rejected messages, and their datasets."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from sangsaeng.roles import API_KEY
from sangsaeng.web.deps import ServicesDep, api_key
from sangsaeng.web.schemas import Camel

router = APIRouter(prefix="/api/streams", dependencies=[Depends(api_key)], tags=["streams"])


class StreamIn(Camel):
    title: str = Field("", max_length=500)
    description: str = Field("", max_length=5000)


@router.get("", summary="Every machine stream: running or not, what it landed, messages/s, lag, rejected")
async def list_streams(svc: ServicesDep) -> list[dict[str, Any]]:
    return await svc.streams.listed(API_KEY)


@router.get("/{name}", summary="One stream's state, counters and recent events (connects, gaps, rebirths)")
async def get_stream(name: str, svc: ServicesDep) -> dict[str, Any]:
    return await svc.streams.one(API_KEY, name)


@router.get("/{name}/rejected", summary="The newest messages the stream could not land, with the reason")
async def rejected(
    name: str, svc: ServicesDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    return await svc.streams.rejected(API_KEY, name, limit)


@router.put("/{name}", summary="The dataset a stream lands in (made on first call), to offer like any other")
async def register(name: str, body: StreamIn, svc: ServicesDep) -> dict[str, Any]:
    dataset, created = await svc.intake.register_stream(API_KEY, name, body.title, body.description)
    return {"datasetId": dataset.id, "created": created, "title": dataset.title}
