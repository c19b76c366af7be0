"""Counts the operator's dashboard reads from support's tables in one grouped query each (no tables of its own)."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from sangsaeng.store.ports import Tx
from sangsaeng.store.sql import SqlTx
from sangsaeng.support.store.experts import requests


async def requests_by_state(tx: Tx) -> dict[str, int]:
    """Requests for an expert per state, every request once (states without one are absent)."""
    statement = sa.select(requests.c.state, sa.func.count()).group_by(requests.c.state)
    return {str(state): int(n) for state, n in await cast(SqlTx, tx).conn.execute(statement)}
