"""Contract negotiation, both roles (DSP 2025-1 § 3): what happens when a message arrives or is acknowledged.

The provider checks a request against the offer it published, decides its policy for the caller, and (when
``auto_agree`` is on and the decision permits) signs an agreement. The consumer checks that the agreement it
receives says what was offered, countersigns it in the verification message, and both end FINALIZED. What
every process does — ownership, advancing, sending, acknowledgements, refusals — is ``dsp/process.py``'s.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sangsaeng.clock import isoformat
from sangsaeng.connector import new_pid
from sangsaeng.dsp import negotiation as m
from sangsaeng.dsp.messages import SIGNATURE_KEY
from sangsaeng.dsp.negotiation import (
    ContractAgreementMessage,
    ContractNegotiation,
    ContractNegotiationEvent,
    ContractOffer,
    ContractRequest,
    ContractTermination,
    ContractVerification,
)
from sangsaeng.dsp.process import INITIAL, Kind, Outgoing, ProcessService
from sangsaeng.errors import Conflict, InvalidMessage, InvalidPolicy, InvalidTransition, NotFound
from sangsaeng.negotiation.signing import canonical, sign_agreement, signature_valid
from sangsaeng.policy.access import offer_audience
from sangsaeng.policy.decide import Decision, RequestContext, decide, decide_use
from sangsaeng.policy.model import parse_policy
from sangsaeng.store.ports import Tx
from sangsaeng.store.records import Agreement, Negotiation

RULE_KEYS = ("permission", "prohibition", "obligation")
NEGOTIATIONS = Kind(
    name="negotiation",
    noun="negotiation",
    path="/negotiations",
    machine=m.NEGOTIATION,
    view=ContractNegotiation,
    request=m.REQUEST,
    termination=m.TERMINATION,
)


def _rules(policy: dict[str, Any]) -> dict[str, Any]:
    return {k: policy[k] for k in RULE_KEYS if policy.get(k)}


def _held(attributes: dict[str, frozenset[str]] | None) -> dict[str, list[str]]:
    return {k: sorted(v) for k, v in (attributes or {}).items()}


class NegotiationService(ProcessService[Negotiation]):
    KIND = NEGOTIATIONS

    async def _load(self, tx: Tx, pid: str, for_update: bool = False) -> Negotiation | None:
        return await tx.negotiations.get(pid, for_update=for_update)

    async def _save(self, tx: Tx, process: Negotiation) -> None:
        await tx.negotiations.save(process)

    def _termination(self, process: Negotiation, code: str, reasons: list[str]) -> Outgoing:
        return ContractTermination(process.provider_pid or "", process.consumer_pid or "", code, reasons)

    # ---- provider: receiving ---------------------------------------------------------------------
    async def on_request(
        self, caller: str, body: Any, attributes: dict[str, frozenset[str]] | None = None
    ) -> tuple[dict[str, Any], bool]:
        """ContractRequestMessage. Returns the ContractNegotiation and whether it was created now.

        ``attributes``: what the caller's verified credentials attest (the provider decides with them)."""
        msg = ContractRequest.read(body)
        if msg.provider_pid is not None:
            return await self._counter_request(caller, msg, attributes), False
        callback = self.c.check_callback(caller, msg.callback_address)

        async def find(tx: Tx) -> Negotiation | None:
            return await tx.negotiations.find(m.PROVIDER, msg.consumer_pid, caller)

        async def create(tx: Tx) -> tuple[dict[str, Any], bool]:
            existing = await find(tx)
            if existing is not None:
                if existing.state in m.NEGOTIATION.terminal:
                    raise InvalidTransition(f"the negotiation is {existing.state} and takes no further messages")
                return self.view(existing), False
            dataset_id, policy = await self._check_offer(tx, msg.offer, None, caller, attributes)
            now = self.c.now()
            pid = new_pid()
            n = Negotiation(
                id=pid,
                role=m.PROVIDER,
                provider_pid=pid,
                consumer_pid=msg.consumer_pid,
                counterparty=caller,
                counterparty_address=callback,
                state=m.REQUESTED,
                dataset_id=dataset_id,
                offer=policy,
                purpose=msg.purpose,
                created_at=now,
                updated_at=now,
                attributes=_held(attributes),
            )
            await tx.negotiations.add(n)
            await self._answer_request(tx, n)
            return self.view(n), True

        return await self._created_once(create, find)

    async def _counter_request(
        self, caller: str, msg: ContractRequest, attributes: dict[str, frozenset[str]] | None
    ) -> dict[str, Any]:
        """A request countering our offer, in a negotiation the consumer already has with us."""
        async with self.c.store.begin() as tx:
            n = await self._own(tx, msg.provider_pid or "", m.PROVIDER, caller)
            if n.consumer_pid != msg.consumer_pid:
                raise self._unknown()
            if self._advance(n, m.REQUEST, m.CONSUMER):
                await self._check_offer(tx, msg.offer, n.dataset_id, caller, attributes)
                n.attributes = _held(attributes)
                await self._answer_request(tx, n)
        self.c.notify_outbox()
        return self.view(n)

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
        stored = await tx.offers.get(offer["@id"])
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
            await tx.negotiations.save(n)  # waits for a person's approval (approve)
            return
        await self._agree(tx, n)

    async def approve(self, pid: str) -> Negotiation:
        """As provider, agree to a request that waits for a person (setting ``auto_agree`` off): the policy is
        decided again now, and the agreement signed and sent."""
        async with self.c.store.begin() as tx:
            n = await tx.negotiations.get(pid, for_update=True)
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
        await tx.agreements.add(
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
        await tx.negotiations.save(n)
        self._log_agreement(agreement, n, "provider")
        pids = (n.provider_pid or "", n.consumer_pid or "")
        sent = ContractAgreementMessage(*pids, agreement, self.c.protocol_url, signature)
        await self._send(tx, n, sent, m.AGREEMENT)

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
        msg = ContractNegotiationEvent.read(body)
        async with self.c.store.begin() as tx:
            n = await self._own(tx, pid, None, caller)
            self._same_pids(n, msg.provider_pid, msg.consumer_pid)
            event, implied, sender = (
                (m.ACCEPT, m.OFFER, m.CONSUMER) if n.role == m.PROVIDER else (m.FINALIZE, m.VERIFICATION, m.PROVIDER)
            )
            if msg.event_type != event:
                raise InvalidTransition(f"a {sender} may not send the event {msg.event_type}")
            await self.settle(tx, n.id, implied)
            n = await self._own(tx, pid, n.role, caller)
            if self._advance(n, event, sender):
                if event == m.ACCEPT:
                    await self._answer_request(tx, n)
                else:
                    await tx.negotiations.save(n)
        self.c.notify_outbox()

    async def on_verification(self, caller: str, pid: str, body: Any) -> None:
        msg = ContractVerification.read(body)
        async with self.c.store.begin() as tx:
            n = await self._own(tx, pid, m.PROVIDER, caller)
            self._same_pids(n, msg.provider_pid, msg.consumer_pid)
            await self.settle(tx, n.id, m.AGREEMENT)
            n = await self._own(tx, pid, m.PROVIDER, caller)
            if not self._check(n, m.VERIFICATION, m.CONSUMER):
                return
            agreement = await tx.agreements.get(n.agreement_id or "", for_update=True)
            signature = msg.signature
            if agreement is None:
                raise InvalidTransition("there is no agreement to verify")
            if not (isinstance(signature, dict) and signature.get("signer") == caller):
                raise InvalidMessage("the verification lacks the consumer's signature", position=SIGNATURE_KEY)
            if not signature_valid(self.c.directory, agreement.body, signature):
                raise InvalidMessage("the consumer's signature does not match the agreement", position=SIGNATURE_KEY)
            agreement.consumer_signature = signature
            await tx.agreements.save(agreement)
            self._advance(n, m.VERIFICATION, m.CONSUMER)
            await tx.negotiations.save(n)
            finalized = ContractNegotiationEvent(n.provider_pid or "", n.consumer_pid or "", m.FINALIZE)
            await self._send(tx, n, finalized, m.FINALIZE)
        self.c.notify_outbox()

    # ---- consumer: receiving ---------------------------------------------------------------------
    async def on_agreement(self, caller: str, pid: str, body: Any) -> None:
        msg = ContractAgreementMessage.read(body)
        async with self.c.store.begin() as tx:
            n = await self._own(tx, pid, m.CONSUMER, caller)
            if n.consumer_pid != msg.consumer_pid:
                raise self._unknown()
            if n.provider_pid is None:
                await self.settle(tx, n.id, m.REQUEST, {"providerPid": msg.provider_pid})
                n = await self._own(tx, pid, m.CONSUMER, caller)
            self._same_pids(n, msg.provider_pid, msg.consumer_pid)
            if not self._check(n, m.AGREEMENT, m.PROVIDER):
                if n.agreement_id not in (None, msg.agreement["@id"]):
                    raise Conflict("this negotiation already has another agreement")
                return
            await self._countersign(tx, n, msg, caller)
        self.c.notify_outbox()

    async def _countersign(self, tx: Tx, n: Negotiation, msg: ContractAgreementMessage, provider: str) -> None:
        """Keep the provider's agreement, signed by both, and send our verification with our signature."""
        agreement = msg.agreement
        self._check_agreement(n, agreement, msg.signature)
        mine = sign_agreement(self.c.key, self.c.participant_id, agreement)
        await tx.agreements.add(
            Agreement(
                id=agreement["@id"],
                negotiation_id=n.id,
                dataset_id=n.dataset_id,
                provider=provider,
                consumer=self.c.participant_id,
                body=agreement,
                purpose=n.purpose,
                provider_signature=msg.signature,
                consumer_signature=mine,
                created_at=self.c.now(),
            )
        )
        n.agreement_id = agreement["@id"]
        self._log_agreement(agreement, n, "consumer")
        self._advance(n, m.AGREEMENT, m.PROVIDER)
        await tx.negotiations.save(n)
        verification = ContractVerification(n.provider_pid or "", n.consumer_pid or "", mine)
        await self._send(tx, n, verification, m.VERIFICATION)

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
        msg = ContractOffer.read(body)
        # As consumer we record a provider's terms as they are: the provider is the one who evaluates them.
        async with self.c.store.begin() as tx:
            if pid is not None:
                n = await self._own(tx, pid, m.CONSUMER, caller)
                self._same_pids(n, msg.provider_pid, msg.consumer_pid)
                if self._advance(n, m.OFFER, m.PROVIDER):
                    n.offer = msg.offer
                    await tx.negotiations.save(n)
                return self.view(n), False
            callback = self.c.check_callback(caller, msg.callback_address)
            target = msg.offer.get("target")
            if not isinstance(target, str):
                raise InvalidMessage("a new offer must name its target dataset", position="offer.target")
            now = self.c.now()
            own = new_pid()
            n = Negotiation(
                id=own,
                role=m.CONSUMER,
                provider_pid=msg.provider_pid,
                consumer_pid=own,
                counterparty=caller,
                counterparty_address=callback,
                state=m.OFFERED,
                dataset_id=target,
                offer=msg.offer,
                created_at=now,
                updated_at=now,
            )
            await tx.negotiations.add(n)
        return self.view(n), True

    # ---- both ------------------------------------------------------------------------------------
    async def on_termination(self, caller: str, pid: str, body: Any) -> None:
        await self.on_end(caller, pid, ContractTermination.read(body), f"terminated by {caller}")

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
        request = ContractRequest(own, request_offer, callback_address=self.c.protocol_url, purpose=purpose)
        async with self.c.store.begin() as tx:
            await tx.negotiations.add(n)
            await self._first(tx, n, request, m.REQUEST)
        self.c.notify_outbox()
        return n

    async def terminate(self, pid: str, reason: str) -> Negotiation:
        async with self.c.store.begin() as tx:
            n = await tx.negotiations.get(pid, for_update=True)
            if n is None:
                raise NotFound(f"no negotiation {pid}")
            if n.state in m.NEGOTIATION.terminal:
                raise InvalidTransition(f"the negotiation is already {n.state}")
            if n.state == INITIAL or (n.role == m.CONSUMER and n.provider_pid is None):
                n.state = m.TERMINATED  # the provider never heard of it: nothing to tell
                n.reason = reason
                n.updated_at = self.c.now()
                for pending in await tx.outbox.pending(n.id):
                    pending.status = "failed"
                    pending.last_error = "cancelled: the negotiation was terminated"
                    await tx.outbox.save(pending)
                await tx.negotiations.save(n)
            else:
                await self._terminate_with(tx, n, "terminated", [reason])
        self.c.notify_outbox()
        return n
