"""Bad input is a 4xx in the route's error shape, never a 500: body limits enforced while reading, JSON nested
too deep or holding text no store can keep, offsets beyond 64 bits (issue 12, point 2)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request

from sangsaeng.web.errors import error_response
from tests.helpers import Dataspace, Party, dataspace

pytestmark = pytest.mark.anyio
LISTS = ["/api/datasets", "/api/negotiations", "/api/agreements", "/api/transfers", "/api/audit/entries"]


def unraised(party: Party, api_key: bool = False) -> httpx.AsyncClient:
    """A client that sees a crash as the 500 a real server would send, instead of the exception."""
    headers = {"X-API-Key": party.init.api_key} if api_key else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=party.app, raise_app_exceptions=False),
        base_url=party.settings.public_url,
        headers=headers,
    )


def member(space: Dataspace, to: str = "supplier", by: str = "oem") -> dict[str, str]:
    token = space.parties[by].connector.peer.bearer(space.parties[to].id)
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def is_dsp_error(response: httpx.Response, status: int) -> bool:
    body = response.json()
    return response.status_code == status and body["@type"].endswith("Error") and isinstance(body["reason"], list)


def is_api_error(response: httpx.Response, status: int, code: str) -> bool:
    return response.status_code == status and response.json()["error"]["code"] == code


async def test_deeply_nested_json_on_a_protocol_route_is_refused_with_400(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    async with unraised(supplier) as client:
        for depth in (5000, 100):  # beyond the JSON reader's own limit, and beyond ours only
            deep = b"[" * depth + b"]" * depth
            response = await client.post("/dsp/catalog/request", content=deep, headers=member(two))
            assert is_dsp_error(response, 400), (depth, response.status_code, response.text[:300])
            assert "deeper" in response.text or "depth" in response.text
        nested = b'{"@type":"CatalogRequestMessage","filter":' + b'{"a":' * 60 + b"1" + b"}" * 60 + b"}"
        response = await client.post("/dsp/catalog/request", content=nested, headers=member(two))
        assert is_dsp_error(response, 400) and "$.filter.a.a" in response.text


async def test_a_lone_surrogate_in_an_id_is_refused_as_json_with_its_position(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    message = b'{"@type":"ContractRequestMessage","consumerPid":"urn:uuid:\\ud800"}'
    async with unraised(supplier) as client, unraised(supplier, api_key=True) as api:
        response = await client.post("/dsp/negotiations/request", content=message, headers=member(two))
        assert response.headers["content-type"] == "application/json"
        assert is_dsp_error(response, 400) and "column" in response.text
        offer = await api.post(
            "/api/offers",
            content=b'{"datasetId":"\\udc00x","policy":{"permission":[{"action":"use"}]}}',
            headers={"Content-Type": "application/json"},
        )
        assert is_api_error(offer, 400, "invalid-input") and "column" in offer.json()["error"]["position"]
        nul = await api.post(
            "/api/offers", json={"datasetId": "a\x00b", "policy": {}}, headers={"Content-Type": "application/json"}
        )
        assert is_api_error(nul, 400, "invalid-input") and nul.json()["error"]["position"] == "$.datasetId"
        for path in ("/api/datasets/%00", "/api/datasets?offset=%00", "/dsp/negotiations/a%00b"):
            refused = await api.get(path, headers=member(two))
            assert refused.status_code == 400, (path, refused.status_code)


async def test_an_offset_beyond_64_bits_is_refused_on_every_list(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    async with unraised(supplier, api_key=True) as api:
        for path in LISTS:
            response = await api.get(path, params={"offset": str(2**70)})
            assert is_api_error(response, 400, "invalid-input"), (path, response.status_code, response.text[:200])
            assert response.json()["error"]["position"] == "query.offset"
        for query in ({"offset": str(2**70)}, {"limit": str(2**70)}, {"offset": "-1"}):
            response = await api.post("/dsp/catalog/request", params=query, json={}, headers=member(two))
            assert is_dsp_error(response, 400), (query, response.status_code)


async def test_a_huge_protocol_body_is_refused_while_it_is_read(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    pulled = 0

    async def hundred_megabytes() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(100):
            pulled += 1
            yield b" " * (1 << 20)

    async with unraised(supplier) as client:
        response = await client.post("/dsp/catalog/request", content=hundred_megabytes(), headers=member(two))
        assert is_dsp_error(response, 413), response.status_code
        assert response.json()["code"] == "too-large"
        assert pulled <= 3, f"{pulled} MiB were read before the refusal"
        pulled = 0
        declared = {**member(two), "Content-Length": str(100 << 20)}
        response = await client.post("/dsp/catalog/request", content=hundred_megabytes(), headers=declared)
        assert is_dsp_error(response, 413) and pulled == 0


async def test_each_kind_of_route_has_its_own_limit(tmp_path: Path) -> None:
    small = {"max_json_body": 64 << 10, "max_protocol_body": 16 << 10}
    async with dataspace(tmp_path, ["supplier", "oem"], extra={"supplier": small}) as space:
        supplier = space.parties["supplier"]
        policy = {"permission": [{"action": "use"}], "x": "y" * (100 << 10)}
        async with unraised(supplier, api_key=True) as api:
            offer = await api.post("/api/offers", json={"datasetId": "d", "policy": policy})
            assert is_api_error(offer, 413, "too-large")
            upload = b"a,b\n" + b"1,2\n" * (50 << 10)  # 200 KiB: a file upload keeps the large limit
            dataset = await api.post("/api/datasets", params={"title": "t"}, content=upload)
            assert dataset.status_code == 201, dataset.text
            catalog = await api.post("/dsp/catalog/request", content=b" " * (20 << 10), headers=member(space))
            assert is_dsp_error(catalog, 413)
            form = b"name=" + b"x" * (100 << 10)
            portal = await api.post("/portal/login", content=form, headers={"Accept-Language": "ko"})
            assert portal.status_code == 413 and portal.headers["content-type"].startswith("text/plain")
            assert "너무 큽니다" in portal.text  # a person reads it: in the browser's language


async def test_an_error_answer_quoting_text_utf8_cannot_encode_is_still_json() -> None:
    request = Request({"type": "http", "method": "GET", "path": "/api/x", "headers": [], "query_string": b""})
    response = error_response(request, 404, {"code": "not-found", "message": "no dataset \ud800"})
    assert response.status_code == 404 and b"no dataset" in response.body
