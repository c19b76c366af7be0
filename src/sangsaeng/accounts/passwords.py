"""Portal users: argon2id password hashes and the account record with its role (``roles.py`` says what each role
may do)."""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError

from sangsaeng.errors import Conflict, InvalidInput
from sangsaeng.roles import PUBLISHERS as PUBLISHERS
from sangsaeng.roles import ROLES as ROLES
from sangsaeng.store.ports import Store
from sangsaeng.store.records import User

_hasher = PasswordHasher()


async def add_user(store: Store, name: str, password: str, role: str, now: datetime) -> User:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}", position="role", hint=f"one of {', '.join(ROLES)}")
    if not name.strip() or len(name) > 128:
        raise InvalidInput("a user needs a name (at most 128 characters)", position="name")
    user = User(name.strip(), hash_new_password(password), role, now)
    async with store.begin() as tx:
        if await tx.users.get(user.name) is not None:
            raise Conflict(f"a user {user.name} exists already", position="name")
        await tx.users.add(user)
    return user


def check_new_password(password: str) -> None:
    if len(password) < 10:
        raise InvalidInput("a password needs at least 10 characters", position="password")
    if len(password) > 1024:
        raise InvalidInput("a password may have at most 1024 characters", position="password")


def hash_new_password(password: str) -> str:
    check_new_password(password)
    return _hasher.hash(password)


def password_matches(user: User | None, password: str) -> bool:
    """Whether ``password`` is ``user``'s; as much work when there is no such user (the timing tells nothing)."""
    if user is None:
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError):
        return False
