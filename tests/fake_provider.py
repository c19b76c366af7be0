"""A hostile provider as a real process: it negotiates like a Sangsaeng provider (signed agreement, FINALIZED),
then does whatever the test tells it to steer the consumer.

    python tests/fake_provider.py --port P --key key.pem --id urn:… --consumer urn:…

Protocol: ``/dsp/negotiations/request`` and ``…/agreement/verification`` are answered and followed by the
agreement and the FINALIZED event, as the protocol asks; ``/dsp/transfers/request`` is answered and recorded,
nothing more. Control (for the test only): ``GET /control/transfers/{consumerPid}``, ``POST /control/send``
(sign and post a message to the consumer's callback), ``PUT /control/mode/{providerPid}`` (how ``/data/…``
answers), ``GET /control/seen`` (every request received, with its Authorization header). Binds 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from sangsaeng.dsp.messages import CONTEXT, SIGNATURE_KEY, message
from sangsaeng.identity import tokens
from sangsaeng.identity.keys import load_private_key
from sangsaeng.negotiation.signing import sign_agreement

ARROW = "application/vnd.apache.arrow.stream"


def arrow_stream(batches: int = 1, rows: int = 100) -> bytes:
    table = pa.table({"n": pa.array(range(rows), pa.int64()), "label": [f"row {i}" for i in range(rows)]})
    return _stream_bytes(table.schema, [table] * batches)


class FakeProvider:
    def __init__(self, key_path: Path, participant: str, consumer: str) -> None:
        self.key = load_private_key(key_path)
        self.id = participant
        self.consumer = consumer
        self.negotiations: dict[str, dict[str, str]] = {}  # providerPid -> consumerPid, callback
        self.transfers: dict[str, dict[str, str]] = {}  # consumerPid -> providerPid, callback
        self.modes: dict[str, dict[str, Any]] = {}  # providerPid -> how /data answers
        self.seen: list[dict[str, str]] = []
        self.http = httpx.AsyncClient(timeout=10, follow_redirects=False)
        self.tasks: set[asyncio.Task[Any]] = set()
        self.callback = ""  # the consumer's, from its first request

    def bearer(self) -> dict[str, str]:
        token = tokens.issue(self.key, self.id, self.consumer, datetime.now(UTC), timedelta(minutes=2))
        return {"Authorization": f"Bearer {token}"}

    async def post(self, url: str, body: dict[str, Any]) -> httpx.Response:
        return await self.http.post(url, json=body, headers=self.bearer())

    def later(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # ---- protocol ----------------------------------------------------------------------------------
    async def negotiation_request(self, request: Request) -> Response:
        body = await request.json()
        pid = f"urn:uuid:{uuid.uuid4()}"
        self.negotiations[pid] = {"consumerPid": body["consumerPid"], "callback": body["callbackAddress"]}
        self.callback = body["callbackAddress"]
        offer = body["offer"]
        agreement = {
            "@id": f"urn:uuid:{uuid.uuid4()}",
            "@type": "Agreement",
            "target": offer["target"],
            "assigner": self.id,
            "assignee": self.consumer,
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            **{k: offer[k] for k in ("permission", "prohibition", "obligation") if offer.get(k)},
        }
        agreement_message = message(
            "ContractAgreementMessage",
            providerPid=pid,
            consumerPid=body["consumerPid"],
            agreement=agreement,
            callbackAddress=f"http://127.0.0.1:{request.url.port}/dsp",
            **{SIGNATURE_KEY: sign_agreement(self.key, self.id, agreement)},
        )
        self.later(
            self.post(f"{body['callbackAddress']}/negotiations/{body['consumerPid']}/agreement", agreement_message)
        )
        return JSONResponse(
            message("ContractNegotiation", providerPid=pid, consumerPid=body["consumerPid"], state="REQUESTED"),
            status_code=201,
        )

    async def verification(self, request: Request) -> Response:
        pid = request.path_params["pid"]
        known = self.negotiations[pid]
        event = message(
            "ContractNegotiationEventMessage",
            providerPid=pid,
            consumerPid=known["consumerPid"],
            eventType="FINALIZED",
        )
        self.later(self.post(f"{known['callback']}/negotiations/{known['consumerPid']}/events", event))
        return Response(status_code=200)

    async def transfer_request(self, request: Request) -> Response:
        body = await request.json()
        pid = f"urn:uuid:{uuid.uuid4()}"
        self.transfers[body["consumerPid"]] = {"providerPid": pid, "callback": body["callbackAddress"]}
        return JSONResponse(
            message("TransferProcess", providerPid=pid, consumerPid=body["consumerPid"], state="REQUESTED"),
            status_code=201,
        )

    async def acknowledge(self, request: Request) -> Response:
        return Response(status_code=200)

    # ---- data plane: whatever the test set ---------------------------------------------------------
    async def data(self, request: Request) -> Response:
        mode = self.modes.get(request.path_params["pid"], {"mode": "arrow"})
        kind = mode["mode"]
        if kind == "arrow":
            return Response(arrow_stream(), media_type=ARROW)
        if kind == "huge_arrow":  # more than a portal preview reads
            return StreamingResponse(_long_stream(mode.get("times", 3)), media_type=ARROW)
        if kind == "html":
            return Response("<script>alert(1)</script>", media_type="text/html")
        if kind == "not_arrow":
            return PlainTextResponse("<html><body>surprise</body></html>", media_type=ARROW)
        if kind == "cut":
            return StreamingResponse(_cut(arrow_stream(batches=20)), media_type=ARROW)
        if kind == "redirect":
            return RedirectResponse(mode["location"], status_code=302)
        if kind == "huge_error":
            return PlainTextResponse("x" * (5 << 20), status_code=500)
        if kind == "forbidden_not_json":
            return PlainTextResponse("<h1>no</h1>" * 10_000, status_code=403)
        return Response(status_code=404)

    async def aggregate(self, request: Request) -> Response:
        mode = self.modes.get(request.path_params["pid"], {"mode": "arrow"})
        if mode.get("aggregate") == "not_json":
            return PlainTextResponse("groups: many", media_type="application/json")
        if mode.get("aggregate") == "huge":
            return PlainTextResponse('{"groups": [' + "0," * (9 << 20) + "0]}", media_type="application/json")
        return JSONResponse({"groups": [], "omittedGroups": 0})

    # ---- control -----------------------------------------------------------------------------------
    async def control_transfer(self, request: Request) -> Response:
        known = self.transfers.get(request.path_params["cpid"])
        return JSONResponse(known) if known else Response(status_code=404)

    async def control_send(self, request: Request) -> Response:
        """Sign ``message`` as this provider and post it to the consumer's callback address + ``path``."""
        order = await request.json()
        body = {"@context": CONTEXT, **order["message"]}
        response = await self.post(f"{self.callback}{order['path']}", body)
        return JSONResponse({"status": response.status_code, "body": response.text})

    async def control_negotiation(self, request: Request) -> Response:
        found = [{"providerPid": p, **n} for p, n in self.negotiations.items()]
        return JSONResponse(found[-1]) if found else Response(status_code=404)

    async def control_mode(self, request: Request) -> Response:
        self.modes[request.path_params["pid"]] = await request.json()
        return Response(status_code=204)

    async def control_seen(self, request: Request) -> Response:
        return JSONResponse(self.seen)

    def app(self) -> Any:
        async def record(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and not scope["path"].startswith("/control"):
                headers = dict(scope["headers"])
                self.seen.append({"path": scope["path"], "authorization": headers.get(b"authorization", b"").decode()})
            await inner(scope, receive, send)

        inner = Starlette(
            routes=[
                Route("/dsp/negotiations/request", self.negotiation_request, methods=["POST"]),
                Route("/dsp/negotiations/{pid}/agreement/verification", self.verification, methods=["POST"]),
                Route("/dsp/negotiations/{pid}/termination", self.acknowledge, methods=["POST"]),
                Route("/dsp/transfers/request", self.transfer_request, methods=["POST"]),
                Route("/dsp/transfers/{pid}/{step}", self.acknowledge, methods=["POST"]),
                Route("/data/{pid}", self.data, methods=["GET"]),
                Route("/data/{pid}/aggregate", self.aggregate, methods=["POST"]),
                Route("/control/transfers/{cpid:path}", self.control_transfer, methods=["GET"]),
                Route("/control/send", self.control_send, methods=["POST"]),
                Route("/control/negotiation", self.control_negotiation, methods=["GET"]),
                Route("/control/mode/{pid:path}", self.control_mode, methods=["PUT"]),
                Route("/control/seen", self.control_seen, methods=["GET"]),
                Route("/.well-known/dspace-version", self.acknowledge, methods=["GET"]),
            ]
        )
        return record


async def _long_stream(times: int, rows: int = 200_000) -> AsyncIterator[bytes]:
    """A valid Arrow stream of ``times`` batches of ``rows`` rows, written batch by batch."""
    table = pa.table({"n": pa.array(range(rows), pa.int64())})
    head = _stream_bytes(table.schema, [])  # the schema message, then the end-of-stream marker
    whole = _stream_bytes(table.schema, [table])
    batch = whole[len(head) - 8 : -8]
    yield head[:-8]
    for _ in range(times):
        yield batch
    yield head[-8:]


def _stream_bytes(schema: pa.Schema, tables: list[pa.Table]) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        for table in tables:
            writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


async def _cut(stream: bytes) -> AsyncIterator[bytes]:
    yield stream[: len(stream) // 2]
    await asyncio.sleep(0.05)
    raise ConnectionAbortedError("the provider dies mid-stream")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", type=Path, required=True)
    parser.add_argument("--id", required=True)
    parser.add_argument("--consumer", required=True)
    args = parser.parse_args()
    provider = FakeProvider(args.key, args.id, args.consumer)
    uvicorn.run(provider.app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
