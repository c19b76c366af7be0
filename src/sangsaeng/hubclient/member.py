"""A connector as a member of the hub it trusts: applying (its facts, its id, key and endpoints, and a token its
key signed for the hub), and fetching its credentials — by hand (``sangsaeng hub credentials``) or every
``hub_refresh`` seconds while it runs (``follow``), so renewals and the fresh credentials of a reinstatement arrive
without anyone copying a token. The wallet keeps exactly the hub's valid credentials (older ones of the hub go)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sangsaeng.errors import InvalidInput, PeerError
from sangsaeng.identity import tokens
from sangsaeng.identity.credentials import Wallet
from sangsaeng.identity.keys import public_jwk, public_key_from_jwk
from sangsaeng.settings import Settings


def application(
    settings: Settings, key: Ed25519PrivateKey, hub_id: str, company: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The application's body (docs/hub.md): the company's facts, this connector, a proof signed by its key."""
    base = settings.public_url.rstrip("/")
    return {
        "company": company,
        "participant": {
            "id": settings.participant_id,
            "publicKey": public_jwk(key.public_key()),
            "endpoint": settings.protocol_url,
            "dataEndpoint": base + "/data",
        },
        "proof": tokens.issue(key, settings.participant_id, hub_id, now),
    }


def member_headers(settings: Settings, key: Ed25519PrivateKey, now: datetime) -> dict[str, str]:
    """A member's own request to its hub: a self-issued token for the hub, used once."""
    return {"Authorization": f"Bearer {tokens.issue(key, settings.participant_id, settings.hub_id, now)}"}


def credentials_url(settings: Settings) -> str:
    return settings.hub_url.rstrip("/") + "/hub/members/me/credentials"


def keep(wallet: Wallet, settings: Settings, answer: httpx.Response, now: datetime) -> int:
    """The hub's answer to ``POST …/me/credentials`` kept in the wallet; how many it holds now. ``PeerError`` when
    the hub refused (its message: not a member, suspended) or answered something else."""
    if answer.status_code != 200:
        raise PeerError(f"the hub answered {answer.status_code}: {_said(answer)}")
    try:
        found = answer.json().get("credentials")
    except ValueError:
        found = None
    if not isinstance(found, list) or not all(isinstance(t, str) for t in found):
        raise PeerError("the hub's answer holds no list of credentials")
    hub_key = public_key_from_jwk(json.loads(settings.hub_key))
    known = {settings.hub_id: hub_key}
    try:
        return wallet.hold(settings.hub_id, found, known.get, settings.participant_id, now)
    except (ValueError, InvalidInput) as exc:
        raise PeerError(f"a credential from the hub is not usable: {exc}") from None


def _said(answer: httpx.Response) -> str:
    try:
        error = answer.json().get("error", {})
        return str(error.get("message") or answer.text[:300])
    except ValueError:
        return answer.text[:300]


async def refresh_credentials(
    settings: Settings, key: Ed25519PrivateKey, wallet: Wallet, http: httpx.AsyncClient, now: datetime
) -> int:
    """Ask the hub for this member's credentials (renewed when due) and keep them; ``PeerError`` as ``keep``."""
    try:
        answer = await http.post(credentials_url(settings), headers=member_headers(settings, key, now), timeout=15)
    except httpx.HTTPError as exc:
        raise PeerError(f"the hub could not be reached: {exc or type(exc).__name__}") from None
    return keep(wallet, settings, answer, now)
