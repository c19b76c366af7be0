"""Connectors hosted by a hub (``hub/hosting``): the hub at the root and its tenants under ``/c/<name>`` in one
app, signed up through the hub's API, each its own participant, member of the hub, with its own portal user."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from sangsaeng.settings import Settings
from sangsaeng.web.app import create_app
from tests.helpers import SAMPLE_CSV, negotiate, offer_policy, publish, start_transfer
from tests.hosting_space import facts, hosting_hub
from tests.hub_space import HUB_URL
from tests.tenants_space import csrf_of

pytestmark = pytest.mark.anyio


async def test_a_hub_serves_its_root_and_its_tenants_under_their_prefix(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["a", "b"]) as h:
        anyone = h.space.anyone
        assert anyone is not None
        hub = await anyone.get("/.well-known/sangsaeng-hub")
        assert hub.status_code == 200 and hub.json()["id"] == h.hub.settings.participant_id
        for name in ("a", "b"):
            tenant = h.space.tenants[name]
            own = await anyone.get(f"/c/{name}/.well-known/dspace-version")
            assert own.status_code == 200, own.text
            me = await tenant.api.get("/api/datasets")
            assert me.status_code == 200, me.text
            assert tenant.id != h.hub.settings.participant_id
            # the hub's routes are the hub's: a tenant has none under its prefix
            assert (await anyone.get(f"/c/{name}/.well-known/sangsaeng-hub")).status_code == 404
        # an unknown name under /c/ is any unknown path
        unknown, elsewhere = await anyone.get("/c/zz/api/datasets"), await anyone.get("/nowhere/api/datasets")
        assert unknown.status_code == elsewhere.status_code == 404
        assert unknown.json() == elsewhere.json()
        # a tenant's API key opens its own API only
        a, b = h.space.tenants["a"], h.space.tenants["b"]
        crossed = await anyone.get("/c/b/api/datasets", headers={"X-API-Key": a.init.api_key})
        assert crossed.status_code == 401, crossed.text
        assert (await anyone.get("/hub/applications", headers={"X-API-Key": a.init.api_key})).status_code == 401
        assert b.context.connector.store is not a.context.connector.store


async def test_sign_up_makes_a_member_with_credentials_a_portal_user_and_a_folder(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, []) as h:
        made = await h.sign_up("x", admin={"name": "김대표", "password": "a long enough password 12"})
        folder = h.hub.settings.data_dir / "tenants" / "x"
        assert (folder / "connector.toml").is_file() and (folder / "key.pem").is_file()
        assert made["url"] == "http://127.0.0.1:9100/c/x"
        # a member, approved, in the hub's signed directory, its credentials in its wallet
        application = await h.operator.get(f"/hub/applications/{made['application']}")
        assert application.json()["state"] == "approved", application.text
        c = h.space.host.contexts["x"].connector
        assert c.wallet.tokens(), "a hosted connector holds its credentials"
        assert c.directory.find(made["participantId"]) is not None
        # its first portal user signs in with the password shown once
        client = h.space.anyone
        assert client is not None
        page = await client.get("/c/x/portal/login")
        signed = await client.post(
            "/c/x/portal/login",
            data={"csrf": csrf_of(page.text), "name": "김대표", "password": "a long enough password 12"},
        )
        assert signed.status_code == 303 and signed.headers["location"] == "/c/x/portal/", signed.text
        # a name made from the company: its Latin letters, else its registration number; never one taken
        body = {"company": facts("Hanbit Precision Co.")}
        first = (await h.operator.post("/hub/hosted", json=body)).json()
        second = (await h.operator.post("/hub/hosted", json=body)).json()
        korean = (await h.operator.post("/hub/hosted", json={"company": facts("한빛정밀")})).json()
        assert (first["name"], second["name"], korean["name"]) == (
            "hanbit-precision-co",
            "hanbit-precision-co-2",
            "c2208162517",
        )
        assert len(first["admin"]["password"]) >= 10
        assert first["participantId"] != second["participantId"]


async def test_sign_up_refuses_what_it_cannot_take_and_leaves_nothing(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["a"]) as h:
        cases = [
            ({"company": facts("X"), "name": "a"}, 400, "name"),
            ({"company": facts("X"), "name": "Not A Name"}, 400, "name"),
            ({"company": facts("X", brn="220-81-62518")}, 400, "company.brn"),
            ({"company": facts("X"), "admin": {"password": "short"}}, 400, "admin.password"),
            ([], 400, "$"),
        ]
        for body, status, position in cases:
            answer = await h.operator.post("/hub/hosted", json=body)
            assert answer.status_code == status, (body, answer.text)
            error = answer.json()["error"]
            assert error["position"] == position and error.get("hint"), error
        assert sorted(p.name for p in (h.hub.settings.data_dir / "tenants").iterdir()) == ["a"]
        assert sorted(h.space.host.contexts) == ["", "a"]
        anyone = h.space.anyone
        assert anyone is not None
        refused = await anyone.post("/hub/hosted", json={"company": facts("X")})
        assert refused.status_code == 401
        tenant_key = await anyone.post(
            "/hub/hosted", json={"company": facts("X")}, headers={"X-API-Key": h.space.tenants["a"].init.api_key}
        )
        assert tenant_key.status_code == 401


async def test_two_hosted_connectors_trade_through_the_protocol(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["a", "b"]) as h:
        a, b = h.space.tenants["a"], h.space.tenants["b"]
        dataset_id, offer_id = await publish(a, SAMPLE_CSV, offer_policy(b.id))  # type: ignore[arg-type]
        final = await negotiate(b, a, dataset_id, offer_id)  # type: ignore[arg-type]
        assert final["state"] == "FINALIZED", final
        transfer = await start_transfer(b, final["agreementId"])  # type: ignore[arg-type]
        pulled = await b.api.get(f"/api/transfers/{transfer['id']}/data", headers={"Accept": "text/csv"})
        assert pulled.status_code == 200 and "BRK-1" in pulled.text, pulled.text
        # the messages went to each one's address under the hub
        assert any(path.startswith("/c/a/dsp/") for _, path, _ in h.space.router.sent)
        assert any(path.startswith("/c/b/dsp/") for _, path, _ in h.space.router.sent)


async def test_hosted_connectors_come_back_when_the_hub_starts_again(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["a", "b"]) as h:
        keys = {n: (t.id, t.init.api_key) for n, t in h.space.tenants.items()}
    app = create_app(Settings(data_dir=tmp_path / "hub"))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=HUB_URL) as client:
            for name, (pid, key) in keys.items():
                answer = await client.get(f"/c/{name}/api/datasets", headers={"X-API-Key": key})
                assert answer.status_code == 200, answer.text
                assert app.state.host.contexts[name].connector.participant_id == pid
