"""Transfer process, both roles (DSP 2025-1 § 4), pull only: the provider answers a request with a start
message whose ``dataAddress`` names its data plane and carries a short-lived token bound to this transfer."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sangsaeng.connector import Connector, new_pid
from sangsaeng.dsp.messages import (
    PULL_FORMAT,
    data_address,
    message,
    path_segment,
    read,
    read_data_address,
    segment_safe,
)
from sangsaeng.errors import Conflict, Forbidden, InvalidInput, InvalidMessage, InvalidTransition, NotFound, PeerError
from sangsaeng.identity import tokens
from sangsaeng.negotiation import machine as nm
from sangsaeng.outbox import settle_implied
from sangsaeng.policy.decide import Decision, RequestContext, decide_use
from sangsaeng.store.ports import Tx
from sangsaeng.store.records import Agreement, OutboxMessage, Transfer
from sangsaeng.transfer import machine as m

INITIAL = "INITIAL"
FORMATS = {PULL_FORMAT, "HttpData-PULL".lower()}


def view(t: Transfer) -> dict[str, Any]:
    return message(
        "TransferProcess",
        providerPid=t.provider_pid or "",
        consumerPid=t.consumer_pid or "",
        state=t.state if t.state != INITIAL else m.REQUESTED,
    )


def data_audience(participant_id: str) -> str:
    return f"{participant_id}#data-plane"


def _not_ended(t: Transfer) -> None:
    if t.state in m.TRANSFER.terminal:
        raise InvalidTransition(f"the transfer process is {t.state} and takes no further messages")


class TransferService:
    kind = "transfer"

    def __init__(self, connector: Connector) -> None:
        self.c = connector

    # ---- shared ----------------------------------------------------------------------------------
    async def _own(self, tx: Tx, pid: str, role: str | None, caller: str) -> Transfer:
        """Our process ``pid`` with ``caller`` as counter-party (in ``role``, when given), locked for change."""
        transfer = await tx.get_transfer(pid, for_update=True)
        if transfer is None or role not in (None, transfer.role) or transfer.counterparty != caller:
            raise NotFound("no such transfer process")
        return transfer

    def _advance(self, t: Transfer, event: str, sender: str) -> bool:
        outcome = m.TRANSFER.advance(None if t.state == INITIAL else t.state, event, sender)
        if outcome.duplicate:
            return False
        t.state = outcome.state
        t.updated_at = self.c.now()
        return True

    def _peer_path(self, t: Transfer) -> str:
        """Where the counter-party keeps this transfer: its own process id, as one path segment."""
        if t.role == m.PROVIDER:
            return f"/transfers/{path_segment(t.consumer_pid or '', 'consumerPid')}"
        return f"/transfers/{path_segment(t.provider_pid or '')}"

    def _outgoing(self, t: Transfer, event: str, path: str, body: dict[str, Any], **extra: Any) -> OutboxMessage:
        return OutboxMessage(
            id=str(uuid.uuid4()),
            process_kind=self.kind,
            process_id=t.id,
            event=event,
            url=f"{t.counterparty_address}{path}",
            audience=t.counterparty,
            body=body,
            next_attempt_at=self.c.now(),
            extra=extra,
        )

    @staticmethod
    def _same_pids(t: Transfer, msg: dict[str, Any]) -> None:
        if msg.get("providerPid") != t.provider_pid or msg.get("consumerPid") != t.consumer_pid:
            raise NotFound("no such transfer process")

    async def access_decision(self, tx: Tx, agreement: Agreement, operation: str | None = "read") -> Decision:
        """May the agreement be used now, for ``operation`` (None: for any use, as starting a transfer asks)?
        Terminated agreements and unfinished negotiations never are."""
        if agreement.terminated_at is not None:
            return Decision(False, ("the agreement was terminated",))
        negotiation = await tx.get_negotiation(agreement.negotiation_id)
        if negotiation is None or negotiation.state != nm.FINALIZED:
            return Decision(False, ("the agreement's negotiation is not finalized",))
        context = RequestContext(
            consumer=agreement.consumer,
            now=self.c.now(),
            operation=operation or "read",
            purpose=agreement.purpose,
            agreed_at=agreement.created_at,
            uses=agreement.uses,
            attributes={k: frozenset(v) for k, v in (agreement.attributes or {}).items()},
        )
        compiled = self.c.policies.compiled(agreement.id, agreement.body)
        return compiled.decide(context) if operation else decide_use(compiled.decide, context)

    # ---- provider --------------------------------------------------------------------------------
    async def on_request(self, caller: str, body: Any) -> tuple[dict[str, Any], bool]:
        msg = read(body, m.REQUEST, ("consumerPid", "agreementId", "format"))
        path_segment(msg["consumerPid"], "consumerPid")  # it goes into our URLs: refused now, not at sending
        callback = self.c.check_callback(caller, msg.get("callbackAddress"))
        if msg["format"] not in FORMATS:
            raise InvalidMessage(
                f"format {msg['format']!r} is not offered", position="format", hint=f"use {PULL_FORMAT}"
            )
        try:
            async with self.c.store.begin() as tx:
                existing = await tx.find_transfer(m.PROVIDER, msg["consumerPid"], caller)
                if existing is not None:
                    _not_ended(existing)
                    return view(existing), False
                agreement = await tx.get_agreement(msg["agreementId"])
                if agreement is None or agreement.consumer != caller or agreement.provider != self.c.participant_id:
                    raise InvalidMessage("unknown agreement", position="agreementId")
                decision = await self.access_decision(tx, agreement, None)  # aggregates only still transfer
                if not decision.permit:
                    raise Forbidden(
                        "the agreement does not permit a transfer now", details={"reasons": list(decision.reasons)}
                    )
                now = self.c.now()
                pid = new_pid()
                t = Transfer(
                    id=pid,
                    role=m.PROVIDER,
                    provider_pid=pid,
                    consumer_pid=msg["consumerPid"],
                    counterparty=caller,
                    counterparty_address=callback,
                    state=m.REQUESTED,
                    agreement_id=agreement.id,
                    format=msg["format"],
                    created_at=now,
                    updated_at=now,
                )
                await tx.add_transfer(t)
                start = message(m.START, providerPid=pid, consumerPid=t.consumer_pid)
                await tx.enqueue(self._outgoing(t, m.START, f"{self._peer_path(t)}/start", start, mint_token=True))
        except Conflict:
            async with self.c.store.begin() as tx:
                again = await tx.find_transfer(m.PROVIDER, msg["consumerPid"], caller)
            if again is None:
                raise
            return view(again), False
        self.c.notify_outbox()
        return view(t), True

    def mint_token(self, transfer_id: str) -> str:
        """A data-plane token: signed by us, for our data plane only, bound to one transfer, short-lived."""
        return tokens.issue(
            self.c.key,
            self.c.participant_id,
            data_audience(self.c.participant_id),
            self.c.now(),
            lifetime=timedelta(seconds=self.c.settings.transfer_token_seconds),
            extra={"tid": transfer_id},
            max_lifetime=None,
        )

    # ---- consumer --------------------------------------------------------------------------------
    async def on_start(self, caller: str, pid: str, body: Any) -> None:
        msg = read(body, m.START, ("providerPid", "consumerPid"))
        async with self.c.store.begin() as tx:
            t = await self._own(tx, pid, None, caller)
            role = t.role
            if role == m.CONSUMER and t.provider_pid is None:
                await settle_implied(tx, self, t.id, m.REQUEST, {"providerPid": msg["providerPid"]})
                t = await self._own(tx, pid, role, caller)
            self._same_pids(t, msg)
            sender = m.PROVIDER if role == m.CONSUMER else m.CONSUMER
            if sender == m.CONSUMER and t.state != m.SUSPENDED:
                raise InvalidTransition("a consumer may only restart a suspended transfer")
            changed = self._advance(t, m.START, sender)
            if role == m.CONSUMER and "dataAddress" in msg:
                endpoint, token = read_data_address(msg["dataAddress"])
                endpoint = self.c.check_data_address(caller, endpoint)
                if t.data_endpoint is not None and endpoint != t.data_endpoint:
                    # Pinned at the first start: a resume may bring a fresh token, never another address.
                    raise InvalidMessage(
                        "dataAddress.endpoint differs from the one this transfer started with",
                        position="dataAddress.endpoint",
                        hint=f"use {t.data_endpoint}",
                    )
                t.data_endpoint, t.data_token = endpoint, token
                changed = True
            elif role == m.CONSUMER and t.data_token is None:
                raise InvalidMessage("a pull transfer's start message needs a dataAddress", position="dataAddress")
            if changed:
                await tx.save_transfer(t)

    async def on_change(self, caller: str, pid: str, event: str, body: Any) -> None:
        """Completion, suspension and termination: the same handling from either side."""
        msg = read(body, event, ("providerPid", "consumerPid"))
        async with self.c.store.begin() as tx:
            t = await self._own(tx, pid, None, caller)
            self._same_pids(t, msg)
            sender = m.CONSUMER if t.role == m.PROVIDER else m.PROVIDER
            if self._advance(t, event, sender):
                reasons = msg.get("reason")
                if isinstance(reasons, list):
                    t.reason = "; ".join(map(str, reasons))
                await tx.save_transfer(t)

    async def get(self, caller: str, pid: str, role: str) -> dict[str, Any]:
        async with self.c.store.begin() as tx:
            t = await tx.get_transfer(pid)
        if t is None or t.role != role or t.counterparty != caller:
            raise NotFound("no such transfer process")
        return view(t)

    async def start(self, agreement_id: str) -> Transfer:
        async with self.c.store.begin() as tx:
            agreement = await tx.get_agreement(agreement_id)
            if agreement is None or agreement.consumer != self.c.participant_id:
                raise NotFound(f"no agreement {agreement_id} in which this connector is the consumer")
            negotiation = await tx.get_negotiation(agreement.negotiation_id)
            if negotiation is None or negotiation.state != nm.FINALIZED:
                raise InvalidTransition("the agreement's negotiation is not finalized yet")
            now = self.c.now()
            own = new_pid()
            t = Transfer(
                id=own,
                role=m.CONSUMER,
                consumer_pid=own,
                counterparty=agreement.provider,
                counterparty_address=negotiation.counterparty_address,
                state=INITIAL,
                agreement_id=agreement_id,
                format=PULL_FORMAT,
                created_at=now,
                updated_at=now,
            )
            await tx.add_transfer(t)
            body = message(
                m.REQUEST,
                consumerPid=own,
                agreementId=agreement_id,
                format=PULL_FORMAT,
                callbackAddress=self.c.protocol_url,
            )
            await tx.enqueue(self._outgoing(t, m.REQUEST, "/transfers/request", body))
        self.c.notify_outbox()
        return t

    async def change(self, pid: str, event: str, reason: str | None = None) -> Transfer:
        """Send completion / suspension / termination / start (resume) for one of our transfers."""
        async with self.c.store.begin() as tx:
            t = await tx.get_transfer(pid, for_update=True)
            if t is None:
                raise NotFound(f"no transfer {pid}")
            m.TRANSFER.advance(None if t.state == INITIAL else t.state, event, t.role)  # refuse early
            if t.provider_pid is None:
                raise InvalidTransition("the provider has not acknowledged this transfer yet")
            fields: dict[str, Any] = {"providerPid": t.provider_pid, "consumerPid": t.consumer_pid}
            if reason and event in (m.TERMINATION, m.SUSPENSION):
                fields.update(code=event.removeprefix("Transfer").removesuffix("Message").lower(), reason=[reason])
            suffix = {
                m.COMPLETION: "completion",
                m.SUSPENSION: "suspension",
                m.TERMINATION: "termination",
                m.START: "start",
            }[event]
            extra = {"mint_token": True} if event == m.START and t.role == m.PROVIDER else {}
            await tx.enqueue(
                self._outgoing(t, event, f"{self._peer_path(t)}/{suffix}", message(event, **fields), **extra)
            )
        self.c.notify_outbox()
        return t

    # ---- consumer: reaching the provider's data plane ---------------------------------------------
    async def ready_to_pull(self, transfer_id: str, what: str) -> Transfer:
        """One of our transfers as consumer, started, with its data address; ``what`` (say, "data can be
        downloaded") is named in the errors."""
        async with self.c.store.begin() as tx:
            t = await tx.get_transfer(transfer_id)
        if t is None:
            raise NotFound(f"no transfer {transfer_id}")
        if t.role != m.CONSUMER:
            raise InvalidInput(f"this connector is the provider of transfer {transfer_id}: only its consumer pulls")
        if t.state != m.STARTED or not t.data_endpoint or not t.data_token:
            raise InvalidTransition(f"the transfer is {t.state}; {what} once it is STARTED")
        return t

    def data_request(self, t: Transfer, suffix: str = "") -> tuple[str, dict[str, str]]:
        """The URL and headers of a data-plane call: the token goes only under the provider's listed data
        plane, checked again here for addresses stored before they were pinned (or a directory that changed)."""
        try:
            endpoint = self.c.check_data_address(t.counterparty, t.data_endpoint or "")
        except InvalidMessage as exc:
            raise PeerError(f"the transfer's data address is not followed: {exc.message}", hint=exc.hint) from None
        return endpoint + suffix, {"Authorization": f"Bearer {t.data_token}"}

    # ---- outbox handler --------------------------------------------------------------------------
    def prepare(self, msg: OutboxMessage) -> dict[str, Any]:
        if msg.extra.get("mint_token"):
            endpoint = f"{self.c.settings.public_url.rstrip('/')}/data/{msg.process_id}"
            return {**msg.body, "dataAddress": data_address(endpoint, self.mint_token(msg.process_id))}
        return msg.body

    async def acknowledged(self, tx: Tx, msg: OutboxMessage, response: Any) -> None:
        t = await tx.get_transfer(msg.process_id, for_update=True)
        if t is None:
            return
        if msg.event == m.REQUEST and t.provider_pid is None:
            provider_pid = response.get("providerPid") if isinstance(response, dict) else None
            if not isinstance(provider_pid, str) or not segment_safe(provider_pid):
                await self.refused(tx, msg, "the provider's answer named no usable providerPid", answered=False)
                return
            t.provider_pid = provider_pid
        try:
            if self._advance(t, msg.event, t.role) or msg.event == m.REQUEST:
                await tx.save_transfer(t)
        except InvalidTransition:
            pass

    async def refused(self, tx: Tx, msg: OutboxMessage, reason: str, answered: bool) -> None:
        """As for negotiations: the transfer ends here, and a peer that answered is told."""
        t = await tx.get_transfer(msg.process_id, for_update=True)
        if t is None or t.state in m.TRANSFER.terminal:
            return
        if answered and msg.event != m.TERMINATION and t.provider_pid is not None and t.consumer_pid is not None:
            body = message(
                m.TERMINATION,
                providerPid=t.provider_pid,
                consumerPid=t.consumer_pid,
                code="refused",
                reason=[f"{msg.event} was refused: {reason}"],
            )
            await tx.enqueue(self._outgoing(t, m.TERMINATION, f"{self._peer_path(t)}/termination", body))
        t.state = m.TERMINATED
        t.reason = f"{msg.event}: {reason}"
        t.updated_at = self.c.now()
        await tx.save_transfer(t)
