"""The audit log as the company reads it: entries by agreement, partner and time; partners' heads we kept, and
whether a partner's log still extends them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from sangsaeng.audit import merkle
from sangsaeng.audit.bundle import evidence_bundle, refs
from sangsaeng.audit.evidence import head_valid
from sangsaeng.connector import Connector
from sangsaeng.encoding.strict import read_json
from sangsaeng.errors import PeerError
from sangsaeng.roles import Principal, require
from sangsaeng.store.records import LogEntry


class AuditQueries:
    def __init__(self, connector: Connector) -> None:
        self.c = connector

    async def entries(
        self,
        who: Principal,
        offset: int,
        limit: int,
        agreement: str | None = None,
        counterparty: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[LogEntry]:
        require(who, "read")
        about = await refs(self.c.store, agreement) if agreement else []
        async with self.c.store.begin() as tx:
            return await tx.audit.entries(
                offset, limit, agreement_or_process=about, counterparty=counterparty, since=since, until=until
            )

    async def witnessed(self, who: Principal, participant: str | None) -> list[dict[str, Any]]:
        """Heads of partners' logs received with their protocol messages."""
        require(who, "read")
        async with self.c.store.begin() as tx:
            return await tx.audit.witnessed(participant)

    async def evidence(self, who: Principal, agreement: str) -> bytes:
        """The evidence bundle about one agreement, checkable offline with public keys."""
        require(who, "audit.evidence")
        return await evidence_bundle(self.c.audit, agreement)

    async def verify(self, who: Principal) -> dict[str, Any]:
        require(who, "audit.verify")
        return await self.c.audit.verify()

    async def check_peer(self, who: Principal, peer: str) -> dict[str, Any]:
        """Ask a partner to prove its log still extends every head of it we kept."""
        require(who, "audit.check-peer")
        c = self.c
        kept = await self.witnessed(who, peer)
        base = c.directory.get(peer).endpoint.rstrip("/")
        current = await self._ask(f"{base}/audit/head", peer)
        if not head_valid(current, c.directory.keys_at, peer):
            return {"valid": False, "findings": [f"{peer} answered with a head it did not sign"]}
        findings: list[str] = []
        for old in kept:
            if old["size"] > current["size"]:
                findings.append(
                    f"✗ {peer} signed a head at size {old['size']} ({old['at']}); its log now has {current['size']}"
                )
                continue
            if old["size"] == 0:
                continue
            proof = await self._ask(f"{base}/audit/consistency?first={old['size']}&second={current['size']}", peer)
            ok = _extends(old, current, proof)
            findings.append(
                f"{'✓' if ok else '✗'} head at size {old['size']} signed {old['at']}: "
                + ("extended by the current log" if ok else "NOT a prefix of the current log: it was rewritten")
            )
        valid = all(f.startswith("✓") for f in findings)
        return {"valid": valid, "peer": peer, "current": current, "checked": len(kept), "findings": findings}

    async def _ask(self, url: str, peer: str) -> dict[str, Any]:
        try:
            response = await self.c.peer.get(url, peer)
        except httpx.TransportError as exc:
            raise PeerError(f"{peer} could not be reached: {exc}") from exc
        if response.status_code != 200:
            raise PeerError(f"{peer} answered HTTP {response.status_code}: {response.text[:300]}")
        try:  # a partner could answer anything: what is not a JSON object was a 500 here
            found = read_json(response.content, self.c.settings.max_json_depth, PeerError)
        except PeerError as exc:
            raise PeerError(f"{peer} answered something that is not usable JSON: {exc.message}") from None
        if not isinstance(found, dict):
            raise PeerError(f"{peer} answered something that is not a JSON object")
        return found


def _extends(old: dict[str, Any], current: dict[str, Any], proof: dict[str, Any]) -> bool:
    """Whether the partner's proof shows the head we kept is a prefix of its current log (hashes in hex, or it
    proves nothing)."""
    try:
        return merkle.verify_consistency(
            old["size"],
            current["size"],
            bytes.fromhex(old["root"]),
            bytes.fromhex(current["root"]),
            [bytes.fromhex(p) for p in proof.get("proof", [])],
        )
    except (TypeError, ValueError):
        return False
