"""Signed tree heads, the whole-log check, and evidence bundles that anyone checks offline with public keys.

A head says "my log had ``size`` entries with Merkle root ``root`` at ``at``", signed by its keeper (Ed25519
over RFC 8785 JSON). An entry is canonical JSON holding ``prev``, the leaf hash of the entry before it, so an
entry changed, dropped, moved or slipped in shows at the first index where the chain or a hash breaks, even
where the keeper rewrote the stored leaf hashes too; a log rewritten and re-signed whole is caught by the heads
its partners kept (``audit check-peer``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sangsaeng.audit import merkle
from sangsaeng.encoding.canonical import canonical
from sangsaeng.encoding.moments import moment
from sangsaeng.identity import keys

BUNDLE = "sangsaeng-evidence/1"
# The keys a participant's signature made at a moment verifies with (``Directory.keys_at``): its current ones, and
# a retired one for what it signed before it changed keys.
KeysAt = Callable[[str, datetime | None], tuple[Ed25519PublicKey, ...]]


def signed_by(keys_at: KeysAt, signer: str, at: datetime | None, message: bytes, signature: Any) -> bool:
    """Whether ``signature`` over ``message`` is the signer's, by any key that was its own at ``at``."""
    if not isinstance(signature, str):
        return False
    return any(keys.verify(public, message, signature) for public in keys_at(signer, at))


def sign_head(key: Ed25519PrivateKey, signer: str, size: int, root: bytes, at: datetime) -> dict[str, Any]:
    head = {"signer": signer, "size": size, "root": root.hex(), "at": at.isoformat()}
    return {**head, "signature": keys.sign(key, canonical(head))}


def head_valid(head: Any, keys_at: KeysAt, signer: str | None = None) -> bool:
    if not isinstance(head, dict) or set(head) != {"signer", "size", "root", "at", "signature"}:
        return False
    if signer is not None and head["signer"] != signer:
        return False
    if not isinstance(head["size"], int) or not isinstance(head["root"], str) or len(head["root"]) != 64:
        return False
    if not isinstance(head["signer"], str):
        return False
    unsigned = {k: v for k, v in head.items() if k != "signature"}
    return signed_by(keys_at, head["signer"], moment(head["at"]), canonical(unsigned), head["signature"])


@dataclass
class LogCheck:
    valid: bool = True
    first_bad_index: int | None = None
    findings: list[str] = field(default_factory=list)

    def bad(self, index: int | None, finding: str) -> None:
        self.valid = False
        if index is not None and (self.first_bad_index is None or index < self.first_bad_index):
            self.first_bad_index = index
        self.findings.append(finding)


def check_log(
    rows: Sequence[tuple[int, str, str]], heads: Sequence[dict[str, Any]], keys_at: KeysAt, keeper: str
) -> LogCheck:
    """Re-check a whole log: ``rows`` are (index, entry, stored leaf hash) in index order; ``heads`` its signed
    heads. Names the first bad index it can."""
    check = LogCheck()
    leaves: list[bytes] = []
    previous = ""
    for position, (index, entry, stored) in enumerate(rows):
        if index != position:
            what = "missing" if index > position else "out of order or repeated"
            check.bad(position, f"index {position}: {what} (found index {index} there)")
            break
        leaf = merkle.leaf_hash(entry.encode())
        if leaf.hex() != stored:
            check.bad(index, f"index {index}: the entry does not hash to its stored leaf: it was changed")
        try:
            parsed = json.loads(entry)
        except ValueError:
            check.bad(index, f"index {index}: the entry is not JSON")
            break
        if canonical(parsed).decode() != entry:
            check.bad(index, f"index {index}: the entry is not in canonical form: it was changed")
        if parsed.get("prev", None) != previous:
            check.bad(
                index,
                f"index {index}: does not follow index {index - 1} (an entry before it was changed, "
                "dropped, moved or inserted)",
            )
        previous = leaf.hex()
        leaves.append(leaf)
        if not check.valid:
            break
    size = len(leaves)
    frontier = merkle.Frontier()
    ordered = sorted(heads, key=lambda h: h.get("size", 0))
    at = 0
    for head in ordered:
        if not head_valid(head, keys_at, keeper):
            check.bad(None, f"the head at size {head.get('size')} is not signed by {keeper}")
            continue
        if head["size"] > size:
            if check.valid:
                check.bad(
                    size,
                    f"the log holds {size} entries, but a head signed at {head['at']} covers "
                    f"{head['size']}: entries from index {size} on are gone",
                )
            break
        while at < head["size"]:
            frontier.append(leaves[at])
            at += 1
        if frontier.root().hex() != head["root"]:
            check.bad(
                head["size"] - 1, f"the first {head['size']} entries do not match the head signed at {head['at']}"
            )
    return check


