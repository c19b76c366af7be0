"""The portal against a stranger at its login: throttled and locked sign-ins, sessions that end for good, cookie
flags, and the headers that keep pages out of frames and foreign scripts out of pages (issue 12, point 3)."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sangsaeng.cli.main import app as cli
from sangsaeng.portal import auth
from sangsaeng.portal.guard import SESSION_COOKIE
from tests.helpers import Dataspace, Party, dataspace

pytestmark = pytest.mark.anyio
PASSWORD = "correct horse battery"
TEMPLATES_DIR = Path(auth.__file__).parent / "templates"


@pytest.fixture
async def one(tmp_path: Path) -> AsyncIterator[Dataspace]:
    async with dataspace(tmp_path, ["supplier"]) as space:
        yield space


def browser(party: Party, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """A browser at ``address`` (the ASGI transport hands it to the app as the client's address)."""
    transport = httpx.ASGITransport(app=party.app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url=party.settings.public_url, follow_redirects=False)


async def sign_in(client: httpx.AsyncClient, name: str, password: str) -> httpx.Response:
    page = await client.get("/portal/login", headers={"accept-language": "en"})
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    return await client.post(
        "/portal/login",
        data={"csrf": token.group(1), "name": name, "password": password},
        headers={"accept-language": "en"},
    )


async def signed_in(party: Party, name: str = "kim", address: str = "127.0.0.1") -> httpx.AsyncClient:
    client = browser(party, address)
    answer = await sign_in(client, name, PASSWORD)
    assert answer.status_code == 303, answer.text
    return client


async def is_in(client: httpx.AsyncClient) -> bool:
    answer = await client.get("/portal/")
    assert answer.status_code in (200, 303), answer.text
    return answer.status_code == 200


async def log_kinds(party: Party, kind: str) -> list[str]:
    async with party.connector.store.begin() as tx:
        return [e.entry for e in await tx.audit.entries(kind=kind)]


async def test_forty_wrong_passwords_lock_the_account_until_an_admin_unlocks_it(one: Dataspace) -> None:
    supplier = one.parties["supplier"]
    await auth.add_user(supplier.connector.store, "kim", PASSWORD, "steward", supplier.connector.now())
    guesser = browser(supplier, "10.0.1.1")  # the finding: forty wrong passwords in seconds, then the right one
    answers = [await sign_in(guesser, "kim", f"guess-{i:04d}") for i in range(40)]
    assert [a.status_code for a in answers[:9]] == [400] * 9
    assert {a.status_code for a in answers[9:]} == {403}  # locked at the tenth; later guesses are not even checked
    assert "locked" in answers[-1].text and "administrator" in answers[-1].text
    right = await sign_in(guesser, "kim", PASSWORD)
    assert right.status_code == 403 and SESSION_COOKIE not in right.headers.get("set-cookie", "")
    korean = browser(supplier, "10.0.2.2")
    page = await korean.get("/portal/login?lang=ko")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    locked = await korean.post("/portal/login?lang=ko", data={"csrf": token.group(1), "name": "kim", "password": "x"})
    assert "계정이 잠겼습니다" in locked.text

    assert (await supplier.raw.post("/api/users/kim/unlock")).status_code == 401  # the API key is the admin's
    unlocked = await supplier.api.post("/api/users/kim/unlock")
    assert unlocked.status_code == 200 and unlocked.json() == {"name": "kim", "wasLocked": True}
    assert (await supplier.api.post("/api/users/nobody/unlock")).status_code == 404
    assert await is_in(await signed_in(supplier, address="10.0.1.1"))
    assert len(await log_kinds(supplier, "portal.account.locked")) == 1
    assert len(await log_kinds(supplier, "portal.account.unlocked")) == 1


async def test_a_successful_sign_in_resets_the_count_of_failures(one: Dataspace) -> None:
    supplier = one.parties["supplier"]
    await auth.add_user(supplier.connector.store, "kim", PASSWORD, "steward", supplier.connector.now())
    for round_ in range(2):
        for i in range(9):
            assert (await sign_in(browser(supplier, f"10.1.{round_}.{i}"), "kim", "wrong-password")).status_code == 400
        await signed_in(supplier, address=f"10.2.{round_}.1")


async def test_an_unknown_name_is_answered_like_a_known_one(one: Dataspace) -> None:
    supplier = one.parties["supplier"]
    await auth.add_user(supplier.connector.store, "kim", PASSWORD, "steward", supplier.connector.now())

    async def answers(name: str, prefix: str) -> list[tuple[int, str]]:
        found = []
        for i in range(12):
            answer = await sign_in(browser(supplier, f"{prefix}.{i}"), name, "wrong-password")
            alert = re.search(r'role="alert">([^<]+)<', answer.text)
            found.append((answer.status_code, alert.group(1) if alert else ""))
        return found

    assert await answers("kim", "10.3.0") == await answers("nobody", "10.3.1")


ADDRESSES = (f"10.8.{i // 250}.{i % 250}" for i in itertools.count())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=300), password=st.text(max_size=300))
async def test_any_name_and_password_is_refused_in_words_never_with_an_error(
    one: Dataspace, name: str, password: str
) -> None:
    supplier = one.parties["supplier"]
    answer = await sign_in(browser(supplier, next(ADDRESSES)), name, password)
    assert answer.status_code in (400, 403), answer.text
    assert 'role="alert"' in answer.text and SESSION_COOKIE not in answer.headers.get("set-cookie", "")


