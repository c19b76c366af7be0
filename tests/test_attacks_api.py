"""A second attack campaign on the protocol, the management API and the data plane: each finding as the attack
that found it, answered as the rules say (a 4xx in the route's shape, a slot that comes back, …)."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pyarrow.csv as pacsv
import pytest

from sangsaeng.demo.data import inspection_table
from sangsaeng.identity import tokens
from sangsaeng.identity.directory import UnsafeAddress, normalised
from tests.helpers import SAMPLE_CSV, Dataspace, Party, dataspace, poll, publish
from tests.processes import two_processes
from tests.test_dataplane_access import Reader, accesses, agreed_transfer

pytestmark = pytest.mark.anyio
CONTEXT = ["https://w3id.org/dspace/2025/1/context.jsonld"]
EVERYONE = {"permission": [{"action": "use"}]}


@pytest.fixture
async def space(tmp_path: Path) -> AsyncIterator[Dataspace]:
    settings = {"batch_rows": 1024, "data_streams": 1, "data_stream_wait": 0, "data_send_timeout": 0.5}
    extra: dict[str, dict[str, object]] = {"supplier": settings, "oem": {"max_peer_answer": 1 << 20}}
    async with dataspace(tmp_path, ["supplier", "oem"], extra=extra) as made:
        yield made


async def dsp(caller: Party, provider: Party, method: str, path: str, body: Any = None) -> httpx.Response:
    token = tokens.issue(caller.connector.key, caller.id, provider.id, caller.connector.now())
    return await provider.raw.request(method, f"/dsp{path}", json=body, headers={"Authorization": f"Bearer {token}"})


# Brackets that do not make an IPv6 host: Python's URL parser raises ValueError, which was a 500.
BAD_HOSTS = ["http://[127.0.0.1:9000/dsp", "http://127.0.0.1:9000]/dsp", "http://[abc]/dsp", "http://[::1/dsp"]


@pytest.mark.parametrize("url", BAD_HOSTS)
def test_a_host_in_broken_brackets_is_an_unsafe_address(url: str) -> None:
    with pytest.raises(UnsafeAddress):
        normalised(url)


async def test_a_callback_with_a_broken_ipv6_host_is_refused_in_the_protocol_shape(space: Dataspace) -> None:
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, EVERYONE)
    for callback in BAD_HOSTS:
        request = {
            "@context": CONTEXT,
            "@type": "ContractRequestMessage",
            "consumerPid": "urn:uuid:5b0e4f4e-2d44-4d1e-9a43-0c0b7c35d3a1",
            "offer": {"@type": "Offer", "@id": offer_id, "target": dataset_id, **EVERYONE},
            "callbackAddress": callback,
        }
        answer = await dsp(oem, supplier, "POST", "/negotiations/request", request)
        assert answer.status_code == 400, answer.text
        assert answer.json()["@type"] == "ContractNegotiationError"
        assert "callbackAddress" in answer.json()["reason"][0]


async def test_a_consumer_that_stops_reading_loses_its_slot_and_the_cut_is_logged(space: Dataspace) -> None:
    """A member that opens pulls and never reads held the data plane's slots forever: every other partner got
    503 busy. A stream whose consumer takes nothing for ``data_send_timeout`` seconds is cut off."""
    agreement_id, path, token, _ = await agreed_transfer(space)
    app = space.parties["supplier"].app
    holder = Reader()
    never = anyio.Event()

    async def stalled_send(message: dict[str, Any]) -> None:
        await Reader.send(holder, message)
        if message["type"] == "http.response.body":
            await never.wait()  # the TCP window stays shut: the server's send never returns

    holder.send = stalled_send  # type: ignore[method-assign]
    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(holder.get, app, path, token)
            await holder.started.wait()
            second = Reader()
            while second.status != 200:  # the stalled stream is cut after half a second; then the next is served
                second = Reader()
                await second.get(app, path, token)
                await anyio.sleep(0.05)
    entries = await accesses(space, agreement_id)
    cut = next(e for e in entries if e["kind"] == "data.access" and not e["complete"])
    assert cut["cause"] == "the client read nothing for 0.5 s" and cut["bytes"] > 0


class Canary:
    """An ASGI app standing for a host the consumer must never be steered to: it records every request."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.seen.append((scope["path"], dict(scope["headers"]).get(b"authorization", b"").decode()))
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"@type": "Catalog", "dataset": []}'})


