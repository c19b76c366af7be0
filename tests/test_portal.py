"""The portal in-process: login, roles, CSRF, both languages complete, and the add-data → offer path."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
import openpyxl
import pytest
from babel.messages.pofile import read_po

from sangsaeng.policy.templates import TEMPLATES
from sangsaeng.portal import auth
from sangsaeng.portal.i18n import LOCALE_DIR, choose
from sangsaeng.standard.entities import ENTITIES
from tests.helpers import Dataspace, Party

pytestmark = pytest.mark.anyio
TEMPLATES_DIR = Path(auth.__file__).parent / "templates"
PASSWORD = "correct horse battery"


def catalog(language: str) -> dict[str, str]:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def onboarding_ids() -> set[str]:
    """The upload flow's messages whose names are made from a value (portal.onboarding)."""
    from sangsaeng.portal.readings import QUANTITY_KEYS
    from sangsaeng.standard.validation import MESSAGES

    found = {f"review.sure.{s}" for s in ("sure", "likely", "check", "yours", "missing", "none")}
    found |= {f"review.wide.{k}" for k in ("months", "carriers", "characteristics", "dates", "other")}
    found |= {f"review.quantity.{k}" for k in QUANTITY_KEYS.values()}
    found |= {f"problems.{k}.{s}" for k in ("help", "none") for s in ("error", "note")}
    return found | {f"problems.code.{code}" for code in MESSAGES}


def used_ids() -> set[str]:
    text = "".join(p.read_text("utf-8") for p in TEMPLATES_DIR.glob("*.html"))
    for module in TEMPLATES_DIR.parent.glob("*.py"):
        text += module.read_text("utf-8")
    found = set(re.findall(r"""\bt\(\s*"([a-z_]+\.[a-z_.-]+)\"""", text))
    found |= set(re.findall(r'"((?:login|password|problem|problems|offer|add|review|warning)\.[a-z_.]+)"', text))
    found -= {n for n in found if n.endswith(".html")} | {"offer.create"}  # template names, an audit action
    found |= set(re.findall(r'w\.t\(\s*"([a-z_]+\.[a-z_.-]+)"', text))
    found |= {f"sum.duty.{d}" for d in ("delete", "notify", "attribute")} | {"yes", "no"}
    found |= onboarding_ids()
    found |= {f"entity.{e}" for e in ENTITIES} | {f"role.{r}" for r in auth.ROLES} | {"lang.ko", "lang.en"}
    found |= {f"template.{n}" for n in TEMPLATES} | {
        f"param.{p.name}" for t in TEMPLATES.values() for p in t.parameters
    }
    return found


def test_every_message_is_translated_in_both_languages() -> None:
    ids = used_ids()
    prefixes = {i for i in ids if i.endswith(".")}  # composed in a template: t("hub.portal.action." ~ action)
    for language in ("ko", "en"):
        messages = catalog(language)
        missing = sorted(i for i in ids - prefixes if not messages.get(i))
        missing += sorted(p for p in prefixes if not any(k.startswith(p) and messages[k] for k in messages))
        assert missing == [], (language, missing)
    korean = catalog("ko")
    assert all(re.search(r"[가-힣]", korean[i]) for i in ids if i.startswith(("review.", "add.", "offer.")))


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        (None, None, "ko-KR,ko;q=0.9,en;q=0.8", "ko"),
        (None, None, "en-US,en;q=0.9,ko;q=0.5", "en"),
        (None, None, None, "en"),
        (None, "ko", "en", "ko"),
        ("en", "ko", "ko", "en"),
        ("xx", None, "ko", "ko"),
    ],
)
def test_the_language_follows_the_switch_then_the_browser(
    query: str | None, cookie: str | None, accept: str | None, expected: str
) -> None:
    assert choose(query, cookie, accept) == expected


