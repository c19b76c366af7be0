"""Participant contexts: several connectors in one process, each at /c/<name>, behind one app."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import httpx
import psycopg
import pytest

from sangsaeng.errors import ConfigurationError, Conflict, InvalidInput
from sangsaeng.identity.directory import load_directory
from sangsaeng.launch import hosted as hosted_process
from sangsaeng.settings import Settings
from sangsaeng.setup import init_connector
from sangsaeng.tenants.host import Host
from tests.helpers import SAMPLE_CSV, negotiate, offer_policy, poll, publish, start_transfer
from tests.tenants_space import csrf_of, hosted, sign_in
from tests.test_portal import excel_with_an_unusual_header

pytestmark = pytest.mark.anyio


async def test_each_context_answers_at_its_prefix_and_an_unknown_one_as_any_unknown_path(tmp_path: Path) -> None:
    async with hosted(tmp_path, ["a", "b"]) as space:
        a, b = space.tenants["a"], space.tenants["b"]
        assert space.anyone is not None
        for tenant in (a, b):
            found = (await tenant.raw.get("/.well-known/dspace-version")).json()
            assert found["protocolVersions"][0]["serviceId"] == f"{tenant.id}#dsp"
            assert (await tenant.api.get("/api/datasets")).status_code == 200
        assert (await a.raw.get("/api/datasets", headers={"X-API-Key": b.init.api_key})).status_code == 401
        nowhere = await space.anyone.get("/nowhere")
        assert nowhere.status_code == 404 and nowhere.json()["error"]["code"] == "not-found"
        for path in ("/c/zz/api/datasets", "/c/zz/portal/", "/c/A/dsp/catalog/request", "/c/a-/x", "/c//api", "/c"):
            answer = await space.anyone.get(path)
            assert (answer.status_code, answer.content) == (nowhere.status_code, nowhere.content), path
            assert answer.headers.get("x-frame-options") == nowhere.headers.get("x-frame-options") == "DENY"
        assert (await space.anyone.get("/api/datasets")).content == nowhere.content  # no context at the root
        # Each context's public address carries its prefix: its protocol endpoint, its data plane, its directory.
        listed = load_directory(a.init.settings.directory_path)
        assert listed.get(b.id).endpoint == "http://127.0.0.1:9300/c/b/dsp"
        assert listed.get(b.id).data_plane == "http://127.0.0.1:9300/c/b/data"


async def test_two_contexts_of_one_process_trade_through_the_protocol(tmp_path: Path) -> None:
    async with hosted(tmp_path, ["a", "b"]) as space:
        a, b = space.tenants["a"], space.tenants["b"]
        dataset_id, offer_id = await publish(b, SAMPLE_CSV, offer_policy(a.id))  # type: ignore[arg-type]
        final = await negotiate(a, b, dataset_id, offer_id)  # type: ignore[arg-type]
        assert final["state"] == "FINALIZED", final
        transfer = await start_transfer(a, final["agreementId"])  # type: ignore[arg-type]
        assert transfer["ready"], transfer
        pulled = await a.api.get(f"/api/transfers/{transfer['id']}/data", headers={"Accept": "text/csv"})
        assert pulled.status_code == 200 and "김민준" in pulled.text
        # Every protocol message went to the other's prefix, and the data address is b's prefixed data plane.
        assert {path.split("/dsp/")[0] for _, path, _ in space.router.sent} == {"/c/a", "/c/b"}
        started = [body for _, path, body in space.router.sent if path.endswith("/start")]
        assert started and started[0]["dataAddress"]["endpoint"].startswith("http://127.0.0.1:9300/c/b/data/")
        # Each log holds its own side only.
        assert await poll(b.api, "/api/agreements", lambda found: len(found) == 1)


class Addresses(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "action", "src") and value is not None:
                self.found.append((tag, name, value))


async def test_every_address_a_portal_page_names_stays_in_its_context(tmp_path: Path) -> None:
    async with hosted(tmp_path, ["a", "b"]) as space:
        a, b = space.tenants["a"], space.tenants["b"]
        dataset_id, offer_id = await publish(b, SAMPLE_CSV, offer_policy(a.id))  # type: ignore[arg-type]
        final = await negotiate(a, b, dataset_id, offer_id)  # type: ignore[arg-type]
        transfer = await start_transfer(a, final["agreementId"])  # type: ignore[arg-type]
        await publish(a, SAMPLE_CSV, offer_policy(b.id))  # type: ignore[arg-type]
        browser = await sign_in(space, a, "kim")
        cookies = [c for c in browser.cookies.jar]
        assert cookies and all(c.path == "/c/a/portal" for c in cookies)
        home = await browser.get("/portal/")
        staged = await browser.post(
            "/portal/add",
            data={"csrf": csrf_of(home.text), "entity": "quality_result"},
            files={"file": ("검사.xlsx", excel_with_an_unusual_header())},
        )
        assert staged.status_code == 303 and staged.headers["location"].startswith("/c/a/portal/add/")
        pages = [
            "/portal/",
            "/portal/add",
            staged.headers["location"].removeprefix("/c/a"),
            "/portal/partners",
            f"/portal/partners/{b.id}",
            "/portal/requests",
            "/portal/data",
            f"/portal/negotiations/{final['id']}",
            f"/portal/data/{final['agreementId']}",
            "/portal/audit",
            "/portal/password",
            "/portal/nowhere",
        ]
        seen = 0
        for path in pages:
            page = await browser.get(path)
            assert page.status_code in (200, 404), (path, page.status_code)
            parser = Addresses()
            parser.feed(page.text)
            assert parser.found, path
            for tag, attribute, value in parser.found:
                if value.startswith("/"):
                    assert value.startswith("/c/a/") and not value.startswith("//"), (path, tag, attribute, value)
                else:
                    assert value.startswith(("#", "?")), (path, tag, attribute, value)
                seen += 1
        assert seen > 60
        moved = await browser.get(f"/portal/transfers/{transfer['id']}")  # the page of before: the copy's page now
        assert moved.status_code == 303 and moved.headers["location"].startswith("/c/a/portal/data/")
        # Redirects too: the portal's root, a page that needs a sign-in, the language switch.
        assert (await a.raw.get("/")).headers["location"] == "/c/a/portal/"
        assert (await a.raw.get("/portal/")).headers["location"] == "/c/a/portal/login"
        switched = await browser.get("/portal/lang/en", headers={"referer": "http://127.0.0.1:9300/c/b/portal/"})
        assert switched.headers["location"] == "/c/a/portal/"  # b's pages are not "back" for a
        assert "Path=/c/a/portal" in switched.headers["set-cookie"]
        # a's session cookie means nothing to b, even when sent there on purpose.
        token = browser.cookies.get("sangsaeng_session")
        across = await b.raw.get("/portal/", headers={"cookie": f"sangsaeng_session={token}"})
        assert across.status_code == 303 and across.headers["location"] == "/c/b/portal/login"


async def test_a_host_refuses_a_name_it_cannot_serve_and_two_contexts_on_one_state(tmp_path: Path) -> None:
    made = init_connector(tmp_path / "a", "urn:sangsaeng:participant:a", "A", public_url="http://127.0.0.1:1/c/a")
    host = Host()
    for bad in ("A", "-a", "a/b", "", "a" * 64, "a_b"):
        with pytest.raises(InvalidInput):
            host.build(bad, Settings(data_dir=made.settings.data_dir))
    host.build("a", Settings(data_dir=made.settings.data_dir))
    with pytest.raises(Conflict):
        host.build("a", Settings(data_dir=made.settings.data_dir))
    with pytest.raises(Conflict, match="share"):
        host.build("b", Settings(data_dir=made.settings.data_dir))
    await host.stop()
    with pytest.raises(ConfigurationError, match="PostgreSQL only"):
        init_connector(tmp_path / "s", "urn:sangsaeng:participant:s", "S", extra={"state_schema": "t_s"})


async def test_contexts_on_postgresql_keep_to_their_own_schema_and_share_one_pool(
    tmp_path: Path, postgres_url: str
) -> None:
    async with hosted(tmp_path, ["a", "b"], database_url=postgres_url) as space:
        a, b = space.tenants["a"], space.tenants["b"]
        dataset_id, offer_id = await publish(b, SAMPLE_CSV, offer_policy(a.id))  # type: ignore[arg-type]
        final = await negotiate(a, b, dataset_id, offer_id)  # type: ignore[arg-type]
        assert final["state"] == "FINALIZED"
        assert len(space.host.engines._engines) == 1  # one pool for both contexts
        with psycopg.connect(postgres_url) as connection:
            schemas = connection.execute(
                "SELECT table_schema, count(*) FROM information_schema.tables"
                " WHERE table_schema NOT IN ('pg_catalog', 'information_schema') GROUP BY 1"
            ).fetchall()
            assert dict(schemas).keys() == {"t_a", "t_b"}  # nothing in the default schema
            offered = connection.execute("SELECT count(*) FROM t_b.offers").fetchone()
            not_a = connection.execute("SELECT count(*) FROM t_a.offers").fetchone()
        assert offered == (1,) and not_a == (0,)
        # A context can be removed and added again while the host serves: its state is where it was.
        await space.host.remove("b")
        assert (await b.raw.get("/.well-known/dspace-version")).status_code == 404
        await space.host.add("b", Settings(data_dir=b.init.settings.data_dir))
        assert (await b.api.get(f"/api/offers/{offer_id}")).status_code == 200


def test_a_host_process_serves_each_connector_of_its_folder_at_its_prefix(tmp_path: Path) -> None:
    with hosted_process(tmp_path, ["north", "south"]) as nodes:
        north, south = nodes["north"], nodes["south"]
        assert north.process is south.process
        for node in (north, south):
            answer = httpx.get(f"{node.init.settings.public_url}/.well-known/dspace-version", timeout=5)
            assert answer.json()["protocolVersions"][0]["serviceId"] == f"{node.id}#dsp"
            assert node.client.get("/datasets") == []
        published = north.client.http.post(
            "/datasets", params={"title": "t", "filename": "d.csv"}, content=SAMPLE_CSV.encode()
        )
        assert published.status_code == 201, published.text
        assert len(north.client.get("/datasets")) == 1 and south.client.get("/datasets") == []
