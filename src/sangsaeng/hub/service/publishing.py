"""The hub's published documents: discovery (unsigned), the signed directory and the signed status list. Each is
signed when asked and kept while its ``seq`` is current and more than half its lifetime remains, so a burst of
members fetching costs one signature."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sangsaeng.connector import Connector
from sangsaeng.hub.documents import signed, status
from sangsaeng.hub.members.states import LISTED
from sangsaeng.hub.service.views import entry_of
from sangsaeng.hub.store.access import records_of
from sangsaeng.identity.directory import Participant
from sangsaeng.identity.keys import public_jwk


@dataclass
class _Kept:
    seq: int
    token: str
    signed_at: datetime


class Publishing:
    def __init__(self, connector: Connector) -> None:
        self.c = connector
        self._kept: dict[str, _Kept] = {}

    @property
    def base(self) -> str:
        return self.c.settings.public_url.rstrip("/")

    def own_entry(self) -> dict[str, Any]:
        """The hub in its own directory: a participant like its members."""
        s = self.c.settings
        me = Participant(
            s.participant_id, s.name, public_jwk(self.c.key.public_key()), s.protocol_url, self.base + "/data"
        )
        return me.to_dict() | {"status": "active", "attributes": {}}

    def discovery(self) -> dict[str, Any]:
        s = self.c.settings
        return {
            "id": s.participant_id,
            "name": s.name,
            "publicKey": public_jwk(self.c.key.public_key()),
            "directory": self.base + "/hub/directory",
            "status": self.base + "/hub/status",
            "catalog": self.base + "/hub/catalog",
            "refresh": s.hub_publish_refresh,
        }

    async def directory(self) -> str:
        async with self.c.store.begin() as tx:
            records = records_of(tx)
            seq = await records.counter("directory")
            kept = self._fresh("directory", seq, self.c.settings.hub_directory_lifetime)
            if kept is not None:
                return kept
            listed = await records.listed(tuple(sorted(LISTED)), limit=1_000_000)
        entries = [self.own_entry(), *(entry_of(m) for m in listed)]
        return self._sign(
            "directory", signed.DIRECTORY, seq, {"participants": entries}, self.c.settings.hub_directory_lifetime
        )

    async def status(self) -> str:
        async with self.c.store.begin() as tx:
            records = records_of(tx)
            seq = await records.counter("status")
            kept = self._fresh("status", seq, self.c.settings.hub_status_lifetime)
            if kept is not None:
                return kept
            revoked = await records.revoked_indexes()
        return self._sign(
            "status", signed.STATUS, seq, {"bits": status.encode(revoked)}, self.c.settings.hub_status_lifetime
        )

    def _fresh(self, name: str, seq: int, lifetime: int) -> str | None:
        kept = self._kept.get(name)
        if kept is None or kept.seq != seq or self.c.now() - kept.signed_at > timedelta(seconds=lifetime / 2):
            return None
        return kept.token

    def _sign(self, name: str, typ: str, seq: int, body: dict[str, Any], lifetime: int) -> str:
        now = self.c.now()
        token = signed.sign(self.c.key, typ, self.c.participant_id, seq, body, now, timedelta(seconds=lifetime))
        self._kept[name] = _Kept(seq, token, now)
        return token
