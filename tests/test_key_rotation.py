"""What a member signed before it changed keys still verifies after the hub promoted its next key — an agreement,
a log head, an evidence bundle — by the retired key, for what it signed before the moment it retired it; its
tokens by that key are refused from then on, and a signature by it dated afterwards is refused too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sangsaeng.audit.evidence import head_valid, sign_head
from sangsaeng.errors import InvalidInput
from sangsaeng.hub.documents import signed
from sangsaeng.identity.directory import MAX_RETIRED, FixedDirectory, participant_of
from sangsaeng.identity.keys import generate_key, public_jwk, public_key_from_jwk
from sangsaeng.negotiation.signing import sign_agreement, signature_valid, verify_export
from tests.hub_space import HubSpace, company, hub_space

pytestmark = pytest.mark.anyio


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubSpace]:
    async with hub_space(tmp_path) as space:
        yield space


async def _directory(hub: HubSpace) -> FixedDirectory:
    """The hub's signed directory as a partner reads it."""
    found = (await hub.raw.get("/.well-known/sangsaeng-hub")).json()
    text = (await hub.raw.get("/hub/directory")).text
    claims = signed.read(text, public_key_from_jwk(found["publicKey"]), signed.DIRECTORY, found["id"], hub.clock.now())
    return FixedDirectory.from_dict({"participants": claims["participants"]})


def _agreement(provider: str, consumer: str, at: datetime) -> dict[str, Any]:
    return {
        "@type": "Agreement",
        "@id": "urn:uuid:6a0c9d0e-1111-4222-8333-444455556666",
        "assigner": provider,
        "assignee": consumer,
        "target": "urn:uuid:dataset",
        "timestamp": at.isoformat(),
        "permission": [{"action": "use"}],
    }


async def test_what_was_signed_before_a_rotation_verifies_after_it_and_nothing_later(hub: HubSpace) -> None:
    provider, consumer = company(1), company(2)
    await hub.approved(provider)
    await hub.approved(consumer)
    old = provider.key
    before = hub.clock.now()
    agreement = _agreement(provider.id, consumer.id, before)
    signatures = [sign_agreement(old, provider.id, agreement), sign_agreement(consumer.key, consumer.id, agreement)]
    head = sign_head(old, provider.id, 7, bytes(32), before)

    new = generate_key()
    body = {"nextKey": public_jwk(new.public_key()), "proof": provider.token(hub.id, hub.clock, new)}
    assert (await hub.raw.post("/hub/members/me/keys", json=body, headers=hub.as_member(provider))).status_code == 200
    hub.clock.advance(minutes=5)
    promoted = await hub.raw.post("/hub/members/me/keys/promote", headers=hub.as_member(provider, new))
    assert promoted.status_code == 200, promoted.text
    hub.clock.advance(minutes=5)

    directory = await _directory(hub)
    listed = next(p for p in directory.participants() if p.id == provider.id)
    assert listed.public_key == body["nextKey"]
    assert [r.key for r in listed.retired_keys] == [public_jwk(old.public_key())]
    # Signed before the promotion: still the provider's, offline and in a running connector alike.
    assert signature_valid(directory, agreement, signatures[0])
    assert verify_export(directory, {"agreement": agreement, "signatures": signatures}).valid
    assert head_valid(head, directory.keys_at, provider.id)
    # The same key, for something dated after it was retired: refused.
    later = _agreement(provider.id, consumer.id, hub.clock.now())
    assert not signature_valid(directory, later, sign_agreement(old, provider.id, later))
    assert not head_valid(sign_head(old, provider.id, 8, bytes(32), hub.clock.now()), directory.keys_at, provider.id)
    assert signature_valid(directory, later, sign_agreement(new, provider.id, later))
    # An agreement without a moment gets the current keys only.
    undated = {k: v for k, v in agreement.items() if k != "timestamp"}
    assert not signature_valid(directory, undated, sign_agreement(old, provider.id, undated))
    # Tokens by the retired key are not the member's any more.
    refused = await hub.raw.get("/hub/members/me/credentials", headers=hub.as_member(provider, old))
    assert refused.status_code == 401
    assert not directory.keys_at("urn:uuid:nobody", before)


async def test_each_rotation_retires_one_key_and_the_oldest_go_first(hub: HubSpace) -> None:
    member = company(3)
    await hub.approved(member)
    keys = [member.key]
    for _ in range(MAX_RETIRED + 2):
        new = generate_key()
        body = {"nextKey": public_jwk(new.public_key()), "proof": member.token(hub.id, hub.clock, new)}
        announced = await hub.raw.post("/hub/members/me/keys", json=body, headers=hub.as_member(member, keys[-1]))
        assert announced.status_code == 200, announced.text
        promoted = await hub.raw.post("/hub/members/me/keys/promote", headers=hub.as_member(member, new))
        assert promoted.status_code == 200, promoted.text
        keys.append(new)
        hub.clock.advance(seconds=1)
    listed = next(p for p in (await _directory(hub)).participants() if p.id == member.id)
    assert [r.key for r in listed.retired_keys] == [public_jwk(k.public_key()) for k in keys[-MAX_RETIRED - 1 : -1]]
    untils = [r.until for r in listed.retired_keys]
    assert untils == sorted(untils)


ENTRY = {"id": "urn:x:a", "name": "A", "publicKey": public_jwk(generate_key().public_key()), "endpoint": "http://a/dsp"}
RETIRED = {"key": public_jwk(generate_key().public_key()), "until": "2026-11-28T00:00:00+00:00"}


@given(
    st.one_of(
        st.just("not a list"),
        st.lists(st.just(RETIRED), min_size=MAX_RETIRED + 1, max_size=MAX_RETIRED + 3),
        st.builds(lambda k: [{**RETIRED, k: None}], st.sampled_from(["key", "until"])),
        st.builds(lambda u: [{**RETIRED, "until": u}], st.sampled_from(["2026-11-28T00:00:00", "yesterday", ""])),
        st.just([{"key": {"kty": "OKP", "crv": "Ed25519", "x": "short"}, "until": RETIRED["until"]}]),
    )
)
def test_a_directory_entry_with_retired_keys_it_cannot_read_is_refused(retired: Any) -> None:
    with pytest.raises(InvalidInput):
        participant_of({**ENTRY, "retiredKeys": retired}, "participants[0]")


def test_retired_keys_read_back_as_written() -> None:
    read = participant_of({**ENTRY, "retiredKeys": [RETIRED]}, "participants[0]")
    assert read.to_dict()["retiredKeys"] == [RETIRED]
    assert read.retired(datetime(2026, 11, 27, tzinfo=UTC)) and not read.retired(datetime(2026, 11, 28, tzinfo=UTC))