async def test_an_address_with_too_many_failures_waits_before_any_password_is_checked(one: Dataspace) -> None:
    supplier = one.parties["supplier"]
    await auth.add_user(supplier.connector.store, "kim", PASSWORD, "steward", supplier.connector.now())
    stranger = browser(supplier, "10.9.9.9")
    statuses = [(await sign_in(stranger, f"name-{i}", "wrong-password")).status_code for i in range(20)]
    assert statuses == [400] * 19 + [429]  # one guess per name: no account is locked, the address is throttled
    refused = await sign_in(stranger, "kim", PASSWORD)  # even the right password: it is not checked
    assert refused.status_code == 429 and SESSION_COOKIE not in refused.headers.get("set-cookie", "")
    assert "Try again in 15 minutes" in refused.text and refused.headers["retry-after"] == "900"
    assert await is_in(await signed_in(supplier, address="10.9.9.10"))  # another address is not held back
    supplier.clock.advance(minutes=16)
    assert await is_in(await signed_in(supplier, address="10.9.9.9"))
    assert len(await log_kinds(supplier, "portal.address.throttled")) == 1


async def test_a_cookie_captured_before_logout_is_refused_after_it(one: Dataspace) -> None:
    supplier = one.parties["supplier"]
    await auth.add_user(supplier.connector.store, "kim", PASSWORD, "steward", supplier.connector.now())
    client = await signed_in(supplier)
    captured = client.cookies.get(SESSION_COOKIE)
    assert captured and await is_in(client)
    home = await client.get("/portal/")
    csrf = re.search(r'name="csrf" value="([^"]+)"', home.text)
    assert csrf is not None
    assert (await client.post("/portal/logout", data={"csrf": csrf.group(1)})).status_code == 303
    thief = browser(supplier)
    thief.cookies.set(SESSION_COOKIE, captured, domain="127.0.0.1")
    answer = await thief.get("/portal/")
    assert answer.status_code == 303 and answer.headers["location"] == "/portal/login"
    async with supplier.connector.store.begin() as tx:
        assert await tx.sessions.of("kim") == []


async def test_a_password_change_ends_every_other_session(one: Dataspace) -> None:
    supplier = one.parties["supplier"]
    await auth.add_user(supplier.connector.store, "kim", PASSWORD, "steward", supplier.connector.now())
    here, elsewhere = await signed_in(supplier), await signed_in(supplier)
    form = await here.get("/portal/password")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    new = "a much longer passphrase"
    fields = {"csrf": csrf.group(1), "current": "not-my-password", "new": new, "confirm": new}
    assert (await here.post("/portal/password", data=fields)).status_code == 400
    assert (await here.post("/portal/password", data={**fields, "confirm": "other"})).status_code == 400
    changed = await here.post("/portal/password", data={**fields, "current": PASSWORD})
    assert changed.status_code == 200 and 'role="status"' in changed.text
    assert await is_in(here) and not await is_in(elsewhere)
    assert (await sign_in(browser(supplier), "kim", PASSWORD)).status_code == 400
    assert (await sign_in(browser(supplier), "kim", new)).status_code == 303

    # The administrator's change (the CLI) ends every session, this one too.
    data_dir = str(supplier.settings.data_dir)
    run = CliRunner().invoke
    result = await anyio.to_thread.run_sync(
        lambda: run(cli, ["user", "password", "kim", "--password-stdin", "-d", data_dir], input=PASSWORD + "\n")
    )
    assert result.exit_code == 0, result.output
    assert "session(s) ended" in result.output
    assert not await is_in(here)
    assert await is_in(await signed_in(supplier))
    assert [e for e in await log_kinds(supplier, "portal.password.changed") if '"by":"cli"' in e]


