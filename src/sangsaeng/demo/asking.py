"""How the demo's companies and the hub's operator ask the hub for support, on one event loop: a member as itself
(``hubclient.support.HubSupport``: a token its key signs, the hub's refusals as ``HubRefused``), the operator with
the hub's API key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from sangsaeng.demo.onboarding import Hub
from sangsaeng.errors import PeerError
from sangsaeng.hubclient.support import HubSupport
from sangsaeng.identity.keys import load_private_key
from sangsaeng.launch import Node


class Member:
    """One member asking its hub as itself (its self-issued token, signed with its key)."""

    def __init__(self, node: Node, http: httpx.AsyncClient) -> None:
        settings = node.init.settings
        self.name = node.init.participant.name
        self.hub = HubSupport(settings, load_private_key(settings.key_path), http, lambda: datetime.now(UTC))

    async def each(self, path: str, languages: tuple[str, ...], **params: Any) -> dict[str, Any]:
        """``GET path`` in every language told: the answers by language."""
        return {language: await self.hub.get(path, language=language, **params) for language in languages}


class Operator:
    """The hub's operator, by its API key (as ``Hub.call``, on the demo's event loop)."""

    def __init__(self, hub: Hub, http: httpx.AsyncClient) -> None:
        self.url, self.key, self.http = hub.info.url, hub.init.api_key, http

    async def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        answer = await self.http.request(
            method, self.url + path, json=body, params=params or None, headers={"X-API-Key": self.key}
        )
        if answer.status_code >= 400:
            raise PeerError(f"the hub answered {method} {path} with {answer.status_code}: {answer.text[:300]}")
        return answer.json()
