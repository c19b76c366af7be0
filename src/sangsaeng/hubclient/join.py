"""Discovering a hub before joining it: ``GET {hub}/.well-known/sangsaeng-hub`` (docs/hub.md "Discovery").

What it answers is shown to the person joining (the hub's name and its key's fingerprint, to compare with what the
hub's operator publishes) and, once they agree, pinned in the connector's settings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from sangsaeng.errors import InvalidInput, PeerError
from sangsaeng.identity.directory import UnsafeAddress, normalised
from sangsaeng.identity.hub import fingerprint
from sangsaeng.identity.keys import public_key_from_jwk

WELL_KNOWN = "/.well-known/sangsaeng-hub"
ANSWER_BYTES = 1 << 20


@dataclass(frozen=True)
class HubInfo:
    url: str
    id: str
    name: str
    key: dict[str, str]  # the hub's Ed25519 JWK

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)

    @property
    def key_text(self) -> str:
        return json.dumps(self.key, separators=(",", ":"), sort_keys=True)


def discover(url: str, transport: httpx.BaseTransport | None = None, timeout: float = 15.0) -> HubInfo:
    """The hub at ``url``, as it describes itself; ``InvalidInput`` for an address that is not one,
    ``PeerError`` when it cannot be reached or answers something else."""
    try:
        base = normalised(url).rstrip("/")
    except UnsafeAddress as exc:
        raise InvalidInput(
            f"{url!r} is not a hub address: {exc}", hint="give its base URL, e.g. http://127.0.0.1:9000"
        ) from None
    try:
        with httpx.Client(transport=transport, timeout=timeout, follow_redirects=False) as http:
            with http.stream("GET", base + WELL_KNOWN) as response:
                body = b""
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > ANSWER_BYTES:
                        raise PeerError(f"{base}{WELL_KNOWN} answered more than {ANSWER_BYTES:,} bytes")
    except httpx.HTTPError as exc:
        raise PeerError(
            f"the hub at {base} could not be reached: {exc or type(exc).__name__}",
            hint="check the address and that the hub is running",
        ) from None
    if response.status_code != 200:
        raise PeerError(f"{base}{WELL_KNOWN} answered {response.status_code}", hint="is this the hub's address?")
    try:
        data: Any = json.loads(body)
    except ValueError:
        data = None
    return _info(base, data)


def _info(base: str, data: Any) -> HubInfo:
    where = f"{base}{WELL_KNOWN}"
    if not isinstance(data, dict):
        raise PeerError(f"{where} did not answer a JSON object", hint="is this the hub's address?")
    hub_id, name, key = data.get("id"), data.get("name"), data.get("publicKey")
    if not isinstance(hub_id, str) or not hub_id or not isinstance(name, str) or not isinstance(key, dict):
        raise PeerError(f"{where} lacks the hub's id, name or publicKey", hint="is this a Sangsaeng hub?")
    try:
        public_key_from_jwk(key)
    except InvalidInput as exc:
        raise PeerError(f"{where}: {exc.message}") from None
    return HubInfo(base, hub_id, name, {k: str(v) for k, v in key.items() if k in ("kty", "crv", "x")})
