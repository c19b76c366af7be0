"""Transfer tokens: the data plane mints the token a start message carries and checks it on every access.

A token is signed by the provider, addressed to its own data plane only (``<participant>#data-plane``, never
valid at the protocol API), bound to one transfer (``tid``) and short-lived (``transfer_token_seconds``). The
party that checks a token is the one that minted it, so no one else's key is ever involved.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sangsaeng.connector import Connector
from sangsaeng.dsp.messages import data_address
from sangsaeng.errors import Unauthenticated
from sangsaeng.identity import tokens

REFUSED = "access refused: the token is missing, invalid, expired or for another transfer"


def data_audience(participant_id: str) -> str:
    return f"{participant_id}#data-plane"


class TransferTokens:
    def __init__(self, connector: Connector) -> None:
        self.c = connector

    def mint(self, transfer_id: str) -> str:
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

    def address(self, transfer_id: str) -> dict[str, Any]:
        """The ``dataAddress`` of a start message: where our data plane serves the transfer, with a fresh token."""
        endpoint = f"{self.c.settings.public_url.rstrip('/')}/data/{transfer_id}"
        return data_address(endpoint, self.mint(transfer_id))

    def check(self, transfer_id: str, token: str | None) -> None:
        """Refuse (401, one answer for every reason) a token that is not one we minted for this transfer, now."""
        if not token:
            raise Unauthenticated(REFUSED)
        own_key = self.c.key.public_key()
        try:
            caller = tokens.verify(
                token,
                data_audience(self.c.participant_id),
                lambda issuer: own_key if issuer == self.c.participant_id else None,
                self.c.now(),
                max_lifetime=None,
            )
        except Unauthenticated:
            raise Unauthenticated(REFUSED) from None
        if caller.claims.get("tid") != transfer_id:
            raise Unauthenticated(REFUSED)
