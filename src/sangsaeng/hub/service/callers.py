"""Who calls the hub: an applicant or member by its self-issued token (as a protocol request is: signed by its
key, addressed to the hub, used once), the operator by the management API key."""

from __future__ import annotations

import hmac

import jwt

from sangsaeng.connector import Connector
from sangsaeng.errors import Unauthenticated
from sangsaeng.hub.store.access import records_of
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.identity import tokens
from sangsaeng.identity.keys import public_key_from_jwk
from sangsaeng.usecases import replay


def operator(connector: Connector, given: str | None) -> bool:
    """Whether ``given`` is the hub's management API key."""
    expected = connector.settings.api_key.get_secret_value()
    return bool(expected and given) and hmac.compare_digest((given or "").encode(), expected.encode())


async def caller(connector: Connector, token: str | None) -> MemberRecord:
    """The application (or member) whose key signed ``token``: its current key or, during a rotation, its next."""
    if not token:
        raise Unauthenticated("this request needs 'Authorization: Bearer <self-issued JWT>' signed by your key")
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError as exc:
        raise Unauthenticated("the bearer token is not a JWT") from exc
    async with connector.store.begin() as tx:
        member = await records_of(tx).by_participant(issuer) if isinstance(issuer, str) else None
    if member is None:
        raise Unauthenticated("the token's issuer has not applied to this hub")
    failure: Unauthenticated | None = None
    for jwk in (member.public_key, member.next_key):
        if jwk is None:
            continue
        key = public_key_from_jwk(jwk)
        try:
            verified = tokens.verify(token, connector.participant_id, lambda _: key, connector.now())  # noqa: B023
        except Unauthenticated as exc:
            failure = failure or exc
            continue
        if not await replay.remember(connector, verified.jti, verified.expires_at):
            raise Unauthenticated("the token was used before (replay)")
        return member
    assert failure is not None
    raise failure
