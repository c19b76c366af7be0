"""Transfer process, both roles (DSP 2025-1 § 4), pull only: the provider answers a request with a start
message whose ``dataAddress`` names its data plane and carries a short-lived token bound to this transfer
(minted by the data plane, ``dataplane/tokens.py``, when the message is sent). What every process does —
ownership, advancing, sending, acknowledgements, refusals — is ``dsp/process.py``'s."""

from __future__ import annotations

from typing import Any

from sangsaeng.connector import Connector, new_pid
from sangsaeng.dataplane.terms import use_decision
from sangsaeng.dataplane.tokens import TransferTokens
from sangsaeng.dsp import negotiation as nm
from sangsaeng.dsp import transfer as m
from sangsaeng.dsp.messages import PULL_FORMAT
from sangsaeng.dsp.process import INITIAL, Kind, Outgoing, ProcessService, other
from sangsaeng.dsp.transfer import (
    CHANGES,
    TransferProcess,
    TransferRequest,
    TransferStart,
    TransferSuspension,
    TransferTermination,
)
from sangsaeng.errors import Forbidden, InvalidMessage, InvalidTransition, NotFound
from sangsaeng.identity.directory import Participant
from sangsaeng.store.ports import Tx
from sangsaeng.store.records import OutboxMessage, Transfer

FORMATS = {PULL_FORMAT, "HttpData-PULL".lower()}
TRANSFERS = Kind(
    name="transfer",
    noun="transfer process",
    path="/transfers",
    machine=m.TRANSFER,
    view=TransferProcess,
    request=m.REQUEST,
    termination=m.TERMINATION,
)


def _not_ended(t: Transfer) -> None:
    if t.state in m.TRANSFER.terminal:
        raise InvalidTransition(f"the transfer process is {t.state} and takes no further messages")


