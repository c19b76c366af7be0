"""The hub's own connector directory: its members as its store lists them (approved and suspended) and itself.

The hub is a participant among its members: it verifies their protocol tokens, asks them for their catalogs, and
checks the credentials it issued. It needs no file and no fetch for that — it holds the truth. ``reload`` reads
the store and swaps the whole listing at once; the hub calls it when it starts and after every decision that
changes the directory (approval, suspension, reinstatement, a key announced or promoted), so a suspended member
is refused by the hub itself from the moment the decision commits. The hub's own status list is held too: a
credential it revoked does not count at the hub either.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sangsaeng.connector import Connector
from sangsaeng.hub.documents import status
from sangsaeng.hub.members.states import LISTED
from sangsaeng.hub.service.views import attributes_of, entry_of
from sangsaeng.hub.store.access import records_of
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.identity.directory import FixedDirectory, Participant, participant_of
from sangsaeng.identity.status import StatusList

# The hub's own list never goes stale (it is the source); believed for a century, re-read on every change.
_FOR_GOOD = timedelta(days=36500)


class MembersDirectory:
    """The ``Directory`` of the hub's root connector, fed from the hub's store."""

    def __init__(self, own: Participant, hub_id: str) -> None:
        self.hub_id = hub_id
        self._own = own
        self._listing = FixedDirectory([own])
        self._status: StatusList | None = None
        self._active: list[tuple[MemberRecord, dict[str, list[str]]]] = []
        self.seq = -1  # the directory counter of the listing held

    async def reload(self, connector: Connector) -> None:
        """The store's members now (active and suspended) and the revoked status indexes, taken at once."""
        async with connector.store.begin() as tx:
            records = records_of(tx)
            seq = await records.counter("directory")
            listed = await records.listed(tuple(sorted(LISTED)), limit=1_000_000)
            revoked = await records.revoked_indexes()
        members = [participant_of(entry_of(m), f"member {m.participant_id}") for m in listed]
        listing = FixedDirectory([self._own, *(m for m in members if m.id != self._own.id)])
        bits = status.decode(status.encode(revoked))
        active = [(m, attributes_of(m)) for m in listed if m.state == "approved" and m.participant_id != self.hub_id]
        self._listing, self._active, self.seq = listing, active, seq
        self._status = StatusList(self.hub_id, bits, connector.now() + _FOR_GOOD, seq)

    def active_records(self) -> list[tuple[MemberRecord, dict[str, list[str]]]]:
        """The members the hub deals with now (itself excluded), with their attested attributes."""
        return list(self._active)

    # ---- Directory ---------------------------------------------------------------------------------------------
    def get(self, participant_id: str) -> Participant:
        return self._listing.get(participant_id)

    def find(self, participant_id: str) -> Participant | None:
        return self._listing.find(participant_id)

    def key_of(self, participant_id: str) -> Ed25519PublicKey | None:
        return self._listing.key_of(participant_id)

    def keys_of(self, participant_id: str) -> tuple[Ed25519PublicKey, ...]:
        return self._listing.keys_of(participant_id)

    def keys_at(self, participant_id: str, at: datetime | None) -> tuple[Ed25519PublicKey, ...]:
        return self._listing.keys_at(participant_id, at)

    def is_active(self, participant_id: str) -> bool:
        return self._listing.is_active(participant_id)

    def participants(self) -> list[Participant]:
        return self._listing.participants()

    def status_of(self, issuer: str) -> StatusList | None:
        return self._status if issuer == self.hub_id else None
