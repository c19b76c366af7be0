"""A second attack on the portal, the CLI's pull and the audit log, against connectors running as processes on
loopback (issue 12): guesses sent all at once, forged proxy headers, refusals that left no trace, error pages in
the API's shape, and a pull into a place that cannot take it."""

from __future__ import annotations

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

pytestmark = pytest.mark.anyio
PASSWORD = "correct horse battery"


@contextmanager
def portal(root: Path, **settings: object) -> Iterator[Node]:
    """One connector process with a steward ``kim`` and a viewer ``lee``."""
    with running(root, ["supplier"], **settings) as nodes:
        node = nodes["supplier"]
        for name, role in (("kim", "steward"), ("lee", "viewer")):
            subprocess.run(
                [sys.executable, "-m", "sangsaeng", "user", "add", name, "--role", role, "--password", PASSWORD]
                + ["--data-dir", str(node.init.settings.data_dir)],
                check=True,
                capture_output=True,
            )
        yield node


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
        async with httpx.AsyncClient(base_url=node.process.url) as client:
            for i in range(6):
                forwarded = {"x-forwarded-for": f"198.51.100.{i}"}
                assert (await sign_in(client, f"guess{i}", "wrong guess", forwarded)).status_code == 400


# ---- what a signed-in person and a lost browser see -----------------------------------------------------------
@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with portal(tmp_path_factory.mktemp("shared")) as node:
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
        (cookie,) = [c for c in answer.headers.get_list("set-cookie") if c.startswith("lang=")]
        flags = {f.strip().lower() for f in cookie.split(";")[1:]}
        assert {"httponly", "samesite=lax", "path=/portal"} <= flags, cookie