def with_next_link(app: Any, link: str) -> Any:
    """The provider's app, its catalog answers carrying a ``Link: rel="next"`` of the attacker's choosing."""

    async def steered(scope: Any, receive: Any, send: Any) -> None:
        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start" and scope["path"].endswith("/catalog/request"):
                message["headers"] = [*message["headers"], (b"link", f'<{link}>; rel="next"'.encode())]
            await send(message)

        await app(scope, receive, sending)

    return steered


STEERED = [
    "http://127.0.0.1:9099/dsp/catalog/request",  # another port
    "http://127.0.0.1:9000/api/datasets?x=1",  # the provider's own management API
    "http://127.0.0.1:9000/dsp/../api/datasets",
    "/api/datasets",  # relative, outside the endpoint
    "//127.0.0.1:9099/dsp/catalog/request",  # relative to the scheme only
    "http://[127.0.0.1:9000/dsp/catalog/request",  # not even an address
]


async def test_a_provider_cannot_steer_the_catalog_request_with_its_next_link(space: Dataspace) -> None:
    """``fetch_catalog`` followed any ``Link: rel="next"``: a provider made the consumer post a signed request
    wherever it liked (another host or port, a path outside the protocol endpoint)."""
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    await publish(supplier, SAMPLE_CSV, EVERYONE)
    canary = Canary()
    space.router.add("http://127.0.0.1:9099", canary)  # type: ignore[arg-type]
    for link in STEERED:
        space.router.apps["127.0.0.1:9000"] = httpx.ASGITransport(app=with_next_link(supplier.app, link))
        answer = await oem.api.post("/api/catalog", json={"peer": supplier.id})
        assert answer.status_code == 502, (link, answer.text)
        assert answer.json()["error"]["code"] == "peer-error" and "next page" in answer.json()["error"]["message"]
    assert canary.seen == []
    assert [p for _, p, _ in space.router.sent if p.startswith("/api")] == []


async def test_the_catalogs_own_next_pages_are_still_followed(tmp_path: Path) -> None:
    extra = {"supplier": {"catalog_page_size": 1}}
    async with dataspace(tmp_path, ["supplier", "oem"], extra=extra) as made:
        supplier, oem = made.parties["supplier"], made.parties["oem"]
        for _ in range(3):
            await publish(supplier, SAMPLE_CSV, EVERYONE)
        answer = await oem.api.post("/api/catalog", json={"peer": supplier.id})
        assert answer.status_code == 200 and len(answer.json()["dataset"]) == 3


