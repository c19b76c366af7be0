"""Contract of the replay guard (``store/ports/replay.py``): a token id is accepted once until forgotten."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sangsaeng.errors import Conflict
from sangsaeng.store.ports import Store
from tests.store_contract.builders import T0, negotiation

pytestmark = pytest.mark.anyio


async def test_a_token_id_is_accepted_once_and_again_after_it_is_forgotten(store: Store) -> None:
    async with store.begin() as tx:
        await tx.replay_guard.remember("jti-1", T0)
    with pytest.raises(Conflict) as replayed:
        async with store.begin() as tx:
            await tx.replay_guard.remember("jti-1", T0 + timedelta(minutes=5))
    assert replayed.value.details == {"record": "token id (jti)"} and replayed.value.status == 409
    async with store.begin() as tx:
        await tx.replay_guard.remember("jti-2", T0 + timedelta(minutes=5))
        assert await tx.replay_guard.forget_before(T0 + timedelta(minutes=1)) == 1  # jti-1 expired
        assert await tx.replay_guard.forget_before(T0 + timedelta(minutes=1)) == 0
    async with store.begin() as tx:
        await tx.replay_guard.remember("jti-1", T0)
        with pytest.raises(Conflict):
            await tx.replay_guard.remember("jti-2", T0)


async def test_a_replay_leaves_the_transaction_that_found_it_usable(store: Store) -> None:
    async with store.begin() as tx:
        await tx.replay_guard.remember("jti-1", T0)
    async with store.begin() as tx:
        with pytest.raises(Conflict):
            await tx.replay_guard.remember("jti-1", T0)
        await tx.negotiations.add(negotiation("urn:n:1"))
    async with store.begin() as tx:
        assert await tx.negotiations.get("urn:n:1") is not None


async def test_a_token_id_remembered_in_a_failed_transaction_is_not_kept(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            await tx.replay_guard.remember("jti-1", T0)
            raise RuntimeError("crash")
    async with store.begin() as tx:
        await tx.replay_guard.remember("jti-1", T0)
