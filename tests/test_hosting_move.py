"""A hosted connector leaves the hub with everything: exported as a tar, imported as a connector of its own, its
new endpoint announced to the hub (signed by its key). Its partner notices nothing but the address: the agreement
they had, with its signatures, still lets it pull, and the moved connector's log verifies."""

from __future__ import annotations

import io
import sqlite3
import tarfile
import tomllib
import uuid
from pathlib import Path

import anyio
import httpx
import psycopg
import pytest

from sangsaeng.errors import InvalidInput
from sangsaeng.hub.hosting.moving import HOSTED_ONLY, import_tar
from sangsaeng.store import migrate, tables
from sangsaeng.web.app import create_app
from tests.helpers import SAMPLE_CSV, negotiate, offer_policy, poll, publish, start_transfer
from tests.hosting_space import HubHosting, facts, hosting_hub
from tests.hub_space import HUB_URL
from tests.s3server import S3Server

pytestmark = pytest.mark.anyio
MOVED = "http://127.0.0.1:9400"


async def traded(h: HubHosting) -> str:
    """Tenant t publishes, p agrees with it and pulls once: the agreement's id."""
    t, p = h.space.tenants["t"], h.space.tenants["p"]
    dataset_id, offer_id = await publish(t, SAMPLE_CSV, offer_policy(p.id))  # type: ignore[arg-type]
    final = await negotiate(p, t, dataset_id, offer_id)  # type: ignore[arg-type]
    agreement: str = final["agreementId"]
    first = await start_transfer(p, agreement)  # type: ignore[arg-type]
    assert (await p.api.get(f"/api/transfers/{first['id']}/data")).status_code == 200
    return agreement


