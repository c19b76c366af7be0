"""A person in a real browser (Playwright driving Debian's Chromium) against connectors running as processes:
log in, upload a Korean Excel file the suggestion gets wrong, fix the mapping, publish under a template.
Counts the clicks and seconds it takes; screenshots go to ``.artifacts/portal/``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sangsaeng.launch import running
from tests.conftest import IN_CI
from tests.test_portal import PASSWORD, excel_with_an_unusual_header

pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("processes")]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("SANGSAENG_ARTIFACTS", Path(__file__).resolve().parents[1] / ".artifacts")) / "portal"


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("Debian's Chromium is required in CI (make installs it: apt-get install -y chromium)")
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


def add_user(node, name: str) -> None:  # type: ignore[no-untyped-def]
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "sangsaeng",
            "user",
            "add",
            name,
            "--role",
            "steward",
            "--password",
            PASSWORD,
            "--data-dir",
            str(node.init.settings.data_dir),
        ],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stdout + made.stderr


# Reports every Content-Security-Policy refusal on the page to the test (the portal's pages must need none).
WATCH_POLICY = """document.addEventListener("securitypolicyviolation", e =>
  console.log("CSP " + e.violatedDirective + " " + e.sourceFile + " " + e.sample))"""


def refusals(page) -> list[str]:  # type: ignore[no-untyped-def]
    """What the policy refused on ``page``. plotly.js's one <style> with content is for map charts, which the
    portal draws none of; the test lets that one pass."""
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if m.text.startswith("CSP ") else None)
    page.add_init_script(WATCH_POLICY)
    return found


class Clicks:
    """Counts what a person does with the mouse: clicks, choices in a list, picking a file."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page, self.count = page, 0

    def click(self, selector: str) -> None:
        self.count += 1
        self.page.click(selector)

    def choose(self, selector: str, value: str) -> None:
        self.count += 1
        self.page.select_option(selector, value)

    def pick_file(self, selector: str, path: Path) -> None:
        self.count += 1
        self.page.set_input_files(selector, str(path))


def test_from_login_to_a_dataset_published_under_a_template(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    workbook = tmp_path / "성진금속_수입검사.xlsx"
    workbook.write_bytes(excel_with_an_unusual_header())
    with running(tmp_path, ["supplier", "oem"], auto_agree=False) as nodes:
        supplier = nodes["supplier"]
        add_user(nodes["oem"], "choi")
        added = subprocess.run(  # a process of its own: Playwright's loop runs in this thread
            [
                sys.executable,
                "-m",
                "sangsaeng",
                "user",
                "add",
                "kim",
                "--role",
                "steward",
                "--password",
                PASSWORD,
                "--data-dir",
                str(supplier.init.settings.data_dir),
            ],
            capture_output=True,
            text=True,
        )
        assert added.returncode == 0, added.stdout + added.stderr
        context = browser.new_context(locale="ko-KR")
        page = context.new_page()
        refused = refusals(page)
        clicks = Clicks(page)
        base = supplier.init.settings.public_url
        page.goto(f"{base}/portal/")
        assert page.url.endswith("/portal/login") and "로그인" in page.content()  # Korean: the browser asks for it
        begun = time.monotonic()
        page.fill("#name", "kim")
        page.fill("#password", PASSWORD)
        clicks.click("button[type=submit]")
        page.screenshot(path=str(ARTIFACTS / "1-home.png"), full_page=True)
        clicks.click("text=데이터 추가")
        clicks.pick_file("#file", workbook)
        clicks.click("text=올리고 확인하기")
        page.screenshot(path=str(ARTIFACTS / "2-review-with-error.png"), full_page=True)
        assert "필수 항목입니다" in page.content()  # the problem is shown next to the field
        clicks.choose("select[name='column.passed']", "최종평가")
        clicks.click("button[value=check]")
        assert "20행 모두 문제가 없습니다" in page.content()
        page.screenshot(path=str(ARTIFACTS / "3-review-fixed.png"), full_page=True)
        clicks.click("button[value=publish]")
        assert "/portal/offer/" in page.url
        page.screenshot(path=str(ARTIFACTS / "4-offer.png"), full_page=True)
        clicks.click("text=이 조건으로 게시")
        seconds = time.monotonic() - begun
        assert "게시했습니다" in page.content()
        page.screenshot(path=str(ARTIFACTS / "5-published.png"), full_page=True)
        (ARTIFACTS / "measure.txt").write_text(f"clicks {clicks.count}\nseconds {seconds:.2f}\n", "utf-8")
        print(f"\nlog in → published under a template: {clicks.count} clicks, {seconds:.1f} s")
        assert clicks.count <= 10

        # The OEM's person finds it in the supplier's catalog and asks for it.
        buyer = browser.new_context(locale="en-GB").new_page()
        refused += refusals(buyer)
        buyer.goto(f"{nodes['oem'].init.settings.public_url}/portal/login")
        buyer.fill("#name", "choi")
        buyer.fill("#password", PASSWORD)
        buyer.click("button[type=submit]")
        buyer.click("a:text-is('Partners')")
        buyer.click(f"text={supplier.init.participant.name}")
        buyer.wait_for_selector("text=Only for: quality analysis")  # the catalog page asks the partner first
        assert "Only for: quality analysis" in buyer.content() and "may not pass the data on" in buyer.content()
        buyer.select_option("select[name=purpose]", "quality-analysis")
        buyer.click("button:text-is('Request')")
        buyer.wait_for_selector("text=State: requested")
        buyer.screenshot(path=str(ARTIFACTS / "6-request-waiting.png"), full_page=True)

        # The supplier's person approves it in the inbox.
        page.click("a:text-is('요청함')")
        page.screenshot(path=str(ARTIFACTS / "7-inbox.png"), full_page=True)
        page.click("button[value=approve]")
        page.wait_for_load_state()  # the form's answer is a redirect: read the page it lands on, not the one leaving
        page.wait_for_selector("text=양측 서명", timeout=15_000)
        assert "양측 서명" in page.content()

        # The OEM sees the agreement finalize (the page refreshes itself) and downloads the data.
        buyer.wait_for_selector("text=State: concluded", timeout=15_000)
        buyer.click("a:text-is('Received data')")
        buyer.click("text=Get the data")
        buyer.wait_for_selector("text=First rows", timeout=15_000)
        buyer.screenshot(path=str(ARTIFACTS / "8-received.png"), full_page=True)
        assert "L1" in buyer.content()
        buyer.wait_for_selector("#chart .main-svg", timeout=15_000)  # drawn by chart.js under the policy
        assert [r for r in refused if not (r.startswith("CSP style-src-elem") and "plotly.min.js" in r)] == []
        with buyer.expect_download() as download:
            buyer.click("text=CSV")
        saved = tmp_path / "received.csv"
        download.value.save_as(str(saved))
        lines = saved.read_text("utf-8").splitlines()
        assert len(lines) == 21 and "subject" in lines[0]
        context.close()
