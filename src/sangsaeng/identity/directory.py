"""The participant directory: who is in the dataspace, their public key, protocol and data-plane endpoints.

For now a JSON file; the hub's directory replaces it later behind the same ``Directory`` interface. Addresses
a peer names in its messages (callbacks, data addresses) are followed only under the endpoints listed here
(``under``), so that no member can steer this connector's requests elsewhere.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sangsaeng.errors import InvalidInput, NotFound
from sangsaeng.identity.keys import public_key_from_jwk

DEFAULT_PORTS = {"http": 80, "https": 443}
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


@dataclass(frozen=True)
class Participant:
    id: str
    name: str
    public_key: dict[str, str]
    endpoint: str
    data_endpoint: str | None = None  # listed when the data plane is not at the protocol endpoint's ../data

    def key(self) -> Ed25519PublicKey:
        return public_key_from_jwk(self.public_key)

    @property
    def data_plane(self) -> str | None:
        """Where this participant's data plane serves transfers: listed, or beside a Sangsaeng ``…/dsp``."""
        if self.data_endpoint:
            return self.data_endpoint.rstrip("/")
        base = self.endpoint.rstrip("/")
        return base.removesuffix("/dsp") + "/data" if base.endswith("/dsp") else None

    def to_dict(self) -> dict[str, Any]:
        entry = {"id": self.id, "name": self.name, "publicKey": self.public_key, "endpoint": self.endpoint}
        return entry | ({"dataEndpoint": self.data_endpoint} if self.data_endpoint else {})


class Directory:
    def __init__(self, participants: list[Participant]) -> None:
        self._by_id = {p.id: p for p in participants}
        self._keys = {p.id: p.key() for p in participants}

    def get(self, participant_id: str) -> Participant:
        try:
            return self._by_id[participant_id]
        except KeyError:
            raise NotFound(f"participant {participant_id!r} is not in the directory") from None

    def find(self, participant_id: str) -> Participant | None:
        return self._by_id.get(participant_id)

    def key_of(self, participant_id: str) -> Ed25519PublicKey | None:
        return self._keys.get(participant_id)

    def participants(self) -> list[Participant]:
        return list(self._by_id.values())

    @classmethod
    def from_dict(cls, data: Any, source: str = "directory") -> Directory:
        if not isinstance(data, dict) or not isinstance(data.get("participants"), list):
            raise InvalidInput(f"{source}: expected an object with a 'participants' list")
        participants = []
        for index, entry in enumerate(data["participants"]):
            where = f"{source}: participants[{index}]"
            if not isinstance(entry, dict):
                raise InvalidInput(f"{where} is not an object")
            missing = [k for k in ("id", "name", "publicKey", "endpoint") if k not in entry]
            if missing:
                raise InvalidInput(f"{where} lacks {', '.join(missing)}", position=where)
            participant = Participant(
                id=str(entry["id"]),
                name=str(entry["name"]),
                public_key=dict(entry["publicKey"]),
                endpoint=str(entry["endpoint"]),
                data_endpoint=str(entry["dataEndpoint"]) if entry.get("dataEndpoint") else None,
            )
            participant.key()  # refuse a malformed key now, not at the first request
            for field, url in (("endpoint", participant.endpoint), ("dataEndpoint", participant.data_endpoint)):
                try:
                    if url is not None:
                        normalised(url)
                except UnsafeAddress as exc:
                    raise InvalidInput(f"{where}.{field} is not a usable address: {exc}", position=where) from None
            participants.append(participant)
        return cls(participants)

    def to_dict(self) -> dict[str, Any]:
        return {"participants": [p.to_dict() for p in self._by_id.values()]}


def load_directory(path: Path) -> Directory:
    if not path.exists():
        return Directory([])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path} is not valid JSON: {exc}") from exc
    return Directory.from_dict(data, source=str(path))


def upsert_participant(path: Path, participant: Participant) -> None:
    """Add or replace one entry in a directory file (used by ``sangsaeng init --directory``)."""
    directory = load_directory(path)
    entries = [p for p in directory.participants() if p.id != participant.id] + [participant]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(Directory(entries).to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
