"""An evidence bundle about one agreement: the signed agreement, every log entry about it (its negotiation and
transfers included) with inclusion proofs, the current head, earlier heads with consistency proofs, and the
counter-party's heads we kept — in canonical JSON signed by the exporter, checkable offline with public keys
(``audit/evidence.py``). The REST API, the portal and the CLI all export it here."""

from __future__ import annotations

from typing import Any

from sangsaeng.audit import merkle
from sangsaeng.audit.evidence import BUNDLE
from sangsaeng.audit.log import AuditLog
from sangsaeng.encoding.canonical import canonical
from sangsaeng.errors import NotFound
from sangsaeng.identity import keys
from sangsaeng.store.ports import Store


async def refs(store: Store, agreement_id: str) -> list[str]:
    """The agreement and the processes that belong to it: its negotiation's and its transfers' process ids."""
    async with store.begin() as tx:
        agreement = await tx.agreements.get(agreement_id)
        if agreement is None:
            raise NotFound(f"no agreement {agreement_id}", position="agreement")
        negotiation = await tx.negotiations.get(agreement.negotiation_id)
        transfers = await tx.transfers.for_agreement(agreement_id)
    found = {agreement_id, agreement.negotiation_id}
    if negotiation is not None:
        found |= {p for p in (negotiation.provider_pid, negotiation.consumer_pid) if p}
    for t in transfers:
        found |= {p for p in (t.id, t.provider_pid, t.consumer_pid) if p}
    return sorted(found)


async def evidence_bundle(audit: AuditLog, agreement: str) -> bytes:
    """The bundle about ``agreement``, as the bytes to hand out (canonical JSON, signed)."""
    c = audit.c
    async with c.store.begin() as tx:
        found = await tx.agreements.get(agreement)
    if found is None:
        raise NotFound(f"no agreement {agreement}", position="agreement")
    head_now = await audit.head()
    size = head_now["size"]
    leaves = await audit.leaves(size)
    about_it = await refs(c.store, agreement)
    async with c.store.begin() as tx:
        about = [e for e in await tx.audit.entries(agreement_or_process=about_it) if e.index < size]
        heads = [h for h in await tx.audit.heads() if 0 < h["size"] < size]
        theirs = await tx.audit.witnessed(found.provider if found.consumer == c.participant_id else found.consumer)
    counterparty = found.provider if found.consumer == c.participant_id else found.consumer
    body: dict[str, Any] = {
        "kind": BUNDLE,
        "exporter": c.participant_id,
        "counterparty": counterparty,
        "createdAt": c.now().isoformat(),
        "agreement": {
            "agreement": found.body,
            "signatures": [s for s in (found.provider_signature, found.consumer_signature) if s],
        },
        "head": head_now,
        "entries": [
            {
                "index": e.index,
                "entry": e.entry,
                "proof": [p.hex() for p in merkle.inclusion_proof(e.index, leaves)],
            }
            for e in about
        ],
        "heads": [{"head": h, "proof": [p.hex() for p in merkle.consistency_proof(h["size"], leaves)]} for h in heads],
        "witnessed": theirs,
    }
    return canonical({**body, "signature": keys.sign(c.key, canonical(body))})
