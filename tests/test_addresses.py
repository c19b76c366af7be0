"""Addresses a peer names are followed only under what the directory lists: the pure rules, for all inputs.

The oracle for "where does it really go" is what a server makes of the path: percent-decoded, then its dot
segments resolved (Starlette decodes before routing; httpx resolves dot segments before sending).
"""

from __future__ import annotations

import posixpath
from datetime import UTC, datetime
from functools import partial
from typing import Any, cast
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sangsaeng.connector import Connector
from sangsaeng.dsp.messages import path_segment
from sangsaeng.errors import InvalidMessage
from sangsaeng.identity.directory import FixedDirectory, Participant, UnsafeAddress, normalised, under
from sangsaeng.identity.keys import generate_key, public_jwk
from sangsaeng.negotiation.service import NegotiationService
from sangsaeng.store.records import Negotiation, Transfer
from sangsaeng.transfer.service import TransferService

BASE = "http://127.0.0.1:9001/dsp"
PIECES = ["a", "dsp", "data", "x", ".", "..", "%2e", "%2E%2e", "%2f", "%5c", "%25", "/", "//", "\\", "@", "?", "#", ":"]


def lands_under(url: str, base: str) -> bool:
    """Where a request for ``url`` ends up on the server, compared with ``base``."""
    sent = httpx.URL(url)
    wanted = httpx.URL(base)
    if (sent.scheme, sent.host, sent.port) != (wanted.scheme, wanted.host, wanted.port):
        return False
    path = posixpath.normpath(unquote(sent.path))
    root = posixpath.normpath(wanted.path)
    return path == root or path.startswith(root.rstrip("/") + "/")


@given(st.lists(st.sampled_from(PIECES), max_size=8))
def test_an_address_accepted_as_under_the_base_lands_under_it(pieces: list[str]) -> None:
    url = BASE + "/" + "".join(pieces)
    try:
        inside = under(url, BASE)
    except UnsafeAddress:
        return
    if inside is not None:
        assert lands_under(inside, BASE), (url, inside)
        assert lands_under(url, BASE), url  # the address as the peer wrote it, too


@given(st.sampled_from(["http", "https", "ftp"]), st.sampled_from(["127.0.0.1", "127.0.0.2", "localhost"]))
def test_another_origin_is_never_under(scheme: str, host: str) -> None:
    for port in ("", ":9001", ":9002", ":80"):
        url = f"{scheme}://{host}{port}/dsp/negotiations"
        try:
            inside = under(url, BASE)
        except UnsafeAddress:
            continue
        assert (inside is not None) == (scheme == "http" and host == "127.0.0.1" and port == ":9001")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9001@127.0.0.2:9001/dsp",
        "http://127.0.0.1:9001/dsp/%2e%2e/admin",
        "http://127.0.0.1:9001/dsp/..%2fadmin",
        "http://127.0.0.1:9001/dsp\\..\\admin",
        "http://127.0.0.1:9001/dsp/x?y=1",
        "http://127.0.0.1:9001/dsp/x#y",
        "http://127.0.0.1:9001/dsp//x",
        "http://127.0.0.1:9001/../../dsp",
        "http://127.0.0.1:9001/dsp/ x",
        "http://127.0.0.1:99999/dsp",
        "file:///etc/passwd",
    ],
)
def test_addresses_that_could_mean_two_things_are_refused(url: str) -> None:
    with pytest.raises(UnsafeAddress):
        normalised(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:9001/dsp", "http://127.0.0.1:9001/dsp"),
        ("http://127.0.0.1:9001/dsp/negotiations/./x", "http://127.0.0.1:9001/dsp/negotiations/x"),
        ("HTTP://127.0.0.1:9001/dsp/a/../b", "http://127.0.0.1:9001/dsp/b"),
        ("http://127.0.0.1:9001/dsp/../admin", None),
        ("http://127.0.0.1:9001/dspx", None),
        ("http://127.0.0.1:9002/dsp", None),
    ],
)
def test_dot_segments_are_resolved_before_the_prefix_check(url: str, expected: str | None) -> None:
    assert under(url, BASE) == expected


