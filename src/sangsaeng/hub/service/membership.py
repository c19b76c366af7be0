"""Applying, reviewing and the member's own requests: each one use case, deciding who may act and writing the
decision with its log entry in one transaction (``AuditLog.together``)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sangsaeng.connector import Connector
from sangsaeng.dsp.ratelimit import TokenBuckets
from sangsaeng.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unauthenticated
from sangsaeng.hub.members import states
from sangsaeng.hub.members.facts import read_application, read_key, read_reason
from sangsaeng.hub.members.states import Step, state_word
from sangsaeng.hub.service import issuing
from sangsaeng.hub.service.views import application_view
from sangsaeng.hub.store.access import records_of
from sangsaeng.hub.store.members import HubRecords
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.i18n.refusals import refusal, refused_as
from sangsaeng.identity import tokens
from sangsaeng.identity.directory import MAX_RETIRED
from sangsaeng.identity.keys import public_key_from_jwk
from sangsaeng.roles import Principal, require
from sangsaeng.usecases import replay


async def _nothing() -> None:
    return None


class Membership:
    def __init__(self, connector: Connector, changed: Callable[[], Awaitable[None]] = _nothing) -> None:
        self.c = connector
        self.changed = changed  # after a decision that changed the directory committed (the hub's own follows)
        # After any decision committed, with the member as decided: hosting opens a hosted applicant's connector.
        self.decided: list[Callable[[MemberRecord, Step], Awaitable[None]]] = []
        # Before a decision, with the member as it stands: a guard refuses one that would list what nothing serves.
        self.guards: list[Callable[[MemberRecord, Step], None]] = []
        s = connector.settings
        # Applications are unsolicited and unauthenticated: limited per address as protocol requests are per member.
        self.applying = TokenBuckets(s.unsolicited_rate, s.unsolicited_burst)

    # ---- applying --------------------------------------------------------------------------------
    async def apply(self, body: Any, address: str) -> dict[str, Any]:
        self.admit(address)
        return await self.file(body)

    def admit(self, address: str) -> None:
        """One more unsolicited request from ``address`` (an application, a hosted sign-up), or 429."""
        verdict = self.applying.take(address, self.c.now().timestamp())
        if not verdict.allowed:
            raise refused_as(
                TooManyRequests,
                "hub",
                "applications.too-many",
                extra={"retryAfter": verdict.retry_after},
                address=address,
                seconds=verdict.retry_after,
            )

    def hosted(self, member: MemberRecord) -> bool:
        """Whether the member's connector is one this hub hosts (its endpoint is under the hub's ``/c/``): only the
        hub's own sign-ups file such an application, anyone else's is refused."""
        return member.endpoint.startswith(self._hosted_prefix)

    @property
    def _hosted_prefix(self) -> str:
        return self.c.settings.public_url.rstrip("/") + "/c/"

    def view(self, member: MemberRecord) -> dict[str, Any]:
        """The application as the API answers it, marked ``hosted`` when the hub hosts its connector."""
        return application_view(member) | {"hosted": self.hosted(member)}

    async def file(self, body: Any, *, hosted: bool = False) -> dict[str, Any]:
        """An application admitted (``admit``): read, its proof checked, filed as ``applied``. ``hosted``: the
        hub's own sign-up of a connector it hosts; nobody else may claim an address under the hub's ``/c/``."""
        application = read_application(body)
        participant = application.participant
        if not hosted and participant.endpoint.startswith(self._hosted_prefix):
            raise refusal("hub", "endpoint.hosted", at="participant.endpoint", endpoint=participant.endpoint)
        await self._check_proof(application.proof, participant.id, participant.public_key, "proof", "proof.invalid")
        if participant.id == self.c.participant_id:
            raise refused_as(Conflict, "hub", "participant.taken", participant=participant.id)
        now = self.c.now()
        member = MemberRecord(
            id=f"urn:uuid:{uuid.uuid4()}",
            participant_id=participant.id,
            name=participant.name,
            company=application.company.to_dict(),
            public_key=participant.public_key,
            next_key=None,
            endpoint=participant.endpoint,
            data_endpoint=participant.data_endpoint,
            state="applied",
            reason=None,
            applied_at=now,
            updated_at=now,
        )
        async with self.c.audit.together() as done:
            records = records_of(done.tx)
            if await records.by_participant(participant.id) is not None:
                raise refused_as(Conflict, "hub", "participant.taken", participant=participant.id)
            await records.add(member)
            done.record("hub.applied", counterparty=participant.id, application=member.id, name=member.name)
        return self.view(member)

    async def _check_proof(self, proof: str, pid: str, jwk: dict[str, str], at: str, key: str) -> None:
        """The token was signed by the key given, by its owner, for this hub, and not used before."""
        public = public_key_from_jwk(jwk)
        try:
            verified = tokens.verify(proof, self.c.participant_id, lambda i: public if i == pid else None, self.c.now())
        except Unauthenticated as exc:
            raise refusal("hub", key, at=at, reason=exc.message) from None
        if not await replay.remember(self.c, verified.jti, verified.expires_at):
            raise refusal("hub", key, at=at, reason="the token was used before (replay)")

    # ---- reading ---------------------------------------------------------------------------------
    async def read(self, application: str, principal: Principal | None, member: MemberRecord | None) -> dict[str, Any]:
        """An application, for the operator or the applicant itself (anyone else is told it does not exist)."""
        if principal is not None:
            require(principal, "read")
        async with self.c.store.begin() as tx:
            found = await records_of(tx).get(application)
        if found is None or (principal is None and (member is None or member.id != found.id)):
            raise refused_as(NotFound, "hub", "application.unknown", application=application)
        return self.view(found)

    async def queue(self, principal: Principal, state: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        require(principal, "read")
        if state is not None and state not in states.STATES:
            raise refusal("hub", "field.text", at="state", limit=16)
        async with self.c.store.begin() as tx:
            found = await records_of(tx).listed((state,) if state else None, limit, offset)
        return [self.view(m) for m in found]

    # ---- deciding --------------------------------------------------------------------------------
    async def decide(self, principal: Principal, application: str, action: Step, reason: Any = None) -> dict[str, Any]:
        """Approve, decline (with a reason), suspend (with a reason) or reinstate an application."""
        require(principal, "hub.review")
        said = read_reason(reason) if action in states.NEEDS_REASON else None
        now = self.c.now()
        async with self.c.audit.together() as done:
            records = records_of(done.tx)
            member = await records.get(application, for_update=True)
            if member is None:
                raise refused_as(NotFound, "hub", "application.unknown", application=application)
            for guard in self.guards:
                guard(member, action)
            member.state = states.step(member.state, action, application)
            member.reason, member.updated_at = said, now
            await records.save(member)
            details = await self._consequences(records, member, action)
            done.record(
                f"hub.{action}",
                counterparty=member.participant_id,
                application=application,
                reason=said,
                by=principal.name,
                door=principal.door,
                **details,
            )
        if action != "decline":
            await self.changed()
        for hook in self.decided:
            await hook(member, action)
        return self.view(member)

    async def _consequences(self, records: HubRecords, member: MemberRecord, action: Step) -> dict[str, Any]:
        if action in ("approve", "reinstate"):
            issued = await issuing.issue(self.c, records, member, self.c.now())
            await records.bump("directory")
            return {"credential": issued.jti, "statusIndex": issued.idx}
        if action == "suspend":
            revoked = await records.revoke_all(member.participant_id)
            await records.bump("status")
            await records.bump("directory")
            return {"revokedIndexes": revoked}
        return {}  # declined: never listed, nothing issued

    # ---- the member's own ------------------------------------------------------------------------
    def _active(self, member: MemberRecord) -> None:
        if member.state != "approved":
            raise refused_as(
                Forbidden,
                "hub",
                "member.inactive",
                extra={"state": member.state},
                participant=member.participant_id,
                state=state_word(member.state),
            )

    def reader(self, member: MemberRecord) -> Principal:
        """An active member, as who reads what the hub shares with members (its catalog search)."""
        self._active(member)
        return Principal(member.participant_id, "viewer", "api")

    async def credentials(self, member: MemberRecord, renew: bool) -> dict[str, Any]:
        """The member's valid credentials; with ``renew``, a fresh one first when fewer than 30 days remain."""
        self._active(member)
        now = self.c.now()
        if renew:
            async with self.c.audit.together() as done:
                records = records_of(done.tx)
                held = await records.credentials_of(member.participant_id)
                if issuing.due(held, now):
                    current = issuing.valid(held, now)
                    idx = current[-1].idx if current else None
                    fresh = await issuing.issue(self.c, records, member, now, idx)
                    done.record("hub.credential.renewed", counterparty=member.participant_id, credential=fresh.jti)
        async with self.c.store.begin() as tx:
            held = issuing.valid(await records_of(tx).credentials_of(member.participant_id), now)
        return {
            "credentials": [c.token for c in held],
            "expires": [c.expires_at.isoformat() for c in held],
        }

    async def announce_key(self, member: MemberRecord, body: Any) -> dict[str, Any]:
        """The member's next key, proven by a token it signed, listed as ``nextKey`` until promoted."""
        self._active(member)
        entry = body if isinstance(body, dict) else {}
        next_key = read_key(entry.get("nextKey"), "nextKey")
        proof = entry.get("proof")
        if not isinstance(proof, str) or not proof:
            raise refusal("hub", "nextkey.proof", at="proof", reason="no token")
        await self._check_proof(proof, member.participant_id, next_key, "proof", "nextkey.proof")
        return await self._rekey(member, "hub.key.announced", next_key=next_key)

    async def promote_key(self, member: MemberRecord) -> dict[str, Any]:
        self._active(member)
        if member.next_key is None:
            raise refused_as(Conflict, "hub", "nextkey.none")
        retired = [*(member.retired_keys or []), {"key": member.public_key, "until": self.c.now().isoformat()}]
        return await self._rekey(
            member,
            "hub.key.promoted",
            public_key=member.next_key,
            next_key=None,
            retired_keys=retired[-MAX_RETIRED:],  # what it signed with the old key still verifies
        )

    async def _rekey(self, member: MemberRecord, kind: str, **changes: Any) -> dict[str, Any]:
        async with self.c.audit.together() as done:
            records = records_of(done.tx)
            current = await records.get(member.id, for_update=True)
            assert current is not None
            for name, value in changes.items():
                setattr(current, name, value)
            current.updated_at = self.c.now()
            await records.save(current)
            await records.bump("directory")
            done.record(
                kind,
                counterparty=current.participant_id,
                key=current.public_key["x"],
                next=(current.next_key or {}).get("x"),
            )
        await self.changed()
        return self.view(current)
