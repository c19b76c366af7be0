"""The participant directory: who is in the dataspace, their public keys, protocol and data-plane endpoints,
and whether each is an active member.

One interface (``Directory``), two sources: a JSON file (``load_directory``: offline and embedded use) and the
hub's signed directory (``identity/hub.py``). A suspended member is kept for its name and is otherwise absent:
no key, no endpoint. Addresses a peer names in its messages (callbacks, data addresses) are followed only under
the endpoints listed here (``under``), so that no member can steer this connector's requests elsewhere.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sangsaeng.encoding.moments import moment
from sangsaeng.errors import InvalidInput, NotFound, RetryLater
from sangsaeng.identity.keys import public_key_from_jwk
from sangsaeng.identity.status import StatusList

DEFAULT_PORTS = {"http": 80, "https": 443}
ACTIVE, SUSPENDED = "active", "suspended"
# Percent-encoded dots, slashes and backslashes: a server may decode them into path separators after our check.
_ENCODED_SEPARATOR = re.compile("%(2e|2f|5c)", re.IGNORECASE)


class UnsafeAddress(ValueError):
    """An address that cannot be compared with a prefix safely; the message says why."""


def normalised(url: str) -> str:
    """``url`` with its dot segments resolved, or ``UnsafeAddress`` when it is not a plain http(s) address.

    Refused rather than interpreted: userinfo (``http://a@b/`` goes to ``b``), queries and fragments, backslashes,
    percent-encoded dots and slashes, empty segments, spaces, controls and non-ASCII characters, and ``..``
    above the root — each a way to make a prefix check and the request disagree about where it goes."""
    if not url or any(not " " < ch <= "~" for ch in url):
        raise UnsafeAddress("it holds spaces, control or non-ASCII characters")
    if "\\" in url:
        raise UnsafeAddress("it holds a backslash")
    try:
        parts = urlsplit(url)
    except ValueError:  # unbalanced or invalid brackets around an IPv6 host
        raise UnsafeAddress("its host is not a valid name or address") from None
    if parts.scheme.lower() not in DEFAULT_PORTS:
        raise UnsafeAddress("only http and https addresses are followed")
    if "@" in parts.netloc:
        raise UnsafeAddress("it names a user (userinfo)")
    if "?" in url or "#" in url:
        raise UnsafeAddress("it has a query or a fragment")
    try:
        parts.port  # noqa: B018 - refuses a malformed port
    except ValueError:
        raise UnsafeAddress("its port is not a number from 0 to 65535") from None
    if not parts.hostname:
        raise UnsafeAddress("it names no host")
    if _ENCODED_SEPARATOR.search(parts.path):
        raise UnsafeAddress("it holds a percent-encoded dot, slash or backslash")
    segments: list[str] = []
    raw = parts.path.split("/")[1:] if parts.path else []
    for index, segment in enumerate(raw):
        if segment == "" and index < len(raw) - 1:
            raise UnsafeAddress("it has an empty path segment (//)")
        if segment == "..":
            if not segments:
                raise UnsafeAddress("its path climbs above the root")
            segments.pop()
        elif segment != ".":
            segments.append(segment)
    return urlunsplit((parts.scheme.lower(), parts.netloc, "/" + "/".join(segments), "", ""))


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS[parts.scheme]


def under(url: str, base: str) -> str | None:
    """``url`` normalised when it lies under ``base`` (same scheme, host and port; a path at or below base's,
    segment by segment), else None. Raises ``UnsafeAddress`` for an address that is refused whatever the base."""
    candidate, prefix = normalised(url), normalised(base)
    if _origin(candidate) != _origin(prefix):
        return None
    path, root = urlsplit(candidate).path.rstrip("/"), urlsplit(prefix).path.rstrip("/")
    return candidate if path == root or path.startswith(root + "/") else None


MAX_RETIRED = 8  # retired keys a directory entry may list (each rotation adds one; the oldest go first)


@dataclass(frozen=True)
class RetiredKey:
    """A key the participant used before its current one: signatures it made before ``until`` (agreements, log
    heads, bundles — each says when it was made) still verify with it; tokens never do."""

    key: dict[str, str]
    until: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "until": self.until.isoformat()}


@dataclass(frozen=True)
class Participant:
    id: str
    name: str
    public_key: dict[str, str]
    endpoint: str
    data_endpoint: str | None = None  # listed when the data plane is not at the protocol endpoint's ../data
    status: str = ACTIVE  # or SUSPENDED: kept for its name, absent for every request
    next_key: dict[str, str] | None = None  # during a key rotation: tokens signed by either key verify
    retired_keys: tuple[RetiredKey, ...] = ()  # its former keys, for what it signed before it changed them

    def key(self) -> Ed25519PublicKey:
        return public_key_from_jwk(self.public_key)

    def keys(self) -> tuple[Ed25519PublicKey, ...]:
        """The keys its signatures verify with: the listed one, and the next one during a rotation."""
        return (self.key(),) + ((public_key_from_jwk(self.next_key),) if self.next_key else ())

    def retired(self, at: datetime | None) -> tuple[Ed25519PublicKey, ...]:
        """Its former keys still good for something it signed at ``at`` (none when the moment is unknown)."""
        if at is None:
            return ()
        return tuple(public_key_from_jwk(r.key) for r in self.retired_keys if at < r.until)

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    @property
    def data_plane(self) -> str | None:
        """Where this participant's data plane serves transfers: listed, or beside a Sangsaeng ``…/dsp``."""
        if self.data_endpoint:
            return self.data_endpoint.rstrip("/")
        base = self.endpoint.rstrip("/")
        return base.removesuffix("/dsp") + "/data" if base.endswith("/dsp") else None

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": self.id, "name": self.name, "publicKey": self.public_key}
        entry["endpoint"] = self.endpoint
        if self.data_endpoint:
            entry["dataEndpoint"] = self.data_endpoint
        if self.status != ACTIVE:
            entry["status"] = self.status
        if self.next_key:
            entry["nextKey"] = self.next_key
        if self.retired_keys:
            entry["retiredKeys"] = [r.to_dict() for r in self.retired_keys]
        return entry


class Directory(Protocol):
    """Who is in the dataspace: what every check of a peer asks, answered from memory (no I/O on a request).

    ``get``, ``key_of``, ``keys_of`` and ``is_active`` decide about peers: a suspended member is absent from them
    (``get`` raises ``NotFound``, the keys are none), and a directory that can no longer be believed (the hub's,
    past its expiry) raises ``StaleDirectory``. ``find`` and ``participants`` are for showing names: they answer
    from the last list known, suspended members included."""

    def get(self, participant_id: str) -> Participant: ...
    def find(self, participant_id: str) -> Participant | None: ...
    def key_of(self, participant_id: str) -> Ed25519PublicKey | None: ...
    def keys_of(self, participant_id: str) -> tuple[Ed25519PublicKey, ...]: ...
    def keys_at(self, participant_id: str, at: datetime | None) -> tuple[Ed25519PublicKey, ...]:
        """The keys a signature the participant made at ``at`` verifies with: ``keys_of``, and its retired keys
        that were still its own then (an agreement, a log head or a bundle says when it was signed)."""
        ...

    def is_active(self, participant_id: str) -> bool: ...
    def participants(self) -> list[Participant]: ...
    def status_of(self, issuer: str) -> StatusList | None:
        """The status list ``issuer``'s credentials are checked against, or None when it keeps none."""
        ...


class StaleDirectory(RetryLater):
    """The hub's directory is past its expiry and no newer one could be verified: no peer can be checked."""

    code = "directory-stale"
    status = 503


class FixedDirectory:
    """A fixed list of participants: the directory file's (``load_directory``), or one verified copy of the
    hub's. Keys are parsed once, so a lookup costs a dictionary access."""

    def __init__(self, participants: list[Participant]) -> None:
        self._by_id = {p.id: p for p in participants}
        self._keys = {p.id: p.keys() for p in participants if p.active}

    def get(self, participant_id: str) -> Participant:
        found = self._by_id.get(participant_id)
        if found is None or not found.active:  # a suspended member is answered as an unknown one
            raise NotFound(f"participant {participant_id!r} is not in the directory")
        return found

    def find(self, participant_id: str) -> Participant | None:
        return self._by_id.get(participant_id)

    def key_of(self, participant_id: str) -> Ed25519PublicKey | None:
        keys = self._keys.get(participant_id)
        return keys[0] if keys else None

    def keys_of(self, participant_id: str) -> tuple[Ed25519PublicKey, ...]:
        return self._keys.get(participant_id, ())

    def keys_at(self, participant_id: str, at: datetime | None) -> tuple[Ed25519PublicKey, ...]:
        keys = self._keys.get(participant_id, ())
        return keys + self._by_id[participant_id].retired(at) if keys else ()

    def is_active(self, participant_id: str) -> bool:
        return participant_id in self._keys

    def participants(self) -> list[Participant]:
        return list(self._by_id.values())

    def status_of(self, issuer: str) -> StatusList | None:
        return None  # a file names no status lists: credentials of its issuers count without one

    @classmethod
    def from_dict(cls, data: Any, source: str = "directory") -> FixedDirectory:
        if not isinstance(data, dict) or not isinstance(data.get("participants"), list):
            raise InvalidInput(f"{source}: expected an object with a 'participants' list")
        entries = data["participants"]
        return cls([participant_of(entry, f"{source}: participants[{i}]") for i, entry in enumerate(entries)])

    def to_dict(self) -> dict[str, Any]:
        return {"participants": [p.to_dict() for p in self._by_id.values()]}


def participant_of(entry: Any, where: str) -> Participant:
    """One directory entry, checked whole: its keys parse and its addresses can be compared safely."""
    if not isinstance(entry, dict):
        raise InvalidInput(f"{where} is not an object", position=where)
    missing = [k for k in ("id", "name", "publicKey", "endpoint") if k not in entry]
    if missing:
        raise InvalidInput(f"{where} lacks {', '.join(missing)}", position=where)
    status = entry.get("status", ACTIVE)
    if status not in (ACTIVE, SUSPENDED):
        raise InvalidInput(f"{where}.status is {status!r}", position=where, hint=f"use {ACTIVE!r} or {SUSPENDED!r}")
    for field in ("publicKey", "nextKey"):
        if field in entry and not isinstance(entry[field], dict):
            raise InvalidInput(f"{where}.{field} is not a JWK object", position=where)
    retired = _retired_keys(entry.get("retiredKeys", []), f"{where}.retiredKeys")
    participant = Participant(
        id=str(entry["id"]),
        name=str(entry["name"]),
        public_key=dict(entry["publicKey"]),
        endpoint=str(entry["endpoint"]),
        data_endpoint=str(entry["dataEndpoint"]) if entry.get("dataEndpoint") else None,
        status=status,
        next_key=dict(entry["nextKey"]) if entry.get("nextKey") else None,
        retired_keys=retired,
    )
    participant.keys()  # refuse a malformed key now, not at the first request
    participant.retired(datetime.min.replace(tzinfo=UTC))
    for field, url in (("endpoint", participant.endpoint), ("dataEndpoint", participant.data_endpoint)):
        try:
            if url is not None:
                normalised(url)
        except UnsafeAddress as exc:
            raise InvalidInput(f"{where}.{field} is not a usable address: {exc}", position=where) from None
    return participant


def _retired_keys(given: Any, where: str) -> tuple[RetiredKey, ...]:
    if not isinstance(given, list) or len(given) > MAX_RETIRED:
        raise InvalidInput(f"{where} is not a list of at most {MAX_RETIRED} keys", position=where)
    found: list[RetiredKey] = []
    for i, item in enumerate(given):
        key, until = (item.get("key"), item.get("until")) if isinstance(item, dict) else (None, None)
        when = moment(until)
        if not isinstance(key, dict) or when is None:
            raise InvalidInput(
                f"{where}[{i}] is not a retired key",
                position=where,
                hint='each is {"key": <Ed25519 JWK>, "until": <ISO 8601 time with its offset>}',
            )
        found.append(RetiredKey(dict(key), when))
    return tuple(found)


def load_directory(path: Path) -> FixedDirectory:
    if not path.exists():
        return FixedDirectory([])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path} is not valid JSON: {exc}") from exc
    return FixedDirectory.from_dict(data, source=str(path))


def upsert_participant(path: Path, participant: Participant) -> None:
    """Add or replace one entry in a directory file (used by ``sangsaeng init --directory``)."""
    directory = load_directory(path)
    entries = [p for p in directory.participants() if p.id != participant.id] + [participant]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(FixedDirectory(entries).to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
