"""The hub's signed directory and status list, as a connector that trusts the hub holds them (docs/hub.md).

The connector pins the hub's id and key when it joins (``sangsaeng init --hub`` / ``sangsaeng hub join``); every
document it accepts later verifies with that key, is addressed from that hub (``iss``), is of the expected type,
is not expired, and carries a ``seq`` no lower than the last one it verified (so an old document, replayed,
cannot bring back a suspended member or an old key). The last verified copy of each is kept in the data
directory, so a restart while the hub is down works until that copy's ``exp``; past it the directory is stale
and every check of a peer is refused with ``StaleDirectory`` — the bound on trusting an old list.

Fetching is not done here (this package does no network I/O): ``sangsaeng.hubclient`` fetches the documents
every ``hub_refresh`` seconds and hands them to ``accept_directory`` / ``accept_status``. Lookups are answered
from memory.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sangsaeng.errors import InvalidInput
from sangsaeng.i18n.refusals import refused_as
from sangsaeng.identity.directory import FixedDirectory, Participant, StaleDirectory, participant_of
from sangsaeng.identity.keys import b64url, public_key_from_jwk
from sangsaeng.identity.status import StatusList, StatusListRefused, decode_bits

DIRECTORY_TYPE = "sangsaeng-directory"
STATUS_TYPE = "sangsaeng-status"
DIRECTORY_FILE = "hub-directory.jwt"
STATUS_FILE = "hub-status.jwt"


def fingerprint(jwk: dict[str, Any]) -> str:
    """The key's JWK thumbprint (RFC 7638 § 3, SHA-256 over the required members {crv, kty, x} of an OKP key,
    RFC 8037 § 2), base64url: what a person joining compares with what the hub's operator publishes."""
    required = {name: jwk[name] for name in ("crv", "kty", "x")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True, ensure_ascii=True)
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


class DocumentRefused(ValueError):
    """A hub document that is not accepted; the message says why (kept for the log and the operator)."""


@dataclass(frozen=True)
class HubPin:
    """What a connector pinned when it joined the hub: where it is, its participant id, its key."""

    url: str
    id: str
    key: Ed25519PublicKey

    @classmethod
    def of(cls, url: str, hub_id: str, jwk: dict[str, Any]) -> HubPin:
        return cls(url.rstrip("/"), hub_id, public_key_from_jwk(jwk))

    @property
    def directory_url(self) -> str:
        return f"{self.url}/hub/directory"

    @property
    def status_url(self) -> str:
        return f"{self.url}/hub/status"


