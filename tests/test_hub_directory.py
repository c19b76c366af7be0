"""The hub's signed directory and status list as a connector believes them (identity/hub.py, identity/status.py):
only documents signed with the pinned key, unexpired, never older than one already verified; suspended members
absent, rotated keys both verifying, the last copy kept on disk and believed only until it expires; a revoked
credential's attributes not counted."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sangsaeng.errors import NotFound, Unauthenticated
from sangsaeng.identity import credentials, tokens
from sangsaeng.identity.directory import Participant, StaleDirectory
from sangsaeng.identity.hub import DocumentRefused, HubDirectory, fingerprint
from sangsaeng.identity.keys import b64url, generate_key, public_jwk
from sangsaeng.identity.status import StatusList, StatusListRefused, bit_is_set, decode_bits
from tests.hub_documents import TestHub


class Clock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at


def member(name: str) -> tuple[Participant, object]:
    key = generate_key()
    entry = Participant(f"urn:uuid:{name}", name, public_jwk(key.public_key()), f"http://127.0.0.1:9{len(name)}00/dsp")
    return entry, key


@pytest.fixture
def hub() -> TestHub:
    return TestHub()


def following(hub: TestHub, folder: Path, clock: Clock) -> HubDirectory:
    return HubDirectory(hub.pin, folder, clock.now, refresh=1)


def test_an_active_member_is_listed_and_its_token_verifies(hub: TestHub, tmp_path: Path) -> None:
    acme, key = member("acme")
    hub.admit(acme)
    clock = Clock()
    directory = following(hub, tmp_path, clock)
    assert directory.accept_directory(hub.directory())
    assert directory.is_active(acme.id) and directory.get(acme.id).name == "acme"
    token = tokens.issue(key, acme.id, "urn:me", clock.now())  # type: ignore[arg-type]
    assert tokens.verify(token, "urn:me", directory.keys_of, clock.now()).participant_id == acme.id


def test_a_suspended_member_is_answered_as_an_unknown_one_but_keeps_its_name(hub: TestHub, tmp_path: Path) -> None:
    acme, key = member("acme")
    hub.admit(acme)
    clock = Clock()
    directory = following(hub, tmp_path, clock)
    directory.accept_directory(hub.directory())
    hub.suspend(acme.id)
    assert directory.accept_directory(hub.directory())
    token = tokens.issue(key, acme.id, "urn:me", clock.now())  # type: ignore[arg-type]
    with pytest.raises(Unauthenticated, match="not in the participant directory"):
        tokens.verify(token, "urn:me", directory.keys_of, clock.now())
    with pytest.raises(NotFound):
        directory.get(acme.id)
    assert not directory.is_active(acme.id) and directory.key_of(acme.id) is None
    found = directory.find(acme.id)
    assert found is not None and found.name == "acme" and found.status == "suspended"


def test_documents_signed_by_another_key_are_refused(hub: TestHub, tmp_path: Path) -> None:
    acme, _ = member("acme")
    hub.admit(acme)
    directory = following(hub, tmp_path, Clock())
    with pytest.raises(DocumentRefused, match="pinned"):
        directory.accept_directory(hub.directory(key=generate_key()))
    with pytest.raises(DocumentRefused, match="pinned"):
        directory.accept_status(hub.status(key=generate_key()))
    assert directory.stale() is not None  # nothing was believed


def test_documents_of_another_issuer_or_type_are_refused(hub: TestHub, tmp_path: Path) -> None:
    directory = following(hub, tmp_path, Clock())
    with pytest.raises(DocumentRefused, match="not the pinned hub"):
        directory.accept_directory(hub.directory(iss="urn:uuid:someone-else"))
    with pytest.raises(DocumentRefused, match="not a 'sangsaeng-directory'"):
        directory.accept_directory(hub.status())  # a status list offered as the directory
    with pytest.raises(DocumentRefused, match="'seq' is not an integer"):
        directory.accept_directory(hub.directory(seq="7"))


def test_an_expired_document_is_refused(hub: TestHub, tmp_path: Path) -> None:
    clock = Clock()
    directory = following(hub, tmp_path, clock)
    old = clock.now() - timedelta(hours=1)
    with pytest.raises(DocumentRefused, match="expired"):
        directory.accept_directory(hub.directory(now=old))
    with pytest.raises(DocumentRefused, match="expired"):
        directory.accept_status(hub.status(now=old))


def test_a_rollback_to_a_lower_seq_is_refused_and_the_newer_copy_kept(hub: TestHub, tmp_path: Path) -> None:
    acme, _ = member("acme")
    hub.admit(acme)
    clock = Clock()
    directory = following(hub, tmp_path, clock)
    before_suspension = hub.directory()  # a captured old document, still within its lifetime
    hub.suspend(acme.id)
    directory.accept_directory(hub.directory())
    with pytest.raises(DocumentRefused, match="lower than"):
        directory.accept_directory(before_suspension)
    assert not directory.is_active(acme.id)
    # The floor survives a restart: the kept copy's seq bars the old document too.
    again = following(hub, tmp_path, clock)
    with pytest.raises(DocumentRefused, match="lower than"):
        again.accept_directory(before_suspension)
    status_before = hub.status()
    hub.revoke(3)
    directory.accept_status(hub.status())
    with pytest.raises(DocumentRefused, match="lower than"):
        directory.accept_status(status_before)


def test_a_hosted_connector_follows_its_hubs_one_reading_never_back_and_never_another_hubs(
    hub: TestHub, tmp_path: Path
) -> None:
    acme, _ = member("acme")
    hub.admit(acme)
    clock = Clock()
    reader, follower = following(hub, tmp_path / "reader", clock), following(hub, tmp_path / "follower", clock)
    reader.accept_directory(hub.directory())
    reader.accept_status(hub.status())
    follower.follow(reader)
    assert follower.is_active(acme.id) and follower.seq == reader.seq
    assert follower.status_of(hub.pin.id) is reader.status_of(hub.pin.id)
    hub.suspend(acme.id)
    follower.accept_directory(hub.directory())  # the follower fetched a newer one itself
    follower.follow(reader)  # the reader's older reading is not taken back
    assert not follower.is_active(acme.id)
    other = TestHub()
    with pytest.raises(DocumentRefused, match="another hub"):
        follower.follow(following(other, tmp_path / "other", clock))


def test_key_rotation_both_keys_verify_until_the_hub_promotes_the_next(hub: TestHub, tmp_path: Path) -> None:
    acme, old_key = member("acme")
    hub.admit(acme)
    clock = Clock()
    directory = following(hub, tmp_path, clock)
    directory.accept_directory(hub.directory())
    new_key = generate_key()
    hub.rotate(acme.id, public_jwk(new_key.public_key()))
    directory.accept_directory(hub.directory())
    for key in (old_key, new_key):
        token = tokens.issue(key, acme.id, "urn:me", clock.now())  # type: ignore[arg-type]
        assert tokens.verify(token, "urn:me", directory.keys_of, clock.now()).participant_id == acme.id
    # Promoted: the new key is the listed one, the old one no longer verifies.
    hub.entries[acme.id]["publicKey"] = hub.entries[acme.id].pop("nextKey")
    hub.seq += 1
    directory.accept_directory(hub.directory())
    stale_token = tokens.issue(old_key, acme.id, "urn:me", clock.now())  # type: ignore[arg-type]
    with pytest.raises(Unauthenticated):
        tokens.verify(stale_token, "urn:me", directory.keys_of, clock.now())
    fresh_token = tokens.issue(new_key, acme.id, "urn:me", clock.now())
    assert tokens.verify(fresh_token, "urn:me", directory.keys_of, clock.now()).participant_id == acme.id


def test_the_kept_copy_serves_after_a_restart_until_it_expires_then_everyone_is_refused(
    hub: TestHub, tmp_path: Path
) -> None:
    acme, _ = member("acme")
    hub.admit(acme)
    clock = Clock()
    following(hub, tmp_path, clock).accept_directory(hub.directory())
    restarted = following(hub, tmp_path, clock)  # the hub is not asked: the copy on disk is enough
    assert restarted.is_active(acme.id)
    clock.at += hub.lifetime + timedelta(seconds=1)
    with pytest.raises(StaleDirectory) as refused:
        restarted.key_of(acme.id)
    assert "stale" in refused.value.message and "expired" in refused.value.message
    assert "오래되었습니다" in refused.value.details["message_ko"]
    assert refused.value.status == 503 and refused.value.headers()["Retry-After"] == "1"
    for lookup in (restarted.keys_of, restarted.is_active, restarted.get):
        with pytest.raises(StaleDirectory):
            lookup(acme.id)
    assert [p.name for p in restarted.participants()] == ["acme"]  # names still show


def test_before_any_document_every_peer_is_refused_as_not_yet_verified(hub: TestHub, tmp_path: Path) -> None:
    with pytest.raises(StaleDirectory, match="not been verified yet"):
        following(hub, tmp_path, Clock()).keys_of("urn:uuid:anyone")


def test_a_kept_copy_signed_by_another_key_is_not_taken(hub: TestHub, tmp_path: Path) -> None:
    (tmp_path / "hub-directory.jwt").write_text(hub.directory(key=generate_key()))
    directory = following(hub, tmp_path, Clock())
    assert directory.stale() is not None and "not taken" in (directory.last_error or "")


def test_a_document_with_a_bad_entry_is_refused_whole(hub: TestHub, tmp_path: Path) -> None:
    acme, _ = member("acme")
    hub.admit(acme, status="maybe")
    with pytest.raises(DocumentRefused, match="status"):
        following(hub, tmp_path, Clock()).accept_directory(hub.directory())


def test_fingerprint_is_the_rfc_8037_thumbprint() -> None:
    # RFC 8037 § A.3: the thumbprint of its example Ed25519 key.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert fingerprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


# ---- the status list ------------------------------------------------------------------------------------------
def reference_bit(bits: bytes, index: int) -> bool:
    """Bit ``index`` of ``bits`` read as one big-endian binary numeral, written out as characters."""
    return "".join(f"{byte:08b}" for byte in bits)[index] == "1"


@given(st.binary(min_size=1, max_size=512), st.data())
def test_the_bit_check_agrees_with_a_reference_computation(bits: bytes, data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(bits) * 8 - 1))
    assert bit_is_set(bits, index) == reference_bit(bits, index)
    assert decode_bits(b64url(gzip.compress(bits))) == bits


@given(st.binary(min_size=1, max_size=64), st.integers())
def test_an_index_outside_the_list_never_counts(bits: bytes, index: int) -> None:
    listed = StatusList("urn:hub", bits, datetime.now(UTC) + timedelta(minutes=1))
    inside = 0 <= index < len(bits) * 8
    assert listed.counts(index, datetime.now(UTC)) == (inside and not reference_bit(bits, index))


def test_a_status_list_that_unpacks_beyond_its_bound_is_refused() -> None:
    bomb = gzip.compress(bytes(17 << 20))  # 17 MiB of zeros packs into a few KiB
    with pytest.raises(StatusListRefused, match="more than"):
        decode_bits(b64url(bomb))
    with pytest.raises(StatusListRefused, match="not gzip"):
        decode_bits(b64url(b"plain"))


def test_a_revoked_credential_does_not_count_and_others_still_do(hub: TestHub, tmp_path: Path) -> None:
    acme, _ = member("acme")
    hub.admit(acme)
    hub.entries[hub.id] = {
        "id": hub.id,
        "name": "hub",
        "publicKey": hub.jwk,
        "endpoint": "http://127.0.0.1:9700/dsp",
        "status": "active",
    }
    clock = Clock()
    directory = following(hub, tmp_path, clock)
    directory.accept_directory(hub.directory())
    tier = hub.credential(acme.id, {"tier": ["tier1"]}, index=41)
    sector = hub.credential(acme.id, {"sector": ["C30"]}, index=42)

    def attributes() -> dict[str, frozenset[str]]:
        return credentials.attributes_of(
            [tier, sector], acme.id, [hub.id], directory.keys_of, clock.now(), directory.status_of
        )

    assert attributes() == {}  # no status list verified yet: the hub's credentials do not count
    directory.accept_status(hub.status())
    assert attributes() == {"tier": frozenset({"tier1"}), "sector": frozenset({"C30"})}
    hub.revoke(41)
    directory.accept_status(hub.status())
    assert attributes() == {"sector": frozenset({"C30"})}
    clock.at += hub.lifetime + timedelta(seconds=1)  # the list expired: nothing of the hub's counts
    assert (
        credentials.attributes_of(
            [sector], acme.id, [hub.id], lambda _: hub.key.public_key(), clock.now(), directory.status_of
        )
        == {}
    )


def test_credentials_of_an_issuer_without_a_status_list_still_count() -> None:
    issuer = generate_key()
    now = datetime.now(UTC)
    token = credentials.issue(issuer, "urn:association", "urn:acme", {"role": ["supplier"]}, now)
    found = credentials.attributes_of([token], "urn:acme", ["urn:association"], lambda _: issuer.public_key(), now)
    assert found == {"role": frozenset({"supplier"})}
