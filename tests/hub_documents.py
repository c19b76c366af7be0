"""A stand-in hub for the connector's side of the tests: it signs directory and status-list documents as
docs/hub.md says a hub does (compact EdDSA JWS, typ/iss/iat/exp/seq), with a key made for the test, and serves them
from a tiny Starlette app that a test routes in-process. What it lists, suspends, revokes and rotates is set by the
test; ``seq`` rises with every change, as a real hub's does."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sangsaeng.identity.directory import Participant
from sangsaeng.identity.hub import DIRECTORY_TYPE, STATUS_TYPE, HubPin
from sangsaeng.identity.keys import b64url, generate_key, public_jwk

STATUS_BITS = 131_072  # the least a list holds (herd privacy)


def packed(bits: bytes) -> str:
    return b64url(gzip.compress(bits))


class TestHub:
    __test__ = False  # not a test class, whatever its name

    def __init__(self, url: str = "http://127.0.0.1:9700", lifetime: timedelta = timedelta(minutes=15)) -> None:
        self.url = url
        self.id = f"urn:uuid:{uuid.uuid4()}"
        self.key = generate_key()
        self.lifetime = lifetime
        self.seq = 1
        self.entries: dict[str, dict[str, Any]] = {}
        self.revoked: set[int] = set()
        self.down = False
        self.served = 0  # documents served, so a test can wait for the next fetch
        self.clock = lambda: datetime.now(UTC)

    # ---- what the test changes ------------------------------------------------------------------------------
    def admit(self, participant: Participant, **more: Any) -> None:
        self.entries[participant.id] = participant.to_dict() | {"status": "active"} | more
        self.seq += 1

    def suspend(self, participant_id: str) -> None:
        self.entries[participant_id]["status"] = "suspended"
        self.seq += 1

    def rotate(self, participant_id: str, next_jwk: dict[str, str]) -> None:
        self.entries[participant_id]["nextKey"] = next_jwk
        self.seq += 1

    def revoke(self, index: int) -> None:
        self.revoked.add(index)
        self.seq += 1

    # ---- what a connector pins ----------------------------------------------------------------------------------
    @property
    def jwk(self) -> dict[str, str]:
        return public_jwk(self.key.public_key())

    @property
    def pin(self) -> HubPin:
        return HubPin.of(self.url, self.id, self.jwk)

    def settings(self, refresh: float = 60.0) -> dict[str, object]:
        """The settings a connector that joined this hub holds."""
        return {
            "hub_url": self.url,
            "hub_id": self.id,
            "hub_key": json.dumps(self.jwk),
            "hub_refresh": refresh,
            "trusted_issuers": [self.id],
        }

    # ---- documents --------------------------------------------------------------------------------------------
    def _signed(
        self, typ: str, body: dict[str, Any], *, key: Any = None, now: datetime | None = None, **claims: Any
    ) -> str:
        at = int((now or self.clock()).timestamp())
        signed = {"typ": typ, "iss": self.id, "iat": at, "exp": at + int(self.lifetime.total_seconds())}
        signed |= {"seq": self.seq} | body | claims
        return jwt.encode(signed, key or self.key, algorithm="EdDSA")

    def directory(self, **override: Any) -> str:
        return self._signed(DIRECTORY_TYPE, {"participants": list(self.entries.values())}, **override)

    def status(self, **override: Any) -> str:
        bits = bytearray(STATUS_BITS // 8)
        for index in self.revoked:
            bits[index >> 3] |= 0x80 >> (index & 7)
        return self._signed(STATUS_TYPE, {"bits": packed(bytes(bits))}, **override)

    def credential(self, subject: str, attributes: dict[str, list[str]], index: int, **override: Any) -> str:
        now = self.clock()
        claims = {
            "typ": "sangsaeng-credential",
            "iss": self.id,
            "sub": subject,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(days=90)).timestamp()),
            "jti": f"urn:uuid:{uuid.uuid4()}",
            "status": {"idx": index},
            "attrs": attributes,
        } | override
        return jwt.encode(claims, self.key, algorithm="EdDSA")

    # ---- served -------------------------------------------------------------------------------------------------
    def app(self) -> Starlette:
        def document(make: Any) -> Any:
            async def endpoint(request: Request) -> Response:
                if self.down:
                    return Response("hub down for the test", status_code=503)
                self.served += 1
                return Response(make(), media_type="application/jwt", headers={"Cache-Control": "max-age=1"})

            return endpoint

        async def well_known(request: Request) -> Response:
            return JSONResponse(
                {
                    "id": self.id,
                    "name": "테스트 허브",
                    "publicKey": self.jwk,
                    "directory": f"{self.url}/hub/directory",
                    "status": f"{self.url}/hub/status",
                    "catalog": f"{self.url}/hub/catalog",
                    "refresh": 60,
                }
            )

        return Starlette(
            routes=[
                Route("/.well-known/sangsaeng-hub", well_known),
                Route("/hub/directory", document(self.directory)),
                Route("/hub/status", document(self.status)),
            ]
        )
