"""Signed credentials: what an issuer (the hub, an industry association) attests about a participant — its role,
tier, sector, region and memberships — as an EdDSA JWT that any connector checks with the directory alone.

A consumer keeps the credentials it was given (``credentials.json`` in its data directory) and sends them in
the ``vc`` claim of its self-issued protocol tokens. A provider counts an attribute only when the credential's
issuer is one it trusts (setting ``trusted_issuers``), the signature verifies with the issuer's directory key,
the subject is the caller, and the credential is valid now — and, when the credential names a status list
entry (``status.idx``) or its issuer keeps a status list (the hub), the issuer's verified, unexpired list says
it is not revoked (``identity/status.py``). Policies see nothing else: no attribute is ever taken from what a
consumer merely claims.
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
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sangsaeng.errors import InvalidInput
from sangsaeng.identity.status import StatusList
from sangsaeng.identity.tokens import KeyLookup, candidates, decode_signed
from sangsaeng.policy.model import ATTRIBUTES

TYPE = "sangsaeng-credential"


@dataclass(frozen=True)
class Credential:
    issuer: str
    subject: str
    attributes: dict[str, tuple[str, ...]]
    expires_at: datetime
    status_index: int | None = None  # its entry in the issuer's status list, when it names one


def _no_status_lists(issuer: str) -> StatusList | None:
    return None


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


def read(token: str, key_of: KeyLookup, now: datetime) -> Credential:
    """Verify one credential: signature by its issuer's directory key (either key during a rotation), type,
    lifetime. Raises ``ValueError``."""
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise ValueError("not a JWT") from exc
    issuer = unverified.get("iss")
    keys = candidates(key_of(issuer)) if isinstance(issuer, str) else ()
    if not keys:
        raise ValueError(f"issuer {issuer!r} is not in the participant directory")
    try:
        claims = decode_signed(
            token,
            keys,
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
    status = claims.get("status")
    index: int | None = None
    if status is not None:
        index = status.get("idx") if isinstance(status, dict) else None
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise ValueError("its status is not {'idx': <index in the issuer's status list>}")
    expires = datetime.fromtimestamp(claims["exp"], tz=now.tzinfo)
    return Credential(str(issuer), str(claims["sub"]), attributes, expires, index)


def counts(credential: Credential, status: StatusList | None, now: datetime) -> bool:
    """Whether a verified credential counts as far as revocation goes: an issuer that keeps a status list
    (``status``) vouches only through it, so its credential needs an index whose bit is 0 in a list verified and
    unexpired now; a credential naming an index in a list this connector does not follow cannot be checked and
    does not count; one of an issuer without a list, naming none, counts."""
    if status is None:
        return credential.status_index is None
    return credential.status_index is not None and status.counts(credential.status_index, now)


def attributes_of(
    tokens: Iterable[Any],
    caller: str,
    trusted: Iterable[str],
    key_of: KeyLookup,
    now: datetime,
    status_of: Callable[[str], StatusList | None] = _no_status_lists,
) -> dict[str, frozenset[str]]:
    """What the caller's credentials attest, from trusted issuers only; a credential that fails to verify or is
    revoked (``counts``) is left out (a policy needing it then says no credential gives the attribute)."""
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
        if not counts(credential, status_of(credential.issuer), now):
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

    def add(self, token: str, key_of: KeyLookup, owner: str, now: datetime) -> Credential:
        try:
            credential = read(token, key_of, now)
        except ValueError as exc:
            raise InvalidInput(f"the credential does not verify: {exc}") from exc
        if credential.subject != owner:
            raise InvalidInput(f"the credential is about {credential.subject}, not this connector ({owner})")
        held = [t for t in self.tokens() if t != token] + [token]
        self._write(held)
        return credential

    def hold(self, issuer: str, tokens: list[str], key_of: KeyLookup, owner: str, now: datetime) -> int:
        """Exactly ``tokens`` of ``issuer`` from now on (its older ones go: revoked or replaced by a renewal), the
        others' kept; each must verify and be about ``owner``. How many of ``issuer``'s are held."""
        for token in tokens:
            credential = read(token, key_of, now)
            if credential.issuer != issuer or credential.subject != owner:
                raise InvalidInput(f"a credential from {credential.issuer} about {credential.subject} is not ours")
        others = [t for t in self.tokens() if _issuer(t) != issuer]
        if set(others + tokens) != set(self.tokens()):
            self._write(others + tokens)
        return len(tokens)

    def _write(self, held: list[str]) -> None:
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        temporary.write_text(json.dumps(held, indent=1), "utf-8")
        os.replace(temporary, self.path)


def _issuer(token: str) -> str | None:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    found = claims.get("iss")
    return found if isinstance(found, str) else None
