"""The hub's signed documents: the directory (``typ`` "sangsaeng-directory") and the status list ("sangsaeng-status"),
each a JWT with ``iss`` = the hub's id, ``iat``, ``exp`` and a ``seq`` that grows with every change."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sangsaeng.identity.keys import b64url

DIRECTORY = "sangsaeng-directory"
STATUS = "sangsaeng-status"
MEDIA_TYPE = "application/jwt"


def sign(
    key: Ed25519PrivateKey, typ: str, hub_id: str, seq: int, body: dict[str, Any], now: datetime, lifetime: timedelta
) -> str:
    issued = int(now.timestamp())
    claims = {"typ": typ, "iss": hub_id, "iat": issued, "exp": issued + int(lifetime.total_seconds()), "seq": seq}
    return jwt.encode(claims | body, key, algorithm="EdDSA")


def read(token: str, key: Ed25519PublicKey, typ: str, hub_id: str, now: datetime) -> dict[str, Any]:
    """A document's claims once its signature (by the pinned key), type, issuer and lifetime check; else
    ``ValueError`` saying which failed."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=["EdDSA"],
            options={"require": ["iss", "iat", "exp", "seq"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError as exc:
        raise ValueError(f"signature or claims not valid: {exc}") from exc
    if claims.get("typ") != typ:
        raise ValueError(f"not a {typ} document")
    if claims["iss"] != hub_id:
        raise ValueError(f"issued by {claims['iss']!r}, not the hub {hub_id!r}")
    if not claims["iat"] - 5 <= now.timestamp() <= claims["exp"]:
        raise ValueError("not valid now (expired or not yet valid)")
    if not isinstance(claims["seq"], int) or claims["seq"] < 0:
        raise ValueError("its seq is not a whole number")
    return claims


def thumbprint(jwk: dict[str, str]) -> str:
    """The key's RFC 7638 thumbprint (SHA-256 over its required members, in order): what an operator reads out
    to a member, and a member compares with what it pinned."""
    required = {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}
    return b64url(hashlib.sha256(json.dumps(required, separators=(",", ":")).encode()).digest())
