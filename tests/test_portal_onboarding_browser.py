"""A person in a real browser (Playwright driving Debian's Chromium), in Korean, takes the hardest file there is
— title rows, a two-row header, one column per energy carrier with a row per month, markers for months not read,
a total row, a carrier nobody declared — from upload to a published, offered dataset: at most 10 clicks, no code
or format typed. Each step's screenshot goes to ``.artifacts/onboarding/``."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from sangsaeng.launch import running
from tests.test_portal import PASSWORD
from tests.test_portal_browser import Clicks, add_user, browser, refusals
from tests.test_portal_onboarding import HARD_TITLE, hard_energy_workbook

pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("processes")]
ARTIFACTS = (
    Path(os.environ.get("SANGSAENG_ARTIFACTS", Path(__file__).resolve().parents[1] / ".artifacts")) / "onboarding"
)
__all__ = ["browser"]  # the fixture, shared with the portal's other browser test
ENGLISH = ("Check the mapping", "Publish", "Problems in the file", "rows read", "Sheet row")


def test_the_hardest_file_from_upload_to_an_offer_in_ten_clicks_in_korean(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    workbook = tmp_path / "창원공장_에너지실적_2026.xlsx"
    workbook.write_bytes(hard_energy_workbook())
    with running(tmp_path, ["supplier", "oem"], auto_agree=False) as nodes:
        supplier = nodes["supplier"]
        add_user(supplier, "kim")
        context = browser.new_context(locale="ko-KR")
        page = context.new_page()
        refused = refusals(page)
        base = supplier.init.settings.public_url
        page.goto(f"{base}/portal/login")
        page.fill("#name", "kim")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/portal/$"))

        clicks = Clicks(page)  # from the home page on: what the measure counts
        begun = time.monotonic()
        clicks.click("text=데이터 추가")
        page.screenshot(path=str(ARTIFACTS / "1-upload.png"), full_page=True)
        clicks.pick_file("#file", workbook)
        clicks.choose("#entity", "energy_record")
        clicks.click("text=올리고 확인하기")
        page.wait_for_selector("#layout")
        page.screenshot(path=str(ARTIFACTS / "2-review.png"), full_page=True)
        review = page.content()
        assert "에너지원별 열 4개를 행으로 바꿉니다" in review
        assert page.input_value("#title") == HARD_TITLE  # prefilled from the title row, not typed

        clicks.choose("select[aria-label='온수']", "other")  # 온수 → 기타, remembered for next time
        page.screenshot(path=str(ARTIFACTS / "3-declared.png"), full_page=True)
        clicks.click("button[value=check]")
        page.wait_for_selector("#publish-counts")
        assert "46행 중 45행을 게시하고 1행은 제외합니다." in page.inner_text("#publish-counts")
        page.screenshot(path=str(ARTIFACTS / "4-checked.png"), full_page=True)

        # The problems, as the review page links them (seen in a second tab: not part of the person's path).
        problems = context.new_page()
        problems.goto(page.url + "/problems")
        assert "#REF!" in problems.content() and "시트 행" in problems.content()
        problems.screenshot(path=str(ARTIFACTS / "5-problems.png"), full_page=True)
        problems.close()

        for shown in (review, page.content()):
            assert not [e for e in ENGLISH if e in re.sub(r"<[^>]+>", " ", shown)], "English on a Korean page"
        clicks.click("button[value=publish]")
        page.wait_for_selector("#published-rows")
        assert "45행을 게시했습니다" in page.inner_text("#published-rows")
        page.screenshot(path=str(ARTIFACTS / "6-offer.png"), full_page=True)
        clicks.click("text=이 조건으로 게시")
        seconds = time.monotonic() - begun
        assert "게시했습니다" in page.content()
        page.screenshot(path=str(ARTIFACTS / "7-offered.png"), full_page=True)
        (ARTIFACTS / "measure.txt").write_text(f"clicks {clicks.count}\nseconds {seconds:.2f}\n", "utf-8")
        print(f"\nhardest file, upload → offered: {clicks.count} clicks, {seconds:.1f} s")
        assert clicks.count <= 10
        assert refused == []
        context.close()
