"""Every route of the app, sent generated and pathological bodies, paths, queries and headers — anonymous, as a
member with a valid protocol token, with the API key and with a portal session: never a 5xx, and an error from
``/api``, ``/data`` or ``/dsp`` is JSON in that route's one shape (issue 12)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
import anyio.from_thread
import anyio.to_thread
import httpx
import pytest
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route

from tests.helpers import SAMPLE_CSV, Dataspace, Party, dataspace, negotiate, offer_policy, publish, start_transfer
from tests.test_portal import csrf_of, session

pytestmark = pytest.mark.anyio
IDENTITIES = ("anonymous", "member", "api-key", "portal")
# Path segments as sent on the wire (already percent-encoded where they need to be).
ODD_SEGMENTS = [
    "..",
    "%2E%2E",
    "%2F..%2F..%2Fetc%2Fpasswd",
    "%00",
    "%ED%A0%80",  # a lone surrogate, UTF-8 encoded
    "%FF",
    "%C0%AF",
    "urn:uuid:%ED%B0%80",
    "a" * 10_000,
    "%20",
    "%E2%80%AE",
    "urn:sangsaeng:participant:oem",
]
DEEP = b"[" * 5000 + b"]" * 5000
ODD_BODIES: list[bytes] = [
    b"",
    DEEP,
    b'{"a":' * 40 + b"1" + b"}" * 40,
    b'{"@type":"ContractRequestMessage","consumerPid":"\\ud800","providerPid":"\\udfff"}',
    b'{"consumerPid":"a\\u0000b","offer":{"@id":"x"}}',
    b"[NaN, Infinity, -Infinity]",
    b"1" * 5000,
    b"[1e999, -1e999, 123456789012345678901234567890]",
    b"\xff\xfe\x00\x00garbage",
    b'{"datasetId": 1, "policy": [], "peer": null, "agreementId": {}, "offerId": true, "reason": 5}',
    b'{"@type":"TransferStartMessage","providerPid":1,"consumerPid":[],"dataAddress":"x"}',
    b"[]",
    b"null",
    b'"text"',
    b"name=%FF&password=%00&csrf=",
    b"--x\r\nContent-Disposition: form-data; name=file; filename=a.csv\r\n\r\na,b\r\n--x--\r\n",
    b"{" + b'"k":"' + b"v" * (2 << 20) + b'"}',
]
CONTENT_TYPES = [
    None,
    "application/json",
    "application/ld+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "multipart/form-data",
    "application/json; charset=utf-16",
    "image/png",
]
ODD_HEADERS: list[dict[str, Any]] = [
    {},
    {"Accept": "application/vnd.apache.arrow.stream;q=abc, */*;q=-1"},
    {"Accept": "x" * 10_000},
    {"Accept": "text/html"},
    {"X-API-Key": b"\xff\xfe\xc3\x28"},
    {"X-API-Key": "k" * 20_000},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer a.b.c"},
    {"Authorization": "Basic Zm9vOmJhcg=="},
    {"Authorization": b"Bearer \xff\xfe"},
    {"Authorization": "Bearer " + "A" * 20_000},
    {"Sangsaeng-Tree-Head": "not a head"},
    {"Content-Length": "abc"},
    {"Accept-Language": "ko;q=x, *" * 500},
    {"Cookie": "session=garbage; lang=%FF"},
    {"X-Huge": "h" * 60_000},
]
ODD_QUERIES: list[dict[str, str]] = [
    {},
    {"offset": str(2**70), "limit": str(2**70)},
    {"offset": "-1", "limit": "0"},
    {"offset": "NaN", "limit": "1e3"},
    {"lang": "%FF", "format": "xlsx"},
    {"agreement": "\ufffd", "peer": "urn:x", "index": str(2**64), "size": "0", "first": "-5"},
    {"title": "t" * 600, "filename": "../../etc/passwd", "sources": "x"},
    {"participant": "%00", "since": "yesterday", "until": "9999-99-99"},
]


@dataclass
class Target:
    """The app of one party, the routes to try, and ids that exist (so that paths reach real records)."""

    party: Party
    space: Dataspace
    routes: list[tuple[str, str]]
    ids: list[str]
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    csrf: str = ""


def routes_of(routes: list[Any]) -> list[tuple[str, str]]:
    """Every (method, path template) of the app, with HEAD, OPTIONS, DELETE and PATCH tried on each path too."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        if hasattr(route, "original_router"):  # an included router: its routes carry their full paths
            found |= set(routes_of(route.original_router.routes))
        if not isinstance(route, APIRoute | Route):
            continue
        for method in (route.methods or {"GET"}) | {"HEAD", "OPTIONS", "DELETE", "PATCH"}:
            found.add((method, route.path))
    return sorted(found)


