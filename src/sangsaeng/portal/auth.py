"""Portal users: argon2id password hashes, three roles, and CSRF tokens bound to the session."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError

from sangsaeng.errors import Conflict, InvalidInput
from sangsaeng.store.ports import Store
from sangsaeng.store.records import User

ROLES = ("admin", "steward", "viewer")
PUBLISHERS = frozenset({"admin", "steward"})  # may add data, publish offers, approve, terminate
_hasher = PasswordHasher()


async def add_user(store: Store, name: str, password: str, role: str, now: datetime) -> User:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}", position="role", hint=f"one of {', '.join(ROLES)}")
    if not name.strip() or len(name) > 128:
        raise InvalidInput("a user needs a name (at most 128 characters)", position="name")
    if len(password) < 10:
        raise InvalidInput("a password needs at least 10 characters", position="password")
    user = User(name.strip(), _hasher.hash(password), role, now)
    async with store.begin() as tx:
        if await tx.get_user(user.name) is not None:
            raise Conflict(f"a user {user.name} exists already", position="name")
        await tx.add_user(user)
    return user


async def check_password(store: Store, name: str, password: str) -> User | None:
    async with store.begin() as tx:
        user = await tx.get_user(name)
    if user is None:
        _hasher.hash(password)  # the same work whether or not the name exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError):
        return None
    return user


def csrf_token(session: dict[str, Any]) -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_valid(session: dict[str, Any], given: str | None) -> bool:
    expected = session.get("csrf")
    return isinstance(expected, str) and isinstance(given, str) and hmac.compare_digest(expected, given)
