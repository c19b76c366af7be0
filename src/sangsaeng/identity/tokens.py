"""Self-issued EdDSA JWTs that authenticate every protocol request (our DSP identity profile).

``iss`` = ``sub`` = the caller's participant id, ``aud`` = the callee's id, ``exp`` at most five minutes after
``iat``, and a unique ``jti`` that the callee remembers until ``exp`` so that a captured token cannot be
replayed. Verification needs only the directory (public keys): no call to anyone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sangsaeng.errors import Unauthenticated

MAX_LIFETIME = timedelta(minutes=5)
# A participant's keys by id: one key, several (the listed one and the next one, during a rotation), or None.
KeyLookup = Callable[[str], Ed25519PublicKey | Sequence[Ed25519PublicKey] | None]
LEEWAY_SECONDS = 5


@dataclass(frozen=True)
class VerifiedCaller:
    participant_id: str
    jti: str
    expires_at: datetime
    claims: dict[str, Any]


def issue(
    key: Ed25519PrivateKey,
    issuer: str,
    audience: str,
    now: datetime,
    lifetime: timedelta = MAX_LIFETIME,
    extra: dict[str, Any] | None = None,
    max_lifetime: timedelta | None = MAX_LIFETIME,
) -> str:
    if max_lifetime is not None:
        lifetime = min(lifetime, max_lifetime)
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": issuer,
        "aud": audience,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": str(uuid.uuid4()),
    }
    if extra:
        claims.update(extra)
    return jwt.encode(claims, key, algorithm="EdDSA")


def candidates(found: Ed25519PublicKey | Sequence[Ed25519PublicKey] | None) -> tuple[Ed25519PublicKey, ...]:
    if found is None:
        return ()
    return (found,) if isinstance(found, Ed25519PublicKey) else tuple(found)


def decode_signed(token: str, keys: Sequence[Ed25519PublicKey], **options: Any) -> dict[str, Any]:
    """``jwt.decode`` with the first of ``keys`` the signature verifies with (a key rotation lists two); any
    other failure is raised at once, as ``jwt.decode`` raises it."""
    for index, key in enumerate(keys):
        try:
            claims: dict[str, Any] = jwt.decode(token, key, algorithms=["EdDSA"], **options)
        except jwt.InvalidSignatureError:
            if index == len(keys) - 1:
                raise
            continue
        return claims
    raise jwt.InvalidSignatureError("no key to verify the signature with")


def verify(
    token: str,
    audience: str,
    key_of: KeyLookup,
    now: datetime,
    max_lifetime: timedelta | None = MAX_LIFETIME,
) -> VerifiedCaller:
    """Check signature, audience and lifetime. ``key_of(participant_id)`` returns the public key, the keys (a
    rotation: either verifies) or None.

    The replay check (``jti`` seen before) is the caller's job, because it needs shared state.
    Every failure raises the same ``Unauthenticated`` class; the message says what, never whose data.
    """
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise Unauthenticated("the bearer token is not a JWT") from exc
    issuer = unverified.get("iss")
    if not isinstance(issuer, str):
        raise Unauthenticated("the token has no issuer")
    keys = candidates(key_of(issuer))
    if not keys:
        raise Unauthenticated("the token's issuer is not in the participant directory")
    try:
        claims = decode_signed(
            token,
            keys,
            audience=audience,
            # Lifetimes are checked below against the connector's clock (a port), not the wall clock.
            options={"require": ["iss", "sub", "aud", "iat", "exp", "jti"], "verify_iat": False, "verify_exp": False},
        )
    except jwt.InvalidAudienceError as exc:
        raise Unauthenticated("the token is addressed to another participant") from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"the token is not valid: {exc}") from exc
    if claims["sub"] != issuer:
        raise Unauthenticated("the token's subject differs from its issuer")
    stamp = now.timestamp()
    if not isinstance(claims["exp"], int | float) or not isinstance(claims["iat"], int | float):
        raise Unauthenticated("the token's iat and exp must be numbers")
    if claims["exp"] + LEEWAY_SECONDS < stamp:
        raise Unauthenticated("the token has expired")
    if max_lifetime is not None and claims["exp"] - claims["iat"] > max_lifetime.total_seconds():
        raise Unauthenticated("the token lives longer than five minutes")
    if claims["iat"] - LEEWAY_SECONDS > stamp:
        raise Unauthenticated("the token was issued in the future")
    expires = datetime.fromtimestamp(claims["exp"], tz=now.tzinfo)
    return VerifiedCaller(participant_id=issuer, jti=str(claims["jti"]), expires_at=expires, claims=claims)
