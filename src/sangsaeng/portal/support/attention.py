"""What needs the company's attention, at the top of its support page (issue 18 § 5's "alerts"): partners waiting for
its decision, its hub credentials running out or missing, its copy of the hub's directory out of date. Worked out
from what its own connector holds — none of it asks the hub, so it shows even when the hub does not answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jwt

from sangsaeng.store.records import Negotiation

SOON = timedelta(days=30)  # a credential that ends within this is said to end soon (the hub renews it ahead)


@dataclass(frozen=True)
class Alert:
    key: str  # its words: ``support.overview.attention.<key>``
    values: dict[str, Any] = field(default_factory=dict)
    link: str | None = None  # a portal path where it is dealt with
    urgent: bool = False


def waiting(negotiations: Iterable[Negotiation]) -> int:
    """Partners' requests for its data that wait for its decision."""
    return sum(1 for n in negotiations if n.role == "provider" and n.state == "REQUESTED" and not n.agreement_id)


def ending(tokens: Iterable[str], issuer: str, now: datetime) -> tuple[int, datetime | None]:
    """How many of ``issuer``'s credentials it holds that are still valid, and when the first of them ends. Read for
    showing only: the wallet verified them when it took them."""
    ends: list[datetime] = []
    for token in tokens:
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            continue
        exp = claims.get("exp")
        if claims.get("iss") == issuer and isinstance(exp, int | float):
            at = datetime.fromtimestamp(exp, tz=now.tzinfo)
            if at > now:
                ends.append(at)
    return len(ends), min(ends, default=None)


def attention(
    negotiations: Iterable[Negotiation],
    tokens: Iterable[str],
    hub_id: str,
    stale: bool,
    now: datetime,
) -> list[Alert]:
    """The alerts, the urgent ones first."""
    found: list[Alert] = []
    if stale:
        found.append(Alert("directory_stale", urgent=True))
    held, first_end = ending(tokens, hub_id, now)
    if held == 0:
        found.append(Alert("credentials_none", urgent=True))
    elif first_end is not None and first_end - now <= SOON:
        found.append(Alert("credentials_ending", {"at": first_end}))
    count = waiting(negotiations)
    if count:
        found.append(Alert("requests_waiting", {"count": count}, "/portal/requests"))
    return sorted(found, key=lambda a: not a.urgent)