async def moved_out(h: HubHosting, tmp_path: Path, agreement: str) -> bytes:
    """Tenant t (which has a dataset and ``agreement`` with p) exported, imported as a connector of its own on
    SQLite and announced: p pulls on the same agreement at its new address, and its log verifies. The export."""
    t, p = h.space.tenants["t"], h.space.tenants["p"]
    signed = (await t.api.get(f"/api/agreements/{agreement}")).json()

    # who may export: the operator or the tenant's own key; no one else, and a name no one has is unknown
    anyone = h.space.anyone
    assert anyone is not None
    assert (await anyone.get("/hub/hosted/t/export", headers={"X-API-Key": p.init.api_key})).status_code == 401
    assert (await h.operator.get("/hub/hosted/zz/export")).status_code == 404
    exported = await anyone.get("/hub/hosted/t/export", headers={"X-API-Key": t.init.api_key})
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/x-tar"
    with tarfile.open(fileobj=io.BytesIO(exported.content)) as tar:
        names = set(tar.getnames())
        config = tar.extractfile("connector/connector.toml")
        assert config is not None
        kept = tomllib.loads(config.read().decode())
    assert {"connector/connector.toml", "connector/key.pem", "connector/state.db"} <= names
    assert any(n.startswith("connector/datasets/") and n.endswith(".parquet") for n in names), names
    assert kept["participant_id"] == t.id and not set(kept) & set(HOSTED_ONLY), kept  # none of the hub's places
    archive = tmp_path / "t.tar"
    archive.write_bytes(exported.content)

    settings = import_tar(archive, tmp_path / "own", MOVED)
    assert settings.participant_id == t.id and settings.public_url == MOVED
    app = create_app(settings, transport=h.space.router, clock=h.clock)
    h.space.router.add(MOVED, app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=MOVED, headers={"X-API-Key": t.init.api_key}
        ) as own,
    ):
        moved = app.state.services.connector
        token = moved.peer.bearer(h.hub.settings.participant_id)
        body = {"endpoint": f"{MOVED}/dsp", "dataEndpoint": f"{MOVED}/data"}
        announced = await anyone.post(
            "/hub/members/me/endpoint", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert announced.status_code == 200, announced.text
        # the hub no longer serves it; its folder is kept aside
        assert (await anyone.get("/c/t/api/datasets", headers={"X-API-Key": t.init.api_key})).status_code == 404
        assert (h.hub.settings.data_dir / "tenants" / "t.moved" / "key.pem").is_file()
        assert p.context.connector.directory.get(t.id).endpoint == f"{MOVED}/dsp"

        # the same agreement, the same signatures, at the new address
        assert (await own.get(f"/api/agreements/{agreement}")).json() == signed
        again = await start_transfer(p, agreement)  # type: ignore[arg-type]
        assert again["state"] == "STARTED", (again, h.space.router.received[-3:])
        pulled = await p.api.get(f"/api/transfers/{again['id']}/data", headers={"Accept": "text/csv"})
        assert pulled.status_code == 200 and "BRK-1" in pulled.text, pulled.text
        assert any(path == "/dsp/transfers/request" for _, path, _ in h.space.router.sent[-10:])
        verified = await own.post("/api/audit/verify")
        assert verified.status_code == 200 and verified.json()["valid"] is True, verified.text
        await poll(own, "/api/transfers", lambda items: any(x["id"] == again["providerPid"] for x in items))

        # the announcement was the member's own: replayed, or of an address under the hub, it is refused
        replayed = await anyone.post(
            "/hub/members/me/endpoint", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert replayed.status_code == 401
        back = {"endpoint": f"{HUB_URL}/c/x/dsp"}
        fresh = moved.peer.bearer(h.hub.settings.participant_id)
        refused = await anyone.post("/hub/members/me/endpoint", json=back, headers={"Authorization": f"Bearer {fresh}"})
        assert refused.status_code == 409 and refused.json()["error"]["position"] == "endpoint"
    return exported.content


async def test_a_partner_keeps_pulling_after_the_tenant_moves_out(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["t", "p"]) as h:
        await moved_out(h, tmp_path, await traded(h))


def test_an_import_refuses_what_is_not_an_export(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tar"
    with tarfile.open(bad, "w") as tar:
        info = tarfile.TarInfo("connector/../../escape")
        info.size = 0
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(InvalidInput) as caught:
        import_tar(bad, tmp_path / "d", MOVED)
    assert "outside" in caught.value.message and caught.value.hint
    (tmp_path / "garbage.tar").write_bytes(b"not a tar at all")
    with pytest.raises(InvalidInput):
        import_tar(tmp_path / "garbage.tar", tmp_path / "e", MOVED)
    assert not (tmp_path / "d" / "connector.toml").exists()


async def test_the_command_line_imports_an_export_in_either_language(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sangsaeng.cli.main import app

    async with hosting_hub(tmp_path, ["t"]) as h:
        exported = await h.operator.get("/hub/hosted/t/export")
        assert exported.status_code == 200
        (tmp_path / "t.tar").write_bytes(exported.content)
        pid = h.space.tenants["t"].id
    runner = CliRunner()
    for flag, words in (("--en", "made in"), ("--ko", "만들었습니다")):
        target = tmp_path / flag.strip("-")
        args = ["import", str(tmp_path / "t.tar"), "--data-dir", str(target), "--public-url", MOVED, "--no-announce"]
        result = runner.invoke(app, [*args, flag])
        assert result.exit_code == 0, result.output
        assert words in result.output and pid in result.output
        assert f'public_url = "{MOVED}"' in (target / "connector.toml").read_text("utf-8")
    again = runner.invoke(app, [*args, "--ko"])
    assert again.exit_code == 2 and "이미 커넥터가 있습니다" in again.output


def rows_in_postgres(url: str, schema: str) -> dict[str, int]:
    with psycopg.connect(url) as connection:
        return {
            table.name: connection.execute(f'SELECT count(*) FROM "{schema}"."{table.name}"').fetchone()[0]  # type: ignore[index]
            for table in tables.metadata.sorted_tables
        }


def rows_in_export(content: bytes, scratch: Path) -> dict[str, int]:
    with tarfile.open(fileobj=io.BytesIO(content)) as tar:
        state = tar.extractfile("connector/state.db")
        assert state is not None
        (scratch / "state.db").write_bytes(state.read())
    with sqlite3.connect(scratch / "state.db") as connection:
        return {
            table.name: connection.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
            for table in tables.metadata.sorted_tables
        }


async def test_a_tenant_on_postgresql_leaves_with_the_same_tar_and_its_partner_keeps_pulling(
    tmp_path: Path, postgres_url: str
) -> None:
    async with hosting_hub(tmp_path, ["t", "p"], database_url=postgres_url) as h:
        t = h.space.tenants["t"]
        assert t.context.settings.state_schema == "t_t" and not (t.context.settings.data_dir / "state.db").exists()
        agreement = await traded(h)
        # the export's state.db holds the schema's rows, table by table (read while t is quiet: before == after)
        with anyio.fail_after(10):
            while True:
                before = rows_in_postgres(postgres_url, "t_t")
                exported = await h.operator.get("/hub/hosted/t/export")
                assert exported.status_code == 200, exported.text
                if rows_in_postgres(postgres_url, "t_t") == before:
                    break
        assert rows_in_export(exported.content, tmp_path) == before
        assert before["agreements"] == 1 and before["datasets"] == 1 and before["audit_entries"] > 5
        await moved_out(h, tmp_path, agreement)
        # the schema stays where it was (the name stays taken: a newcomer never inherits it)
        assert "t_t" in migrate.schemas(postgres_url)
        taken = await h.operator.post("/hub/hosted", json={"company": facts("T"), "name": "t"})
        assert taken.status_code == 400 and taken.json()["error"]["position"] == "name", taken.text


async def test_a_tenant_whose_datasets_are_in_s3_takes_them_along(tmp_path: Path, s3_server: S3Server) -> None:
    hub_store = s3_server.settings(f"hub-{uuid.uuid4().hex[:8]}")
    async with hosting_hub(tmp_path, ["t", "p"], **hub_store) as h:
        t = h.space.tenants["t"]
        assert t.context.settings.datasets == hub_store["datasets"] + "/tenants/t"  # its own prefix
        agreement = await traded(h)
        keys = t.context.connector.datasets.files_under("")
        assert keys and not (t.context.settings.data_dir / "datasets" / keys[0]).exists()
        content = await moved_out(h, tmp_path, agreement)
    with tarfile.open(fileobj=io.BytesIO(content)) as tar:
        assert {f"connector/datasets/{k}" for k in keys} <= set(tar.getnames())
    assert all((tmp_path / "own" / "datasets" / k).is_file() for k in keys)  # where its own local store reads them
