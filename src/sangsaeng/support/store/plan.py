"""The plan's records: what members want of their partners (``support_wants``), and the members a want names
(``support_want_addressees``, so that a member's wants are found by an index, not by reading every want's JSON).
On the connector store's transaction connection, as the hub's records are (``hub/store/access.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa

from sangsaeng.store.ports import Tx
from sangsaeng.store.sql import SqlTx
from sangsaeng.store.sql.common import ById, Connection, Rows
from sangsaeng.store.tables import UtcDateTime
from sangsaeng.support.store.meta import metadata

Id = sa.String(255)

wants = sa.Table(
    "support_wants",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("asker", Id, nullable=False, index=True),  # the asking member's participant id
    sa.Column("entity", sa.String(64), nullable=False),
    sa.Column("to_chain", sa.Text, nullable=True),  # addressed by tier: a chain of the asker's and a tier in it
    sa.Column("to_tier", sa.String(16), nullable=True),
    sa.Column("to_members", sa.JSON, nullable=True),  # addressed by name: participant ids
    sa.Column("why", sa.Text, nullable=False),
    sa.Column("template", sa.String(64), nullable=True),
    sa.Column("state", sa.String(16), nullable=False, index=True),  # open | withdrawn
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

want_addressees = sa.Table(
    "support_want_addressees",
    metadata,
    sa.Column("want", Id, sa.ForeignKey("support_wants.id"), primary_key=True),
    sa.Column("member", Id, primary_key=True, index=True),
)


@dataclass
class WantRecord:
    id: str
    asker: str
    entity: str
    to_chain: str | None
    to_tier: str | None
    to_members: list[str] | None
    why: str
    template: str | None
    state: str
    created_at: datetime
    updated_at: datetime


_WANTS = ById(wants)


class WantRecords(Rows):
    __slots__ = ()

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)

    async def add(self, want: WantRecord) -> None:
        await self._insert(_WANTS, want)
        for member in dict.fromkeys(want.to_members or ()):
            await self.conn.execute(want_addressees.insert(), {"want": want.id, "member": member})

    async def get(self, want_id: str, for_update: bool = False) -> WantRecord | None:
        return await self._get(_WANTS, WantRecord, want_id, for_update)

    async def save(self, want: WantRecord) -> None:
        """Its state and time written back (who is addressed never changes)."""
        await self._save(_WANTS, want, "want")

    async def of_asker(self, asker: str, states: tuple[str, ...] | None = None) -> list[WantRecord]:
        """The member's own wants, oldest first."""
        statement: Any = sa.select(wants).where(wants.c.asker == asker)
        if states is not None:
            statement = statement.where(wants.c.state.in_(states))
        return await self._all(WantRecord, statement.order_by(wants.c.created_at, wants.c.id))

    async def open_count(self, asker: str) -> int:
        statement = sa.select(sa.func.count()).select_from(wants).where(wants.c.asker == asker, wants.c.state == "open")
        return int((await self.conn.execute(statement)).scalar_one())

    async def addressed_to(self, member: str, tiers: list[tuple[str, str]], limit: int = 500) -> list[WantRecord]:
        """Open wants of other members addressed to ``member``: by name, or by one of its (chain, tier) pairs;
        oldest first."""
        named = sa.select(want_addressees.c.want).where(want_addressees.c.member == member)
        reached = [wants.c.id.in_(named)] + [
            sa.and_(wants.c.to_chain == chain, wants.c.to_tier == tier) for chain, tier in tiers
        ]
        statement = (
            sa.select(wants)
            .where(wants.c.state == "open", wants.c.asker != member, sa.or_(*reached))
            .order_by(wants.c.created_at, wants.c.id)
            .limit(limit)
        )
        return await self._all(WantRecord, statement)


def wants_of(tx: Tx) -> WantRecords:
    return WantRecords(cast(SqlTx, tx).conn)
