"""Rights records and lineage (POLICY.md, "Data rights and lineage"): who generated a dataset, what it was made
from under which agreements, and who received it under which agreements; derived datasets registered here
inherit the restrictions of their sources (``policy/rights.py`` decides, this module looks things up)."""

from __future__ import annotations

from typing import Any

from sangsaeng.connector import Connector
from sangsaeng.errors import Forbidden, InvalidInput, InvalidPolicy, NotFound
from sangsaeng.policy.model import Policy, flat, parse_policy
from sangsaeng.policy.rights import Inherited, may_derive, offer_problems
from sangsaeng.store.ports import Tx
from sangsaeng.store.records import Dataset, Source

OPERATIONS = ("copy", "aggregate", "join", "derive")


def _inherited(connector: Connector, s: Source) -> Inherited:
    return Inherited(
        s.source_dataset_id,
        s.provider,
        s.agreement_id or "",
        parse_policy(s.policy["terms"], where="agreement", purposes=connector.purposes),
        s.agreed_at,
        s.policy.get("purpose"),
    )


async def inherited(connector: Connector, tx: Tx, dataset_id: str) -> list[Inherited]:
    """The received sources of a dataset, with the terms under which each was obtained."""
    return [_inherited(connector, s) for s in await tx.datasets.sources_of(dataset_id) if s.agreement_id is not None]


async def check_offer(connector: Connector, tx: Tx, dataset: Dataset, policy: Policy) -> None:
    """Refuse an offer that shares onward what a source forbids, or more than a source allows."""
    sources = await inherited(connector, tx, dataset.id)
    if not sources:
        return
    columns = [c["name"] for c in dataset.latest.columns] if dataset.latest else []
    problems = offer_problems(policy, sources, connector.participant_id, connector.now(), columns, connector.purposes)
    if problems:
        raise InvalidPolicy(
            f"this dataset was made from data received under agreements that do not allow this offer: {problems[0]}",
            position="policy",
            hint="narrow the offer to what every source allows, or ask the source's provider for wider terms",
            details={"problems": [{"path": "policy", "message": p} for p in problems]},
        )


async def sources_for(connector: Connector, agreement_ids: list[str], operation: str) -> list[Source]:
    """The sources of a dataset about to be derived from these agreements; refused where one does not permit it."""
    if operation not in OPERATIONS:
        raise InvalidInput(
            f"unknown operation {operation!r}", position="operation", hint=f"one of {', '.join(OPERATIONS)}"
        )
    if not agreement_ids:
        raise InvalidInput("name the agreements the data was obtained under", position="sources")
    found: list[Source] = []
    async with connector.store.begin() as tx:
        for position, agreement_id in enumerate(dict.fromkeys(agreement_ids)):
            agreement = await tx.agreements.get(agreement_id)
            if agreement is None:
                raise NotFound(f"no agreement {agreement_id}", position=f"sources[{position}]")
            if agreement.consumer != connector.participant_id:
                raise InvalidInput(
                    f"agreement {agreement_id} gave data to {agreement.consumer}, not to this connector",
                    position=f"sources[{position}]",
                )
            terms = {"terms": agreement.body, "purpose": agreement.purpose}
            found.append(
                Source(
                    dataset_id="",
                    position=position,
                    source_dataset_id=agreement.dataset_id,
                    provider=agreement.provider,
                    agreement_id=agreement.id,
                    policy=terms,
                    agreed_at=agreement.created_at,
                    operation=operation,
                    created_at=connector.now(),
                )
            )
    sources = [_inherited(connector, s) for s in found]
    problems = may_derive(sources, connector.participant_id, connector.now())
    if problems:
        raise Forbidden(problems[0], position="sources", details={"problems": problems})
    return found


async def record(connector: Connector, dataset_id: str) -> dict[str, Any]:
    """The rights record: generators, sources with their agreements, recipients with theirs."""
    async with connector.store.begin() as tx:
        dataset = await tx.datasets.get(dataset_id)
        if dataset is None:
            raise NotFound(f"no dataset {dataset_id}")
        sources = await tx.datasets.sources_of(dataset_id)
        given = await tx.agreements.for_dataset(dataset_id)
    me = connector.participant_id
    return {
        "dataset": dataset.id,
        "title": dataset.title,
        "generators": [me, *dataset.co_generators],
        "sources": [
            {
                "dataset": s.source_dataset_id,
                "provider": s.provider,
                "agreement": s.agreement_id,
                "operation": s.operation,
                "obtainedAt": s.agreed_at.isoformat() if s.agreed_at else None,
                "restrictions": _words(s.policy, connector),
            }
            for s in sources
        ],
        "recipients": [
            {
                "participant": a.consumer,
                "agreement": a.id,
                "purpose": a.purpose,
                "since": a.created_at.isoformat(),
                "uses": a.uses,
                "terminated": a.terminated_at.isoformat() if a.terminated_at else None,
            }
            for a in given
            if a.provider == me
        ],
    }


def _words(terms: dict[str, Any], connector: Connector) -> list[str]:
    """What a source's agreement says, one constraint a line."""
    if "terms" not in terms:
        return []
    policy = parse_policy(terms["terms"], where="agreement", purposes=connector.purposes)
    lines = []
    for rule in policy.rules:
        atoms = ", ".join(a.describe() for a in flat(rule.constraints))
        lines.append(f"{rule.kind} {rule.action}" + (f": {atoms}" if atoms else ""))
    return lines
