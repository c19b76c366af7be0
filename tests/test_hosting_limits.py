"""What a hub lets each connector it hosts keep and ask (``hosted_max_datasets``, ``hosted_max_bytes``,
``hosted_requests_per_minute``): beyond it, 413 or 429 in the one error shape with words in Korean and English;
the other tenants, the hub itself and connectors of their own are not capped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from sangsaeng.settings import Settings
from sangsaeng.web.app import create_app
from tests.helpers import SAMPLE_CSV
from tests.hosting_space import hosting_hub
from tests.hub_space import HUB_URL
from tests.tenants_space import Tenant

pytestmark = pytest.mark.anyio


def csv(n: int) -> bytes:
    """A small file, different for each ``n`` (so no two uploads are the same)."""
    return (SAMPLE_CSV + f"L{n},BRK-{n},50.00,PASS,김민준\n").encode()


async def upload(tenant: Tenant, n: int, dataset: str | None = None) -> httpx.Response:
    if dataset is None:
        return await tenant.api.post("/api/datasets", params={"title": f"d{n}"}, content=csv(n))
    return await tenant.api.post(f"/api/datasets/{dataset}/versions", content=csv(n))


def refused_in_both(answer: httpx.Response, status: int, code: str, english: str, korean: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    error: dict[str, Any] = answer.json()["error"]
    assert error["code"] == code and english in error["message"] and error["hint"], error
    assert korean in error["details"]["message_ko"] and error["details"]["hint_ko"], error
    return error


async def test_a_hosted_connector_keeps_no_more_datasets_than_its_hub_allows(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["t", "u"], hosted_max_datasets=2, hosted_max_bytes=0) as h:
        t, u = h.space.tenants["t"], h.space.tenants["u"]
        first = await upload(t, 1)
        assert first.status_code == 201 and (await upload(t, 2)).status_code == 201
        third = await upload(t, 3)
        refused_in_both(third, 413, "too-large", "as many as its hub lets it keep (2)", "허용하는 수(2개)")
        assert len((await t.api.get("/api/datasets")).json()) == 2  # nothing half-written
        # a new version of one it has is not a new dataset; another tenant counts its own
        assert (await upload(t, 4, first.json()["id"])).status_code == 201
        assert all([(await upload(u, n)).status_code == 201 for n in (1, 2)])
        stream = await t.api.put("/api/streams/line2", json={"title": "line 2"})
        refused_in_both(stream, 413, "too-large", "datasets", "데이터셋")
        # the hub's own connector is not hosted: no cap
        for n in (1, 2, 3):
            mine = await h.operator.post("/api/datasets", params={"title": f"hub {n}"}, content=csv(n))
            assert mine.status_code == 201, mine.text


async def test_a_hosted_connector_keeps_no_more_bytes_than_its_hub_allows(tmp_path: Path) -> None:
    size = len(csv(1))
    async with hosting_hub(tmp_path, ["t"], hosted_max_datasets=0, hosted_max_bytes=20 * size) as h:
        t = h.space.tenants["t"]
        kept: list[int] = []  # each stored version's bytes (Parquet: not the upload's size)
        for n in range(1, 100):
            answer = await upload(t, n)
            if answer.status_code != 201:
                break
            kept.append(answer.json()["bytes"])
        else:
            pytest.fail("never refused")
        error = refused_in_both(answer, 413, "too-large", f"{20 * size:,} bytes", f"{20 * size:,}바이트")
        # refused exactly when what is kept and the file would pass the cap, and not one upload before
        assert sum(kept) + size > 20 * size >= sum(kept[:-1]) + size and len(kept) >= 1, (kept, error)
        assert len((await t.api.get("/api/datasets")).json()) == len(kept)


async def test_a_hosted_connector_is_sent_no_more_requests_a_minute_than_its_hub_allows(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["t", "u"], hosted_requests_per_minute=6) as h:
        t, u = h.space.tenants["t"], h.space.tenants["u"]
        h.clock.advance(minutes=1)  # whatever the sign-ups cost, each bucket is full again
        assert all([(await t.api.get("/api/datasets")).status_code == 200 for _ in range(6)])
        over = await t.raw.get("/.well-known/dspace-version")  # anyone's request counts: it is t's process time
        error = refused_in_both(over, 429, "too-many-requests", "(6 a minute)", "분당 6건")
        assert 1 <= int(over.headers["retry-after"]) <= 10 and error["details"]["retryAfter"] >= 1
        assert over.headers["x-content-type-options"] == "nosniff"  # answered like any other answer
        protocol = await t.raw.post("/dsp/catalog/request", json={})
        assert protocol.status_code == 429 and protocol.json()["@type"] == "CatalogError"  # in the protocol's shape
        for language, words in (("ko", "요청이 너무 많습니다"), ("en", "Too many requests")):  # a person: a page
            page = await t.raw.get("/portal/", headers={"Accept-Language": language})
            assert page.status_code == 429 and page.headers["content-type"].startswith("text/html"), page.text
            assert words in page.text and page.headers["retry-after"] and "<script" not in page.text
            assert page.headers["content-security-policy"]  # the portal's headers, as on any page
        # the others are not: another tenant, the hub itself
        assert (await u.api.get("/api/datasets")).status_code == 200
        assert all([(await h.operator.get("/api/datasets")).status_code == 200 for _ in range(10)])
        h.clock.advance(seconds=10)  # a tenth of the minute: one request's worth
        assert (await t.api.get("/api/datasets")).status_code == 200
        assert (await t.api.get("/api/datasets")).status_code == 429


async def test_the_caps_hold_for_hosted_connectors_the_hub_finds_again_at_its_start(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["t"], hosted_requests_per_minute=3, hosted_max_datasets=1) as h:
        key = h.space.tenants["t"].init.api_key
    app = create_app(Settings(data_dir=h.hub.settings.data_dir))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"{HUB_URL}/c/t", headers={"X-API-Key": key}
        ) as t,
    ):
        assert (await t.post("/api/datasets", params={"title": "one"}, content=csv(1))).status_code == 201
        assert (await t.post("/api/datasets", params={"title": "two"}, content=csv(2))).status_code == 413
        assert (await t.get("/api/datasets")).status_code == 200
        assert (await t.get("/api/datasets")).status_code == 429
