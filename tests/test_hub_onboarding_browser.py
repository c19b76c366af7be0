"""Onboarding to the first shared dataset, end to end, as processes and in a real browser (Playwright driving
Debian's Chromium), both languages of the portal used: a hub runs as a process with an OEM's connector (a process
of its own) that joined it; in Korean an SME without IT asks the hub's portal to host its connector; the operator
approves it in English; the SME reads its connector's portal address and API key on its status page, signs in to
its own hosted portal (Korean), adds a Korean inspection CSV and publishes it under a template; the hub crawls;
the OEM finds it by searching 검사 with its own key, negotiates the offer and pulls the rows.
Screenshots go to ``.artifacts/hub/``."""

from __future__ import annotations

import csv
import os
import re
import time
from pathlib import Path

import httpx
import pytest

from sangsaeng.client import Client
from sangsaeng.launch import HubProcess, free_port
from tests.test_hub_e2e import Member, sangsaeng
from tests.test_portal_browser import browser, refusals  # noqa: F401  (the module's Chromium, one per module)

pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("processes")]
ARTIFACTS = Path(os.environ.get("SANGSAENG_ARTIFACTS", Path(__file__).resolve().parents[1] / ".artifacts")) / "hub"
OPERATOR_PASSWORD = "correct horse battery staple"
SME_PASSWORD = "두리금속 비밀번호 2026"
INSPECTIONS = "로트번호,검사항목,검사일시,측정값,단위,판정\n" + "".join(
    f"L{i},내경,2026-10-01 08:{i:02d},{54 + i / 1000:.3f},mm,{'합격' if i % 5 else '불합격'}\n" for i in range(1, 11)
)


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(ARTIFACTS / f"onboarding-{name}.png"), full_page=True)


