"""A hostile provider, as a real process, tries every way to steer a real consumer connector's requests.

The fake provider (``tests/fake_provider.py``) negotiates properly — its key is in the directory, it signs the
agreement — and then names data addresses elsewhere, changes them, restarts ended transfers, redirects, sends
what is not Arrow, dies mid-stream and answers with floods. Canary listeners on other loopback ports and on
127.0.0.2 count every request they get: none may arrive, and the data token may reach only the pinned endpoint.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from sangsaeng.dsp.messages import data_address
from sangsaeng.identity.directory import Participant, upsert_participant
from sangsaeng.identity.keys import generate_key, public_jwk, save_private_key
from sangsaeng.launch import Node, free_port, running

pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("processes")]
FAKE = "urn:sangsaeng:participant:fake-provider"
SCRIPT = Path(__file__).with_name("fake_provider.py")
PASSWORD = "correct horse battery"


class Canary:
    """An HTTP listener that answers 200 to anything and remembers every request (path, Authorization)."""

    def __init__(self, host: str) -> None:
        self.requests: list[tuple[str, str]] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                canary.requests.append((self.path, self.headers.get("Authorization", "")))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = do_PUT = do_DELETE = _any  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Space:
    oem: Node
    fake: httpx.Client
    fake_url: str
    agreement: str
    canaries: list[Canary]
    portal: httpx.Client
    tokens: list[str] = field(default_factory=list)  # data tokens the fake handed out

    def send(self, path: str, message: dict[str, Any]) -> httpx.Response:
        """Have the fake provider sign and send ``message`` to the consumer's ``path``; the consumer's answer."""
        answer = self.fake.post("/control/send", json={"path": path, "message": message}).json()
        return httpx.Response(answer["status"], text=answer["body"])

    def transfer(self) -> tuple[str, str]:
        """A new transfer, requested by the consumer and known to the fake: (consumerPid, providerPid)."""
        consumer_pid = self.oem.client.start_transfer(self.agreement)["id"]
        deadline = time.monotonic() + 15
        while (known := self.fake.get(f"/control/transfers/{consumer_pid}")).status_code != 200:
            assert time.monotonic() < deadline, "the transfer request never reached the fake provider"
            time.sleep(0.02)
        return consumer_pid, known.json()["providerPid"]

    def start(self, consumer_pid: str, provider_pid: str, endpoint: str | None = None) -> httpx.Response:
        token = f"data-token-{uuid.uuid4()}"
        self.tokens.append(token)
        return self.send(
            f"/transfers/{consumer_pid}/start",
            {
                "@type": "TransferStartMessage",
                "providerPid": provider_pid,
                "consumerPid": consumer_pid,
                "dataAddress": data_address(endpoint or self.data_url(provider_pid), token),
            },
        )

    def data_url(self, provider_pid: str) -> str:
        return f"{self.fake_url}/data/{provider_pid}"

    def started(self, mode: dict[str, Any] | None = None) -> tuple[str, str]:
        consumer_pid, provider_pid = self.transfer()
        if mode:
            self.fake.put(f"/control/mode/{provider_pid}", json=mode)
        assert self.start(consumer_pid, provider_pid).status_code == 200
        self.oem.client.wait_transfer_ready(consumer_pid, 15)
        return consumer_pid, provider_pid

    def state(self, consumer_pid: str) -> str:
        return str(self.oem.client.get(f"/transfers/{consumer_pid}")["state"])

    def canary_requests(self) -> list[tuple[str, str]]:
        return [r for c in self.canaries for r in c.requests]


def _wait(check: Callable[[], bool], what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


@pytest.fixture(scope="module")
def space(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Space]:
    root = tmp_path_factory.mktemp("malicious")
    key = generate_key()
    save_private_key(key, root / "fake.pem")
    port = free_port()
    fake_url = f"http://127.0.0.1:{port}"
    # Its data plane is the one derived from the protocol endpoint: http://127.0.0.1:PORT/data
    upsert_participant(
        root / "directory.json", Participant(FAKE, "Fake", public_jwk(key.public_key()), f"{fake_url}/dsp")
    )
    canaries = [Canary("127.0.0.1"), Canary("127.0.0.2")]
    fake_process: subprocess.Popen[bytes] | None = None
    try:
        with running(root, ["oem"], outbox_base_delay=0.05, outbox_max_delay=0.5) as nodes:
            oem = nodes["oem"]
            with (root / "fake.log").open("ab") as log:
                fake_process = subprocess.Popen(
                    [sys.executable, str(SCRIPT), "--port", str(port), "--key", str(root / "fake.pem")]
                    + ["--id", FAKE, "--consumer", oem.id],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            fake = httpx.Client(base_url=fake_url, timeout=30)
            _wait(lambda: _answers(fake), f"the fake provider did not start; see {root / 'fake.log'}")
            offer = {"@id": "urn:uuid:fake-offer", "permission": [{"action": "use"}]}
            started = oem.client.post("/negotiations", {"peer": FAKE, "datasetId": "urn:fake:dataset", "offer": offer})
            final = oem.client.wait_negotiation(started["id"], 20)
            assert final["state"] == "FINALIZED", final
            portal = _portal(oem, root)
            yield Space(oem, fake, fake_url, final["agreementId"], canaries, portal)
            portal.close()
            fake.close()
    finally:
        if fake_process is not None:
            fake_process.terminate()
            fake_process.wait(10)
        for canary in canaries:
            canary.close()


def _answers(client: httpx.Client) -> bool:
    try:
        return client.get("/.well-known/dspace-version").status_code == 200
    except httpx.TransportError:
        return False


def _portal(oem: Node, root: Path) -> httpx.Client:
    data_dir = str(oem.init.settings.data_dir)
    subprocess.run(
        [sys.executable, "-m", "sangsaeng", "user", "add", "kim", "--role", "steward"]
        + ["--password", PASSWORD, "--data-dir", data_dir],
        check=True,
        capture_output=True,
    )
    client = httpx.Client(base_url=oem.process.url, timeout=30)
    page = client.get("/portal/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post("/portal/login", data={"csrf": token.group(1), "name": "kim", "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return client


# ---- data addresses: only under the provider's data plane, fixed at the first start ---------------------------
STEERED: dict[str, Callable[[Space, str], str]] = {
    "another port": lambda s, pid: f"{s.canaries[0].url}/data/{pid}",
    "another host": lambda s, pid: f"{s.canaries[1].url}/data/{pid}",
    "another host name": lambda s, pid: s.data_url(pid).replace("127.0.0.1", "localhost"),
    "another scheme": lambda s, pid: s.data_url(pid).replace("http:", "https:"),
    "another path prefix": lambda s, pid: f"{s.fake_url}/dsp/transfers/{pid}",
    "a prefix that only starts alike": lambda s, pid: f"{s.fake_url}/database/{pid}",
    "dot segments": lambda s, pid: f"{s.fake_url}/data/../control/seen",
    "encoded dot segments": lambda s, pid: f"{s.fake_url}/data/%2e%2e/control/seen",
    "an encoded slash": lambda s, pid: f"{s.fake_url}/data/..%2Fcontrol%2Fseen",
    "userinfo": lambda s, pid: f"{s.fake_url}@{s.canaries[1].url.removeprefix('http://')}/data/{pid}",
    "a backslash": lambda s, pid: f"{s.fake_url}\\@{s.canaries[1].url.removeprefix('http://')}/data/{pid}",
    "a fragment": lambda s, pid: f"{s.canaries[0].url}#{s.data_url(pid)}",
}


@pytest.mark.parametrize("how", list(STEERED))
def test_a_data_address_outside_the_providers_data_plane_is_refused(space: Space, how: str) -> None:
    consumer_pid, provider_pid = space.transfer()
    answer = space.start(consumer_pid, provider_pid, STEERED[how](space, provider_pid))
    assert answer.status_code == 400, answer.text
    assert answer.json()["@type"] == "TransferError" and "dataAddress" in " ".join(answer.json()["reason"])
    assert space.state(consumer_pid) == "REQUESTED"
    relay = space.oem.client.http.get(f"/transfers/{consumer_pid}/data")
    assert relay.status_code == 400 and relay.json()["error"]["code"] == "invalid-transition"
    assert space.canary_requests() == []


def test_the_first_start_pins_the_endpoint_and_a_resume_may_renew_only_the_token(space: Space) -> None:
    consumer_pid, provider_pid = space.started()
    elsewhere = f"{space.canaries[0].url}/data/{provider_pid}"
    sibling = space.data_url(f"urn:uuid:{uuid.uuid4()}")  # under the data plane, but not this transfer's
    for endpoint in (elsewhere, sibling):
        again = space.start(consumer_pid, provider_pid, endpoint)
        assert again.status_code == 400, again.text
    suspended = space.send(
        f"/transfers/{consumer_pid}/suspension",
        {"@type": "TransferSuspensionMessage", "providerPid": provider_pid, "consumerPid": consumer_pid},
    )
    assert suspended.status_code == 200 and space.state(consumer_pid) == "SUSPENDED"
    assert space.start(consumer_pid, provider_pid, sibling).status_code == 400
    assert space.state(consumer_pid) == "SUSPENDED"
    assert space.start(consumer_pid, provider_pid).status_code == 200  # same address, fresh token
    assert space.state(consumer_pid) == "STARTED"
    with space.oem.client.download(consumer_pid) as response:
        response.read()
    seen = space.fake.get("/control/seen").json()
    assert seen[-1] == {"path": f"/data/{provider_pid}", "authorization": f"Bearer {space.tokens[-1]}"}
    assert space.canary_requests() == []


@pytest.mark.parametrize("ending", ["completion", "termination"])
def test_an_ended_transfer_takes_only_the_repeat_of_what_ended_it(space: Space, ending: str) -> None:
    consumer_pid, provider_pid = space.started()
    pids = {"providerPid": provider_pid, "consumerPid": consumer_pid}
    end = {"@type": f"Transfer{ending.title()}Message", **pids}
    assert space.send(f"/transfers/{consumer_pid}/{ending}", end).status_code == 200
    final = "COMPLETED" if ending == "completion" else "TERMINATED"
    assert space.state(consumer_pid) == final
    for endpoint in (None, f"{space.canaries[0].url}/data/{provider_pid}"):
        restarted = space.start(consumer_pid, provider_pid, endpoint)
        assert restarted.status_code == 400, restarted.text
        assert restarted.json()["@type"] == "TransferError"
    suspension = {"@type": "TransferSuspensionMessage", **pids}
    assert space.send(f"/transfers/{consumer_pid}/suspension", suspension).status_code == 400
    assert space.send(f"/transfers/{consumer_pid}/{ending}", end).status_code == 200  # a retry: a no-op
    assert space.state(consumer_pid) == final
    assert space.oem.client.http.get(f"/transfers/{consumer_pid}/data").status_code == 400
    assert space.canary_requests() == []


def test_a_finalized_negotiation_takes_only_the_repeat_of_its_finalization(space: Space) -> None:
    known = space.fake.get("/control/negotiation").json()
    pids = {"providerPid": known["providerPid"], "consumerPid": known["consumerPid"]}
    base = f"/negotiations/{known['consumerPid']}"
    finalized = {"@type": "ContractNegotiationEventMessage", "eventType": "FINALIZED", **pids}
    assert space.send(f"{base}/events", finalized).status_code == 200
    agreement = {"@type": "Agreement", "@id": space.agreement}
    again = {"@type": "ContractAgreementMessage", "agreement": agreement, **pids}
    assert space.send(f"{base}/agreement", again).status_code == 400
    terminated = {"@type": "ContractNegotiationTerminationMessage", **pids}
    assert space.send(f"{base}/termination", terminated).status_code == 400
    assert space.oem.client.get(f"/negotiations/{known['consumerPid']}")["state"] == "FINALIZED"


# ---- the relay under a hostile or dying provider -------------------------------------------------------------
def test_a_redirect_is_not_followed(space: Space) -> None:
    consumer_pid, _ = space.started({"mode": "redirect", "location": f"{space.canaries[1].url}/steal"})
    relay = space.oem.client.http.get(f"/transfers/{consumer_pid}/data")
    assert relay.status_code == 502 and relay.json()["error"]["code"] == "peer-error"
    page = _refresh(space, "en")
    assert page.status_code in (403, 502) and "HTTP 302" in page.text, page.text[-2000:]
    assert space.canary_requests() == []


def test_a_provider_that_dies_mid_stream_leaves_the_client_a_cut_off_body(space: Space) -> None:
    consumer_pid, _ = space.started({"mode": "cut"})
    with pytest.raises(httpx.RemoteProtocolError):  # never a clean end that looks complete
        with space.oem.client.http.stream("GET", f"/transfers/{consumer_pid}/data") as response:
            assert response.status_code == 200
            for _ in response.iter_raw():
                pass
    log = Path(space.oem.process.log_path)
    _wait(lambda: "transfer.relay_cut" in log.read_text(errors="replace"), "the cut was not logged")


def test_the_relay_answers_the_type_asked_for_not_the_one_the_provider_claims(space: Space) -> None:
    consumer_pid, _ = space.started({"mode": "html"})
    relay = space.oem.client.http.get(f"/transfers/{consumer_pid}/data")
    assert relay.headers["content-type"] == "application/vnd.apache.arrow.stream"
    assert relay.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(("mode", "status"), [("huge_error", 502), ("forbidden_not_json", 403)])
def test_a_flooding_error_answer_becomes_a_bounded_error(space: Space, mode: str, status: int) -> None:
    consumer_pid, _ = space.started({"mode": mode})
    relay = space.oem.client.http.get(f"/transfers/{consumer_pid}/data")
    assert relay.status_code == status
    assert len(relay.content) < 2_000 and set(relay.json()) == {"error"}


@pytest.mark.parametrize("answer", ["not_json", "huge"])
def test_an_aggregate_answer_that_is_not_bounded_json_is_refused(space: Space, answer: str) -> None:
    consumer_pid, _ = space.started({"mode": "arrow", "aggregate": answer})
    relay = space.oem.client.http.post(
        f"/transfers/{consumer_pid}/aggregate", json={"groupBy": ["n"], "measures": [{"op": "count"}]}
    )
    assert relay.status_code == 502, relay.text
    assert relay.json()["error"]["code"] == "peer-error"


# ---- the portal's received-data page: a refresh is the one action that asks the provider ------------------------
def _refresh(space: Space, language: str) -> httpx.Response:
    """The agreement's data fetched again through the portal, as a person presses the page's button."""
    page = space.portal.get(f"/portal/data/{space.agreement}", params={"lang": language})
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert page.status_code == 200 and token is not None, page.text[-2000:]
    form = {"csrf": token.group(1)}
    return space.portal.post(f"/portal/data/{space.agreement}", data=form, params={"lang": language})


PAGE = {
    "not_arrow": ("Arrow 형식이 아니어서", "not in the Arrow format"),
    "cut": ("중간에 끊겼습니다", "was cut off"),
}


@pytest.mark.parametrize("mode", list(PAGE))
def test_the_portal_page_says_what_is_wrong_with_the_providers_answer(space: Space, mode: str) -> None:
    for language, expected in zip(("ko", "en"), PAGE[mode], strict=True):
        space.started({"mode": mode})
        page = _refresh(space, language)
        assert page.status_code == 502 and expected in page.text, page.text[-2000:]
    # Nothing half-received is kept: a download has nothing to offer but the copy from before, if any.
    held = space.oem.client.http.get(f"/received/{space.agreement}")
    assert held.status_code in (200, 404)
    if held.status_code == 200:
        assert held.json()["rows"] in (100, 600_000)  # a whole earlier copy, never a part


@pytest.mark.parametrize("mode", ["arrow", "huge_arrow"])
def test_the_portal_page_shows_a_good_answer_kept_here(space: Space, mode: str) -> None:
    space.started(None if mode == "arrow" else {"mode": mode})
    assert _refresh(space, "en").status_code == 303
    page = space.portal.get(f"/portal/data/{space.agreement}", params={"lang": "en"})
    assert page.status_code == 200 and "CSV" in page.text, page.text[-2000:]
    if mode == "arrow":
        assert "row 49" in page.text
    download = space.portal.get(f"/portal/data/{space.agreement}/download", params={"format": "csv"})
    assert download.status_code == 200 and download.text.startswith('"n"')


def test_the_data_token_went_only_to_the_pinned_endpoint(space: Space) -> None:
    """Last: over everything the tests above made the provider try."""
    assert space.canary_requests() == []
    for request in space.fake.get("/control/seen").json():
        if request["authorization"].removeprefix("Bearer ").startswith("data-token-"):
            assert re.fullmatch(r"/data/urn:uuid:[0-9a-f-]+(/aggregate)?", request["path"]), request
