"""The hub's portal in a real browser (Playwright driving Debian's Chromium) against a hub running as a process: a
company applies in Korean — a wrong registration number first, said next to its field with everything typed
kept — then the operator signs in in English, approves it, and the public member list shows it.
Screenshots go to ``.artifacts/hub/``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sangsaeng.identity.keys import public_jwk
from sangsaeng.launch import HubProcess, free_port
from tests.helpers import FakeClock
from tests.hub_space import company
from tests.test_portal_browser import browser, refusals  # noqa: F401  (the module's Chromium, one per module)

pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("processes")]
ARTIFACTS = Path(os.environ.get("SANGSAENG_ARTIFACTS", Path(__file__).resolve().parents[1] / ".artifacts")) / "hub"
PASSWORD = "correct horse battery staple"


def sangsaeng(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "sangsaeng", *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_company_applies_in_korean_and_the_operator_approves_in_english(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port, data_dir = free_port(), tmp_path / "hub"
    sangsaeng("hub", "init", "--name", "상생 허브", "--port", str(port), "--data-dir", str(data_dir), "--en")
    sangsaeng("user", "add", "park", "--role", "admin", "--password", PASSWORD, "--data-dir", str(data_dir))
    hub = HubProcess(data_dir, port).start()
    try:
        hub_id = httpx.get(f"{hub.url}/.well-known/sangsaeng-hub").json()["id"]
        member = company(7)

        # A company applies in Korean; its first try has a registration number with a wrong check digit.
        applicant = browser.new_context(locale="ko-KR")
        page = applicant.new_page()
        refused = refusals(page)
        page.goto(f"{hub.url}/portal/hub/apply")
        assert "가입 신청" in page.content() or "신청" in page.title()
        page.fill("#name", "한빛정밀")
        page.fill("#brn", "220-81-62518")
        page.select_option("#ksic", ["C30"])
        page.select_option("#region", "KR-48")
        page.select_option("#size", "sme")
        page.fill("#chain_0", "현대차")
        page.select_option("#tier_0", "1차")
        page.fill("#contact_name", "김담당")
        page.fill("#contact_email", "kim@hanbit.co.kr")
        page.fill("#contact_phone", "055-123-4567")
        page.fill("#participant_id", member.id)
        page.fill("#public_key", public_jwk(member.key.public_key())["x"])
        page.fill("#endpoint", f"http://127.0.0.1:{member.port}/dsp")
        page.fill("#proof", member.token(hub_id, FakeClock()))
        page.click("#apply")
        page.wait_for_load_state()
        page.screenshot(path=str(ARTIFACTS / "1-apply-refused.png"), full_page=True)
        said = page.inner_text("#error-brn")
        assert "검증번호" in said, said  # told next to the field, in Korean
        assert page.input_value("#name") == "한빛정밀" and page.input_value("#contact_phone") == "055-123-4567"
        page.fill("#brn", "220-81-62517")
        page.fill("#proof", member.token(hub_id, FakeClock()))  # a proof is used once
        page.click("#apply")
        page.wait_for_load_state()
        page.screenshot(path=str(ARTIFACTS / "2-applied.png"), full_page=True)
        assert "한빛정밀" in page.content() and "error-brn" not in page.content()
        assert refused == [], refused

        # The operator signs in in English and approves.
        operator = browser.new_context(locale="en-US")
        desk = operator.new_page()
        desk.goto(f"{hub.url}/portal/hub/review")
        assert desk.url.endswith("/portal/hub/signin") and "Operator sign-in" in desk.content()
        desk.fill("#name", "park")
        desk.fill("#password", PASSWORD)
        desk.click("button[type=submit]")
        desk.wait_for_load_state()
        assert desk.url.endswith("/portal/hub/review") and "한빛정밀" in desk.content()
        assert "South Gyeongsang" in desk.content() and "220-81-62517" in desk.content()  # facts in words
        desk.click("form.decision[action$='/approve'] button")
        desk.wait_for_selector("#done", timeout=15_000)
        desk.screenshot(path=str(ARTIFACTS / "3-approved.png"), full_page=True)
        assert "is approved" in desk.inner_text("#done")

        listed = applicant.new_page()
        listed.goto(f"{hub.url}/portal/hub/members")
        assert "한빛정밀" in listed.content()
        applicant.close()
        operator.close()
    finally:
        hub.stop()
