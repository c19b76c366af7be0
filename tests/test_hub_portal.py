"""The hub's portal, in-process: a company applies (a refused form says what is wrong next to the field, in Korean
and English, and keeps what was typed), the operator reviews the queue and decides, the directory shows members,
and the catalog search finds 검사 inside 수입검사결과."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sangsaeng.hub.catalog.index import SqliteIndex
from sangsaeng.hub.catalog.model import Member, MemberState, read_catalog
from sangsaeng.hub.catalog.service import HubCatalog
from sangsaeng.identity.keys import public_jwk
from sangsaeng.portal import auth
from sangsaeng.settings import Settings
from sangsaeng.setup import init_connector
from sangsaeng.tenants.host import ROOT
from sangsaeng.web.app import create_app
from tests.hub_space import HUB_URL, Company, HubSpace, company, hub_space

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.anyio


@pytest.fixture
async def space(tmp_path: Path) -> AsyncIterator[HubSpace]:
    async with hub_space(tmp_path) as made:
        yield made


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html[:500]
    return found.group(1)


def browser(space: HubSpace, language: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=space.app), base_url=HUB_URL, cookies={"lang": language})


def form_of(space: HubSpace, member: Company, **changes: str) -> dict[str, Any]:
    facts = {
        "name": "한빛정밀", "brn": "220-81-62517", "ksic": ["C30", "C29"], "region": "KR-48", "size": "sme",
        "chain_0": "현대차", "tier_0": "1차", "chain_1": "", "tier_1": "",
        "contact_name": "김담당", "contact_email": "kim@hanbit.co.kr", "contact_phone": "055-123-4567",
        "participant_id": member.id, "public_key": public_jwk(member.key.public_key())["x"],
        "endpoint": f"http://127.0.0.1:{member.port}/dsp", "data_endpoint": "",
        "proof": member.token(space.id, space.clock),
    }  # fmt: skip
    return facts | changes


async def apply(client: httpx.AsyncClient, form: dict[str, Any]) -> httpx.Response:
    page = await client.get("/portal/hub/apply")
    assert page.status_code == 200
    return await client.post("/portal/hub/apply", data={"csrf": csrf_of(page.text), **form})


async def operator(space: HubSpace, role: str = "admin", name: str = "op") -> httpx.AsyncClient:
    root = space.app.state.services
    await auth.add_user(root.connector.store, name, PASSWORD, role, root.connector.now())
    client = browser(space, "en")
    page = await client.get("/portal/hub/signin")
    answer = await client.post(
        "/portal/hub/signin", data={"csrf": csrf_of(page.text), "name": name, "password": PASSWORD}
    )
    assert answer.status_code == 303 and answer.headers["location"].endswith("/portal/hub/review")
    return client


async def test_a_bad_registration_number_is_said_next_to_its_field_in_both_languages_and_nothing_is_lost(
    space: HubSpace,
) -> None:
    member = company(1)
    for language, words in (("ko", "검증번호"), ("en", "check digit")):
        async with browser(space, language) as client:
            answer = await apply(client, form_of(space, member, brn="220-81-62518", contact_email="kim@"))
        assert answer.status_code == 400
        brn = re.search(r'id="error-brn">(.*?)</span>\s*</span>', answer.text, re.S)
        assert brn is not None and words in brn.group(1), answer.text
        assert 'id="error-contact_email"' in answer.text  # every refused field at once, not the first only
        for kept in ('value="220-81-62518"', 'value="한빛정밀"', 'value="055-123-4567"', f'value="{member.id}"'):
            assert kept in answer.text
        assert re.search(r'<option value="C30" selected>', answer.text)
        assert re.search(r'<option value="KR-48" selected>', answer.text)
        assert re.search(r'<option value="1차" selected>', answer.text)
    queued = await space.operator.get("/hub/applications")
    assert queued.json()["applications"] == []  # nothing half-written


async def test_an_application_goes_through_the_queue_to_the_directory(space: HubSpace) -> None:
    member, other = company(1), company(2)
    async with browser(space, "ko") as client:
        answer = await apply(client, form_of(space, member))
        assert answer.status_code == 201, answer.text
        assert "신청을 받았습니다" in answer.text and "220-81-62517" in answer.text
        application = re.search(r'id="application-id">([^<]+)<', answer.text)
        assert application is not None
        second = await apply(client, form_of(space, other, name="두리금속", brn="1248100998", region="KR-11"))
        assert second.status_code == 201, second.text
        members = await client.get("/portal/hub/members")
        assert "한빛정밀" not in members.text  # an applicant is not a member yet

    anonymous = browser(space, "en")
    assert (await anonymous.get("/portal/hub/review")).headers["location"].endswith("/portal/hub/signin")
    admin = await operator(space)
    queue = await admin.get("/portal/hub/review")
    assert queue.status_code == 200
    text = queue.text
    assert text.index("한빛정밀") < text.index("두리금속")  # oldest first
    assert "220-81-62517" in text and "South Gyeongsang" in text and "Motor vehicles" in text
    assert "small or medium-sized enterprise" in text and "현대차 · tier 1" in text

    page_csrf = csrf_of(text)
    approved = await admin.post(
        f"/portal/hub/review/{application.group(1)}/approve", data={"csrf": page_csrf, "state": "applied"}
    )
    assert approved.status_code == 303
    again = await admin.get(approved.headers["location"])
    assert "한빛정밀 is approved" in again.text

    second_id = (await space.operator.get("/hub/applications?state=applied")).json()["applications"][0]["id"]
    no_reason = await admin.post(f"/portal/hub/review/{second_id}/decline", data={"csrf": page_csrf})
    assert no_reason.status_code == 400 and 'id="refused"' in no_reason.text
    declined = await admin.post(
        f"/portal/hub/review/{second_id}/decline", data={"csrf": page_csrf, "reason": "사업자 확인 불가"}
    )
    assert declined.status_code == 303
    read = await space.operator.get(f"/hub/applications/{second_id}")
    assert read.json()["state"] == "declined" and read.json()["reason"] == "사업자 확인 불가"
    no_csrf = await admin.post(f"/portal/hub/review/{second_id}/reinstate", data={})
    assert no_csrf.status_code == 403

    async with browser(space, "ko") as client:
        directory = await client.get("/portal/hub/members")
        assert "한빛정밀" in directory.text and "두리금속" not in directory.text
        assert "경상남도" in directory.text and "활동 중" in directory.text
        status_page = await client.get("/portal/hub/status")
        status = await client.post(
            "/portal/hub/status",
            data={"csrf": csrf_of(status_page.text), "application": application.group(1),
                  "token": member.token(space.id, space.clock)},
        )  # fmt: skip
        assert status.status_code == 200 and "승인됨" in status.text
        stranger = await client.post(
            "/portal/hub/status",
            data={"csrf": csrf_of(status_page.text), "application": application.group(1),
                  "token": other.token(space.id, space.clock)},
        )  # fmt: skip
        assert stranger.status_code in (401, 404) and "찾을 수 없습니다" in stranger.text
    await admin.aclose()
    await anonymous.aclose()


async def test_a_viewer_reads_the_queue_but_cannot_decide(space: HubSpace) -> None:
    application = await space.applied(company(1))
    viewer = await operator(space, "viewer", "lee")
    queue = await viewer.get("/portal/hub/review")
    assert queue.status_code == 200 and "한빛정밀" in queue.text and "/approve" not in queue.text
    refused = await viewer.post(f"/portal/hub/review/{application['id']}/approve", data={"csrf": csrf_of(queue.text)})
    assert refused.status_code == 403
    assert (await space.operator.get(f"/hub/applications/{application['id']}")).json()["state"] == "applied"
    await viewer.aclose()


async def test_the_search_page_finds_korean_inside_compounds_and_links_to_the_searchers_own_portal(
    space: HubSpace,
) -> None:
    async with browser(space, "ko") as client:
        before = await client.get("/portal/hub/search", params={"q": "검사"})
        assert before.status_code == 200 and "수입검사결과" not in before.text  # nothing crawled yet
    # The hub's own index, as a crawl would fill it.
    index = space.app.state.host.contexts[ROOT].own(HubCatalog, lambda: HubCatalog(SqliteIndex())).index
    acme = Member("urn:p:acme", "에이크미정밀", "http://127.0.0.1:9301/dsp", ("1차",), ("C30",), ("KR-41",))
    body = {"@type": "Catalog", "participantId": acme.id, "dataset": [
        {"@id": "d1", "@type": "Dataset", "title": "수입검사결과", "description": "incoming inspection",
         "hasPolicy": [{"@id": "d1:offer", "@type": "Offer", "permission": [{"action": "use"}]}]},
        {"@id": "d2", "@type": "Dataset", "title": "월별 전력 집계",
         "hasPolicy": [{"@id": "d2:offer", "@type": "Offer", "permission": [{"action": "use"}]}]},
    ]}  # fmt: skip
    read = read_catalog(acme, body, 100)
    index.replace(acme, read.entries, MemberState(acme.id, datasets=len(read.entries)))
    async with browser(space, "ko") as client:
        found = await client.get("/portal/hub/search", params={"q": "검사", "mine": "http://127.0.0.1:8001"})
        assert found.status_code == 200
        assert "수입검사결과" in found.text and "월별 전력 집계" not in found.text and "에이크미정밀" in found.text
        assert 'href="http://127.0.0.1:8001/portal/partners/urn%3Ap%3Aacme?offer=d1%3Aoffer"' in found.text
        filtered = await client.get("/portal/hub/search", params={"q": "검사", "region": "KR-11"})
        assert "수입검사결과" not in filtered.text
        wrong = await client.get("/portal/hub/search", params={"entity": "nothing"})
        assert wrong.status_code == 400 and "데이터 유형" in wrong.text


async def test_a_connector_has_no_hub_pages(tmp_path: Path) -> None:
    made = init_connector(tmp_path / "c", "urn:uuid:22222222-2222-4222-8222-222222222222", "c", port=9400)
    app = create_app(Settings(data_dir=made.settings.data_dir))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:9400") as client,
    ):
        assert (await client.get("/portal/hub/apply")).status_code == 404


def hosted_form(**changes: str) -> dict[str, Any]:
    facts = {
        "name": "Dure Metal 두리금속", "brn": "124-81-00998", "ksic": ["C25"], "region": "KR-48", "size": "sme",
        "chain_0": "현대차", "tier_0": "2차", "chain_1": "", "tier_1": "", "chain_2": "", "tier_2": "",
        "contact_name": "박대표", "contact_email": "park@dure.co.kr", "contact_phone": "055-987-6543",
        "admin_name": "박대표", "password": "두리금속 비밀번호 2024",
    }  # fmt: skip
    return facts | changes


async def host_me(client: httpx.AsyncClient, form: dict[str, Any]) -> httpx.Response:
    page = await client.get("/portal/hub/hosted")
    assert page.status_code == 200
    return await client.post("/portal/hub/hosted", data={"csrf": csrf_of(page.text), **form})


async def hosted_status(client: httpx.AsyncClient, application: str, code: str) -> httpx.Response:
    page = await client.get("/portal/hub/hosted/status")
    data = {"csrf": csrf_of(page.text), "application": application, "code": code}
    return await client.post("/portal/hub/hosted/status", data=data)


async def test_a_refused_hosted_sign_up_says_each_field_in_both_languages_and_files_nothing(space: HubSpace) -> None:
    async with browser(space, "ko") as client:
        apply_page = await client.get("/portal/hub/apply")
        assert 'href="/portal/hub/hosted"' in apply_page.text  # the choice is offered, not disabled
    for language, brn, password in (("ko", "검증번호", "10자"), ("en", "check digit", "10 to 1024")):
        async with browser(space, language) as client:
            answer = await host_me(client, hosted_form(brn="124-81-00999", password="short", contact_email="p@"))
        assert answer.status_code == 400
        said = re.search(r'id="error-brn">(.*?)</span>\s*</span>', answer.text, re.S)
        assert said is not None and brn in said.group(1), answer.text
        said = re.search(r'id="error-password">(.*?)</span>\s*</span>', answer.text, re.S)
        assert said is not None and password in said.group(1), answer.text
        assert 'id="error-contact_email"' in answer.text
        for kept in ('value="124-81-00999"', 'value="Dure Metal 두리금속"', 'value="박대표"'):
            assert kept in answer.text
        assert "short" not in answer.text.split('id="password"')[1][:80]  # a password is never shown again
    queued = await space.operator.get("/hub/applications")
    assert queued.json()["applications"] == []
    assert not any((space.made.settings.data_dir / "signups").glob("*"))


async def test_a_hosted_sign_up_waits_for_the_operator_then_opens_with_its_key_shown_once(space: HubSpace) -> None:
    async with browser(space, "ko") as client:
        answer = await host_me(client, hosted_form())
        assert answer.status_code == 201, answer.text
        assert "신청이 접수되었습니다" in answer.text
        found = re.search(r'id="application-id">([^<]+)<.*id="status-code">([^<]+)<', answer.text, re.S)
        assert found is not None
        application, code = found.groups()
        assert (await client.get("/c/dure-metal/portal/login")).status_code == 404  # not served before approval
        waiting = await hosted_status(client, application, code)
        assert waiting.status_code == 200 and "심사 대기" in waiting.text, waiting.text
        assert 'id="api-key"' not in waiting.text
        wrong = await hosted_status(client, application, code + "x")
        assert wrong.status_code == 404 and "Dure" not in wrong.text

    admin = await operator(space)
    queue = await admin.get("/portal/hub/review")
    assert "Dure Metal 두리금속" in queue.text  # in the queue like any application
    approved = await admin.post(
        f"/portal/hub/review/{application}/approve", data={"csrf": csrf_of(queue.text), "state": "applied"}
    )
    assert approved.status_code == 303
    await admin.aclose()

    async with browser(space, "en") as client:
        opened = await hosted_status(client, application, code)
        assert opened.status_code == 200 and 'id="opened"' in opened.text, opened.text
        assert f"{HUB_URL}/c/dure-metal/portal/" in opened.text
        key = re.search(r'id="api-key">([^<]+)<', opened.text)
        assert key is not None
        again = await hosted_status(client, application, code)
        assert 'id="api-key"' not in again.text and key.group(1) not in again.text  # shown once
        assert 'id="api-key-shown"' in again.text
        datasets = await client.get("/c/dure-metal/api/datasets", headers={"X-API-Key": key.group(1)})
        assert datasets.status_code == 200, datasets.text
        page = await client.get("/c/dure-metal/portal/login")
        signed = await client.post(
            "/c/dure-metal/portal/login",
            data={"csrf": csrf_of(page.text), "name": "박대표", "password": "두리금속 비밀번호 2024"},
        )
        assert signed.status_code == 303 and signed.headers["location"] == "/c/dure-metal/portal/", signed.text
    member = (await space.operator.get(f"/hub/applications/{application}")).json()
    assert member["state"] == "approved"
    context = space.app.state.host.contexts["dure-metal"]
    assert context.connector.wallet.tokens(), "the opened connector holds its credentials"
    assert not (space.made.settings.data_dir / "signups" / "dure-metal").exists()


async def test_a_declined_hosted_sign_up_never_opens_and_the_applicant_reads_why(space: HubSpace) -> None:
    async with browser(space, "en") as client:
        answer = await host_me(client, hosted_form(name="Gaon Tech", brn="220-81-62517"))
        assert answer.status_code == 201, answer.text
        found = re.search(r'id="application-id">([^<]+)<.*id="status-code">([^<]+)<', answer.text, re.S)
        assert found is not None
    application, code = found.groups()
    declined = await space.operator.post(f"/hub/applications/{application}/decline", json={"reason": "BRN unknown"})
    assert declined.status_code == 200, declined.text
    assert not (space.made.settings.data_dir / "signups" / "gaon-tech").exists()
    assert "gaon-tech" not in space.app.state.host.contexts
    async with browser(space, "en") as client:
        read = await hosted_status(client, application, code)
        assert read.status_code == 200 and "BRN unknown" in read.text and 'id="opened"' not in read.text


async def test_hosted_sign_ups_are_limited_per_address_like_applications(tmp_path: Path) -> None:
    limits = {"unsolicited_burst": 1, "unsolicited_rate": 0.001}  # one request, then none for 1000 s
    async with hub_space(tmp_path, **limits) as space, browser(space, "en") as client:
        first = await host_me(client, hosted_form())
        assert first.status_code == 201, first.text
        second = await host_me(client, hosted_form(name="Gaon Tech", brn="220-81-62517"))
        assert second.status_code == 429 and 'id="error-form"' in second.text
        assert 'value="Gaon Tech"' in second.text  # what was typed is kept for a later try
        assert len((await space.operator.get("/hub/applications")).json()["applications"]) == 1
        assert not (space.made.settings.data_dir / "signups" / "gaon-tech").exists()


async def test_a_hosted_sign_up_is_marked_as_such_in_the_review_queue(space: HubSpace) -> None:
    ordinary = company(1)
    await space.applied(ordinary)
    async with browser(space, "en") as client:
        assert (await host_me(client, hosted_form())).status_code == 201
    queued = {a["company"]["name"]: a for a in (await space.operator.get("/hub/applications")).json()["applications"]}
    assert queued["Dure Metal 두리금속"]["hosted"] is True and queued["한빛정밀"]["hosted"] is False
    for language, words in (("ko", "호스팅 신청"), ("en", "hosted sign-up")):
        admin = await operator(space, name=f"op-{language}")
        admin.cookies.set("lang", language)
        page = (await admin.get("/portal/hub/review")).text
        await admin.aclose()
        articles = {a.split("</h2>")[0]: a for a in page.split('<article class="application">')[1:]}
        [hosted] = [a for head, a in articles.items() if "Dure Metal" in head]
        [plain] = [a for head, a in articles.items() if "한빛정밀" in head]
        assert f'<span class="kind hosted">{words}</span>' in hosted and 'class="kind' not in plain, page


async def test_an_application_claiming_an_address_under_the_hubs_prefix_is_refused(space: HubSpace) -> None:
    member = company(1)
    body = member.application(space.id, space.clock)
    body["participant"]["endpoint"] = f"{HUB_URL}/c/dure-metal/dsp"
    refused = await space.raw.post("/hub/applications", json=body)
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["position"] == "participant.endpoint" and "/c/" in error["message"] and error["details"]["hint_ko"]
    async with browser(space, "ko") as client:
        answer = await apply(client, form_of(space, member, endpoint=f"{HUB_URL}/c/x/dsp"))
    said = re.search(r'id="error-endpoint">(.*?)</span>\s*</span>', answer.text, re.S)
    assert answer.status_code == 400 and said is not None and "호스팅하는 커넥터만" in said.group(1), answer.text
    assert (await space.operator.get("/hub/applications")).json()["applications"] == []
