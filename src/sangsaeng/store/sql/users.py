"""SQL adapters of portal sign-in: users, server-side sessions (kept by the hash of their id), failed sign-ins."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from sangsaeng.errors import NotFound
from sangsaeng.store import tables as t
from sangsaeng.store.records import PortalSession, User
from sangsaeng.store.sql.common import Rows, record, values

_U, _S, _F = t.users, t.portal_sessions, t.login_failures
_USER = sa.select(_U).where(_U.c.name == sa.bindparam("name"))
_SESSION = sa.select(_S).where(_S.c.id_hash == sa.bindparam("key"))
_SAVE_SESSION = _S.update().where(_S.c.id_hash == sa.bindparam("key"))


class SqlUsers(Rows):
    __slots__ = ()

    async def add(self, user: User) -> None:
        await self.conn.execute(_U.insert(), values(user))

    async def get(self, name: str) -> User | None:
        row = (await self.conn.execute(_USER, {"name": name})).first()
        return None if row is None else record(User, row)

    async def all(self) -> list[User]:
        return await self._all(User, sa.select(_U).order_by(_U.c.name))

    async def set_password_hash(self, user_name: str, password_hash: str) -> None:
        changed = await self.conn.execute(_U.update().where(_U.c.name == user_name).values(password_hash=password_hash))
        if not changed.rowcount:
            raise NotFound(f"there is no user {user_name}", position="name", details={"record": "user"})


class SqlSessions(Rows):
    __slots__ = ()

    async def add(self, session: PortalSession) -> None:
        await self.conn.execute(_S.insert(), values(session))

    async def get(self, id_hash: str) -> PortalSession | None:
        row = (await self.conn.execute(_SESSION, {"key": id_hash})).first()
        return None if row is None else record(PortalSession, row)

    async def save(self, session: PortalSession) -> None:
        await self.conn.execute(_SAVE_SESSION, {**values(session), "key": session.id_hash})

    async def delete(self, id_hash: str) -> bool:
        return bool((await self.conn.execute(_S.delete().where(_S.c.id_hash == id_hash))).rowcount)

    async def delete_of(self, user_name: str, *, keep: str | None = None) -> int:
        query = _S.delete().where(_S.c.user_name == user_name)
        if keep is not None:
            query = query.where(_S.c.id_hash != keep)
        return int((await self.conn.execute(query)).rowcount or 0)

    async def of(self, user_name: str) -> list[PortalSession]:
        query = sa.select(_S).where(_S.c.user_name == user_name).order_by(_S.c.created_at, _S.c.id_hash)
        return await self._all(PortalSession, query)

    async def forget(self, now: datetime, idle_since: datetime) -> int:
        query = _S.delete().where(sa.or_(_S.c.expires_at <= now, _S.c.last_seen_at < idle_since))
        return int((await self.conn.execute(query)).rowcount or 0)


class SqlSignInFailures(Rows):
    __slots__ = ()

    async def add(self, scope: str, subject: str, at: datetime) -> int:
        result = await self.conn.execute(_F.insert().values(scope=scope, subject=subject, at=at))
        return int(result.inserted_primary_key[0])

    async def drop(self, failure_id: int) -> None:
        await self.conn.execute(_F.delete().where(_F.c.id == failure_id))

    async def of(
        self, scope: str, subject: str, since: datetime | None = None, before: int | None = None
    ) -> list[datetime]:
        query = sa.select(_F.c.at).where(_F.c.scope == scope, _F.c.subject == subject).order_by(_F.c.at, _F.c.id)
        if since is not None:
            query = query.where(_F.c.at >= since)
        if before is not None:
            query = query.where(_F.c.id < before)
        return [r[0] for r in await self.conn.execute(query)]

    async def clear(self, scope: str, subject: str) -> int:
        result = await self.conn.execute(_F.delete().where(_F.c.scope == scope, _F.c.subject == subject))
        return int(result.rowcount or 0)

    async def forget(self, scope: str, before: datetime) -> int:
        result = await self.conn.execute(_F.delete().where(_F.c.scope == scope, _F.c.at < before))
        return int(result.rowcount or 0)
