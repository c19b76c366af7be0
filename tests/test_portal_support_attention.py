"""What needs the company's attention on its support page: worked out from its own connector (partners waiting for
its decision, its hub credentials missing or ending, its copy of the hub's directory out of date), urgent first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sangsaeng.portal.support.attention import SOON, attention, ending
from sangsaeng.store.records import Negotiation
from tests.hosting_space import hosting_hub
from tests.test_portal_assessment import hosted_member, text_of

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
HUB = "urn:uuid:hub"


def token(issuer: str, ends: datetime) -> str:
    return jwt.encode({"iss": issuer, "exp": int(ends.timestamp())}, "k" * 32, algorithm="HS256")


def negotiation(role: str, state: str, agreement: str | None = None) -> Negotiation:
    return Negotiation("n", role, "urn:x:p", "http://p", state, "d", {}, NOW, NOW, agreement_id=agreement)


@given(
    st.lists(
        st.tuples(st.sampled_from(["provider", "consumer"]), st.sampled_from(["REQUESTED", "AGREED", "FINALIZED"]))
    ),
    st.lists(st.tuples(st.sampled_from([HUB, "urn:uuid:other"]), st.integers(min_value=-40, max_value=400))),
    st.booleans(),
)
def test_the_alerts_follow_from_what_the_connector_holds(
    negotiations: list[tuple[str, str]], tokens: list[tuple[str, int]], stale: bool
) -> None:
    held = [token(issuer, NOW + timedelta(days=days)) for issuer, days in tokens]
    alerts = attention([negotiation(r, s) for r, s in negotiations], held, HUB, stale, NOW)
    keys = [a.key for a in alerts]
    waiting = sum(1 for r, s in negotiations if r == "provider" and s == "REQUESTED")
    valid = sorted(days for issuer, days in tokens if issuer == HUB and days > 0)
    assert ("requests_waiting" in keys) == (waiting > 0)
    assert ("credentials_none" in keys) == (not valid)
    assert ("credentials_ending" in keys) == (bool(valid) and timedelta(days=valid[0]) <= SOON)
    assert ("directory_stale" in keys) == stale
    urgent = [a.urgent for a in alerts]
    assert urgent == sorted(urgent, reverse=True)  # the urgent ones first


def test_a_credential_that_is_not_a_token_is_not_counted() -> None:
    assert ending(["not a jwt", token(HUB, NOW + timedelta(days=3))], HUB, NOW) == (1, NOW + timedelta(days=3))


async def test_the_page_says_what_needs_attention_and_nothing_when_all_is_well(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        tenant, portal = await hosted_member(h, "dure")
        page = await portal.get("/portal/support")
        assert 'id="attention"' not in page  # credentials held, directory fresh, no request waiting
        tenant.context.connector.wallet._write([])  # its credentials lost
        page = await portal.get("/portal/support")
        assert "자격증명이 없습니다" in text_of(page, "attention-credentials_none")
