"""A hosted connector's life at the hub besides moving out: a sign-up that fails leaves nothing (no folder, no
PostgreSQL schema, no member in the directory); the operator removes one without moving it (refused while it has
agreements nobody ended, unless forced; its folder and schema kept aside, its membership suspended with the reason,
partners told at once); and a portal sign-up whose connector failed to start after approval is opened later, by
the operator's retry or at the hub's next start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from sangsaeng.errors import ConfigurationError, Conflict
from sangsaeng.hub.hosting.tenancy import Hosting
from sangsaeng.launch import HubProcess, free_port
from sangsaeng.settings import Settings
from sangsaeng.store import migrate
from sangsaeng.tenants.context import Context
from sangsaeng.tenants.host import Host
from sangsaeng.web.app import create_app
from tests.helpers import SAMPLE_CSV, negotiate, offer_policy, publish
from tests.hosting_space import HubHosting, facts, hosting_hub
from tests.hub_space import HUB_URL, hub_space
from tests.test_hub_portal import csrf_of, host_me, hosted_form, hosted_status
from tests.test_hub_process import sangsaeng

pytestmark = pytest.mark.anyio


def hosting_of(h: HubHosting) -> Hosting:
    root = h.space.host.root
    assert root is not None
    return root.own(Hosting, lambda: pytest.fail("the hub hosts nothing"))


async def log_of(operator: httpx.AsyncClient, participant: str) -> list[dict[str, Any]]:
    """The hub's own log entries about ``participant`` (the hub's management API, its operator's key)."""
    answer = await operator.get("/api/audit/entries", params={"counterparty": participant, "limit": 1000})
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


