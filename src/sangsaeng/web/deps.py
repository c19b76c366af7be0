"""Request dependencies: the connector's services (``sangsaeng/services.py``), the protocol caller and the management
API key."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from sangsaeng.errors import TooManyRequests, Unauthenticated
from sangsaeng.identity import credentials, tokens

# Named here too: the API's routes take them from here.
from sangsaeng.services import Services as Services
from sangsaeng.services import ServicesDep as ServicesDep
from sangsaeng.services import services as services
from sangsaeng.usecases import replay


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def protocol_caller(request: Request, svc: ServicesDep) -> str:
    """Verify the self-issued token of a protocol request and refuse a replayed one (PROTOCOL.md).

    The caller's keys come from the directory: during a key rotation either verifies; a suspended member has
    none, so it is refused as an unknown caller is; a stale hub directory refuses everyone, saying so."""
    token = _bearer(request)
    if token is None:
        raise Unauthenticated("a protocol request needs 'Authorization: Bearer <self-issued JWT>'")
    c = svc.connector
    caller = tokens.verify(token, c.participant_id, c.directory.keys_of, c.now())
    if not await replay.remember(c, caller.jti, caller.expires_at):
        raise Unauthenticated("the token was used before (replay)")
    request.state.caller = caller.participant_id
    # What trusted issuers attest about the caller, for policies that ask (role, tier, sector, region …).
    # A revoked credential (its bit set in its issuer's status list, or that list not believed now) does not count.
    request.state.attributes = credentials.attributes_of(
        caller.claims.get("vc") or [],
        caller.participant_id,
        c.settings.trusted_issuers,
        c.directory.keys_of,
        c.now(),
        c.directory.status_of,
    )
    return caller.participant_id


Caller = Annotated[str, Depends(protocol_caller)]


async def unsolicited_caller(request: Request, svc: ServicesDep, caller: Caller) -> str:
    """A protocol caller whose message starts work on our side unasked (a new negotiation, offer or transfer, a
    catalog request): limited per member by a token bucket. Answers within a running process are not limited.
    A refusal is logged once per burst, so that a flood cannot flood the log too."""
    verdict = svc.unsolicited.take(caller, svc.connector.now().timestamp())
    if verdict.allowed:
        return caller
    if verdict.first_refusal:
        svc.connector.audit.note(
            "protocol.rate-limited", counterparty=caller, path=request.url.path, retry_after=verdict.retry_after
        )
    raise TooManyRequests(
        f"too many unsolicited protocol messages from {caller}; try again in {verdict.retry_after} s",
        hint="spread requests out or ask the provider to raise SANGSAENG_UNSOLICITED_RATE",
        details={"retryAfter": verdict.retry_after},
    )


UnsolicitedCaller = Annotated[str, Depends(unsolicited_caller)]


def data_token(request: Request) -> str | None:
    return _bearer(request)


# Declared as a security scheme so that the API docs offer an "Authorize" button for it.
ApiKeyHeader = Annotated[str | None, Security(APIKeyHeader(name="X-API-Key", auto_error=False))]


async def api_key(request: Request, svc: ServicesDep, header: ApiKeyHeader) -> None:
    expected = svc.connector.settings.api_key.get_secret_value()
    given = header or _bearer(request) or ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthenticated(
            "the management API needs this connector's API key", hint="send it as the X-API-Key header"
        )
