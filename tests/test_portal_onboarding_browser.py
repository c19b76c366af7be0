"""A person in a real browser (Playwright driving Debian's Chromium), in Korean, takes a hard factory file from
upload to a published, offered dataset: at most 10 clicks, no code or format typed (the title is prefilled from
the file's title row). Two files: our hardest — three title rows, a two-row header (carrier above unit), one
column per carrier with a row per month (1월 …), markers for months not read, a total row, a carrier nobody
declared, a broken cell — and the corpus's monthly sheet of carriers (tests/corpus). Each step's screenshot goes to
``.artifacts/onboarding/<file>/``, with the clicks and seconds it took."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from sangsaeng.launch import running
from tests.test_portal import PASSWORD
from tests.test_portal_browser import Clicks, add_user, browser, refusals
from tests.test_portal_onboarding import HARD_TITLE, hard_energy_workbook

pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("processes")]
ARTIFACTS = Path(os.environ.get("SANGSAENG_ARTIFACTS", Path(__file__).resolve().parents[1] / ".artifacts"))
CORPUS = Path(__file__).parent / "corpus"
__all__ = ["browser"]  # the fixture, shared with the portal's other browser test
ENGLISH = ("Check the mapping", "Publish", "Problems in the file", "rows read", "Sheet row", "Field")


class Person:
    """A steward at the supplier's portal, in Korean; the clicks counted from the home page on."""

    def __init__(self, browser: Any, node: Any, shots: Path) -> None:
        self.context = browser.new_context(locale="ko-KR")
        self.page = self.context.new_page()
        self.refused = refusals(self.page)
        self.shots = shots
        self.base = node.init.settings.public_url
        self.page.goto(f"{self.base}/portal/login")
        self.page.fill("#name", "kim")
        self.page.fill("#password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/portal/$"))
        self.clicks = Clicks(self.page)
        self.begun = time.monotonic()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def upload(self, workbook: Path, entity: str) -> None:
        self.clicks.click("text=데이터 추가")
        self.shot("1-upload")
        self.clicks.pick_file("#file", workbook)
        self.clicks.choose("#entity", entity)
        self.clicks.click("text=올리고 확인하기")
        self.page.wait_for_selector("#layout")
        self.shot("2-review")

    def korean_only(self) -> None:
        shown = re.sub(r"<[^>]+>", " ", self.page.content())
        assert not [e for e in ENGLISH if e in shown], "English on a Korean page"

    def problems(self) -> None:
        """The problems page the review links to, seen in a second tab: not part of the person's path."""
        other = self.context.new_page()
        other.goto(self.page.url + "/problems")
        assert "시트 행" in other.content() and "고치는 법" in other.content()
        other.screenshot(path=str(self.shots / "5-problems.png"), full_page=True)
        other.close()

    def publish_and_offer(self, rows: int) -> None:
        self.korean_only()
        self.clicks.click("button[value=publish]")
        self.page.wait_for_selector("#published-rows")
        assert f"{rows:,}행을 게시했습니다" in self.page.inner_text("#published-rows")
        self.shot("6-offer")
        self.clicks.click("text=이 조건으로 게시")
        seconds = time.monotonic() - self.begun
        assert "게시했습니다" in self.page.content()
        self.shot("7-offered")
        (self.shots / "measure.txt").write_text(f"clicks {self.clicks.count}\nseconds {seconds:.2f}\n", "utf-8")
        print(f"\n{self.shots.name}, upload → offered: {self.clicks.count} clicks, {seconds:.1f} s")
        assert self.clicks.count <= 10
        assert self.refused == []
        self.context.close()


def test_our_hardest_file_from_upload_to_an_offer_in_ten_clicks_in_korean(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shots = ARTIFACTS / "onboarding" / "hard-energy"
    shots.mkdir(parents=True, exist_ok=True)
    workbook = tmp_path / "창원공장_에너지실적_2026.xlsx"
    workbook.write_bytes(hard_energy_workbook())
    with running(tmp_path, ["supplier", "oem"], auto_agree=False) as nodes:
        add_user(nodes["supplier"], "kim")
        person = Person(browser, nodes["supplier"], shots)
        person.upload(workbook, "energy_record")
        assert "에너지원별 열 4개를 행으로 바꿉니다" in person.page.inner_text("#layout")
        assert person.page.input_value("#title") == HARD_TITLE  # prefilled from the title row, not typed
        person.korean_only()
        person.clicks.choose("select[aria-label='온수']", "other")  # 온수 → 기타, remembered for next time
        person.shot("3-declared")
        person.clicks.click("button[value=check]")
        person.page.wait_for_selector("#publish-counts")
        assert "46행 중 45행을 게시하고 1행은 제외합니다." in person.page.inner_text("#publish-counts")
        person.shot("4-checked")
        person.problems()
        person.publish_and_offer(45)


@pytest.mark.parametrize(
    ("stem", "layout"),
    [
        ("energy_monthly_by_carrier", "월별 열 12개를 행으로 바꿉니다"),
        # the corpus's hardest: its second of three sheets, lot and date only in the title rows, a two-row header
        # (규격 over 하한/상한, 측정값 over 1..5), units per row, broken and full-width cells, an undeclared 재검
        ("machining_process_inspection", "두 줄 머리글"),
    ],
)
def test_a_corpus_file_from_upload_to_an_offer_in_korean(browser, tmp_path: Path, stem: str, layout: str) -> None:  # type: ignore[no-untyped-def]
    case = yaml.safe_load((CORPUS / "cases" / f"{stem}.yaml").read_text("utf-8"))
    shots = ARTIFACTS / "onboarding" / f"corpus-{stem}"
    shots.mkdir(parents=True, exist_ok=True)
    with running(tmp_path, ["supplier", "oem"], auto_agree=False) as nodes:
        add_user(nodes["supplier"], "kim")
        person = Person(browser, nodes["supplier"], shots)
        person.upload(CORPUS / case["file"], case["entity"])
        assert layout in person.page.inner_text("#layout")
        expect = case["expect"]
        counts = f"{expect['rows']}행 중 {expect['kept']}행을 게시하고 {expect['set_aside']}행은 제외합니다."
        assert counts in person.page.inner_text("#publish-counts")
        person.problems()
        person.publish_and_offer(expect["kept"])