async def test_the_cli_unlocks_an_account(one: Dataspace) -> None:
    supplier = one.parties["supplier"]
    await auth.add_user(supplier.connector.store, "kim", PASSWORD, "steward", supplier.connector.now())
    for i in range(10):
        await sign_in(browser(supplier, f"10.4.0.{i}"), "kim", "wrong-password")
    assert (await sign_in(browser(supplier), "kim", PASSWORD)).status_code == 403
    data_dir = str(supplier.settings.data_dir)
    result = await anyio.to_thread.run_sync(lambda: CliRunner().invoke(cli, ["user", "unlock", "kim", "-d", data_dir]))
    assert result.exit_code == 0 and "kim unlocked" in result.output, result.output
    assert await is_in(await signed_in(supplier))
    unknown = ["user", "unlock", "nobody", "-d", data_dir]
    missing = await anyio.to_thread.run_sync(lambda: CliRunner().invoke(cli, unknown))
    assert missing.exit_code == 2 and "no user nobody" in missing.output


async def test_a_session_ends_when_idle_and_at_its_absolute_end(one: Dataspace) -> None:
    supplier = one.parties["supplier"]
    await auth.add_user(supplier.connector.store, "kim", PASSWORD, "steward", supplier.connector.now())
    idle = await signed_in(supplier)
    supplier.clock.advance(minutes=59)
    assert await is_in(idle)
    supplier.clock.advance(minutes=61)
    assert not await is_in(idle)

    busy = await signed_in(supplier)
    for _ in range(9):  # used every 55 minutes: never idle, but 8 hours after sign-in it ends all the same
        assert await is_in(busy)
        supplier.clock.advance(minutes=55)
    assert supplier.clock.offset.total_seconds() / 60 - 120 == 9 * 55  # 495 minutes after sign-in
    assert not await is_in(busy)


async def test_cookies_are_http_only_and_lax_and_secure_only_when_configured(tmp_path: Path) -> None:
    for secure in (False, True):
        configured = {"supplier": {"portal_secure_cookies": secure}}
        async with dataspace(tmp_path / str(secure), ["supplier"], configured) as s:
            supplier = s.parties["supplier"]
            await auth.add_user(supplier.connector.store, "kim", PASSWORD, "steward", supplier.connector.now())
            client = browser(supplier)
            first = await client.get("/portal/login")
            signed = await sign_in(client, "kim", PASSWORD)
            cookies = first.headers.get_list("set-cookie") + signed.headers.get_list("set-cookie")
            assert len(cookies) == 2, cookies
            for cookie in cookies:
                flags = {f.strip().lower() for f in cookie.split(";")[1:]}
                assert {"httponly", "samesite=lax", "path=/portal"} <= flags, cookie
                assert ("secure" in flags) is secure, cookie


async def test_pages_may_not_be_framed_nor_run_foreign_scripts(one: Dataspace) -> None:
    supplier = one.parties["supplier"]
    await auth.add_user(supplier.connector.store, "kim", PASSWORD, "steward", supplier.connector.now())
    client = await signed_in(supplier)
    for path in ("/portal/login", "/portal/", "/portal/audit", "/portal/password", "/portal/partners"):
        answer = await client.get(path)
        assert answer.status_code == 200, path
        policy = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "unsafe" not in policy
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
    api = await supplier.api.get("/api/datasets")
    assert api.headers["x-frame-options"] == "DENY" and api.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in api.headers["content-security-policy"]
    docs = await supplier.raw.get("/docs")  # its inline scripts must still run: no policy there
    assert docs.status_code == 200 and "content-security-policy" not in docs.headers
    for asset in ("portal.css", "chart.js", "plotly.min.js"):
        assert (await client.get(f"/portal/static/{asset}")).status_code == 200, asset


def test_no_template_has_inline_script_style_or_event_handler() -> None:
    """What a policy of 'self' would block: inline scripts (data blocks are allowed), style attributes and
    elements, on… handlers, javascript: links."""
    for template in TEMPLATES_DIR.glob("*.html"):
        text = template.read_text("utf-8")
        scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text)
        assert scripts == [], template.name
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=|javascript:", text), template.name