# ---- a failed sign-up ----------------------------------------------------------------------------------------
async def test_a_failed_sign_up_on_postgresql_leaves_no_schema_folder_or_active_member(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with hosting_hub(tmp_path, [], database_url=postgres_url) as h:

        async def refused(self: Hosting, context: Context) -> None:  # after the approval committed
            raise Conflict("forced: the credentials could not be handed over")

        monkeypatch.setattr(Hosting, "hand_credentials", refused)
        failed = await h.operator.post("/hub/hosted", json={"company": facts("X"), "name": "x"})
        assert failed.status_code == 409, failed.text
        assert "t_x" not in migrate.schemas(postgres_url)
        assert not (h.hub.settings.data_dir / "tenants" / "x").exists() and "x" not in h.space.host.contexts
        [application] = (await h.operator.get("/hub/applications")).json()["applications"]
        assert application["state"] == "suspended" and application["hosted"] is True
        assert "sign-up was undone" in application["reason"] and "가입을 되돌렸습니다" in application["reason"]
        assert not hosting_of(h).hub.directory.is_active(application["participant"]["id"])

        monkeypatch.undo()  # the same name again: nothing of the failed attempt is in its way or in its state
        made = await h.sign_up("x")
        assert made["participantId"] != application["participant"]["id"]
        assert "t_x" in migrate.schemas(postgres_url)
        datasets = await h.operator.get(f"{made['url']}/api/datasets", headers={"X-API-Key": made["apiKey"]})
        assert datasets.status_code == 200 and datasets.json() == [], datasets.text


# ---- removing a hosted connector -----------------------------------------------------------------------------
async def removed(h: HubHosting) -> None:
    """t has an agreement with p; the operator removes t: refused without force, then forced."""
    t, p = h.space.tenants["t"], h.space.tenants["p"]
    dataset_id, offer_id = await publish(t, SAMPLE_CSV, offer_policy(p.id))  # type: ignore[arg-type]
    assert (await negotiate(p, t, dataset_id, offer_id))["state"] == "FINALIZED"  # type: ignore[arg-type]
    anyone = h.space.anyone
    assert anyone is not None

    # the operator only, with a reason; a name no one has is unknown
    reason = {"reason": "계약 만료 / contract ended"}
    own_key = {"X-API-Key": t.init.api_key}
    assert (await anyone.delete("/hub/hosted/t", params=reason, headers=own_key)).status_code == 401
    assert (await h.operator.delete("/hub/hosted/zz", params=reason)).status_code == 404
    no_reason = await h.operator.delete("/hub/hosted/t")
    assert no_reason.status_code == 400 and no_reason.json()["error"]["position"] == "reason", no_reason.text
    for language, words in (("en", "1 agreement(s) nobody has ended"), ("ko", "끝나지 않은 계약이 1건")):
        held = await h.operator.delete("/hub/hosted/t", params=reason, headers={"Accept-Language": language})
        error = held.json()["error"]
        assert held.status_code == 409 and error["position"] == "force" and error["details"]["agreements"] == 1
        assert words in (error["message"] if language == "en" else error["details"]["message_ko"]), error
    assert (await t.api.get("/api/datasets")).status_code == 200  # still served

    gone = await h.operator.delete("/hub/hosted/t", params={**reason, "force": "true"})
    assert gone.status_code == 200, gone.text
    answer = gone.json()
    assert answer["participantId"] == t.id and answer["state"] == "suspended" and answer["agreementsNotEnded"] == 1
    assert answer["folder"] == "tenants/t.removed"
    # no longer served; its folder kept aside; its membership suspended with the reason; partners told at once
    assert (await t.api.get("/api/datasets")).status_code == 404
    assert (h.hub.settings.data_dir / "tenants" / "t.removed" / "key.pem").is_file()
    application = (await h.operator.get(f"/hub/applications/{h.signed_up['t']['application']}")).json()
    assert application["state"] == "suspended" and application["reason"] == reason["reason"]
    assert not p.context.connector.directory.is_active(t.id)
    logged = {e["kind"]: e for e in await log_of(h.operator, t.id)}
    assert logged["hub.suspend"]["reason"] == reason["reason"]
    assert logged["hub.hosted.removed"]["reason"] == reason["reason"]
    assert logged["hub.hosted.removed"]["agreements"] == 1
    # the name stays taken while its folder is kept: a newcomer never inherits its state
    taken = await h.operator.post("/hub/hosted", json={"company": facts("T"), "name": "t"})
    assert taken.status_code == 400 and taken.json()["error"]["position"] == "name"
    assert (await h.operator.delete("/hub/hosted/t", params=reason)).status_code == 404
    # reinstated while nothing serves it, the directory would list an address answering 404: refused, said why
    again = await h.operator.post(f"/hub/applications/{h.signed_up['t']['application']}/reinstate")
    assert again.status_code == 409 and "no longer hosts t's connector" in again.json()["error"]["message"], again.text
    still = (await h.operator.get(f"/hub/applications/{h.signed_up['t']['application']}")).json()
    assert still["state"] == "suspended"


async def test_the_operator_removes_a_hosted_connector_without_moving_it(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["t", "p"]) as h:
        await removed(h)
        assert h.space.tenants["p"].context.connector.directory.is_active(h.space.tenants["p"].id)  # others stay


async def test_a_removed_connector_on_postgresql_keeps_its_schema_and_the_log_names_it(
    tmp_path: Path, postgres_url: str
) -> None:
    async with hosting_hub(tmp_path, ["t", "p"], database_url=postgres_url) as h:
        await removed(h)
        assert "t_t" in migrate.schemas(postgres_url)
        [entry] = [e for e in await log_of(h.operator, h.space.tenants["t"].id) if e["kind"] == "hub.hosted.removed"]
        assert entry["schema"] == "t_t"


async def test_a_hosted_connector_without_agreements_is_removed_from_the_command_line(tmp_path: Path) -> None:
    port, data_dir = free_port(), tmp_path / "hub"
    sangsaeng("hub", "init", "--name", "상생 허브", "--port", str(port), "--data-dir", str(data_dir), "--en")
    hub = HubProcess(data_dir, port).start()
    try:
        company = ["--company", "Dure Metal", "--brn", "124-81-00998", "--ksic", "C25", "--region", "경상남도"]
        more = ["--size", "sme", "--chain", "현대차", "--tier", "2차", "--contact", "박대표", "--email", "p@dure.kr"]
        sangsaeng("hub", "host", "dure", *company, *more, "--phone", "055-987-6543", "--data-dir", str(data_dir))
        done = sangsaeng("hub", "unhost", "dure", "--reason", "폐업", "--data-dir", str(data_dir), "--ko")
        assert "호스팅을 멈췄습니다" in done.stdout and "tenants/dure.removed" in done.stdout, done.stdout
        assert httpx.get(f"{hub.url}/c/dure/.well-known/dspace-version").status_code == 404
    finally:
        hub.stop()


# ---- an approved sign-up whose connector did not start --------------------------------------------------------
def failing_once(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``Host.add`` fails the first time (a dataset store that cannot be reached, say), then works."""
    real, failed = Host.add, []

    async def add(self: Host, name: str, *args: Any, **named: Any) -> Context:
        if not failed:
            failed.append(name)
            raise ConfigurationError("forced: the dataset store could not be reached")
        return await real(self, name, *args, **named)

    monkeypatch.setattr(Host, "add", add)
    return failed


async def signed_up_on_the_portal(client: httpx.AsyncClient) -> tuple[str, str]:
    answer = await host_me(client, hosted_form())
    assert answer.status_code == 201, answer.text
    application = answer.text.split('id="application-id">', 1)[1].split("<", 1)[0]
    code = answer.text.split('id="status-code">', 1)[1].split("<", 1)[0]
    return application, code


async def test_an_approved_connector_that_failed_to_start_is_opened_by_the_operators_retry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        hub_space(tmp_path) as space,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=space.app), base_url=HUB_URL, cookies={"lang": "en"}
        ) as client,
    ):
        application, code = await signed_up_on_the_portal(client)
        waiting = await space.operator.post("/hub/hosted/dure-metal/retry")
        assert waiting.status_code == 409 and "only an approved one is opened" in waiting.json()["error"]["message"]

        failed = failing_once(monkeypatch)
        approved = await space.operator.post(f"/hub/applications/{application}/approve")
        assert failed == ["dure-metal"] and approved.status_code == 500  # the operator sees the error
        assert (await space.operator.get(f"/hub/applications/{application}")).json()["state"] == "approved"
        signups = space.made.settings.data_dir / "signups"
        assert (signups / "dure-metal" / "connector.toml").is_file()
        assert (await client.get("/c/dure-metal/portal/login")).status_code == 404  # not served half-made

        anyone = await client.post("/hub/hosted/dure-metal/retry")
        assert anyone.status_code == 401
        assert (await space.operator.post("/hub/hosted/nobody/retry")).status_code == 404
        retried = await space.operator.post("/hub/hosted/dure-metal/retry")
        assert retried.status_code == 200, retried.text
        assert retried.json()["portal"] == f"{HUB_URL}/c/dure-metal/portal/"
        await opened(space.app.state.host, client, application, code)
        again = await space.operator.post("/hub/hosted/dure-metal/retry")
        assert again.status_code == 409 and "open already" in again.json()["error"]["message"]


async def test_an_approved_connector_that_failed_to_start_is_opened_at_the_hubs_next_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        hub_space(tmp_path) as space,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=space.app), base_url=HUB_URL, cookies={"lang": "en"}
        ) as client,
    ):
        application, code = await signed_up_on_the_portal(client)
        failed = failing_once(monkeypatch)
        await space.operator.post(f"/hub/applications/{application}/approve")
        assert failed == ["dure-metal"] and "dure-metal" not in space.app.state.host.contexts
    app = create_app(Settings(data_dir=space.made.settings.data_dir))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=HUB_URL, cookies={"lang": "en"}) as client,
    ):
        await opened(app.state.host, client, application, code)


async def opened(host: Host, client: httpx.AsyncClient, application: str, code: str) -> None:
    """The applicant's connector is served with its user, credentials and key, its folder out of ``signups/``."""
    context = host.get("dure-metal")
    assert context is not None and context.connector.wallet.tokens(), "opened, with its credentials"
    assert not (context.settings.data_dir.parent.parent / "signups" / "dure-metal").exists()
    status = await hosted_status(client, application, code)
    key = status.text.split('id="api-key">', 1)[1].split("<", 1)[0]
    assert (await client.get("/c/dure-metal/api/datasets", headers={"X-API-Key": key})).status_code == 200
    page = await client.get("/c/dure-metal/portal/login")
    signed = await client.post(
        "/c/dure-metal/portal/login",
        data={"csrf": csrf_of(page.text), "name": "박대표", "password": "두리금속 비밀번호 2024"},
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/c/dure-metal/portal/", signed.text
