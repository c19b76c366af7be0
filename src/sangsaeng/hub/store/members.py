"""The SQL adapter of the hub's records, on one transaction's connection (the connector store's ``tx.conn``): the
hub's writes and the log entries of the same decision commit or roll back together."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from sangsaeng.hub.store.records import CredentialRecord, MemberRecord
from sangsaeng.hub.store.tables import applications, counters, credentials
from sangsaeng.store.sql.common import ById, Connection, Rows, record

_APPLICATIONS = ById(applications)
_BY_PARTICIPANT = sa.select(applications).where(applications.c.participant_id == sa.bindparam("pid"))
_COUNTER = sa.select(counters.c.value).where(counters.c.name == sa.bindparam("name"))
_BUMP = counters.update().where(counters.c.name == sa.bindparam("key")).values(value=counters.c.value + 1)


class HubRecords(Rows):
    __slots__ = ()

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)

    # ---- applications and members ----------------------------------------------------------------
    async def add(self, member: MemberRecord) -> None:
        await self._insert(_APPLICATIONS, member)

    async def get(self, application: str, for_update: bool = False) -> MemberRecord | None:
        return await self._get(_APPLICATIONS, MemberRecord, application, for_update)

    async def by_participant(self, participant_id: str, for_update: bool = False) -> MemberRecord | None:
        statement = _BY_PARTICIPANT.with_for_update() if for_update and self.lock_rows else _BY_PARTICIPANT
        row = (await self.conn.execute(statement, {"pid": participant_id})).first()
        return None if row is None else record(MemberRecord, row)

    async def save(self, member: MemberRecord) -> None:
        await self._save(_APPLICATIONS, member, "application")

    async def listed(
        self, states: tuple[str, ...] | None = None, limit: int = 1000, offset: int = 0
    ) -> list[MemberRecord]:
        """Applications oldest first (ties by id), of the given states or all."""
        statement: Any = sa.select(applications)
        if states is not None:
            statement = statement.where(applications.c.state.in_(states))
        statement = statement.order_by(applications.c.applied_at, applications.c.id).limit(limit).offset(offset)
        return await self._all(MemberRecord, statement)

    # ---- credentials -----------------------------------------------------------------------------
    async def add_credential(self, credential: CredentialRecord) -> None:
        await self.conn.execute(credentials.insert(), {**vars(credential)})

    async def credentials_of(self, participant_id: str) -> list[CredentialRecord]:
        statement = (
            sa.select(credentials)
            .where(credentials.c.participant_id == participant_id)
            .order_by(credentials.c.issued_at, credentials.c.jti)
        )
        return await self._all(CredentialRecord, statement)

    async def revoke_all(self, participant_id: str) -> list[int]:
        """Every credential of the member revoked; the status indexes that are now revoked."""
        await self.conn.execute(
            credentials.update().where(credentials.c.participant_id == participant_id).values(revoked=True)
        )
        found = await self.conn.execute(
            sa.select(credentials.c.idx).where(credentials.c.participant_id == participant_id).distinct()
        )
        return sorted(int(row[0]) for row in found)

    async def revoked_indexes(self) -> list[int]:
        found = await self.conn.execute(sa.select(credentials.c.idx).where(credentials.c.revoked).distinct())
        return sorted(int(row[0]) for row in found)

    # ---- counters --------------------------------------------------------------------------------
    async def counter(self, name: str) -> int:
        row = (await self.conn.execute(_COUNTER, {"name": name})).first()
        return int(row[0]) if row is not None else 0

    async def bump(self, name: str) -> int:
        """The counter one higher (a row lock on PostgreSQL: concurrent decisions take turns), its new value."""
        await self.conn.execute(_BUMP, {"key": name})
        return await self.counter(name)
