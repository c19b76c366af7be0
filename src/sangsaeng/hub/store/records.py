"""The hub's records, as the store keeps them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass
class MemberRecord:
    """One application; a member is an application that was approved (and may be suspended since)."""

    id: str
    participant_id: str
    name: str
    company: dict[str, Any]  # ``Company.to_dict``
    public_key: dict[str, str]
    next_key: dict[str, str] | None
    endpoint: str
    data_endpoint: str | None
    state: str
    reason: str | None
    applied_at: datetime
    updated_at: datetime
    retired_keys: list[dict[str, Any]] | None = None  # its former keys and until when each was its own


@dataclass
class CredentialRecord:
    jti: str
    participant_id: str
    idx: int  # the credential's bit in the status list (kept across renewals)
    token: str
    issued_at: datetime
    expires_at: datetime
    revoked: bool