class TransferService(ProcessService[Transfer]):
    KIND = TRANSFERS

    def __init__(self, connector: Connector) -> None:
        super().__init__(connector)
        self.tokens = TransferTokens(connector)

    async def _load(self, tx: Tx, pid: str, for_update: bool = False) -> Transfer | None:
        return await tx.transfers.get(pid, for_update=for_update)

    async def _save(self, tx: Tx, process: Transfer) -> None:
        await tx.transfers.save(process)

    def _termination(self, process: Transfer, code: str, reasons: list[str]) -> Outgoing:
        return TransferTermination(process.provider_pid or "", process.consumer_pid or "", code, reasons)

    # ---- provider --------------------------------------------------------------------------------
    async def on_request(self, caller: str, body: Any) -> tuple[dict[str, Any], bool]:
        msg = TransferRequest.read(body)
        callback = self.c.check_callback(caller, msg.callback_address)
        if msg.format not in FORMATS:
            raise InvalidMessage(f"format {msg.format!r} is not offered", position="format", hint=f"use {PULL_FORMAT}")

        async def find(tx: Tx) -> Transfer | None:
            return await tx.transfers.find(m.PROVIDER, msg.consumer_pid, caller)

        async def create(tx: Tx) -> tuple[dict[str, Any], bool]:
            existing = await find(tx)
            if existing is not None:
                _not_ended(existing)
                return self.view(existing), False
            agreement = await tx.agreements.get(msg.agreement_id)
            if agreement is None or agreement.consumer != caller or agreement.provider != self.c.participant_id:
                raise InvalidMessage("unknown agreement", position="agreementId")
            decision = await use_decision(self.c, tx, agreement, None)  # aggregates only still transfer
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
                consumer_pid=msg.consumer_pid,
                counterparty=caller,
                counterparty_address=callback,
                state=m.REQUESTED,
                agreement_id=agreement.id,
                format=msg.format,
                created_at=now,
                updated_at=now,
            )
            await tx.transfers.add(t)
            await self._send(tx, t, TransferStart(pid, msg.consumer_pid), m.START, mint_token=True)
            return self.view(t), True

        return await self._created_once(create, find)

    # ---- consumer --------------------------------------------------------------------------------
    async def on_start(self, caller: str, pid: str, body: Any) -> None:
        msg = TransferStart.read(body)
        async with self.c.store.begin() as tx:
            t = await self._own(tx, pid, None, caller)
            role = t.role
            if role == m.CONSUMER and t.provider_pid is None:
                await self.settle(tx, t.id, m.REQUEST, {"providerPid": msg.provider_pid})
                t = await self._own(tx, pid, role, caller)
            self._same_pids(t, msg.provider_pid, msg.consumer_pid)
            sender = other(role)
            if sender == m.CONSUMER and t.state != m.SUSPENDED:
                raise InvalidTransition("a consumer may only restart a suspended transfer")
            changed = self._advance(t, m.START, sender)
            address = msg.endpoint_and_token() if role == m.CONSUMER else None
            if address is not None:
                endpoint = self.c.check_data_address(caller, address[0])
                if t.data_endpoint is not None and endpoint != t.data_endpoint:
                    # Pinned at the first start: a resume may bring a fresh token, never another address.
                    raise InvalidMessage(
                        "dataAddress.endpoint differs from the one this transfer started with",
                        position="dataAddress.endpoint",
                        hint=f"use {t.data_endpoint}",
                    )
                t.data_endpoint, t.data_token = endpoint, address[1]
                changed = True
            elif role == m.CONSUMER and t.data_token is None:
                raise InvalidMessage("a pull transfer's start message needs a dataAddress", position="dataAddress")
            if changed:
                await tx.transfers.save(t)

    async def on_change(self, caller: str, pid: str, event: str, body: Any) -> None:
        """Completion, suspension and termination: the same handling from either side."""
        await self.on_end(caller, pid, CHANGES[event].read(body))

    async def start(self, agreement_id: str) -> Transfer:
        async with self.c.store.begin() as tx:
            agreement = await tx.agreements.get(agreement_id)
            if agreement is None or agreement.consumer != self.c.participant_id:
                raise NotFound(f"no agreement {agreement_id} in which this connector is the consumer")
            negotiation = await tx.negotiations.get(agreement.negotiation_id)
            if negotiation is None or negotiation.state != nm.FINALIZED:
                raise InvalidTransition("the agreement's negotiation is not finalized yet")
            now = self.c.now()
            own = new_pid()
            t = Transfer(
                id=own,
                role=m.CONSUMER,
                consumer_pid=own,
                counterparty=agreement.provider,
                # Where the directory lists the provider now: a provider that moved (a hosted connector gone to
                # one of its own) is followed; the negotiation's address when the directory no longer lists it.
                counterparty_address=_listed(
                    self.c.directory.find(agreement.provider), negotiation.counterparty_address
                ),
                state=INITIAL,
                agreement_id=agreement_id,
                format=PULL_FORMAT,
                created_at=now,
                updated_at=now,
            )
            await tx.transfers.add(t)
            request = TransferRequest(own, agreement_id, PULL_FORMAT, self.c.protocol_url)
            await self._first(tx, t, request, m.REQUEST)
        self.c.notify_outbox()
        return t

    async def change(self, pid: str, event: str, reason: str | None = None) -> Transfer:
        """Send completion / suspension / termination / start (resume) for one of our transfers."""
        async with self.c.store.begin() as tx:
            t = await tx.transfers.get(pid, for_update=True)
            if t is None:
                raise NotFound(f"no transfer {pid}")
            self._check(t, event, t.role)  # refuse early
            if t.provider_pid is None:
                raise InvalidTransition("the provider has not acknowledged this transfer yet")
            pids = (t.provider_pid, t.consumer_pid or "")
            sent: Outgoing
            if event == m.START:
                sent = TransferStart(*pids)
            elif reason and event in (m.TERMINATION, m.SUSPENSION):
                code = "termination" if event == m.TERMINATION else "suspension"
                sent = (TransferTermination if event == m.TERMINATION else TransferSuspension)(*pids, code, [reason])
            else:
                sent = CHANGES[event](*pids)
            extra = {"mint_token": True} if event == m.START and t.role == m.PROVIDER else {}
            await self._send(tx, t, sent, event, **extra)
        self.c.notify_outbox()
        return t

    # ---- outbox handler --------------------------------------------------------------------------
    def prepare(self, msg: OutboxMessage) -> dict[str, Any]:
        """A start message leaves with a fresh token: minted at each attempt, so a retry never carries a stale one."""
        if msg.extra.get("mint_token"):
            return {**msg.body, "dataAddress": self.tokens.address(msg.process_id)}
        return msg.body


def _listed(provider: Participant | None, recorded: str) -> str:
    return provider.endpoint.rstrip("/") if provider is not None else recorded