def fill(template: str, pick: Callable[[], str]) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: pick(), template)


def headers_for(target: Target, identity: str) -> dict[str, str]:
    if identity == "member":
        oem, supplier = target.space.parties["oem"], target.party
        return {"Authorization": f"Bearer {oem.connector.peer.bearer(supplier.id)}"}
    return {}


def error_shape_problem(path: str, method: str, response: httpx.Response) -> str | None:
    """What is wrong with an answer, or None: no 5xx anywhere; API errors are JSON in the route's shape."""
    if response.status_code >= 500:
        return f"server error {response.status_code}: {response.text[:300]}"
    if response.status_code < 400 or method == "HEAD" or not path.startswith(("/api", "/data", "/dsp")):
        return None
    if not response.headers.get("content-type", "").startswith("application/json"):
        return f"a {response.status_code} that is not JSON: {response.headers.get('content-type')}"
    body = response.json()
    if path.startswith("/dsp/"):
        shaped = isinstance(body, dict) and str(body.get("@type", "")).endswith("Error") and "code" in body
    else:
        error = body.get("error") if isinstance(body, dict) else None
        shaped = (
            isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str)
        )
    return None if shaped else f"a {response.status_code} not in the route's error shape: {response.text[:300]}"


async def send(
    target: Target,
    identity: str,
    method: str,
    path: str,
    body: bytes,
    content_type: str | None,
    headers: dict[str, Any],
    query: dict[str, str],
) -> None:
    all_headers: dict[str, Any] = {**headers_for(target, identity), **headers}
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    if identity == "portal" and method == "POST" and b"csrf=" in body:
        body = body.replace(b"csrf=", f"csrf={target.csrf}&x=".encode(), 1)
    url = path + ("?" + "&".join(f"{quote(k)}={v}" for k, v in query.items()) if query else "")
    client = target.clients[identity]
    request = client.build_request(method, url, content=body or None, headers=all_headers)
    response = await client.send(request)
    problem = error_shape_problem(request.url.path, method, response)  # as sent: httpx resolves ".."
    assert problem is None, f"{identity} {method} {url[:200]} ({content_type}, {len(body)} bytes): {problem}"


@pytest.fixture
async def target(tmp_path: Path) -> AsyncIterator[Target]:
    async with dataspace(tmp_path, ["supplier", "oem"]) as space:
        supplier, oem = space.parties["supplier"], space.parties["oem"]
        dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id))
        negotiation = await negotiate(oem, supplier, dataset_id, offer_id)
        transfer = await start_transfer(oem, negotiation["agreementId"])
        ids = [dataset_id, offer_id, negotiation["agreementId"], negotiation["id"], transfer["id"]]
        portal = await session(supplier, "root", "admin")
        home = await portal.get("/portal/")
        made = Target(supplier, space, routes_of(supplier.app.routes), ids, csrf=csrf_of(home.text))
        transport = httpx.ASGITransport(app=supplier.app, raise_app_exceptions=False)
        base = supplier.settings.public_url
        async with (
            httpx.AsyncClient(transport=transport, base_url=base) as anonymous,
            httpx.AsyncClient(transport=transport, base_url=base, headers={"X-API-Key": supplier.init.api_key}) as api,
            httpx.AsyncClient(transport=transport, base_url=base, cookies=portal.cookies) as browser,
        ):
            made.clients = {"anonymous": anonymous, "member": anonymous, "api-key": api, "portal": browser}
            yield made
        await portal.aclose()


