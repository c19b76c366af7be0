"""Contract negotiation, both roles (DSP 2025-1 § 3): what happens when a message arrives or is acknowledged.

The provider checks a request against the offer it published, decides its policy for the caller, and (when
``auto_agree`` is on and the decision permits) signs an agreement. The consumer checks that the agreement it
receives says what was offered, countersigns it in the verification message, and both end FINALIZED.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sangsaeng.clock import isoformat
from sangsaeng.connector import Connector, new_pid
from sangsaeng.dsp.messages import SIGNATURE_KEY, message, path_segment, read, segment_safe
from sangsaeng.errors import Conflict, InvalidMessage, InvalidPolicy, InvalidTransition, NotFound
from sangsaeng.negotiation import machine as m
from sangsaeng.negotiation.signing import canonical, sign_agreement, signature_valid
from sangsaeng.outbox import settle_implied
from sangsaeng.policy.access import offer_audience
from sangsaeng.policy.decide import Decision, RequestContext, decide, decide_use
from sangsaeng.policy.model import parse_policy
from sangsaeng.store.ports import Tx
from sangsaeng.store.records import Agreement, Negotiation, OutboxMessage

PURPOSE_KEY = "sangsaengPurpose"  # our profile: the purpose a consumer declares for what it requests
INITIAL = "INITIAL"  # local only: our first message is not acknowledged yet, so DSP knows no state
RULE_KEYS = ("permission", "prohibition", "obligation")


def view(n: Negotiation) -> dict[str, Any]:
    """The ContractNegotiation object (DSP 2025-1 § 3.3.1)."""
    return message(
        "ContractNegotiation",
        providerPid=n.provider_pid or "",
        consumerPid=n.consumer_pid or "",
        state=n.state if n.state != INITIAL else m.REQUESTED,
    )


def _rules(policy: dict[str, Any]) -> dict[str, Any]:
    return {k: policy[k] for k in RULE_KEYS if policy.get(k)}


def _machine_state(state: str) -> str | None:
    return None if state == INITIAL else state


class NegotiationService:
    kind = "negotiation"

    def __init__(self, connector: Connector) -> None:
        self.c = connector

    # ---- shared ----------------------------------------------------------------------------------
    async def _own(self, tx: Tx, pid: str, role: str | None, caller: str) -> Negotiation:
        """Our process ``pid`` with ``caller`` as counter-party (in ``role``, when given), locked for change."""
        negotiation = await tx.get_negotiation(pid, for_update=True)
        if negotiation is None or role not in (None, negotiation.role) or negotiation.counterparty != caller:
            raise NotFound("no such negotiation")  # the same answer whether it exists for someone else or not
        return negotiation

    def _enqueue_args(self, n: Negotiation, event: str, path: str, body: dict[str, Any]) -> OutboxMessage:
        return OutboxMessage(
            id=str(uuid.uuid4()),
            process_kind=self.kind,
            process_id=n.id,
            event=event,
            url=f"{n.counterparty_address}{path}",
            audience=n.counterparty,
            body=body,
            next_attempt_at=self.c.now(),
        )

    def _peer_path(self, n: Negotiation) -> str:
        """Where the counter-party keeps this negotiation: its own process id, as one path segment."""
        if n.role == m.PROVIDER:
            return f"/negotiations/{path_segment(n.consumer_pid or '', 'consumerPid')}"
        return f"/negotiations/{path_segment(n.provider_pid or '')}"

    async def _terminate_with(self, tx: Tx, n: Negotiation, code: str, reasons: list[str]) -> None:
        n.reason = "; ".join(reasons)
        n.updated_at = self.c.now()
        await tx.save_negotiation(n)
        body = message(m.TERMINATION, providerPid=n.provider_pid, consumerPid=n.consumer_pid, code=code, reason=reasons)
        await tx.enqueue(self._enqueue_args(n, m.TERMINATION, f"{self._peer_path(n)}/termination", body))

    def _advance(self, n: Negotiation, event: str, sender: str) -> bool:
        """Move ``n``; False when the event was already applied (a duplicate)."""
        outcome = m.NEGOTIATION.advance(_machine_state(n.state), event, sender)
        if outcome.duplicate:
            return False
        n.state = outcome.state
        n.updated_at = self.c.now()
        return True

    # ---- provider: receiving ---------------------------------------------------------------------
    async def on_request(
        self, caller: str, body: Any, attributes: dict[str, frozenset[str]] | None = None
    ) -> tuple[dict[str, Any], bool]:
        """ContractRequestMessage. Returns the ContractNegotiation and whether it was created now.

        ``attributes``: what the caller's verified credentials attest (the provider decides with them)."""
        msg = read(body, m.REQUEST, ("consumerPid",))
        path_segment(msg["consumerPid"], "consumerPid")  # it goes into our URLs: refused now, not at sending
        offer = msg.get("offer")
        if not isinstance(offer, dict) or not isinstance(offer.get("@id"), str):
            raise InvalidMessage("the request needs an 'offer' with an '@id'", position="offer")
        provider_pid = msg.get("providerPid")
        if provider_pid is not None:
            async with self.c.store.begin() as tx:
                n = await self._own(tx, str(provider_pid), m.PROVIDER, caller)
                if n.consumer_pid != msg["consumerPid"]:
                    raise NotFound("no such negotiation")
                if self._advance(n, m.REQUEST, m.CONSUMER):
                    await self._check_offer(tx, offer, n.dataset_id, caller, attributes)
                    n.attributes = {k: sorted(v) for k, v in (attributes or {}).items()}
                    await self._answer_request(tx, n)
            self.c.notify_outbox()
            return view(n), False
        callback = self.c.check_callback(caller, msg.get("callbackAddress"))
        try:
            async with self.c.store.begin() as tx:
                existing = await tx.find_negotiation(m.PROVIDER, msg["consumerPid"], caller)
                if existing is not None:
                    if existing.state in m.NEGOTIATION.terminal:
                        raise InvalidTransition(f"the negotiation is {existing.state} and takes no further messages")
                    return view(existing), False
                dataset_id, policy = await self._check_offer(tx, offer, None, caller, attributes)
                now = self.c.now()
                pid = new_pid()
                purpose = msg.get(PURPOSE_KEY)
                n = Negotiation(
                    id=pid,
                    role=m.PROVIDER,
                    provider_pid=pid,
                    consumer_pid=msg["consumerPid"],
                    counterparty=caller,
                    counterparty_address=callback,
                    state=m.REQUESTED,
                    dataset_id=dataset_id,
                    offer=policy,
                    purpose=purpose if isinstance(purpose, str) else None,
                    created_at=now,
                    updated_at=now,
                    attributes={k: sorted(v) for k, v in (attributes or {}).items()},
                )
                await tx.add_negotiation(n)
                await self._answer_request(tx, n)
        except Conflict:  # the same request twice at once: the first one created it
            async with self.c.store.begin() as tx:
                again = await tx.find_negotiation(m.PROVIDER, msg["consumerPid"], caller)
            if again is None:
                raise
            return view(again), False
        self.c.notify_outbox()
        return view(n), True

    async def _check_offer(
        self,
        tx: Tx,
        offer: dict[str, Any],
        dataset_id: str | None,
        caller: str,
        attributes: dict[str, frozenset[str]] | None,
    ) -> tuple[str, dict[str, Any]]:
        """The requested offer must be one we published, unchanged (we make no automatic counter-offers), and one
        the caller may see: an offer hidden from it is answered exactly as an unknown one, so it cannot probe."""
        try:
            parse_policy(
                offer, where="offer", purposes=self.c.purposes
            )  # refuses rules with a target, unknown operands …
        except InvalidPolicy as exc:  # in a protocol message, a policy we cannot read makes the message malformed
            raise InvalidMessage(exc.message, position=exc.position, hint=exc.hint, details=exc.details) from exc
        stored = await tx.get_offer(offer["@id"])
        hidden = stored is not None and not offer_audience(stored.policy, stored.access_policy, self.c.purposes).sees(
            caller, attributes or {}
        )
        if stored is None or hidden or (dataset_id is not None and stored.dataset_id != dataset_id):
            raise InvalidMessage(f"unknown offer {offer['@id']!r}", position="offer.@id")
        target = offer.get("target")
        if target is not None and target != stored.dataset_id:
            raise InvalidMessage("the offer's target is not the dataset it was published for", position="offer.target")
        if _rules(offer) != _rules(stored.policy):
            raise InvalidMessage(
                "the offer's terms differ from the published offer",
                position="offer",
                hint="request the offer exactly as the catalog lists it",
            )
        return stored.dataset_id, {**stored.policy, "@id": stored.id}

    def _request_decision(self, n: Negotiation) -> Decision:
        """May the requester use the offered data at all (rows, or aggregates where only those are offered)?"""
        policy = parse_policy(n.offer, where="offer", purposes=self.c.purposes)
        held = {k: frozenset(v) for k, v in (n.attributes or {}).items()}
        context = RequestContext(consumer=n.counterparty, now=self.c.now(), purpose=n.purpose, attributes=held)
        return decide_use(lambda ctx: decide(policy, ctx), context)

    async def _answer_request(self, tx: Tx, n: Negotiation) -> None:
        decision = self._request_decision(n)
        self.c.audit.note(
            "policy.decision",
            counterparty=n.counterparty,
            process=n.id,
            dataset=n.dataset_id,
            offer=n.offer.get("@id"),
            purpose=n.purpose,
            credentials=n.attributes or None,
            permit=decision.permit,
            reasons=list(decision.reasons),
        )
        if not decision.permit:
            await self._terminate_with(tx, n, "policy-denied", list(decision.reasons))
            return
        if not self.c.settings.auto_agree:
            await tx.save_negotiation(n)  # waits for a person's approval (approve)
            return
        await self._agree(tx, n)

    async def approve(self, pid: str) -> Negotiation:
        """As provider, agree to a request that waits for a person (setting ``auto_agree`` off): the policy is
        decided again now, and the agreement signed and sent."""
        async with self.c.store.begin() as tx:
            n = await tx.get_negotiation(pid, for_update=True)
            if n is None or n.role != m.PROVIDER:
                raise NotFound(f"no request {pid} to this connector")
            if n.state != m.REQUESTED or n.agreement_id is not None:
                raise InvalidTransition(f"the negotiation is {n.state}; only a waiting request can be approved")
            decision = self._request_decision(n)
            if not decision.permit:
                await self._terminate_with(tx, n, "policy-denied", list(decision.reasons))
            else:
                await self._agree(tx, n)
        self.c.notify_outbox()
        return n

    async def _agree(self, tx: Tx, n: Negotiation) -> None:
        agreement = {
            "@id": new_pid(),
            "@type": "Agreement",
            "target": n.dataset_id,
            "assigner": self.c.participant_id,
            "assignee": n.counterparty,
            "timestamp": isoformat(self.c.now()),
            **_rules(n.offer),
        }
        signature = sign_agreement(self.c.key, self.c.participant_id, agreement)
        await tx.add_agreement(
            Agreement(
                id=agreement["@id"],
                negotiation_id=n.id,
                dataset_id=n.dataset_id,
                provider=self.c.participant_id,
                consumer=n.counterparty,
                body=agreement,
                purpose=n.purpose,
                provider_signature=signature,
                created_at=self.c.now(),
                attributes=n.attributes or None,
            )
        )
        n.agreement_id = agreement["@id"]
        await tx.save_negotiation(n)
        self._log_agreement(agreement, n, "provider")
        body = message(
            m.AGREEMENT,
            providerPid=n.provider_pid,
            consumerPid=n.consumer_pid,
            agreement=agreement,
            callbackAddress=self.c.protocol_url,
            **{SIGNATURE_KEY: signature},
        )
        await tx.enqueue(self._enqueue_args(n, m.AGREEMENT, f"{self._peer_path(n)}/agreement", body))

    def _log_agreement(self, agreement: dict[str, Any], n: Negotiation, role: str) -> None:
        self.c.audit.note(
            "agreement",
            counterparty=n.counterparty,
            agreement=agreement["@id"],
            process=n.id,
            role=role,
            dataset=n.dataset_id,
            purpose=n.purpose,
            sha256=hashlib.sha256(canonical(agreement)).hexdigest(),  # what was agreed, without repeating it
        )

    async def on_event(self, caller: str, pid: str, body: Any) -> None:
        """ContractNegotiationEventMessage: ACCEPTED from a consumer, or FINALIZED from a provider."""
        msg = read(body, "ContractNegotiationEventMessage", ("providerPid", "consumerPid", "eventType"))
        async with self.c.store.begin() as tx:
            n = await self._own(tx, pid, None, caller)
            self._same_pids(n, msg)
            event, implied, sender = (
                (m.ACCEPT, m.OFFER, m.CONSUMER) if n.role == m.PROVIDER else (m.FINALIZE, m.VERIFICATION, m.PROVIDER)
            )
            if msg["eventType"] != event:
                raise InvalidTransition(f"a {sender} may not send the event {msg['eventType']}")
            await settle_implied(tx, self, n.id, implied)
            n = await self._own(tx, pid, n.role, caller)
            if self._advance(n, event, sender):
                if event == m.ACCEPT:
                    await self._answer_request(tx, n)
                else:
                    await tx.save_negotiation(n)
        self.c.notify_outbox()

    async def on_verification(self, caller: str, pid: str, body: Any) -> None:
        msg = read(body, m.VERIFICATION, ("providerPid", "consumerPid"))
        async with self.c.store.begin() as tx:
            n = await self._own(tx, pid, m.PROVIDER, caller)
            self._same_pids(n, msg)
            await settle_implied(tx, self, n.id, m.AGREEMENT)
            n = await self._own(tx, pid, m.PROVIDER, caller)
            state = _machine_state(n.state)
            outcome = m.NEGOTIATION.advance(state, m.VERIFICATION, m.CONSUMER)
            if outcome.duplicate:
                return
            agreement = await tx.get_agreement(n.agreement_id or "", for_update=True)
            signature = msg.get(SIGNATURE_KEY)
            if agreement is None:
                raise InvalidTransition("there is no agreement to verify")
            if not (isinstance(signature, dict) and signature.get("signer") == caller):
                raise InvalidMessage("the verification lacks the consumer's signature", position=SIGNATURE_KEY)
            if not signature_valid(self.c.directory, agreement.body, signature):
                raise InvalidMessage("the consumer's signature does not match the agreement", position=SIGNATURE_KEY)
            agreement.consumer_signature = signature
            await tx.save_agreement(agreement)
            self._advance(n, m.VERIFICATION, m.CONSUMER)
            await tx.save_negotiation(n)
            event = message(
                "ContractNegotiationEventMessage",
                providerPid=n.provider_pid,
                consumerPid=n.consumer_pid,
                eventType=m.FINALIZE,
            )
            await tx.enqueue(self._enqueue_args(n, m.FINALIZE, f"{self._peer_path(n)}/events", event))
        self.c.notify_outbox()

    # ---- consumer: receiving ---------------------------------------------------------------------
    async def on_agreement(self, caller: str, pid: str, body: Any) -> None:
        msg = read(body, m.AGREEMENT, ("providerPid", "consumerPid"))
        agreement = msg.get("agreement")
        if not isinstance(agreement, dict) or agreement.get("@type") != "Agreement" or not agreement.get("@id"):
            raise InvalidMessage(
                "the message needs an 'agreement' of @type Agreement with an @id", position="agreement"
            )
        async with self.c.store.begin() as tx:
            n = await self._own(tx, pid, m.CONSUMER, caller)
            if n.consumer_pid != msg["consumerPid"]:
                raise NotFound("no such negotiation")
            if n.provider_pid is None:
                await settle_implied(tx, self, n.id, m.REQUEST, {"providerPid": msg["providerPid"]})
                n = await self._own(tx, pid, m.CONSUMER, caller)
            self._same_pids(n, msg)
            outcome = m.NEGOTIATION.advance(_machine_state(n.state), m.AGREEMENT, m.PROVIDER)
            if outcome.duplicate:
                if n.agreement_id not in (None, agreement["@id"]):
                    raise Conflict("this negotiation already has another agreement")
                return
            self._check_agreement(n, agreement, msg.get(SIGNATURE_KEY))
            mine = sign_agreement(self.c.key, self.c.participant_id, agreement)
            await tx.add_agreement(
                Agreement(
                    id=agreement["@id"],
                    negotiation_id=n.id,
                    dataset_id=n.dataset_id,
                    provider=caller,
                    consumer=self.c.participant_id,
                    body=agreement,
                    purpose=n.purpose,
                    provider_signature=msg[SIGNATURE_KEY],
                    consumer_signature=mine,
                    created_at=self.c.now(),
                )
            )
            n.agreement_id = agreement["@id"]
            self._log_agreement(agreement, n, "consumer")
            self._advance(n, m.AGREEMENT, m.PROVIDER)
            await tx.save_negotiation(n)
            verification = message(
                m.VERIFICATION, providerPid=n.provider_pid, consumerPid=n.consumer_pid, **{SIGNATURE_KEY: mine}
            )
            path = f"{self._peer_path(n)}/agreement/verification"
            await tx.enqueue(self._enqueue_args(n, m.VERIFICATION, path, verification))
        self.c.notify_outbox()

    def _check_agreement(self, n: Negotiation, agreement: dict[str, Any], signature: Any) -> None:
        """The agreement must grant what was offered, to us, signed by the provider."""
        problems = []
        if agreement.get("target") != n.dataset_id:
            problems.append(("agreement.target", "the agreement is for another dataset"))
        if agreement.get("assigner") != n.counterparty:
            problems.append(("agreement.assigner", "the agreement's assigner is not the provider"))
        if agreement.get("assignee") != self.c.participant_id:
            problems.append(("agreement.assignee", "the agreement's assignee is not this participant"))
        if _rules(agreement) != _rules(n.offer):
            problems.append(("agreement", "the agreement's terms differ from the offer"))
        if not (isinstance(signature, dict) and signature.get("signer") == n.counterparty):
            problems.append((SIGNATURE_KEY, "the agreement is not signed by the provider"))
        elif not signature_valid(self.c.directory, agreement, signature):
            problems.append((SIGNATURE_KEY, "the provider's signature does not match the agreement"))
        if problems:
            position, text = problems[0]
            raise InvalidMessage(text, position=position)

    async def on_offer(self, caller: str, pid: str | None, body: Any) -> tuple[dict[str, Any], bool]:
        """ContractOfferMessage: a provider's offer, new (no pid) or countering our request."""
        msg = read(body, m.OFFER, ("providerPid",))
        path_segment(msg["providerPid"])
        offer = msg.get("offer")
        if not isinstance(offer, dict) or not isinstance(offer.get("@id"), str):
            raise InvalidMessage("the message needs an 'offer' with an '@id'", position="offer")
        # As consumer we record a provider's terms as they are: the provider is the one who evaluates them.
        async with self.c.store.begin() as tx:
            if pid is not None:
                n = await self._own(tx, pid, m.CONSUMER, caller)
                self._same_pids(n, msg)
                if self._advance(n, m.OFFER, m.PROVIDER):
                    n.offer = offer
                    await tx.save_negotiation(n)
                return view(n), False
            callback = self.c.check_callback(caller, msg.get("callbackAddress"))
            target = offer.get("target")
            if not isinstance(target, str):
                raise InvalidMessage("a new offer must name its target dataset", position="offer.target")
            now = self.c.now()
            own = new_pid()
            n = Negotiation(
                id=own,
                role=m.CONSUMER,
                provider_pid=msg["providerPid"],
                consumer_pid=own,
                counterparty=caller,
                counterparty_address=callback,
                state=m.OFFERED,
                dataset_id=target,
                offer=offer,
                created_at=now,
                updated_at=now,
            )
            await tx.add_negotiation(n)
        return view(n), True

    # ---- both ------------------------------------------------------------------------------------
    async def on_termination(self, caller: str, pid: str, body: Any) -> None:
        msg = read(body, m.TERMINATION, ("providerPid", "consumerPid"))
        async with self.c.store.begin() as tx:
            n = await self._own(tx, pid, None, caller)
            self._same_pids(n, msg)
            sender = m.CONSUMER if n.role == m.PROVIDER else m.PROVIDER
            if self._advance(n, m.TERMINATION, sender):
                reasons = msg.get("reason")
                n.reason = "; ".join(map(str, reasons)) if isinstance(reasons, list) else f"terminated by {caller}"
                await tx.save_negotiation(n)

    async def get(self, caller: str, pid: str, role: str) -> dict[str, Any]:
        async with self.c.store.begin() as tx:
            n = await tx.get_negotiation(pid)
        if n is None or n.role != role or n.counterparty != caller:
            raise NotFound("no such negotiation")
        return view(n)

    def _same_pids(self, n: Negotiation, msg: dict[str, Any]) -> None:
        if msg.get("providerPid") != n.provider_pid or msg.get("consumerPid") != n.consumer_pid:
            raise NotFound("no such negotiation")

    # ---- consumer: starting, and management ------------------------------------------------------
    async def start(self, provider: str, dataset_id: str, offer: dict[str, Any], purpose: str | None) -> Negotiation:
        participant = self.c.directory.get(provider)
        now = self.c.now()
        own = new_pid()
        n = Negotiation(
            id=own,
            role=m.CONSUMER,
            consumer_pid=own,
            counterparty=provider,
            counterparty_address=participant.endpoint.rstrip("/"),
            state=INITIAL,
            dataset_id=dataset_id,
            offer=offer,
            purpose=purpose,
            created_at=now,
            updated_at=now,
        )
        request_offer = {"@type": "Offer", "@id": offer["@id"], "target": dataset_id, **_rules(offer)}
        body = message(
            m.REQUEST,
            consumerPid=own,
            offer=request_offer,
            callbackAddress=self.c.protocol_url,
            **({PURPOSE_KEY: purpose} if purpose else {}),
        )
        async with self.c.store.begin() as tx:
            await tx.add_negotiation(n)
            await tx.enqueue(self._enqueue_args(n, m.REQUEST, "/negotiations/request", body))
        self.c.notify_outbox()
        return n

    async def terminate(self, pid: str, reason: str) -> Negotiation:
        async with self.c.store.begin() as tx:
            n = await tx.get_negotiation(pid, for_update=True)
            if n is None:
                raise NotFound(f"no negotiation {pid}")
            if n.state in m.NEGOTIATION.terminal:
                raise InvalidTransition(f"the negotiation is already {n.state}")
            if n.state == INITIAL or (n.role == m.CONSUMER and n.provider_pid is None):
                n.state = m.TERMINATED  # the provider never heard of it: nothing to tell
                n.reason = reason
                n.updated_at = self.c.now()
                for pending in await tx.pending_messages(n.id):
                    pending.status = "failed"
                    pending.last_error = "cancelled: the negotiation was terminated"
                    await tx.save_message(pending)
                await tx.save_negotiation(n)
            else:
                await self._terminate_with(tx, n, "terminated", [reason])
        self.c.notify_outbox()
        return n

    # ---- outbox handler --------------------------------------------------------------------------
    def prepare(self, message_: OutboxMessage) -> dict[str, Any]:
        return message_.body

    async def acknowledged(self, tx: Tx, msg: OutboxMessage, response: Any) -> None:
        n = await tx.get_negotiation(msg.process_id, for_update=True)
        if n is None:
            return
        sender = n.role
        if msg.event == m.REQUEST and n.provider_pid is None:
            provider_pid = response.get("providerPid") if isinstance(response, dict) else None
            if not isinstance(provider_pid, str) or not segment_safe(provider_pid):
                await self.refused(tx, msg, "the provider's answer named no usable providerPid", answered=False)
                return
            n.provider_pid = provider_pid
        event = msg.event
        try:
            if self._advance(n, event, sender) or msg.event == m.REQUEST:
                await tx.save_negotiation(n)
        except InvalidTransition:
            pass  # the process moved on meanwhile (e.g. the peer terminated it): nothing to apply

    async def refused(self, tx: Tx, msg: OutboxMessage, reason: str, answered: bool) -> None:
        """The peer refused a message (or never answered): the negotiation cannot go on. A peer that answered
        is told, so that its side does not wait for a message that will never come."""
        n = await tx.get_negotiation(msg.process_id, for_update=True)
        if n is None or n.state in m.NEGOTIATION.terminal:
            return
        tell = answered and msg.event != m.TERMINATION and n.provider_pid is not None and n.consumer_pid is not None
        if tell:
            await self._terminate_with(tx, n, "refused", [f"{msg.event} was refused: {reason}"])
        n.state = m.TERMINATED
        n.reason = f"{msg.event}: {reason}"
        n.updated_at = self.c.now()
        await tx.save_negotiation(n)
