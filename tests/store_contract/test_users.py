"""Contract of portal sign-in's ports (``store/ports/users.py``): users, sessions and failed sign-ins."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from sangsaeng.errors import Conflict, NotFound
from sangsaeng.store.ports import Store
from tests.store_contract.builders import T0, session, user

pytestmark = pytest.mark.anyio
A, B, C, D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)


async def test_users_read_back_by_name_and_list_by_name(store: Store) -> None:
    async with store.begin() as tx:
        for name in ("이순신", "kim", "admin"):
            await tx.users.add(user(name))
    async with store.begin() as tx:
        assert await tx.users.get("kim") == user("kim")
        assert await tx.users.get("nobody") is None
        assert [u.name for u in await tx.users.all()] == sorted(["이순신", "kim", "admin"])


async def test_a_second_user_with_the_same_name_is_a_conflict(store: Store) -> None:
    async with store.begin() as tx:
        await tx.users.add(user("kim"))
    with pytest.raises(Conflict) as refused:
        async with store.begin() as tx:
            await tx.users.add(user("lee"))
            await tx.users.add(user("kim", role="admin"))
    assert refused.value.details == {"record": "user"}
    async with store.begin() as tx:
        assert await tx.users.all() == [user("kim")]


async def test_a_password_hash_changes_only_for_a_stored_user(store: Store) -> None:
    async with store.begin() as tx:
        await tx.users.add(user("kim"))
        await tx.users.add(user("lee"))
        await tx.users.set_password_hash("kim", "another-hash")
    with pytest.raises(NotFound):
        async with store.begin() as tx:
            await tx.users.set_password_hash("nobody", "x")
    async with store.begin() as tx:
        assert [(u.name, u.password_hash) for u in await tx.users.all()] == [
            ("kim", "another-hash"),
            ("lee", "argon2-hash"),
        ]


async def test_sessions_are_kept_by_hash_saved_and_ended_by_user(store: Store) -> None:
    async with store.begin() as tx:
        for name in ("kim", "lee"):
            await tx.users.add(user(name))
        await tx.sessions.add(session(B, "kim", T0 + timedelta(hours=1)))
        await tx.sessions.add(session(A, "kim", T0, {"flash": "offer.published"}))
        await tx.sessions.add(session(C, "lee"))
    async with store.begin() as tx:
        assert await tx.sessions.get(A) == session(A, "kim", T0, {"flash": "offer.published"})
        assert await tx.sessions.get(D) is None
        touched = replace(session(A, "kim"), last_seen_at=T0 + timedelta(minutes=5))
        await tx.sessions.save(touched)
    async with store.begin() as tx:
        assert await tx.sessions.get(A) == touched
        assert [s.id_hash for s in await tx.sessions.of("kim")] == [A, B]  # oldest first
        assert await tx.sessions.delete_of("kim", keep=B) == 1
        assert [s.id_hash for s in await tx.sessions.of("kim")] == [B]
        assert await tx.sessions.delete(B) is True and await tx.sessions.delete(B) is False
        assert await tx.sessions.delete_of("nobody") == 0 and await tx.sessions.of("nobody") == []
        await tx.sessions.save(session(B, "kim"))  # ended meanwhile: stays ended
        assert await tx.sessions.get(B) is None
        assert [s.id_hash for s in await tx.sessions.of("lee")] == [C]


async def test_sessions_end_past_their_absolute_end_or_when_idle(store: Store) -> None:
    async with store.begin() as tx:
        await tx.users.add(user("kim"))
        await tx.sessions.add(session(A, "kim", T0))
        await tx.sessions.add(session(B, "kim", T0 + timedelta(hours=2)))
    async with store.begin() as tx:  # A idle since T0, B fresh
        assert await tx.sessions.forget(T0 + timedelta(hours=3), idle_since=T0 + timedelta(minutes=30)) == 1
        assert [s.id_hash for s in await tx.sessions.of("kim")] == [B]
    async with store.begin() as tx:  # past its absolute end (8 hours), however recently used
        assert await tx.sessions.forget(T0 + timedelta(hours=10), idle_since=T0) == 1
        assert await tx.sessions.of("kim") == []


async def test_a_session_twice_or_for_no_user_is_a_conflict(store: Store) -> None:
    async with store.begin() as tx:
        await tx.users.add(user("kim"))
        await tx.sessions.add(session(A, "kim"))
    with pytest.raises(Conflict) as twice:
        async with store.begin() as tx:
            await tx.sessions.add(session(A, "kim", T0 + timedelta(hours=1)))
    with pytest.raises(Conflict) as orphan:
        async with store.begin() as tx:
            await tx.sessions.add(session(B, "nobody"))
    assert twice.value.details == {"record": "portal session"}
    assert orphan.value.details == {"record": "portal session", "missing": "user"}
    async with store.begin() as tx:
        assert await tx.sessions.of("kim") == [session(A, "kim")] and await tx.sessions.get(B) is None


async def test_failed_sign_ins_are_counted_by_scope_subject_and_window(store: Store) -> None:
    async with store.begin() as tx:
        for minute in (10, 0, 5):
            await tx.sign_in_failures.add("address", "10.0.0.1", T0 + timedelta(minutes=minute))
        await tx.sign_in_failures.add("account", "10.0.0.1", T0)  # the same subject in another scope
        await tx.sign_in_failures.add("account", "김민준", T0)
    async with store.begin() as tx:
        failures = tx.sign_in_failures
        assert await failures.of("address", "10.0.0.1") == [T0 + timedelta(minutes=m) for m in (0, 5, 10)]
        assert await failures.of("address", "10.0.0.1", since=T0 + timedelta(minutes=5)) == [
            T0 + timedelta(minutes=m) for m in (5, 10)
        ]
        assert await failures.of("account", "김민준") == [T0] and await failures.of("address", "10.0.0.2") == []
        assert await failures.forget("address", T0 + timedelta(minutes=6)) == 2
        assert await failures.clear("account", "10.0.0.1") == 1 and await failures.clear("account", "nobody") == 0
    async with store.begin() as tx:
        assert await tx.sign_in_failures.of("address", "10.0.0.1") == [T0 + timedelta(minutes=10)]
        assert await tx.sign_in_failures.of("account", "10.0.0.1") == []
        assert await tx.sign_in_failures.of("account", "김민준") == [T0]


async def test_failures_read_before_one_are_those_counted_earlier_whatever_their_times(store: Store) -> None:
    """A try is judged by its place in line: the failures counted before it, not every one committed meanwhile."""
    async with store.begin() as tx:
        first = await tx.sign_in_failures.add("account", "kim", T0 + timedelta(minutes=5))
        second = await tx.sign_in_failures.add("account", "kim", T0)  # counted later, stamped earlier
        await tx.sign_in_failures.add("account", "lee", T0)
        third = await tx.sign_in_failures.add("account", "kim", T0 + timedelta(minutes=1))
    assert first < second < third
    async with store.begin() as tx:
        failures = tx.sign_in_failures
        assert await failures.of("account", "kim", before=first) == []
        assert await failures.of("account", "kim", before=second) == [T0 + timedelta(minutes=5)]
        assert await failures.of("account", "kim", before=third) == [T0, T0 + timedelta(minutes=5)]
        assert await failures.of("account", "kim", since=T0 + timedelta(minutes=1), before=third) == [
            T0 + timedelta(minutes=5)
        ]


async def test_one_counted_try_can_be_taken_back(store: Store) -> None:
    async with store.begin() as tx:
        first = await tx.sign_in_failures.add("address", "10.0.0.9", T0)
        second = await tx.sign_in_failures.add("address", "10.0.0.9", T0)  # the same moment: only the id tells
        assert first != second
        await tx.sign_in_failures.drop(second)
        await tx.sign_in_failures.drop(second)  # taking back what is gone changes nothing
    async with store.begin() as tx:
        assert await tx.sign_in_failures.of("address", "10.0.0.9") == [T0]


async def test_a_failed_transaction_leaves_no_user_session_or_failure(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            await tx.users.add(user("kim"))
            await tx.sessions.add(session(A, "kim"))
            await tx.sign_in_failures.add("account", "kim", T0)
            raise RuntimeError("crash")
    async with store.begin() as tx:
        assert await tx.users.all() == [] and await tx.sessions.get(A) is None
        assert await tx.sign_in_failures.of("account", "kim") == []