def skipped(identity: str, method: str, template: str) -> bool:
    # A session that logs itself out tests nothing further; logging in is tried anonymously.
    return identity == "portal" and template in ("/portal/logout", "/portal/login") and method == "POST"


def natural(template: str) -> str:
    """Who normally calls a route: most cases go as that caller, so they get past authentication."""
    for prefix, identity in (("/dsp", "member"), ("/api", "api-key"), ("/portal", "portal")):
        if template.startswith(prefix):
            return identity
    return "anonymous"


async def test_pathological_requests_to_every_route_are_answered_in_shape(target: Target) -> None:
    """Each route meets each odd body (or path segment), with odd headers, queries and content types, mostly as
    its natural caller and every third time as another; other methods on each path are tried once each."""
    assert len(target.routes) > 300
    native = {(m, p) for m, p in routes_of(target.party.app.routes) if m not in ("HEAD", "OPTIONS", "PATCH")}
    count = 0
    for method, template in target.routes:
        if (method, template) not in native:
            rounds = 1
        elif method in ("GET", "DELETE"):
            rounds = len(ODD_SEGMENTS) if "{" in template else 4
        else:
            rounds = len(ODD_BODIES)
        for i in range(rounds):
            identity = natural(template) if i % 3 else IDENTITIES[(i // 3 + count) % len(IDENTITIES)]
            if skipped(identity, method, template):
                continue
            segment = ODD_SEGMENTS[i % len(ODD_SEGMENTS)]
            path = fill(template, lambda segment=segment: segment)
            body = ODD_BODIES[i % len(ODD_BODIES)] if method not in ("GET", "HEAD") else b""
            await send(
                target,
                identity,
                method,
                path,
                body,
                CONTENT_TYPES[(i + count) % len(CONTENT_TYPES)],
                ODD_HEADERS[(i + count) % len(ODD_HEADERS)],
                ODD_QUERIES[(i + count) % len(ODD_QUERIES)],
            )
            count += 1
    assert count > 1000


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


@st.composite
def requests(draw: st.DrawFn, target: Target) -> tuple[Any, ...]:
    native = [(m, p) for m, p in target.routes if m not in ("HEAD", "OPTIONS", "PATCH", "DELETE")]
    method, template = draw(st.sampled_from(native) | st.sampled_from(target.routes))
    identity = draw(
        (st.just(natural(template)) | st.just(natural(template)) | st.sampled_from(IDENTITIES)).filter(
            lambda i: not skipped(i, method, template)
        )
    )
    segments = st.sampled_from(target.ids) | st.sampled_from(ODD_SEGMENTS) | st.text(min_size=1).map(_segment)
    path = fill(template, lambda: draw(segments))
    body = draw(
        st.sampled_from(ODD_BODIES)
        | json_values.map(_json)
        | st.binary(max_size=200)
        | st.dictionaries(st.sampled_from(["peer", "datasetId", "offerId", "policy", "@type"]), json_values).map(_json)
    )
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    headers = draw(st.sampled_from(ODD_HEADERS))
    query = draw(
        st.sampled_from(ODD_QUERIES)
        | st.dictionaries(
            st.sampled_from(["offset", "limit", "lang", "agreement", "peer", "id", "title"]),
            st.integers().map(str) | st.text(max_size=20).map(lambda t: quote(t, safe="")),
            max_size=3,
        )
    )
    return identity, method, path, body, content_type, headers, query


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()  # the standard library's writer: integers of any size


def _segment(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


async def test_generated_requests_to_every_route_are_answered_in_shape(target: Target) -> None:
    """Hypothesis picks route, identity, path values, body, content type, headers and query."""

    @settings(
        max_examples=1500,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def check(data: st.DataObject) -> None:
        case = data.draw(requests(target))
        anyio.from_thread.run(send, target, *case)

    await anyio.to_thread.run_sync(check)