def test_an_sme_without_it_is_hosted_publishes_and_an_oem_pulls_its_first_shared_dataset(  # type: ignore[no-untyped-def]
    browser,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    begun = time.monotonic()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("SANGSAENG_HUB_REFRESH", "1")  # the processes inherit it: directory changes arrive in 1 s
    monkeypatch.setenv("SANGSAENG_HUB_CRAWL_EVERY", "3600")  # the test asks for the crawl
    hub_dir, hub_port = tmp_path / "hub", free_port()
    sangsaeng("hub", "init", "--name", "상생 허브", "--port", str(hub_port), "--data-dir", str(hub_dir), "--en")
    sangsaeng("user", "add", "park", "--role", "admin", "--password", OPERATOR_PASSWORD, "--data-dir", str(hub_dir))
    hub = HubProcess(hub_dir, hub_port).start()
    oem: Member | None = None
    try:
        hub_id = httpx.get(f"{hub.url}/.well-known/sangsaeng-hub").json()["id"]
        oem = Member(tmp_path, "oem", hub.url, "123456789")  # a connector of its own, joined by the command line
        sangsaeng("hub", "approve", oem.application, "--data-dir", str(hub_dir), "--en")
        buy = oem.start()

        # In Korean, the SME asks the hub to host its connector: one refusal first, said beside its field.
        sme = browser.new_context(locale="ko-KR")
        page = sme.new_page()
        refused = refusals(page)
        page.goto(f"{hub.url}/portal/hub/apply")
        page.click("a[href$='/portal/hub/hosted']")
        assert page.url.endswith("/portal/hub/hosted") and "커넥터 호스팅 신청" in page.content()
        page.fill("#name", "두리금속 Dure Metal")
        page.fill("#brn", "124-81-00998")
        page.select_option("#ksic", ["C25"])
        page.select_option("#region", "KR-48")
        page.select_option("#size", "sme")
        page.fill("#chain_0", "현대차")
        page.select_option("#tier_0", "2차")
        page.fill("#contact_name", "박대표")
        page.fill("#contact_email", "park@dure.co.kr")
        page.fill("#contact_phone", "055-987-6543")
        page.fill("#admin_name", "박대표")
        page.fill("#password", "짧은암호")
        page.click("#host")
        shot(page, "1-hosted-refused")
        assert "10" in page.inner_text("#error-password")  # the portal's password rule, in Korean
        assert page.input_value("#name") == "두리금속 Dure Metal" and page.input_value("#password") == ""
        page.fill("#password", SME_PASSWORD)
        page.click("#host")
        shot(page, "2-hosted-requested")
        assert "신청이 접수되었습니다" in page.inner_text("#requested")
        application = page.inner_text("#application-id")

        # In English, the operator approves it in the review queue like any application.
        desk = browser.new_context(locale="en-US").new_page()
        refused += refusals(desk)
        desk.goto(f"{hub.url}/portal/hub/review")
        desk.fill("#name", "park")
        desk.fill("#password", OPERATOR_PASSWORD)
        desk.click("button[type=submit]")
        assert "두리금속 Dure Metal" in desk.content() and "tier 2" in desk.content()
        desk.click("form.decision[action$='/approve'] button")
        shot(desk, "3-operator-approved")
        assert "is approved" in desk.inner_text("#done")

        # The SME's status page: its portal's address and its API key, this once.
        page.click("#check")
        shot(page, "4-hosted-opened")
        assert "승인" in page.inner_text("#opened") and page.input_value("#application") == application
        portal = page.inner_text("#portal-url")
        assert re.fullmatch(re.escape(hub.url) + r"/c/dure-metal/portal/", portal), portal
        api_key = page.inner_text("#api-key")
        page.click("#check")
        assert page.locator("#api-key").count() == 0 and page.locator("#api-key-shown").count() == 1

        # Its own portal on the hub, in Korean: sign in, add the inspections, publish under a template.
        sheet = tmp_path / "두리금속_수입검사.csv"
        sheet.write_text(INSPECTIONS, "utf-8")
        page.goto(portal)
        assert page.url.endswith("/c/dure-metal/portal/login") and "로그인" in page.content()
        page.fill("#name", "박대표")
        page.fill("#password", SME_PASSWORD)
        page.click("button[type=submit]")
        page.click("text=데이터 추가")
        page.set_input_files("#file", str(sheet))
        page.click("text=올리고 확인하기")
        shot(page, "5-hosted-review")
        if page.locator("select[name='column.passed']").count() and "필수 항목입니다" in page.content():
            page.select_option("select[name='column.passed']", "판정")
            page.click("button[value=check]")
        assert "10행 모두 문제가 없습니다" in page.content(), page.inner_text("main")[:2000]
        page.click("button[value=publish]")
        assert "/portal/offer/" in page.url
        # Offered for quality analysis to any member: an offer only for the OEM would be hidden from the hub's
        # crawl too (a catalog shows each caller the offers it may take), so search would not find it.
        page.check("input[name=template][value=custom]")
        page.select_option("#custom-purpose", "quality-analysis")
        shot(page, "6-hosted-offer")
        page.click("text=이 조건으로 게시")
        assert "게시했습니다" in page.content()
        shot(page, "7-hosted-published")
        with Client(portal.removesuffix("/portal/"), api_key) as own:  # the key shown once works
            assert len(own.get("/datasets")) == 1

        # The hub crawls; the OEM finds it by a Korean word with its own key, negotiates and pulls.
        crawled = sangsaeng("hub", "crawl", "--data-dir", str(hub_dir), "--en")
        assert "2 indexed" in crawled and "0 failed" in crawled, crawled  # the OEM and the hosted SME
        search = f"{hub.url}/hub/catalog/search"
        found = httpx.get(search, params={"q": "검사"}, headers={"Authorization": f"Bearer {oem.token(hub_id)}"})
        assert found.status_code == 200, found.text
        [hit] = found.json()["hits"]
        assert hit["provider"]["name"] == "두리금속 Dure Metal" and "수입검사" in hit["title"]
        assert hit["provider"]["endpoint"] == f"{hub.url}/c/dure-metal/dsp"
        started = buy.negotiate(hit["provider"]["id"], hit["datasetId"], hit["offers"][0]["id"], "quality-analysis")
        final = buy.wait_negotiation(started["id"])
        assert final["state"] == "FINALIZED", final
        transfer = buy.start_transfer(final["agreementId"])
        buy.wait_transfer_ready(transfer["id"])
        out = tmp_path / "pulled.csv"
        buy.pull(transfer["id"], out, "text/csv")
        pulled = list(csv.reader(out.read_text("utf-8").splitlines()))
        assert len(pulled) == 11 and {"L1", "L10"} <= {cell for row in pulled for cell in row}, pulled[:3]
        assert refused == [], refused
        seconds = time.monotonic() - begun
        (ARTIFACTS / "onboarding.txt").write_text(f"seconds {seconds:.1f}\n", "utf-8")
        assert seconds < 90, seconds
        sme.close()
    finally:
        if oem is not None:
            if oem.client is not None:
                oem.client.close()
            oem.process.stop()
        hub.stop()
