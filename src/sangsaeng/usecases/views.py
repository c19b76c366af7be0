"""What the portal's overview pages read, in one transaction each: the lists a page shows together."""

from __future__ import annotations

from dataclasses import dataclass, field

from sangsaeng.connector import Connector
from sangsaeng.roles import Principal, require
from sangsaeng.store.records import Agreement, Dataset, LogEntry, Negotiation, Offer, Transfer


@dataclass
class Overview:
    datasets: list[Dataset] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    negotiations: list[Negotiation] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    accesses: list[LogEntry] = field(default_factory=list)  # the latest data accesses, newest first
    log: list[LogEntry] = field(default_factory=list)  # the latest log entries, oldest first
    log_size: int = 0


class Views:
    def __init__(self, connector: Connector) -> None:
        self.c = connector

    async def overview(self, who: Principal, limit: int = 200) -> Overview:
        """Datasets, offers, agreements, negotiations, transfers and the latest data accesses."""
        require(who, "read")
        async with self.c.store.begin() as tx:
            return Overview(
                datasets=await tx.datasets.page(0, limit),
                offers=await tx.offers.all(),
                agreements=await tx.agreements.page(0, limit),
                negotiations=await tx.negotiations.page(0, limit),
                transfers=await tx.transfers.page(0, limit),
                accesses=await tx.audit.entries(0, 10, kind="data.access", newest_first=True),
            )

    async def naming(self, who: Principal) -> Overview:
        """What pages name things by: our datasets and the agreements (their titles, partners, terms)."""
        require(who, "read")
        async with self.c.store.begin() as tx:
            return Overview(datasets=await tx.datasets.page(0, 1000), agreements=await tx.agreements.page(0, 1000))

    async def recent_log(self, who: Principal, shown: int) -> Overview:
        """The last ``shown`` entries of the audit log and its size."""
        require(who, "read")
        async with self.c.store.begin() as tx:
            size = await tx.audit.size()
            return Overview(log=await tx.audit.entries(max(0, size - shown)), log_size=size)
