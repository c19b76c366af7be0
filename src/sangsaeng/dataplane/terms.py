"""Whether an agreement may be used now: asked when a transfer is requested and again at every data-plane access."""

from __future__ import annotations

from sangsaeng.connector import Connector
from sangsaeng.dsp.negotiation import FINALIZED
from sangsaeng.policy.decide import Decision, RequestContext, decide_use
from sangsaeng.store.ports import Tx
from sangsaeng.store.records import Agreement


async def use_decision(connector: Connector, tx: Tx, agreement: Agreement, operation: str | None = "read") -> Decision:
    """May the agreement be used now, for ``operation`` (None: for any use, as starting a transfer asks)?
    Terminated agreements and unfinished negotiations never are; the decision counts the uses made so far."""
    if agreement.terminated_at is not None:
        return Decision(False, ("the agreement was terminated",))
    negotiation = await tx.negotiations.get(agreement.negotiation_id)
    if negotiation is None or negotiation.state != FINALIZED:
        return Decision(False, ("the agreement's negotiation is not finalized",))
    context = RequestContext(
        consumer=agreement.consumer,
        now=connector.now(),
        operation=operation or "read",
        purpose=agreement.purpose,
        agreed_at=agreement.created_at,
        uses=agreement.uses,
        attributes={k: frozenset(v) for k, v in (agreement.attributes or {}).items()},
    )
    compiled = connector.policies.compiled(agreement.id, agreement.body)
    return compiled.decide(context) if operation else decide_use(compiled.decide, context)