@dataclass
class BundleCheck:
    valid: bool
    findings: list[str]


def verify_bundle(raw: bytes, keys_at: KeysAt, verify_agreement: Callable[[Any], Any]) -> BundleCheck:
    """Check an evidence bundle offline: its own signature (the exact bytes), the agreement's signatures, every
    entry's inclusion in the signed head, the older heads' consistency with it, and the witnessed heads."""
    findings: list[str] = []

    def fail(reason: str) -> BundleCheck:
        return BundleCheck(False, [*findings, f"✗ {reason}"])

    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return fail(f"the file is not JSON: {exc}")
    if not isinstance(document, dict) or document.get("kind") != BUNDLE:
        return fail(f"not an evidence bundle ({BUNDLE})")
    if canonical(document) != raw.strip():
        return fail("the file is not exactly the canonical JSON that was signed: it was changed")
    signature = document.get("signature")
    body = {k: v for k, v in document.items() if k != "signature"}
    exporter = body.get("exporter")
    at = moment(body.get("createdAt"))
    if not isinstance(exporter, str) or not signed_by(keys_at, exporter, at, canonical(body), signature):
        return fail(f"the bundle's signature by {exporter} does not verify")
    findings.append(f"✓ signed by {exporter}")
    agreement = verify_agreement(body.get("agreement"))
    if not agreement.valid:
        return fail("the agreement's signatures do not verify: " + "; ".join(agreement.findings))
    findings.append("✓ the agreement is signed by both parties")
    head = body.get("head")
    if not isinstance(head, dict) or not head_valid(head, keys_at, exporter):
        return fail("the tree head is not signed by the exporter")
    size, root = head["size"], bytes.fromhex(head["root"])
    for item in body.get("entries", []):
        try:
            index, entry, proof = item["index"], item["entry"], [bytes.fromhex(p) for p in item["proof"]]
        except (KeyError, TypeError, ValueError):
            return fail("an entry of the bundle is malformed")
        if not merkle.verify_inclusion(index, size, merkle.leaf_hash(entry.encode()), proof, root):
            return fail(f"entry {index} is not in the log the head at size {size} commits to")
    findings.append(f"✓ {len(body.get('entries', []))} log entries included in the head at size {size}")
    for earlier in body.get("heads", []):
        old = earlier.get("head")
        proof = [bytes.fromhex(p) for p in earlier.get("proof", [])]
        if not head_valid(old, keys_at, exporter):
            return fail("an earlier head is not signed by the exporter")
        if not merkle.verify_consistency(old["size"], size, bytes.fromhex(old["root"]), root, proof):
            return fail(f"the head at size {old['size']} is not a prefix of the head at size {size}: rewritten")
    findings.append(f"✓ {len(body.get('heads', []))} earlier heads consistent with it")
    counterparty = body.get("counterparty")
    for witnessed in body.get("witnessed", []):
        if not head_valid(witnessed, keys_at, counterparty):
            return fail(f"a witnessed head is not signed by {counterparty}")
    findings.append(f"✓ {len(body.get('witnessed', []))} heads of {counterparty}'s log, signed by it")
    return BundleCheck(True, findings)
