"""Paging through a port's list the way the API does, and generated records with repeated creation times."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from hypothesis import strategies as st

from tests.store_contract.builders import T0

R = TypeVar("R")

# Few distinct moments for many records: ties are the rule, so the order must not rest on creation time alone.
moments = st.lists(st.integers(min_value=0, max_value=3), min_size=0, max_size=12).map(
    lambda minutes: [T0 + timedelta(minutes=m) for m in minutes]
)
page_sizes = st.integers(min_value=1, max_value=5)
# The order records are added in, so that no adapter's insertion order can pass for the order asked for.
insertion_orders = st.permutations(range(12))


def in_order(records: list[R], order: list[int]) -> list[R]:
    return [records[i] for i in order if i < len(records)]


async def all_pages(page: Callable[[int, int], Awaitable[list[R]]], size: int) -> list[R]:
    """Every record, a page of ``size`` at a time until a short page; each page at most ``size`` long."""
    found: list[R] = []
    while True:
        chunk = await page(len(found), size)
        assert len(chunk) <= size
        found.extend(chunk)
        if len(chunk) < size:
            return found


def ids(records: list[Any]) -> list[str]:
    return [r.id for r in records]
