"""The tamper-evident log between two connectors: what is recorded, that any change to the stored log is found
at its first bad index, that a log rewritten and re-signed whole is caught by the partner's kept heads, and that
an evidence bundle verifies offline and fails on any flipped byte."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sangsaeng.audit import merkle
from sangsaeng.audit.evidence import sign_head, verify_bundle
from sangsaeng.encoding.canonical import canonical
from sangsaeng.identity.directory import load_directory
from sangsaeng.negotiation.signing import verify_export
from sangsaeng.store.tables import audit_entries, audit_heads
from tests.helpers import SAMPLE_CSV, Dataspace, Party, negotiate, offer_policy, publish, start_transfer
from tests.state_db import state

pytestmark = pytest.mark.anyio


async def exchange(two: Dataspace) -> str:
    """Publish, negotiate, pull once: returns the agreement id."""
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id))
    negotiation = await negotiate(oem, supplier, dataset_id, offer_id)
    transfer = await start_transfer(oem, negotiation["agreementId"])
    assert (await oem.api.get(f"/api/transfers/{transfer['id']}/data")).status_code == 200
    await settle(two)
    return str(negotiation["agreementId"])


async def settle(two: Dataspace) -> None:
    """Every queued entry written, and a fresh signed head on both sides."""
    for party in two.parties.values():
        await party.connector.audit.record("test.mark")
        await party.connector.audit.head()


E = audit_entries


async def verify(party: Party) -> dict[str, Any]:
    party.connector.audit._frontier = None  # as after a restart: nothing kept in memory counts
    party.connector.audit._head = None
    answer = await party.api.post("/api/audit/verify")
    assert answer.status_code == 200
    result: dict[str, Any] = answer.json()
    return result


async def test_an_exchange_is_recorded_without_data_and_verifies(two: Dataspace) -> None:
    agreement_id = await exchange(two)
    supplier = two.parties["supplier"]
    entries = (await supplier.api.get("/api/audit/entries", params={"agreement": agreement_id, "limit": 1000})).json()
    kinds = {e["kind"] for e in entries}
    assert {"protocol.received", "protocol.sent", "policy.decision", "agreement", "data.access"} <= kinds
    access = next(e for e in entries if e["kind"] == "data.access")
    assert access["counterparty"] == two.parties["oem"].id and access["rows"] == 3 and access["bytes"] > 0
    assert access["restrictions"] == {} and access["operation"] == "read" and access["complete"]
    text = json.dumps(entries, ensure_ascii=False)
    assert "김민준" not in text and "54.01" not in text  # names the data, never holds it
    by_peer = (await supplier.api.get("/api/audit/entries", params={"counterparty": "urn:nobody"})).json()
    assert by_peer == []
    assert (await verify(supplier))["valid"]
    # Each side kept the other's signed heads.
    kept = (await supplier.api.get("/api/audit/witnessed")).json()
    assert kept and {h["signer"] for h in kept} == {two.parties["oem"].id}


async def test_concurrent_appends_are_contiguous_and_batched(two: Dataspace) -> None:
    audit = two.parties["supplier"].connector.audit
    indexes = await asyncio.gather(*(audit.record("test.burst", n=i) for i in range(300)))
    assert sorted(indexes) == list(range(min(indexes), min(indexes) + 300))
    assert (await verify(two.parties["supplier"]))["valid"]


def _rows(party: Party) -> list[tuple[int, str, str]]:
    with state(party.settings) as conn:
        return [tuple(r) for r in conn.execute(sa.select(E.c.index, E.c.entry, E.c.leaf).order_by(E.c.index))]


def _set(k: int, entry: str, leaf: str) -> sa.Update:
    return sa.update(E).where(E.c.index == k).values(entry=entry, leaf=leaf)


def _renumber(conn: sa.Connection, at_least: int, by: int) -> None:
    """Shift the indexes from ``at_least`` on by ``by``, through negatives: PostgreSQL checks the primary key at
    each row, so a shift in place collides with the row not yet moved."""
    conn.execute(sa.update(E).where(E.c.index >= at_least).values(index=-E.c.index))
    conn.execute(sa.update(E).where(E.c.index < 0).values(index=-E.c.index + by))


TAMPERINGS = ["edit", "edit-and-rehash", "delete", "delete-and-renumber", "reorder", "insert", "truncate"]


@pytest.mark.parametrize("how", TAMPERINGS)
async def test_any_change_to_the_stored_log_is_found_at_its_first_bad_index(two: Dataspace, how: str) -> None:
    await exchange(two)
    supplier = two.parties["supplier"]
    rows = _rows(supplier)
    n, k = len(rows), len(rows) // 2
    with state(supplier.settings) as conn:
        if how == "edit":
            conn.execute(
                sa.update(E).where(E.c.index == k).values(entry=sa.func.replace(E.c.entry, '"kind"', '"kinD"'))
            )
            expected = k
        elif how == "edit-and-rehash":  # the stored leaf hash rewritten too: the chain still breaks after it
            entry = rows[k][1].replace('"kind":"', '"kind":"x')
            conn.execute(_set(k, entry, merkle.leaf_hash(entry.encode()).hex()))
            expected = k + 1
        elif how == "delete":
            conn.execute(sa.delete(E).where(E.c.index == k))
            expected = k
        elif how == "delete-and-renumber":
            conn.execute(sa.delete(E).where(E.c.index == k))
            _renumber(conn, k + 1, -1)
            expected = k
        elif how == "reorder":
            (a_entry, a_leaf), (b_entry, b_leaf) = rows[k][1:], rows[k + 1][1:]
            conn.execute(_set(k, b_entry, b_leaf))
            conn.execute(_set(k + 1, a_entry, a_leaf))
            expected = k
        elif how == "insert":
            _renumber(conn, k, 1)
            entry = canonical({"kind": "forged", "prev": rows[k - 1][2]}).decode()
            leaf = merkle.leaf_hash(entry.encode()).hex()
            at = datetime(2026, 11, 23, tzinfo=UTC)
            conn.execute(sa.insert(E).values(index=k, entry=entry, leaf=leaf, at=at, kind="forged"))
            expected = k + 1  # the forged entry links well; the one after it does not
        else:  # truncate
            conn.execute(sa.delete(E).where(E.c.index >= n - 3))
            expected = n - 3
    result = await verify(supplier)
    assert not result["valid"], result
    assert result["firstBadIndex"] == expected, result["findings"]
    assert result["findings"]


async def test_a_log_rewritten_and_resigned_whole_is_caught_by_the_partners_heads(two: Dataspace) -> None:
    await exchange(two)
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    assert (await oem.api.post("/api/audit/check-peer", params={"peer": supplier.id})).json()["valid"]
    # A keeper with its own key rewrites history from index 2 on, re-chains it and signs new heads.
    rows = _rows(supplier)
    previous, rewritten = rows[1][2], []
    for index, entry, _ in rows[2:]:
        document = json.loads(entry)
        document["prev"] = previous
        if index == 2:
            document["kind"] = "nothing-happened"
        text = canonical(document).decode()
        previous = merkle.leaf_hash(text.encode()).hex()
        rewritten.append((text, previous, index))
    leaves = [bytes.fromhex(r[2]) for r in rows[:2]] + [bytes.fromhex(r[1]) for r in rewritten]
    head = sign_head(supplier.connector.key, supplier.id, len(leaves), merkle.root(leaves), supplier.connector.now())
    with state(supplier.settings) as conn:
        for text, leaf, index in rewritten:
            conn.execute(_set(index, text, leaf))
        conn.execute(sa.delete(audit_heads))
        conn.execute(sa.insert(audit_heads).values(size=len(leaves), head=head, at=datetime(2026, 11, 23, tzinfo=UTC)))
    assert (await verify(supplier))["valid"]  # the keeper's own check cannot see it …
    checked = (await oem.api.post("/api/audit/check-peer", params={"peer": supplier.id})).json()
    assert not checked["valid"]  # … its partner's kept heads can
    assert any("NOT a prefix of the current log" in f for f in checked["findings"])


async def test_an_evidence_bundle_verifies_offline_and_any_flipped_byte_fails(two: Dataspace, tmp_path: Path) -> None:
    agreement_id = await exchange(two)
    supplier = two.parties["supplier"]
    exported = await supplier.api.get("/api/audit/evidence", params={"agreement": agreement_id})
    assert exported.status_code == 200
    raw = exported.content
    known = load_directory(two.directory)

    def check(data: bytes) -> Any:
        return verify_bundle(data, known.keys_at, lambda document: verify_export(known, document))

    good = check(raw)
    assert good.valid, good.findings
    bundle = json.loads(raw)
    assert bundle["entries"] and bundle["witnessed"] and bundle["agreement"]["agreement"]["@id"] == agreement_id
    step = max(1, len(raw) // 400)
    for position in range(0, len(raw), step):
        flipped = bytearray(raw)
        flipped[position] ^= 0x01
        result = check(bytes(flipped))
        assert not result.valid, (position, raw[max(0, position - 20) : position + 20])
        assert result.findings[-1].startswith("✗")


async def test_proofs_over_the_api_verify(two: Dataspace) -> None:
    await exchange(two)
    supplier = two.parties["supplier"]
    head = (await supplier.api.get("/api/audit/head")).json()
    proof = (await supplier.api.get("/api/audit/proof/inclusion", params={"index": 1, "size": head["size"]})).json()
    entries = (await supplier.api.get("/api/audit/entries", params={"limit": 2})).json()
    assert proof["root"] == head["root"]
    rows = _rows(supplier)
    assert merkle.verify_inclusion(
        1,
        head["size"],
        bytes.fromhex(rows[1][2]),
        [bytes.fromhex(p) for p in proof["proof"]],
        bytes.fromhex(head["root"]),
    )
    assert entries[1]["index"] == 1
    consistency = (
        await supplier.api.get("/api/audit/proof/consistency", params={"first": 2, "second": head["size"]})
    ).json()
    assert merkle.verify_consistency(
        2,
        head["size"],
        bytes.fromhex(consistency["firstRoot"]),
        bytes.fromhex(head["root"]),
        [bytes.fromhex(p) for p in consistency["proof"]],
    )
    bad = await supplier.api.get("/api/audit/proof/inclusion", params={"index": 10**6})
    assert bad.status_code == 404