def answering(app: Any, path_part: str, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> Any:
    """The provider's app, answering requests whose path holds ``path_part`` as the attacker likes."""

    async def hostile(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or path_part not in scope["path"]:
            await app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return hostile


JSON = [(b"content-type", b"application/ld+json")]  # (the test's router reads application/json itself)
BOMB = gzip.compress(b" " * (8 << 20))  # 8 MiB of spaces in about 8 KiB


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"<html>not json</html>", JSON),
        (b"[1, 2, 3]", JSON),
        (b'{"@type": "Catalog", "dataset": {"a": 1}}', JSON),
        (b'"\\ud800"', JSON),
        (BOMB, [*JSON, (b"content-encoding", b"gzip")]),
    ],
    ids=["not-json", "a-list", "datasets-not-a-list", "lone-surrogate", "gzip-bomb"],
)
async def test_a_providers_catalog_answer_that_is_not_a_bounded_catalog_is_a_peer_error(
    space: Dataspace, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    """The consumer parsed whatever the provider answered, whole: a 500 on ``/api/catalog`` for what is not a
    JSON object, and memory for a body (or a gzip bomb) of any size."""
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    hostile = answering(supplier.app, "/catalog/", 200, body, headers)
    space.router.apps["127.0.0.1:9000"] = httpx.ASGITransport(app=hostile)
    answer = await oem.api.post("/api/catalog", json={"peer": supplier.id})
    assert answer.status_code == 502, answer.text
    assert answer.json()["error"]["code"] == "peer-error"
    # The dataset a negotiation starts from is fetched the same way.
    asked = {"peer": supplier.id, "datasetId": "urn:x:1", "offerId": "urn:x:2"}
    started = await oem.api.post("/api/negotiations", json=asked)
    assert started.status_code in (404, 502), started.text  # 404: an object, but it lists no such offer
    assert started.json()["error"]["code"] in ("peer-error", "not-found")


async def test_consistency_proofs_for_partners_are_rate_limited_like_other_unsolicited_work(tmp_path: Path) -> None:
    """Each proof reads and hashes the whole log: a member asking in a loop made the provider do work in
    proportion to its log, without limit, beside the rate limit on every other unasked request."""
    extra = {"supplier": {"unsolicited_burst": 3, "unsolicited_rate": 0.01}}
    async with dataspace(tmp_path, ["supplier", "rival"], extra=extra) as made:
        supplier, rival = made.parties["supplier"], made.parties["rival"]
        statuses = [(await dsp(rival, supplier, "GET", "/audit/consistency?first=1")).status_code for _ in range(5)]
        assert statuses[:3] == [200] * 3 and statuses[3:] == [429, 429], statuses
        refused = await dsp(rival, supplier, "GET", "/audit/consistency?first=1")
        assert int(refused.headers["retry-after"]) > 0


DEEP = b'{"error":' + b'{"a":' * 1000 + b"1" + b"}" * 1000 + b"}"  # within what orjson reads (1024 levels)


@pytest.mark.parametrize("status", [200, 403, 502])
async def test_a_providers_deeply_nested_answer_is_a_peer_error_at_the_relay(space: Dataspace, status: int) -> None:
    """The relay passed a provider's aggregate answer, and the ``error`` of a refusal, on as it came: nested a
    thousand levels deep, our encoder gave up — a 500 (aggregate) or an answer that never came (refusal)."""
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    *_, transfer_id = await agreed_transfer(space)
    hostile = answering(supplier.app, "/data/", status, DEEP, JSON)
    space.router.apps["127.0.0.1:9000"] = httpx.ASGITransport(app=hostile)
    query = {"groupBy": ["part_no"], "measures": [{"op": "count"}]}
    with anyio.fail_after(10):
        asked = await oem.api.post(f"/api/transfers/{transfer_id}/aggregate", json=query)
        assert asked.status_code in (403, 502), asked.text
        assert asked.json()["error"]["code"] in ("forbidden", "peer-error")
        if status != 200:
            pulled = await oem.api.get(f"/api/transfers/{transfer_id}/data")
            assert pulled.status_code in (403, 502), pulled.text
            assert pulled.json()["error"]["code"] in ("forbidden", "peer-error")


@pytest.mark.processes
@pytest.mark.xdist_group("processes")
def test_a_real_consumer_that_stops_reading_is_cut_off_and_the_next_pull_is_served(tmp_path: Path) -> None:
    """The same attack over TCP against a connector process: the consumer reads 64 kB and then nothing, its
    connection open; the provider's send waits on a shut window until ``data_send_timeout``."""
    from tests.test_dataplane_cutoff import ROWS, direct, logged, wait_until
    from tests.test_processes import agree, policy

    settings: dict[str, object] = {"batch_rows": 1024, "data_streams": 1, "data_stream_wait": 0}
    with two_processes(tmp_path, data_send_timeout=1, **settings) as (supplier, oem, _):
        source = tmp_path / "inspections.csv"
        pacsv.write_csv(inspection_table(ROWS), source)
        dataset = supplier.client.add_dataset(source, "inspections")
        offer = supplier.client.create_offer(dataset["id"], policy(oem.id))
        agreement = agree(supplier, oem, dataset["id"], offer["id"])["agreementId"]
        transfer = oem.client.wait_transfer_ready(oem.client.start_transfer(agreement)["id"])
        stalled, response = direct(oem, transfer["id"])
        assert len(response.read(64_000)) == 64_000  # and then nothing: the connection stays open
        ended = wait_until(lambda: [e for e in logged(supplier, agreement) if e["kind"] == "data.access"])
        assert ended[0]["complete"] is False and ended[0]["cause"] == "the client read nothing for 1 s"
        again, whole = direct(oem, transfer["id"])  # the slot came back (one at a time here)
        assert whole.read().count(b"\n") == ROWS
        again.close()
        stalled.close()


async def test_a_catalog_that_links_on_and_on_is_read_to_a_bound_in_all(space: Dataspace) -> None:
    """Each page was bounded, not their sum: a provider whose every page links to a next one had the consumer
    ask a thousand times and hold every page in memory."""
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    page = b'{"@type": "Catalog", "dataset": [' + b",".join([b'{"@id": "urn:x:%d"}' % i for i in range(6000)]) + b"]}"
    asked: list[str] = []

    async def endless(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        asked.append(scope["path"])
        link = b'<http://127.0.0.1:9000/dsp/catalog/request?offset=1>; rel="next"'
        await send({"type": "http.response.start", "status": 200, "headers": [*JSON, (b"link", link)]})
        await send({"type": "http.response.body", "body": page})

    space.router.apps["127.0.0.1:9000"] = httpx.ASGITransport(app=endless)
    answer = await oem.api.post("/api/catalog", json={"peer": supplier.id})
    assert answer.status_code == 502, answer.text[:300]
    assert "in all" in answer.json()["error"]["message"]
    assert len(asked) <= (1 << 20) // len(page) + 1


async def test_an_acknowledgement_that_is_not_json_ends_the_negotiation_instead_of_a_resend_loop(
    space: Dataspace,
) -> None:
    """A 201 whose body was not JSON raised inside the outbox before the attempt was counted: the request was
    sent again each round, for ever, and the negotiation never left REQUESTED."""
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, EVERYONE)
    hostile = answering(supplier.app, "/negotiations/request", 201, b"<html>welcome</html>", JSON)
    space.router.apps["127.0.0.1:9000"] = httpx.ASGITransport(app=hostile)
    asked = {"peer": supplier.id, "datasetId": dataset_id, "offerId": offer_id}
    # The dataset lookup goes through (only the request is answered badly).
    started = await oem.api.post("/api/negotiations", json=asked)
    assert started.status_code == 201, started.text
    ended = await poll(oem.api, f"/api/negotiations/{started.json()['id']}", lambda n: n["state"] == "TERMINATED")
    assert "JSON" in json.dumps(ended)


@pytest.mark.parametrize("answer", [b"<html>not json</html>", b"[1]", b"unreachable"])
async def test_a_partner_that_answers_the_log_check_badly_is_a_peer_error(space: Dataspace, answer: bytes) -> None:
    """``/api/audit/check-peer`` parsed the partner's answer whole and let a refused connection through: a 500
    for a partner that is down, or answers what is not a JSON object."""
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    if answer == b"unreachable":
        space.router.down.add("127.0.0.1:9000")
    else:
        space.router.apps["127.0.0.1:9000"] = httpx.ASGITransport(
            app=answering(supplier.app, "/dsp/audit/", 200, answer, JSON)
        )
    checked = await oem.api.post("/api/audit/check-peer", params={"peer": supplier.id})
    assert checked.status_code == 502, checked.text
    assert checked.json()["error"]["code"] == "peer-error"
