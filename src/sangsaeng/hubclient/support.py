"""A member's calls to its hub's support routes (``/hub/support/…``), signed with its own key: what the portal's
support pages (and the demo) use, for a connector of its own and a hosted one alike (a hosted connector reaches the
hub in its own process through the same address).

The hub's refusal comes back as ``HubRefused`` with the hub's status and error (its message and hint in both
languages, its JSON path), so a page can show the hub's own words beside the field they name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sangsaeng.dsp.peer import read_bounded
from sangsaeng.errors import PeerError
from sangsaeng.hubclient.member import member_headers
from sangsaeng.settings import Settings

ANSWER_BYTES = 8 << 20  # support's answers are pages of figures and texts, never datasets


class HubRefused(PeerError):
    """The hub answered with an error (4xx): ``status`` and its ``error`` object (docs: the one error shape)."""

    def __init__(self, status: int, error: dict[str, Any]) -> None:
        super().__init__(
            str(error.get("message") or f"the hub answered {status}"),
            position=error.get("position"),
            hint=error.get("hint"),
        )
        self.answered = status
        self.error = error

    def said(self, language: str) -> tuple[str, str | None]:
        """The hub's message and hint in ``language`` (Korean where the hub gave it, else its English)."""
        details = self.error.get("details") or {}
        if language == "ko":
            message = details.get("message_ko") or details.get("messageKo") or self.message
            return str(message), details.get("hint_ko") or details.get("hintKo") or self.hint
        return self.message, self.hint


class NoHub(PeerError):
    """This connector has joined no hub (``sangsaeng hub join``)."""


class HubSupport:
    """Calls to one hub as one member."""

    def __init__(
        self,
        settings: Settings,
        key: Ed25519PrivateKey,
        http: httpx.AsyncClient,
        now: Callable[[], datetime],
    ) -> None:
        if not (settings.hub_url and settings.hub_id):
            raise NoHub("this connector has joined no hub", hint="run `sangsaeng hub join URL`")
        self.settings, self.key, self.http, self.now = settings, key, http, now

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        language: str = "ko",
    ) -> Any:
        """``method`` on the hub's ``path`` (``/hub/support/…``) with a fresh token; the answer's JSON (None when
        it has no body). ``HubRefused`` for the hub's 4xx, ``PeerError`` when it cannot be reached or fails."""
        headers = member_headers(self.settings, self.key, self.now()) | {"Accept-Language": language}
        request = self.http.build_request(
            method, self.settings.hub_url.rstrip("/") + path, json=json, params=params, headers=headers
        )
        try:
            response = await self.http.send(request, stream=True, follow_redirects=False)
            try:
                body, more = await read_bounded(response, ANSWER_BYTES)
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            raise PeerError(f"the hub could not be reached: {exc or type(exc).__name__}") from None
        if more:
            raise PeerError(f"the hub answered more than {ANSWER_BYTES:,} bytes")
        try:
            found = httpx.Response(response.status_code, content=body).json() if body else None
        except ValueError:
            raise PeerError(f"the hub answered {response.status_code} with something that is not JSON") from None
        if 400 <= response.status_code < 500:
            error = found.get("error") if isinstance(found, dict) else None
            raise HubRefused(response.status_code, error if isinstance(error, dict) else {})
        if response.status_code >= 300:
            raise PeerError(f"the hub answered {response.status_code}")
        return found

    async def get(self, path: str, language: str = "ko", **params: Any) -> Any:
        return await self.call(
            "GET", path, params={k: v for k, v in params.items() if v is not None}, language=language
        )

    async def post(self, path: str, body: Any = None, language: str = "ko") -> Any:
        return await self.call("POST", path, json=body, language=language)

    async def put(self, path: str, body: Any = None, language: str = "ko") -> Any:
        return await self.call("PUT", path, json=body, language=language)
