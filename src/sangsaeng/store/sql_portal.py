"""The SQL of portal sign-in: server-side sessions, password changes and failed sign-ins (a mixin of ``SqlTx``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from sangsaeng.store import tables as t
from sangsaeng.store.records import PortalSession

_S = t.portal_sessions
_F = t.login_failures


class PortalSql:
    conn: Any

    # sessions ------------------------------------------------------------------------------------
    async def add_session(self, session: PortalSession) -> None:
        await self.conn.execute(_S.insert().values(**_row(session)))

    async def get_session(self, id_hash: str) -> PortalSession | None:
        row = (await self.conn.execute(sa.select(_S).where(_S.c.id_hash == id_hash))).first()
        return None if row is None else PortalSession(**row._mapping)

    async def save_session(self, session: PortalSession) -> None:
        await self.conn.execute(_S.update().where(_S.c.id_hash == session.id_hash).values(**_row(session)))

    async def delete_session(self, id_hash: str) -> bool:
        result = await self.conn.execute(_S.delete().where(_S.c.id_hash == id_hash))
        return bool(result.rowcount)

    async def delete_sessions(self, user_name: str, *, keep: str | None = None) -> int:
        query = _S.delete().where(_S.c.user_name == user_name)
        if keep is not None:
            query = query.where(_S.c.id_hash != keep)
        return int((await self.conn.execute(query)).rowcount or 0)

    async def sessions_of(self, user_name: str) -> list[PortalSession]:
        rows = await self.conn.execute(sa.select(_S).where(_S.c.user_name == user_name).order_by(_S.c.created_at))
        return [PortalSession(**r._mapping) for r in rows]

    async def forget_sessions(self, now: datetime, idle_since: datetime) -> int:
        """Drop sessions past their absolute end or unused since ``idle_since``."""
        query = _S.delete().where(sa.or_(_S.c.expires_at <= now, _S.c.last_seen_at < idle_since))
        return int((await self.conn.execute(query)).rowcount or 0)

    async def set_password_hash(self, user_name: str, password_hash: str) -> None:
        await self.conn.execute(t.users.update().where(t.users.c.name == user_name).values(password_hash=password_hash))

    # failed sign-ins -----------------------------------------------------------------------------
    async def add_login_failure(self, scope: str, subject: str, at: datetime) -> int:
        """Count a failure (or a try about to be judged); its id, to take it back with ``drop_login_failure``."""
        result = await self.conn.execute(_F.insert().values(scope=scope, subject=subject, at=at))
        return int(result.inserted_primary_key[0])

    async def drop_login_failure(self, failure_id: int) -> None:
        await self.conn.execute(_F.delete().where(_F.c.id == failure_id))

    async def login_failures(self, scope: str, subject: str, since: datetime | None = None) -> list[datetime]:
        """When ``subject`` failed to sign in (since ``since``), oldest first."""
        query = sa.select(_F.c.at).where(_F.c.scope == scope, _F.c.subject == subject).order_by(_F.c.at)
        if since is not None:
            query = query.where(_F.c.at >= since)
        return [r[0] for r in await self.conn.execute(query)]

    async def clear_login_failures(self, scope: str, subject: str) -> int:
        result = await self.conn.execute(_F.delete().where(_F.c.scope == scope, _F.c.subject == subject))
        return int(result.rowcount or 0)

    async def forget_login_failures(self, scope: str, before: datetime) -> int:
        result = await self.conn.execute(_F.delete().where(_F.c.scope == scope, _F.c.at < before))
        return int(result.rowcount or 0)


def _row(session: PortalSession) -> dict[str, Any]:
    return {
        "id_hash": session.id_hash,
        "user_name": session.user_name,
        "csrf": session.csrf,
        "created_at": session.created_at,
        "last_seen_at": session.last_seen_at,
        "expires_at": session.expires_at,
        "data": session.data,
    }
