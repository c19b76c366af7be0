"""The hub's records on a transaction of the connector's store (the SQL adapter's connection)."""

from __future__ import annotations

from typing import cast

from sangsaeng.hub.store.members import HubRecords
from sangsaeng.store.ports import Tx
from sangsaeng.store.sql import SqlTx


def records_of(tx: Tx) -> HubRecords:
    return HubRecords(cast(SqlTx, tx).conn)
