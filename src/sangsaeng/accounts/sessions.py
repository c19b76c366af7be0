"""Signing in to the portal, as one service for the portal's pages, the management API and the CLI (the
``accounts`` use cases: sessions, lockouts, passwords).

- Failed sign-ins are counted in the state database, so they hold across restarts and across processes.
- Per source address: after ``portal_login_address_failures`` failures within a sliding window the address must
  wait until the oldest of them leaves the window; it is refused before any password is checked.
- Per account name: after ``portal_login_account_failures`` failures in a row the name is locked until an admin
  unlocks it. Names that are no account count and lock the same way, and cost the same hashing, so no answer
  tells whether a name exists. A successful sign-in clears the name's count.
- A session is a row keyed by the SHA-256 of a random id that only the browser holds; it ends after an idle
  time and an absolute lifetime, at sign-out, and (for every other session of the user) on a password change.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

import anyio

from sangsaeng.accounts import passwords as auth
from sangsaeng.connector import Connector
from sangsaeng.errors import NotFound
from sangsaeng.roles import Principal, require
from sangsaeng.store.records import PortalSession, User

ADDRESS, ACCOUNT = "address", "account"
TOUCH_EVERY = timedelta(seconds=60)  # last_seen is written at most this often: not one write per page
TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)

Outcome = Literal["ok", "failed", "throttled", "locked"]


@dataclass(frozen=True)
class Attempt:
    """What became of a sign-in (or of a password check on the change-password form)."""

    outcome: Outcome
    user: User | None = None
    token: str | None = None  # the new session's id, for the cookie; only on a sign-in that succeeded
    wait_minutes: int = 0  # when throttled: how long the address must wait


def id_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _name_ok(name: str) -> bool:
    """A name that could be an account: the store need not see anything else (NUL bytes, 10 kB names)."""
    return 0 < len(name) <= 128 and "\x00" not in name and name.isprintable()


class PortalSessions:
    def __init__(self, connector: Connector) -> None:
        self.c = connector
        s = connector.settings
        self.idle = timedelta(minutes=s.portal_session_idle_minutes)
        self.lifetime = timedelta(minutes=s.portal_session_max_minutes)
        self.window = timedelta(minutes=s.portal_login_address_window_minutes)
        self.address_limit = s.portal_login_address_failures
        self.account_limit = s.portal_login_account_failures

    # ---- signing in ------------------------------------------------------------------------------
    async def sign_in(self, name: str, password: str, address: str) -> Attempt:
        attempt = await self._check(name, password, address)
        if attempt.outcome != "ok" or attempt.user is None:
            return attempt
        token = secrets.token_urlsafe(32)
        now = self.c.now()
        session = PortalSession(
            id_hash(token), attempt.user.name, secrets.token_urlsafe(32), now, now, now + self.lifetime
        )
        async with self.c.store.begin() as tx:
            await tx.sessions.forget(now, now - self.idle)  # ended sessions go as new ones come
            await tx.sessions.add(session)
        return replace(attempt, token=token)

    async def _check(self, name: str, password: str, address: str) -> Attempt:
        """Throttle, lock, then the password: the one path every password check takes.

        Each try is counted as a failure, and committed, before it is judged, and is judged by the failures counted
        before it (not by all those committed when it looks): of tries sent at once, each then has a place in line,
        so no more passwords are checked than the limits allow (read-check-write let 30 simultaneous guesses
        through a limit of 5). A try refused by its address, or that succeeds, is taken back; one refused because
        the name is locked stays counted, so that tries taken back at the same moment never unlock it (they all
        did, each seeing the others, and the lock was gone on PostgreSQL)."""
        now = self.c.now()
        account = name if _name_ok(name) else None
        async with self.c.store.begin() as tx:
            await tx.sign_in_failures.forget(ADDRESS, now - self.window)
            by_address = await tx.sign_in_failures.add(ADDRESS, address, now)
            by_account = await tx.sign_in_failures.add(ACCOUNT, account, now) if account else None
        async with self.c.store.begin() as tx:
            recent = await tx.sign_in_failures.of(ADDRESS, address, since=now - self.window, before=by_address)
            # this try among them: the place it has in the name's line
            failures = len(await tx.sign_in_failures.of(ACCOUNT, account, before=by_account)) + 1 if account else 0
            user = await tx.users.get(account) if account else None
        if len(recent) >= self.address_limit:
            await self._take_back(by_address, by_account)
            return Attempt("throttled", wait_minutes=self._wait(recent, now))
        if failures > self.account_limit:
            await self._take_back(by_address, None)
            return Attempt("locked")
        if await anyio.to_thread.run_sync(auth.password_matches, user, password):
            await self._take_back(by_address, None)
            async with self.c.store.begin() as tx:
                await tx.sign_in_failures.clear(ACCOUNT, name)
            return Attempt("ok", user)
        if account and failures >= self.account_limit:
            if failures == self.account_limit:
                await self.c.audit.record("portal.account.locked", user=account, address=address, failures=failures)
            return Attempt("locked")
        if len(recent) + 1 >= self.address_limit:
            if len(recent) + 1 == self.address_limit:
                await self.c.audit.record("portal.address.throttled", address=address, failures=len(recent) + 1)
            return Attempt("throttled", wait_minutes=self._wait([*recent, now], now))
        return Attempt("failed")

    async def _take_back(self, *failure_ids: int | None) -> None:
        async with self.c.store.begin() as tx:
            for failure_id in failure_ids:
                if failure_id is not None:
                    await tx.sign_in_failures.drop(failure_id)

    def _wait(self, recent: list[datetime], now: datetime) -> int:
        """Minutes until the address is below its limit again: when the failure that tipped it leaves the window."""
        free_at = recent[-self.address_limit] + self.window
        return max(1, math.ceil((free_at - now).total_seconds() / 60))

    async def unlock(self, name: str, by: Principal) -> bool:
        """Lift an account's lock (and its count of failures); whether it was locked. Administrators only."""
        require(by, "user.manage")
        async with self.c.store.begin() as tx:
            if await tx.users.get(name) is None:
                raise NotFound(f"there is no user {name}", position="name")
            cleared = await tx.sign_in_failures.clear(ACCOUNT, name)
        locked = cleared >= self.account_limit
        await self.c.audit.record("portal.account.unlocked", user=name, by=by.name, was_locked=locked)
        return locked

    async def add_user(self, name: str, password: str, role: str, by: Principal) -> User:
        """A new portal user with ``role``. Administrators only."""
        require(by, "user.manage")
        return await auth.add_user(self.c.store, name, password, role, self.c.now())

    async def user(self, name: str) -> User | None:
        """The account of a signed-in name (None once it is gone)."""
        async with self.c.store.begin() as tx:
            return await tx.users.get(name)

    @staticmethod
    def principal(user: User) -> Principal:
        """A portal user acting through the portal, with the role they were given."""
        return Principal(user.name, user.role, "portal")

    # ---- sessions --------------------------------------------------------------------------------
    async def open(self, token: str | None) -> PortalSession | None:
        """The live session a cookie names, or None (unknown, ended, idle too long)."""
        if not token or len(token) != TOKEN_LENGTH:
            return None
        key, now = id_hash(token), self.c.now()
        async with self.c.store.begin() as tx:
            session = await tx.sessions.get(key)
            if session is None:
                return None
            if session.expires_at <= now or session.last_seen_at + self.idle <= now:
                await tx.sessions.delete(key)
                return None
            if now - session.last_seen_at >= TOUCH_EVERY:
                session = replace(session, last_seen_at=now)
                await tx.sessions.save(session)
        return session

    async def keep(self, session: PortalSession, data: dict[str, Any]) -> None:
        """Keep what a page put in the session (a message for the next page)."""
        async with self.c.store.begin() as tx:
            await tx.sessions.save(replace(session, data=data))

    async def sign_out(self, token: str | None) -> None:
        if token:
            async with self.c.store.begin() as tx:
                await tx.sessions.delete(id_hash(token))

    # ---- passwords -------------------------------------------------------------------------------
    async def change_password(self, session: PortalSession, current: str, new: str, address: str) -> Attempt:
        """The signed-in user's own change: the current password is checked (and counted) like a sign-in.
        Every other session of the user ends; this one stays, so the person is not sent to the login page."""
        auth.check_new_password(new)  # a new password too short is refused before any check
        attempt = await self._check(session.user_name, current, address)
        if attempt.outcome != "ok":
            return attempt
        # argon2 takes ~50 ms of CPU: in a thread, and only after the throttle let the try through.
        password_hash = await anyio.to_thread.run_sync(auth.hash_new_password, new)
        ended = await self._set(session.user_name, password_hash, keep=session.id_hash)
        await self.c.audit.record("portal.password.changed", user=session.user_name, by="self", sessions_ended=ended)
        return attempt

    async def set_password(self, name: str, new: str, by: Principal) -> int:
        """An admin's change (the CLI): every session of the user ends. Returns how many did."""
        require(by, "user.manage")
        ended = await self._set(name, await anyio.to_thread.run_sync(auth.hash_new_password, new), keep=None)
        await self.c.audit.record("portal.password.changed", user=name, by=by.name, sessions_ended=ended)
        return ended

    async def _set(self, name: str, password_hash: str, keep: str | None) -> int:
        async with self.c.store.begin() as tx:
            if await tx.users.get(name) is None:
                raise NotFound(f"there is no user {name}", position="name")
            await tx.users.set_password_hash(name, password_hash)
            return await tx.sessions.delete_of(name, keep=keep)