def verify_document(token: str, pin: HubPin, typ: str, now: datetime, check_exp: bool = True) -> dict[str, Any]:
    """The claims of a hub document signed with the pinned key, or ``DocumentRefused`` saying why not."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            pin.key,
            algorithms=["EdDSA"],
            options={"require": ["iss", "iat", "exp"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.InvalidSignatureError:
        raise DocumentRefused("its signature does not verify with the hub key pinned at join") from None
    except jwt.PyJWTError as exc:
        raise DocumentRefused(f"it is not a valid signed document: {exc}") from None
    if claims.get("typ") != typ:
        raise DocumentRefused(f"it is a {claims.get('typ')!r}, not a {typ!r}")
    if claims["iss"] != pin.id:
        raise DocumentRefused(f"it was issued by {claims['iss']!r}, not the pinned hub {pin.id!r}")
    for name in ("iat", "exp", "seq"):
        if not isinstance(claims.get(name), int) or isinstance(claims.get(name), bool):
            raise DocumentRefused(f"its {name!r} is not an integer")
    if check_exp and claims["exp"] < now.timestamp():
        raise DocumentRefused(f"it expired at {_moment(claims['exp'])}")
    return claims


def _moment(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, tz=UTC).isoformat()


@dataclass(frozen=True)
class _Verified:
    seq: int
    expires_at: datetime
    token: str


class HubDirectory:
    """The ``Directory`` of a connector that trusts a hub: the last verified copy of the hub's directory."""

    def __init__(self, pin: HubPin, cache_dir: Path, now: Any, refresh: float = 60.0) -> None:
        self.pin = pin
        self.cache_dir = cache_dir
        self.refresh = refresh  # seconds between fetches: what a stale refusal asks the caller to wait
        self._now = now
        self._listing = FixedDirectory([])
        self._directory: _Verified | None = None
        self._status: StatusList | None = None
        self._status_doc: _Verified | None = None
        self.last_error: str | None = None  # why the last fetch or document was refused, for the log
        self._load_cached()

    # ---- what the fetcher hands in ---------------------------------------------------------------------------
    def accept_directory(self, token: str) -> bool:
        """Verify and keep a directory document; True when it replaced the one held. ``DocumentRefused``."""
        now = self._now()
        claims = verify_document(token, self.pin, DIRECTORY_TYPE, now)
        held = self._directory
        if not self._newer(claims, held, "directory"):
            return False
        listing = _listing_of(claims)
        self._directory = _Verified(claims["seq"], _at(claims["exp"]), token)
        self._listing = listing
        self._keep(DIRECTORY_FILE, token)
        return True

    def accept_status(self, token: str) -> bool:
        """Verify and keep a status-list document; True when it replaced the one held. ``DocumentRefused``."""
        now = self._now()
        claims = verify_document(token, self.pin, STATUS_TYPE, now)
        if not self._newer(claims, self._status_doc, "status list"):
            return False
        self._status = _status_of(claims, self.pin.id)
        self._status_doc = _Verified(claims["seq"], _at(claims["exp"]), token)
        self._keep(STATUS_FILE, token)
        return True

    def follow(self, reader: HubDirectory) -> None:
        """Take what ``reader``, pinned to the same hub, verified: the connectors one hub hosts share one reading of
        its documents instead of each verifying and parsing every member's key again (which made each sign-up cost
        the number of tenants times the number of members). Nothing older than what is held is taken; the copy on
        disk is left to this connector's own next fetch."""
        if reader.pin != self.pin:
            raise DocumentRefused("another hub's reading is not followed")
        theirs, mine = reader._directory, self._directory
        if theirs is not None and (mine is None or (theirs.seq, theirs.expires_at) > (mine.seq, mine.expires_at)):
            self._directory, self._listing = theirs, reader._listing
        theirs, mine = reader._status_doc, self._status_doc
        if theirs is not None and (mine is None or (theirs.seq, theirs.expires_at) > (mine.seq, mine.expires_at)):
            self._status_doc, self._status = theirs, reader._status

    @staticmethod
    def _newer(claims: dict[str, Any], held: _Verified | None, what: str) -> bool:
        if held is None:
            return True
        if claims["seq"] < held.seq:
            raise DocumentRefused(f"its seq {claims['seq']} is lower than the {what} already verified ({held.seq})")
        # The same seq re-signed for a longer life is taken; an equal one that lives less is not news.
        return claims["seq"] > held.seq or _at(claims["exp"]) > held.expires_at

    # ---- Directory ---------------------------------------------------------------------------------------------
    def get(self, participant_id: str) -> Participant:
        return self._fresh().get(participant_id)

    def find(self, participant_id: str) -> Participant | None:
        return self._listing.find(participant_id)

    def key_of(self, participant_id: str) -> Ed25519PublicKey | None:
        keys = self.keys_of(participant_id)
        return keys[0] if keys else None

    def keys_of(self, participant_id: str) -> tuple[Ed25519PublicKey, ...]:
        """A member's keys; the hub's own are the ones it lists and always the pinned one (its credentials
        verify with it even if the hub does not list itself)."""
        listed = self._fresh().keys_of(participant_id)
        return listed + (self.pin.key,) if participant_id == self.pin.id else listed

    def keys_at(self, participant_id: str, at: datetime | None) -> tuple[Ed25519PublicKey, ...]:
        listed = self._fresh().keys_at(participant_id, at)
        return listed + (self.pin.key,) if participant_id == self.pin.id else listed

    def is_active(self, participant_id: str) -> bool:
        return self._fresh().is_active(participant_id)

    def participants(self) -> list[Participant]:
        return self._listing.participants()

    def status_of(self, issuer: str) -> StatusList | None:
        """The hub's list for the hub's credentials (an empty, unbelieved one until a list verifies); other
        issuers keep none."""
        if issuer != self.pin.id:
            return None
        return self._status or StatusList(issuer, None, None)

    # ---- freshness ---------------------------------------------------------------------------------------------
    @property
    def expires_at(self) -> datetime | None:
        return self._directory.expires_at if self._directory else None

    @property
    def seq(self) -> int | None:
        return self._directory.seq if self._directory else None

    def stale(self) -> StaleDirectory | None:
        """Why no peer can be checked now (no directory verified yet, or the last one expired), or None."""
        held = self._directory
        if held is not None and self._now() <= held.expires_at:
            return None
        key = "hub.directory-stale" if held is not None else "hub.directory-none"
        return refused_as(
            StaleDirectory,
            "messages",
            key,
            expired=held.expires_at.isoformat() if held is not None else "",
            hub=self.pin.url,
            refresh=f"{self.refresh:g}",
            extra={"retryAfter": max(1, round(self.refresh)), "hub": self.pin.url, "lastError": self.last_error},
        )

    def as_listed(self) -> FixedDirectory | None:
        """The last verified listing however old, for checking offline what was signed (an agreement, a bundle):
        keys do not stop having signed what they signed when a directory expires. None before any verified."""
        return self._listing if self._directory is not None else None

    def _fresh(self) -> FixedDirectory:
        stale = self.stale()
        if stale is not None:
            raise stale
        return self._listing

    # ---- the copy on disk --------------------------------------------------------------------------------------
    def _keep(self, name: str, token: str) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        path = self.cache_dir / name
        temporary = path.with_name(f".{name}.tmp")
        temporary.write_text(token, "ascii")
        os.replace(temporary, path)

    def _load_cached(self) -> None:
        """The copies kept by an earlier run, if they still verify with the pinned key. An expired one is taken
        too: its names still show and its seq still bars older documents, though no peer is checked with it."""
        now = self._now()
        for name, typ in ((DIRECTORY_FILE, DIRECTORY_TYPE), (STATUS_FILE, STATUS_TYPE)):
            path = self.cache_dir / name
            try:
                token = path.read_text("ascii").strip()
                claims = verify_document(token, self.pin, typ, now, check_exp=False)
                verified = _Verified(claims["seq"], _at(claims["exp"]), token)
                if typ == DIRECTORY_TYPE:
                    self._listing, self._directory = _listing_of(claims), verified
                else:
                    self._status, self._status_doc = _status_of(claims, self.pin.id), verified
            except FileNotFoundError:
                continue
            except (OSError, UnicodeDecodeError, DocumentRefused) as exc:
                self.last_error = f"the kept copy {path} was not taken: {exc}"


def _at(stamp: int) -> datetime:
    return datetime.fromtimestamp(stamp, tz=UTC)


def _listing_of(claims: dict[str, Any]) -> FixedDirectory:
    entries = claims.get("participants")
    if not isinstance(entries, list):
        raise DocumentRefused("it has no 'participants' list")
    try:
        participants = [participant_of(entry, f"participants[{i}]") for i, entry in enumerate(entries)]
    except InvalidInput as exc:  # one bad entry: the hub's fault, and not to be half-believed
        raise DocumentRefused(exc.message) from None
    if len({p.id for p in participants}) != len(participants):
        raise DocumentRefused("it lists a participant twice")
    return FixedDirectory(participants)


def _status_of(claims: dict[str, Any], issuer: str) -> StatusList:
    bits = claims.get("bits")
    if not isinstance(bits, str):
        raise DocumentRefused("it has no 'bits'")
    try:
        decoded = decode_bits(bits)
    except StatusListRefused as exc:
        raise DocumentRefused(str(exc)) from None
    return StatusList(issuer, decoded, _at(claims["exp"]), claims["seq"])
