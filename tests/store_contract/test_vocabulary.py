"""Contract of the vocabulary port (``store/ports/vocabulary.py``): one meaning per word, the latest holds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sangsaeng.store.ports import Store
from sangsaeng.store.records import Term
from tests.store_contract.builders import T0

pytestmark = pytest.mark.anyio
LATER = T0 + timedelta(days=3)


async def test_terms_are_kept_per_kind_field_and_spelling_and_listed_in_that_order(store: Store) -> None:
    async with store.begin() as tx:
        await tx.vocabulary.declare(Term("unit", "", "Hs", "HS", "kim", T0))
        await tx.vocabulary.declare(Term("code", "quality_result.disposition", "재검", "reinspect", "kim", T0))
        await tx.vocabulary.declare(Term("code", "energy_record.carrier", "재검", "other", "lee", T0))
        await tx.vocabulary.declare(Term("header", "quality_result", "검사치", "value", "kim", T0))
    async with store.begin() as tx:
        assert [(t.kind, t.field) for t in await tx.vocabulary.terms()] == [
            ("code", "energy_record.carrier"),
            ("code", "quality_result.disposition"),
            ("header", "quality_result"),
            ("unit", ""),
        ]
        assert [t.written for t in await tx.vocabulary.terms("unit")] == ["Hs"]
        assert [t.meaning for t in await tx.vocabulary.terms("code", "quality_result.disposition")] == ["reinspect"]
        assert await tx.vocabulary.terms("code", "nothing") == []


async def test_declaring_a_word_again_replaces_its_meaning_and_who_declared_it(store: Store) -> None:
    async with store.begin() as tx:
        await tx.vocabulary.declare(Term("code", "quality_result.disposition", "재검", "reinspect", "kim", T0))
    async with store.begin() as tx:
        await tx.vocabulary.declare(Term("code", "quality_result.disposition", "재검", "rework", "park", LATER))
    async with store.begin() as tx:
        assert await tx.vocabulary.terms() == [
            Term("code", "quality_result.disposition", "재검", "rework", "park", LATER)
        ]


async def test_a_forgotten_word_is_gone_and_forgetting_an_unknown_one_says_so(store: Store) -> None:
    async with store.begin() as tx:
        await tx.vocabulary.declare(Term("unit", "", "파이", "mm", "kim", T0))
        await tx.vocabulary.declare(Term("unit", "", "Hs", "HS", "kim", T0))
    async with store.begin() as tx:
        assert await tx.vocabulary.forget("unit", "", "파이") is True
        assert await tx.vocabulary.forget("unit", "", "파이") is False
        assert await tx.vocabulary.forget("code", "x.y", "Hs") is False
        assert [t.written for t in await tx.vocabulary.terms()] == ["Hs"]


async def test_a_failed_transaction_declares_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            await tx.vocabulary.declare(Term("unit", "", "파이", "mm", "kim", T0))
            raise RuntimeError("crash")
    async with store.begin() as tx:
        assert await tx.vocabulary.terms() == []
