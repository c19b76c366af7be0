"""A member's credentials: issued on approval and reinstatement, renewed when fewer than 30 days remain (a fresh
token, new ``jti``, the same status index), revoked all together on suspension (their status bits set)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sangsaeng.connector import Connector
from sangsaeng.hub.service.views import attributes_of
from sangsaeng.hub.store.members import HubRecords
from sangsaeng.hub.store.records import CredentialRecord, MemberRecord
from sangsaeng.identity import credentials

RENEW_BEFORE = timedelta(days=30)


async def issue(
    connector: Connector, records: HubRecords, member: MemberRecord, now: datetime, idx: int | None = None
) -> CredentialRecord:
    """A new credential for ``member``, kept; a new status index unless ``idx`` (a renewal keeps its own)."""
    if idx is None:
        idx = await records.bump("index") - 1
    lifetime = timedelta(days=connector.settings.hub_credential_days)
    jti = f"urn:uuid:{uuid.uuid4()}"
    attributes = {"membership": [connector.participant_id], **attributes_of(member)}
    token = credentials.issue(
        connector.key,
        connector.participant_id,
        member.participant_id,
        attributes,
        now,
        lifetime,
        extra={"jti": jti, "status": {"idx": idx}},
    )
    issued = CredentialRecord(jti, member.participant_id, idx, token, now, now + lifetime, False)
    await records.add_credential(issued)
    return issued


def valid(held: list[CredentialRecord], now: datetime) -> list[CredentialRecord]:
    return [c for c in held if not c.revoked and c.expires_at > now]


def due(held: list[CredentialRecord], now: datetime) -> bool:
    """Whether the member needs a fresh credential: none valid, or the newest ends within 30 days."""
    current = valid(held, now)
    return not current or max(c.expires_at for c in current) - now < RENEW_BEFORE
