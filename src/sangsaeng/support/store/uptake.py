"""The table of programs taken up (migration ``s0007``): one row per member and program, its state now, its note
and its history of states with when (a short JSON list), and the grouped count the operator's figures read."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa

from sangsaeng.hub.members.ksic import Named
from sangsaeng.store.ports import Tx
from sangsaeng.store.sql import SqlTx
from sangsaeng.store.sql.common import Connection
from sangsaeng.store.tables import UtcDateTime
from sangsaeng.support.store.experts import programs
from sangsaeng.support.store.meta import metadata
from sangsaeng.support.uptake.model import Change, Uptake

uptake = sa.Table(
    "support_program_uptake",
    metadata,
    sa.Column("participant_id", sa.String(255), primary_key=True),
    sa.Column("program_id", sa.String(255), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("history", sa.JSON, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)
sa.Index("support_program_uptake_program", uptake.c.program_id)


def _kept(row: Any) -> Uptake:
    m = row._mapping
    history = tuple(Change(str(c["state"]), datetime.fromisoformat(c["at"])) for c in m["history"])
    return Uptake(m["participant_id"], m["program_id"], m["state"], m["note"], m["updated_at"], history)


class UptakeRecords:
    __slots__ = ("conn",)

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, participant_id: str, program_id: str) -> Uptake | None:
        key = (uptake.c.participant_id == participant_id) & (uptake.c.program_id == program_id)
        row = (await self.conn.execute(sa.select(uptake).where(key))).first()
        return None if row is None else _kept(row)

    async def put(self, kept: Uptake) -> None:
        """The member's take-up of the program, replacing what was kept of it."""
        key = (uptake.c.participant_id == kept.participant_id) & (uptake.c.program_id == kept.program_id)
        await self.conn.execute(uptake.delete().where(key))
        history = [{"state": c.state, "at": c.at.isoformat()} for c in kept.history]
        await self.conn.execute(
            uptake.insert().values(
                participant_id=kept.participant_id,
                program_id=kept.program_id,
                state=kept.state,
                note=kept.note,
                history=history,
                updated_at=kept.updated_at,
            )
        )

    async def of(self, participant_id: str) -> list[Uptake]:
        """The member's take-ups, the latest changed first."""
        statement = (
            sa.select(uptake)
            .where(uptake.c.participant_id == participant_id)
            .order_by(uptake.c.updated_at.desc(), uptake.c.program_id)
        )
        return [_kept(row) for row in await self.conn.execute(statement)]

    async def by_program(self) -> list[tuple[str, Named, dict[str, int]]]:
        """Each program that is listed or was taken up: its id, its names, and its members per state (states
        without a member absent); by Korean name."""
        statement = (
            sa.select(
                programs.c.id, programs.c.name_ko, programs.c.name_en, uptake.c.state, sa.func.count(uptake.c.state)
            )
            .select_from(programs.outerjoin(uptake, uptake.c.program_id == programs.c.id))
            .where(programs.c.retired_at.is_(None) | uptake.c.state.is_not(None))
            .group_by(programs.c.id, programs.c.name_ko, programs.c.name_en, uptake.c.state)
            .order_by(programs.c.name_ko, programs.c.id)
        )
        found: dict[str, tuple[str, Named, dict[str, int]]] = {}
        for program_id, ko, en, state, count in await self.conn.execute(statement):
            entry = found.setdefault(program_id, (program_id, Named(ko, en), {}))
            if state is not None:
                entry[2][str(state)] = int(count)
        return list(found.values())


def records_of(tx: Tx) -> UptakeRecords:
    return UptakeRecords(cast(SqlTx, tx).conn)
