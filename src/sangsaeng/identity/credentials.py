"""Signed credentials: what an issuer (the hub, an industry association) attests about a participant — its role,
tier, sector, region and memberships — as an EdDSA JWT that any connector checks with the directory alone.

A consumer keeps the credentials it was given (``credentials.json`` in its data directory) and sends them in
the ``vc`` claim of its self-issued protocol tokens. A provider counts an attribute only when the credential's
issuer is one it trusts (setting ``trusted_issuers``), the signature verifies with the issuer's directory key,
the subject is the caller, and the credential is valid now. Policies see nothing else: no attribute is ever
taken from what a consumer merely claims.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sangsaeng.errors import InvalidInput
from sangsaeng.policy.model import ATTRIBUTES

TYPE = "sangsaeng-credential"


@dataclass(frozen=True)
class Credential:
    issuer: str
    subject: str
    attributes: dict[str, tuple[str, ...]]
    expires_at: datetime


def issue(
    key: Ed25519PrivateKey,
    issuer: str,
    subject: str,
    attributes: dict[str, list[str]],
    now: datetime,
    lifetime: timedelta = timedelta(days=365),
    extra: dict[str, Any] | None = None,
) -> str:
    """``extra``: claims beside the attestation (the hub's ``jti`` and ``status``); they cannot replace one."""
    unknown = set(attributes) - set(ATTRIBUTES)
    if unknown:
        raise InvalidInput(
            f"unknown credential attribute {', '.join(sorted(unknown))}", hint=f"use {', '.join(ATTRIBUTES)}"
        )
    if not attributes or not all(values for values in attributes.values()):
        raise InvalidInput("a credential attests at least one attribute, each with a value")
    claims = {
        "typ": TYPE,
        "iss": issuer,
        "sub": subject,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "attrs": {name: sorted(set(values)) for name, values in attributes.items()},
    }
    return jwt.encode({**(extra or {}), **claims}, key, algorithm="EdDSA")


def read(token: str, key_of: Callable[[str], Ed25519PublicKey | None], now: datetime) -> Credential:
    """Verify one credential: signature by its issuer's directory key, type, lifetime. Raises ``ValueError``."""
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise ValueError("not a JWT") from exc
    issuer = unverified.get("iss")
    key = key_of(issuer) if isinstance(issuer, str) else None
    if key is None:
        raise ValueError(f"issuer {issuer!r} is not in the participant directory")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=["EdDSA"],
            options={"require": ["iss", "sub", "exp", "iat"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError as exc:
        raise ValueError(f"signature or claims not valid: {exc}") from exc
    if claims.get("typ") != TYPE:
        raise ValueError("not a Sangsaeng credential")
    if not (claims["iat"] - 5 <= now.timestamp() <= claims["exp"]):
        raise ValueError("not valid now (expired or not yet valid)")
    raw = claims.get("attrs")
    if not isinstance(raw, dict):
        raise ValueError("no attributes")
    attributes = {
        name: tuple(str(v) for v in values)
        for name, values in raw.items()
        if name in ATTRIBUTES and isinstance(values, list)
    }
    return Credential(str(issuer), str(claims["sub"]), attributes, datetime.fromtimestamp(claims["exp"], tz=now.tzinfo))


def attributes_of(
    tokens: Iterable[Any],
    caller: str,
    trusted: Iterable[str],
    key_of: Callable[[str], Ed25519PublicKey | None],
    now: datetime,
) -> dict[str, frozenset[str]]:
    """What the caller's credentials attest, from trusted issuers only; a credential that fails to verify is
    left out (a policy needing it then says no credential gives the attribute)."""
    trusted_set = set(trusted)
    found: dict[str, set[str]] = {}
    for token in tokens:
        if not isinstance(token, str):
            continue
        try:
            credential = read(token, key_of, now)
        except ValueError:
            continue
        if credential.issuer not in trusted_set or credential.subject != caller:
            continue
        for name, values in credential.attributes.items():
            found.setdefault(name, set()).update(values)
    return {name: frozenset(values) for name, values in found.items()}


class Wallet:
    """The credentials this connector holds, in ``credentials.json``; re-read when the file changes, so that a
    credential added by the CLI counts in the running connector's next request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: float | None = None
        self._tokens: list[str] = []

    def tokens(self) -> list[str]:
        try:
            stamp = self.path.stat().st_mtime
        except FileNotFoundError:
            return []
        if stamp != self._stamp:
            self._tokens = [t for t in json.loads(self.path.read_text("utf-8")) if isinstance(t, str)]
            self._stamp = stamp
        return list(self._tokens)

    def add(
        self, token: str, key_of: Callable[[str], Ed25519PublicKey | None], owner: str, now: datetime
    ) -> Credential:
        try:
            credential = read(token, key_of, now)
        except ValueError as exc:
            raise InvalidInput(f"the credential does not verify: {exc}") from exc
        if credential.subject != owner:
            raise InvalidInput(f"the credential is about {credential.subject}, not this connector ({owner})")
        held = [t for t in self.tokens() if t != token] + [token]
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        temporary.write_text(json.dumps(held, indent=1), "utf-8")
        os.replace(temporary, self.path)
        return credential