async def session(party: Party, name: str, role: str) -> httpx.AsyncClient:
    await auth.add_user(party.connector.store, name, PASSWORD, role, party.connector.now())
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=party.app), base_url=party.settings.public_url, follow_redirects=False
    )
    page = await client.get("/portal/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    answer = await client.post("/portal/login", data={"csrf": token.group(1), "name": name, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def excel_with_an_unusual_header() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    # 최종평가: no synonym of 'passed', and 1/0 could be counts as well as pass/fail: the person must say
    sheet.append(["로트번호", "검사항목", "검사일시", "측정값", "단위", "최종평가"])
    for i in range(1, 21):
        sheet.append([f"L{i}", "내경", f"2026-10-01 08:{i:02d}", 54.0 + i / 1000, "mm", 1 if i % 7 else 0])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_logged_out_visitor_sees_nothing_and_a_wrong_password_is_refused(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    anonymous = httpx.AsyncClient(transport=httpx.ASGITransport(app=supplier.app), base_url="http://t")
    for path in ("/portal/", "/portal/add", "/portal/audit", "/portal/offer/urn:x"):
        response = await anonymous.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/portal/login", path
    page = await anonymous.get("/portal/login")
    wrong = await anonymous.post("/portal/login", data={"csrf": csrf_of(page.text), "name": "kim", "password": "nope"})
    assert wrong.status_code == 400 and "사용자 이름과 비밀번호" not in wrong.text and "do not match" in wrong.text
    no_csrf = await anonymous.post("/portal/login", data={"name": "kim", "password": "x"})
    assert no_csrf.status_code == 403


async def test_a_viewer_cannot_add_or_offer_and_posts_need_the_csrf_token(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    viewer = await session(supplier, "lee", "viewer")
    assert (await viewer.get("/portal/add")).status_code == 403
    assert (await viewer.get("/portal/")).status_code == 200
    steward = await session(supplier, "park", "steward")
    page = await steward.get("/portal/audit")
    refused = await steward.post("/portal/audit/verify", data={})
    assert refused.status_code == 403
    verified = await steward.post("/portal/audit/verify", data={"csrf": csrf_of(page.text)})
    assert verified.status_code == 200 and "nothing was changed" in verified.text


async def test_pages_render_in_both_languages_without_message_ids(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    admin = await session(supplier, "admin", "admin")
    ids = used_ids()
    for language, marker in (("ko", "데이터 추가"), ("en", "Add data")):
        for path in (
            "/portal/",
            "/portal/add",
            "/portal/audit",
            "/portal/partners",
            "/portal/requests",
            "/portal/data",
        ):
            page = await admin.get(path, params={"lang": language})
            assert page.status_code == 200 and marker in page.text
            shown = set(re.findall(r"[a-z_]+\.[a-z_.-]+", re.sub(r"<[^>]+>", " ", page.text)))
            assert not (shown & ids), (path, language, shown & ids)


async def test_an_excel_file_is_mapped_fixed_published_and_offered(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    steward = await session(supplier, "park", "steward")
    form = await steward.get("/portal/add")
    uploaded = await steward.post(
        "/portal/add",
        data={"csrf": csrf_of(form.text), "entity": "quality_result"},
        files={"file": ("검사.xlsx", excel_with_an_unusual_header())},
    )
    assert uploaded.status_code == 303, uploaded.text
    review_url = uploaded.headers["location"]
    review = await steward.get(review_url, params={"lang": "ko"})
    assert "passed 값이 비어 있습니다" in review.text and "필수 항목입니다" in review.text  # next to the field
    fields = dict(
        re.findall(r'<select name="column\.([a-z_]+)"[^>]*>.*?<option value="([^"]*)" selected', review.text, re.S)
    )
    choice = {f"column.{k}": v for k, v in fields.items()}
    choice.update({"column.passed": "최종평가", "unit.value": "단위", "format.inspected_at": "%Y-%m-%d %H:%M"})
    checked = await steward.post(review_url, data={"csrf": csrf_of(review.text), "action": "check", **choice})
    assert checked.status_code == 303
    again = await steward.get(review_url, params={"lang": "en"})
    assert "All 20 rows are valid" in again.text, again.text[:3000]
    published = await steward.post(
        review_url, data={"csrf": csrf_of(again.text), "action": "publish", "title": "수입검사", **choice}
    )
    assert published.status_code == 303 and published.headers["location"].startswith("/portal/offer/")
    offer_page = await steward.get(published.headers["location"])
    assert oem.id in offer_page.text
    offered = await steward.post(
        published.headers["location"],
        data={
            "csrf": csrf_of(offer_page.text),
            "template": "quality-to-customer",
            "param.customer": oem.id,
            "param.days": "90",
        },
    )
    assert offered.status_code == 303
    home = await steward.get("/portal/", params={"lang": "en"})
    assert "Published" in home.text and "수입검사" in home.text
    offers = (await supplier.api.get("/api/offers")).json()
    assert len(offers) == 1 and oem.id in str(offers[0]["policy"])
    bad = await steward.post(
        published.headers["location"],
        data={
            "csrf": csrf_of(offer_page.text),
            "template": "quality-to-customer",
            "param.customer": oem.id,
            "param.days": "x",
        },
    )
    assert bad.status_code == 400 and "days must be a whole number" in bad.text


async def test_odd_paths_and_queries_never_fail_with_500(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    admin = await session(supplier, "root", "admin")
    for path in (
        "/portal/add/..%2F..%2Fetc",
        "/portal/add/short",
        "/portal/add/" + "a" * 40,
        "/portal/offer/%00",
        "/portal/offer/urn:uuid:none",
        "/portal/lang/xx",
        "/portal/audit?lang=%ff",
        "/portal/?lang=" + "k" * 5000,
        "/portal/audit/evidence?agreement=nope",
    ):
        response = await admin.get(path)
        assert response.status_code < 500, (path, response.status_code)


async def test_a_viewer_cannot_approve_or_end_and_new_pages_survive_odd_input(tmp_path: Path) -> None:
    from tests.helpers import dataspace

    async with dataspace(tmp_path, ["supplier", "oem"], extra={"supplier": {"auto_agree": False}}) as space:
        supplier, oem = space.parties["supplier"], space.parties["oem"]
        viewer = await session(supplier, "lee", "viewer")
        inbox = await viewer.get("/portal/requests")
        assert inbox.status_code == 200
        token = csrf_of(inbox.text)
        for path in (
            "/portal/requests/urn:uuid:x",
            "/portal/agreements/urn:uuid:x/terminate",
            "/portal/partners/x/request",
        ):
            refused = await viewer.post(path, data={"csrf": token, "action": "approve"})
            assert refused.status_code == 403, path
        admin = await session(supplier, "root", "admin")
        for path in (
            "/portal/partners/%00",
            f"/portal/partners/{oem.id}",
            "/portal/negotiations/nope",
            "/portal/transfers/nope",
            "/portal/transfers/nope/download?format=xlsx",
            "/portal/data?lang=ko",
        ):
            response = await admin.get(path)
            assert response.status_code < 500, (path, response.status_code)
        no_token = await admin.post("/portal/requests/urn:uuid:x", data={"action": "approve"})
        assert no_token.status_code == 403


async def test_publishing_without_a_title_says_so_next_to_the_field(two: Dataspace) -> None:
    steward = await session(two.parties["supplier"], "park", "steward")
    form = await steward.get("/portal/add")
    uploaded = await steward.post(
        "/portal/add",
        data={"csrf": csrf_of(form.text), "entity": "quality_result"},
        files={"file": ("x.xlsx", excel_with_an_unusual_header())},
    )
    review = await steward.get(uploaded.headers["location"], params={"lang": "en"})
    refused = await steward.post(
        uploaded.headers["location"], data={"csrf": csrf_of(review.text), "action": "publish", "title": " "}
    )
    assert refused.status_code == 400 and "Give the dataset a title." in refused.text


async def test_home_warns_of_an_agreement_about_to_end(two: Dataspace) -> None:
    from tests.helpers import SAMPLE_CSV as csv
    from tests.helpers import negotiate, offer_policy, publish

    supplier, oem = two.parties["supplier"], two.parties["oem"]
    policy = offer_policy(oem.id)
    policy["permission"][0]["constraint"].append(
        {"leftOperand": "elapsedTime", "operator": "lteq", "rightOperand": "P10D"}
    )
    dataset_id, offer_id = await publish(supplier, csv, policy)
    assert (await negotiate(oem, supplier, dataset_id, offer_id))["state"] == "FINALIZED"
    admin = await session(supplier, "root", "admin")
    home = await admin.get("/portal/", params={"lang": "en"})
    assert "ends on" in home.text


async def test_an_offer_built_with_the_form_becomes_the_policy_it_describes(two: Dataspace) -> None:
    from tests.helpers import SAMPLE_CSV as csv
    from tests.helpers import publish

    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id, _ = await publish(supplier, csv, {"permission": [{"action": "use"}]})
    steward = await session(supplier, "park", "steward")
    page = await steward.get(f"/portal/offer/{dataset_id}", params={"lang": "ko"})
    assert "상대방이 데이터를 넘길 수 있습니다" in page.text  # the warning where a template leaves it open
    form = {
        "csrf": csrf_of(page.text),
        "template": "custom",
        "custom.partner": oem.id,
        "custom.purpose": "recall",
        "custom.days": "30",
        "custom.field.lot_no": "lot_no",
        "custom.field.result": "result",
        "custom.no_passing_on": "on",
    }
    bad = await steward.post(f"/portal/offer/{dataset_id}", data={**form, "custom.days": "soon"})
    assert bad.status_code == 400 and "days must be a whole number" in bad.text
    made = await steward.post(f"/portal/offer/{dataset_id}", data=form)
    assert made.status_code == 303
    policies = [o["policy"] for o in (await supplier.api.get("/api/offers")).json()]
    constraints = {(c["leftOperand"], str(c["rightOperand"])) for c in policies[-1]["permission"][0]["constraint"]}
    assert constraints == {
        ("participant", oem.id),
        ("purpose", "recall"),
        ("elapsedTime", "P30D"),
        ("fields", "['lot_no', 'result']"),
        ("redistribution", "False"),
    }


async def test_the_working_pages_render_in_both_languages_without_message_ids(two: Dataspace) -> None:
    from tests.helpers import SAMPLE_CSV as csv
    from tests.helpers import publish

    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id, _ = await publish(supplier, csv, {"permission": [{"action": "use"}]})
    steward = await session(supplier, "park", "steward")
    form = await steward.get("/portal/add")
    uploaded = await steward.post(
        "/portal/add",
        data={"csrf": csrf_of(form.text), "entity": "quality_result"},
        files={"file": ("x.xlsx", excel_with_an_unusual_header())},
    )
    buyer = await session(oem, "choi", "steward")
    ids = used_ids()
    pages = [
        (steward, uploaded.headers["location"]),
        (steward, f"/portal/offer/{dataset_id}"),
        (buyer, f"/portal/partners/{supplier.id}"),
    ]
    for language in ("ko", "en"):
        for client, path in pages:
            page = await client.get(path, params={"lang": language})
            assert page.status_code == 200, (path, page.text[:300])
            shown = set(re.findall(r"[a-z_]+\.[a-z_.-]+", re.sub(r"<[^>]+>", " ", page.text)))
            assert not (shown & ids), (path, language, shown & ids)
