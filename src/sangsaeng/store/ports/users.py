"""The stores of portal sign-in: users, their sessions (only a hash of a session's id), and failed sign-ins."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sangsaeng.store.records import PortalSession, User


class Users(Protocol):
    async def add(self, user: User) -> None:
        """Keep a new user. ``Conflict`` when a user of that name is stored already."""
        ...

    async def get(self, name: str) -> User | None: ...

    async def all(self) -> list[User]:
        """Every user, by name."""
        ...

    async def set_password_hash(self, user_name: str, password_hash: str) -> None:
        """``NotFound`` when there is no such user."""
        ...


class Sessions(Protocol):
    async def add(self, session: PortalSession) -> None:
        """Keep a new session. ``Conflict`` when its id hash is stored already or its user is not stored."""
        ...

    async def get(self, id_hash: str) -> PortalSession | None: ...

    async def save(self, session: PortalSession) -> None:
        """Write back a session (last seen, page data). A session ended meanwhile (signed out in another tab)
        stays ended: saving it is a no-op."""
        ...

    async def delete(self, id_hash: str) -> bool:
        """End one session; whether it was there."""
        ...

    async def delete_of(self, user_name: str, *, keep: str | None = None) -> int:
        """End a user's sessions, except ``keep``; how many ended."""
        ...

    async def of(self, user_name: str) -> list[PortalSession]:
        """A user's sessions, oldest first (by creation, then id hash)."""
        ...

    async def forget(self, now: datetime, idle_since: datetime) -> int:
        """End sessions past their absolute end at ``now`` or unused since ``idle_since``; how many ended."""
        ...


class SignInFailures(Protocol):
    """Failed sign-ins, counted per scope ("address", "account") and subject."""

    async def add(self, scope: str, subject: str, at: datetime) -> int:
        """Count a failure (or a try about to be judged); its id, to take it back with ``drop``."""
        ...

    async def drop(self, failure_id: int) -> None: ...

    async def of(
        self, scope: str, subject: str, since: datetime | None = None, before: int | None = None
    ) -> list[datetime]:
        """When ``subject`` failed (at or after ``since``; counted before the failure ``before``, by the ids ``add``
        returned, which grow in the order failures are counted), oldest first."""
        ...

    async def clear(self, scope: str, subject: str) -> int:
        """Forget a subject's failures; how many there were."""
        ...

    async def forget(self, scope: str, before: datetime) -> int:
        """Forget the failures of a scope before a moment; how many."""
        ...
