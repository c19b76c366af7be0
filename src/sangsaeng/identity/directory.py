"""The participant directory: who is in the dataspace, their public key and protocol endpoint.

For now a JSON file; the hub's directory replaces it later behind the same ``Directory`` interface.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sangsaeng.errors import InvalidInput, NotFound
from sangsaeng.identity.keys import public_key_from_jwk


@dataclass(frozen=True)
class Participant:
    id: str
    name: str
    public_key: dict[str, str]
    endpoint: str

    def key(self) -> Ed25519PublicKey:
        return public_key_from_jwk(self.public_key)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "publicKey": self.public_key, "endpoint": self.endpoint}


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
            )
            participant.key()  # refuse a malformed key now, not at the first request
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