class Directed:
    """Only what ``Connector.check_callback`` and ``check_data_address`` read: the directory."""

    def __init__(self, peer: Participant) -> None:
        self.directory = FixedDirectory([peer])

    check_callback = Connector.check_callback
    check_data_address = Connector.check_data_address


PEER = Participant("urn:peer", "Peer", public_jwk(generate_key().public_key()), BASE)


@pytest.mark.parametrize(
    "callback",
    [
        "http://127.0.0.1:9001/dsp/../admin",
        "http://127.0.0.1:9001/dsp/x/../../admin",
        "http://127.0.0.1:9001/dsp/%2e%2e/admin",
        "http://127.0.0.1:9001/dsp@127.0.0.2:9001/dsp",
    ],
)
def test_a_callback_that_climbs_out_of_the_callers_endpoint_is_refused(callback: str) -> None:
    with pytest.raises(InvalidMessage) as refused:
        cast(Any, Directed(PEER)).check_callback("urn:peer", callback)
    assert refused.value.position == "callbackAddress"


def test_the_data_plane_is_listed_or_beside_the_protocol_endpoint() -> None:
    assert PEER.data_plane == "http://127.0.0.1:9001/data"
    listed = Participant("urn:p", "P", PEER.public_key, "http://h/protocol", data_endpoint="http://d:8/files/")
    assert listed.data_plane == "http://d:8/files"
    assert Participant("urn:p", "P", PEER.public_key, "http://h/protocol").data_plane is None
    assert FixedDirectory.from_dict({"participants": [listed.to_dict()]}).get("urn:p") == listed
    directed = cast(Any, Directed(PEER))
    assert directed.check_data_address("urn:peer", "http://127.0.0.1:9001/data/t/") == "http://127.0.0.1:9001/data/t"
    with pytest.raises(InvalidMessage):
        directed.check_data_address("urn:peer", "http://127.0.0.1:9001/data/../dsp/x")


NOW = datetime(2026, 1, 1, tzinfo=UTC)


@given(st.text(max_size=30))
def test_a_process_id_stays_one_path_segment(pid: str) -> None:
    try:
        segment = path_segment(pid)
    except InvalidMessage:
        assert pid in ("", ".", "..") or "/" in pid or "\\" in pid
        return
    assert "/" not in segment and "?" not in segment and "#" not in segment
    assert unquote(segment) == pid
    assert lands_under(f"{BASE}/transfers/{segment}/start", f"{BASE}/transfers")


@pytest.mark.parametrize("pid", ["x/../../../../evil", "../../../evil", "x%2F..%2F..%2Fevil"])
def test_a_peers_process_id_cannot_move_our_messages_out_of_its_callback(pid: str) -> None:
    common: dict[str, Any] = {"counterparty": "urn:peer", "state": "REQUESTED", "created_at": NOW, "updated_at": NOW}
    transfer = Transfer(
        id="mine", role="provider", provider_pid="mine", consumer_pid=pid, counterparty_address=BASE,
        agreement_id="a", format="HttpData-PULL", **common,
    )  # fmt: skip
    negotiation = Negotiation(
        id="mine", role="consumer", provider_pid=pid, consumer_pid="mine", counterparty_address=BASE,
        dataset_id="d", offer={}, **common,
    )  # fmt: skip
    transfers, negotiations = TransferService(cast(Any, None)), NegotiationService(cast(Any, None))
    paths: list[str] = []
    for peer_path in (partial(transfers._peer_path, transfer), partial(negotiations._peer_path, negotiation)):
        try:
            paths.append(peer_path())
        except InvalidMessage as refused:  # refusing it is as good as keeping it in its segment
            assert refused.position in ("consumerPid", "providerPid")
    for path in paths:
        assert lands_under(f"{BASE}{path}/termination", BASE), path
        assert urlsplit(f"{BASE}{path}").path.count("/") == 3, path  # /dsp/<kind>/<one segment>
