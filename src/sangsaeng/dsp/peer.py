"""The client one connector uses to call another: every request carries a fresh self-issued token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sangsaeng.clock import Clock
from sangsaeng.identity import tokens

HEAD_HEADER = "Sangsaeng-Tree-Head"


class AnswerTooLarge(httpx.TransportError):
    """A peer's answer (decoded: a gzip bomb counts as what it unpacks to) passed ``answer_bytes``."""


class PeerClient:
    def __init__(
        self,
        participant_id: str,
        key: Ed25519PrivateKey,
        clock: Clock,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 15.0,
        credentials: Callable[[], list[str]] | None = None,
        answer_bytes: int = 64 << 20,
    ) -> None:
        self.participant_id = participant_id
        self._key = key
        self._clock = clock
        self._credentials = credentials
        self.answer_bytes = answer_bytes
        # (our latest signed log head as a header value, keep a partner's head): set by create_app
        self.heads: tuple[Callable[[], str | None], Callable[[str | None, str | None], Awaitable[None]]] | None = None
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        # Never follow redirects: a peer's 3xx would carry our token (or a data token) to an address of its choosing.
        self.http = httpx.AsyncClient(transport=transport, timeout=timeout, limits=limits, follow_redirects=False)

    def bearer(self, audience: str, lifetime: timedelta = timedelta(minutes=2)) -> str:
        held = self._credentials() if self._credentials else []
        extra = {"vc": held} if held else None  # signed credentials travel with every request, for policies
        return tokens.issue(self._key, self.participant_id, audience, self._clock.now(), lifetime, extra)

    def _headers(self, audience: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.bearer(audience)}"}
        head = self.heads[0]() if self.heads else None
        if head:
            headers[HEAD_HEADER] = head  # partners keep it: our log cannot be rewritten behind their backs
        return headers

    async def _witness(self, response: httpx.Response, audience: str) -> httpx.Response:
        if self.heads and HEAD_HEADER in response.headers:
            await self.heads[1](response.headers[HEAD_HEADER], audience)
        return response

    async def post(
        self, url: str, audience: str, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        headers = {**(headers or {}), **self._headers(audience), "Content-Type": "application/json"}
        request = self.http.build_request("POST", url, content=orjson.dumps(body), headers=headers)
        return await self._witness(await self._send(request), audience)

    async def get(self, url: str, audience: str) -> httpx.Response:
        request = self.http.build_request("GET", url, headers=self._headers(audience))
        return await self._witness(await self._send(request), audience)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """The answer read whole, but no more than ``answer_bytes`` of it: a peer could send any amount."""
        response = await self.http.send(request, stream=True)
        try:
            body, more = await read_bounded(response, self.answer_bytes)
        finally:
            await response.aclose()
        if more:
            raise AnswerTooLarge(f"the answer is larger than {self.answer_bytes:,} bytes", request=request)
        # The body as read, decoded: the headers that described its encoding on the wire no longer apply.
        kept = [(k, v) for k, v in response.headers.multi_items() if k not in ("content-encoding", "content-length")]
        return httpx.Response(response.status_code, headers=kept, content=body, request=request)

    async def close(self) -> None:
        await self.http.aclose()


async def read_bounded(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of a streamed answer, and whether there was more (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks)[:limit], True
    return b"".join(chunks), False
