"""The portal speaks Korean throughout: every page, walked with real data (an offer, a request agreed and one
refused, a transfer, the audit log), shows no English word of the English catalog and no URN in its visible
text; partners, datasets and agreements by name; every time in the company's time zone, in Korean style."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sangsaeng.portal.i18n import Words, moment_text
from sangsaeng.portal.names import short
from sangsaeng.standard import labels
from tests.helpers import Dataspace, Party, dataspace, offer_policy, poll, publish
from tests.test_portal import catalog, csrf_of, session

pytestmark = pytest.mark.anyio

CSV = (
    "로트번호,검사항목,검사일시,측정값,판정\n"
    "L2603-01,내경,2026-03-02 08:10,25.012,합격\n"
    "L2603-01,외경,2026-03-02 08:12,40.020,합격\n"
    "L2603-02,내경,2026-03-02 09:40,25.090,불합격\n"
)
MAPPING = """
entity: quality_result
timezone: Asia/Seoul
fields:
  subject: {column: 로트번호}
  characteristic: {column: 검사항목}
  inspected_at: {column: 검사일시, format: "%Y-%m-%d %H:%M"}
  value: {column: 측정값, unit: mm}
  passed: {column: 판정, values: {합격: true, 불합격: false}}
"""
TITLE = "브래킷 수입검사"
# Words a Korean page may show although the English catalog has them too: names of languages, file formats and
# the parties of this test (company names are proper nouns).
PROPER = {"english", "csv", "excel", "parquet", "supplier", "oem"}
SEOUL = ZoneInfo("Asia/Seoul")


class Visible(HTMLParser):
    """The text a person reads: not scripts, not attributes (titles are tooltips), not muted details and not
    text marked as another language (``lang="en"``: the language switch's 'English')."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language
        self.stack: list[bool] = []  # per open element: whether its text is hidden from the check
        self.parts: list[str] = []

    VOID = {"br", "input", "meta", "link", "img", "hr"}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        found = dict(attrs)
        hidden = (
            tag in ("script", "style")
            or "muted" in (found.get("class") or "").split()
            or found.get("lang") not in (None, self.language)
        )
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)

    @classmethod
    def text(cls, html: str, language: str = "ko") -> str:
        parser = cls(language)
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def english_words() -> set[str]:
    """Every word of three letters or more in the English catalog and the English field labels."""
    texts = [re.sub(r"\{[a-z_]+\}", " ", s) for s in catalog("en").values()]
    for fields in labels.FIELD_LABELS.values():
        texts += [f.en for f in fields.values()]
    return {w.lower() for text in texts for w in re.findall(r"[A-Za-z]{3,}", text)} - PROPER


def english_in(text: str, vocabulary: set[str]) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]{3,}", text) if w.lower() in vocabulary}


def last_six_utc() -> datetime:
    """The latest 06:00 UTC that has passed (moving the clocks back only: sessions stay alive)."""
    now = datetime.now(UTC)
    today = datetime.combine(now.date(), time(6), tzinfo=UTC)
    return today if today <= now else today - timedelta(days=1)


@dataclass
class Walk:
    space: Dataspace
    supplier: httpx.AsyncClient
    oem: httpx.AsyncClient
    dataset_id: str
    agreement_id: str
    agreed_at: datetime
    refused_negotiation: str
    negotiation: str
    transfer: str


async def request_through_portal(client: httpx.AsyncClient, provider: Party, purpose: str) -> str:
    page = await client.get(f"/portal/partners/{provider.id}")
    offer_id = re.search(r'name="offer" value="([^"]+)"', page.text)
    assert offer_id is not None, page.text[-2000:]
    asked = await client.post(
        f"/portal/partners/{provider.id}/request",
        data={"csrf": csrf_of(page.text), "offer": offer_id.group(1), "purpose": purpose},
    )
    assert asked.status_code == 303, asked.text
    return asked.headers["location"].rsplit("/", 1)[-1]


async def test_an_offer_chosen_at_the_hub_comes_first_on_the_partners_page_and_is_marked(tmp_path: Path) -> None:
    async with dataspace(tmp_path, ["supplier", "oem"]) as space:
        supplier, oem = space.parties["supplier"], space.parties["oem"]
        first, _ = await publish(supplier, "lot,value\nA,1\n", offer_policy(oem.id))
        second, chosen = await publish(supplier, "lot,value\nB,2\n", offer_policy(oem.id))
        client = await session(oem, "kim", "steward")
        plain = await client.get(f"/portal/partners/{supplier.id}", params={"lang": "ko"})
        assert 'id="chosen"' not in plain.text
        page = await client.get(f"/portal/partners/{supplier.id}", params={"lang": "ko", "offer": chosen})
        assert "허브 검색에서 고른 제안" in page.text
        offers = re.findall(r'name="offer" value="([^"]+)"', page.text)
        assert offers[0] == chosen and len(offers) == 2  # first, and the other still there
        marked = re.search(r'<form [^>]*class="chosen"[^>]*>\s*<input type="hidden" name="csrf" value="[^"]+">'
                           r'<input type="hidden" name="offer" value="([^"]+)"', page.text)  # fmt: skip
        assert marked is not None and marked.group(1) == chosen
        await client.aclose()


@pytest.fixture
async def walk(tmp_path: Path) -> AsyncIterator[Walk]:
    async with dataspace(tmp_path, ["supplier", "oem"]) as space:
        supplier, oem = space.parties["supplier"], space.parties["oem"]
        source = tmp_path / "검사성적서.csv"
        source.write_text(CSV, "utf-8")
        with source.open("rb") as handle:
            ingested = await supplier.api.post(
                "/api/ingest", data={"mapping": MAPPING, "title": TITLE}, files={"file": (source.name, handle)}
            )
        assert ingested.status_code == 201, ingested.text
        dataset_id = ingested.json()["dataset"]["id"]
        seller = await session(supplier, "kim", "admin")
        buyer = await session(oem, "choi", "admin")
        page = await seller.get(f"/portal/offer/{dataset_id}")
        offered = await seller.post(
            f"/portal/offer/{dataset_id}",
            data={
                "csrf": csrf_of(page.text),
                "template": "quality-to-customer",
                "param.customer": oem.id,
                "param.days": "10",  # ends within two weeks: the home page warns of it
            },
        )
        assert offered.status_code == 303, offered.text
        # The agreement is made at 06:00 UTC, 오후 3:00 in Seoul: both connectors' clocks say so.
        agreed_at = last_six_utc()
        for party in (supplier, oem):
            party.clock.offset = agreed_at - datetime.now(UTC)
        negotiation = await request_through_portal(buyer, supplier, "quality-analysis")
        done = await poll(oem.api, f"/api/negotiations/{negotiation}", lambda n: n["state"] == "FINALIZED")
        agreement_id = done["agreementId"]
        refused = await request_through_portal(buyer, supplier, "benchmarking")  # not a purpose the offer allows
        await poll(oem.api, f"/api/negotiations/{refused}", lambda n: n["state"] == "TERMINATED")
        received = await buyer.get("/portal/data")
        got = await buyer.post(f"/portal/data/{agreement_id}", data={"csrf": csrf_of(received.text)})
        assert got.status_code == 303, got.text
        transfer = (await oem.api.get(f"/api/received/{agreement_id}")).json()["transferId"]  # the refresh's
        await poll(oem.api, f"/api/transfers/{transfer}", lambda t: t["ready"])
        yield Walk(space, seller, buyer, dataset_id, agreement_id, agreed_at, refused, negotiation, transfer)
        await seller.aclose()
        await buyer.aclose()


def pages(walk: Walk) -> list[tuple[httpx.AsyncClient, str]]:
    """Every page, the supplier's person's first, then the OEM's."""
    supplier, oem = walk.space.parties["supplier"], walk.space.parties["oem"]
    return [
        (walk.supplier, "/portal/"),
        (walk.supplier, "/portal/add"),
        (walk.supplier, f"/portal/offer/{walk.dataset_id}"),
        (walk.supplier, "/portal/partners"),
        (walk.supplier, f"/portal/partners/{oem.id}"),
        (walk.supplier, "/portal/requests"),
        (walk.supplier, "/portal/data"),
        (walk.supplier, "/portal/audit"),
        (walk.supplier, "/portal/password"),
        (walk.supplier, "/portal/nowhere"),
        (walk.oem, "/portal/"),
        (walk.oem, f"/portal/partners/{supplier.id}"),
        (walk.oem, f"/portal/negotiations/{walk.negotiation}"),
        (walk.oem, f"/portal/negotiations/{walk.refused_negotiation}"),
        (walk.oem, "/portal/data"),
        (walk.oem, f"/portal/data/{walk.agreement_id}"),
        (walk.oem, "/portal/audit"),
    ]


async def test_every_page_speaks_korean_and_names_things(walk: Walk) -> None:
    vocabulary = english_words()
    seen: dict[str, str] = {}
    for client, path in pages(walk):
        page = await client.get(path, params={"lang": "ko"})
        assert page.status_code in (200, 404), (path, page.status_code)
        text = Visible.text(page.text)
        assert english_in(text, vocabulary) == set(), (path, english_in(text, vocabulary), text)
        assert "urn:" not in text, (path, text)
        seen[("supplier " if client is walk.supplier else "oem ") + path] = text
    anonymous = httpx.AsyncClient(transport=httpx.ASGITransport(app=walk.space.parties["oem"].app), base_url="http://t")
    login = Visible.text((await anonymous.get("/portal/login", params={"lang": "ko"})).text)
    assert english_in(login, vocabulary) == set() and "로그인" in login
    await anonymous.aclose()
    after = Visible.text((await walk.supplier.get("/portal/audit", params={"lang": "ko"})).text)
    assert f"데이터 전송 완료(3행) Oem {TITLE} · Oem" in after  # the OEM's refresh read the data
    supplier_home, oem_data = seen["supplier /portal/"], seen["oem /portal/data"]
    assert TITLE in supplier_home and "Oem · 품질 분석 · 10일" in supplier_home  # the offer, by what it allows
    assert f"{TITLE} · Oem 계약이" in supplier_home  # the agreement ends within two weeks: by its name
    assert f"{TITLE} · Supplier 계약이" in seen["oem /portal/"]  # the provider's title, remembered by the OEM
    assert TITLE in oem_data and "3행 보관 중" in oem_data  # the copy kept here, not a transfer to read again
    transfer = seen[f"oem /portal/data/{walk.agreement_id}"]
    for word in (f"{TITLE} · Supplier", "검사 대상", "검사 항목", "측정값", "합격 여부", "불합격", "원본 값"):
        assert word in transfer, (word, transfer)
    assert "2026년 3월 2일 오전 8:10" in transfer  # 08:10 as written in the file, in Seoul
    assert "계약 완료" in seen[f"oem /portal/negotiations/{walk.negotiation}"]
    refused = seen[f"oem /portal/negotiations/{walk.refused_negotiation}"]
    assert "종료됨" in refused and "요청이 계약 없이 끝났습니다" in refused and "목적: 벤치마킹" in refused
    audit = seen["supplier /portal/audit"]
    for words in (
        f"제공 조건 게시 · {TITLE} kim",  # one entry for every door: it names the dataset
        f"데이터 게시 · {TITLE}",
        "요청 심사: 허용 · 품질 분석",
        "요청 심사: 거부",
        "커넥터 시작",
    ):
        assert words in audit, (words, audit)
    assert f"계약 체결(제공) Oem {TITLE} · Oem" in audit
    assert f"계약 체결(이용) Supplier {TITLE} · Supplier" in seen["oem /portal/audit"]
    requests = seen["supplier /portal/requests"]
    assert "관리자" in requests and "10일 안에 데이터를 삭제해야 합니다. · 이행 전" in requests
    assert "계약 조건 Oem만 사용할 수 있습니다. 품질 분석 목적으로만 사용할 수 있습니다." in requests  # its terms
    assert "계약 조건 Oem만 사용할 수 있습니다." in oem_data
    catalog_page = seen[f"oem /portal/partners/{walk.space.parties['supplier'].id}"]
    assert "Oem만 사용할 수 있습니다. 품질 분석 목적으로만 사용할 수 있습니다. 계약 후 10일 동안" in catalog_page


async def test_times_are_the_companys_local_time_in_the_readers_style(walk: Walk) -> None:
    day = walk.agreed_at.astimezone(SEOUL)
    korean = f"{day.year}년 {day.month}월 {day.day}일 오후 3:00"
    english = f"{day.day} {day.strftime('%b')} {day.year}, 3:00 PM"
    received = await walk.oem.get("/portal/data", params={"lang": "ko"})
    assert f"{korean} 계약" in Visible.text(received.text)
    assert f"agreed {english}" in Visible.text((await walk.oem.get("/portal/data", params={"lang": "en"})).text, "en")
    evidence = Visible.text((await walk.supplier.get("/portal/audit", params={"lang": "ko"})).text)
    assert f"{TITLE} · Oem · {korean}" in evidence
    page = await walk.oem.get(f"/portal/data/{walk.agreement_id}", params={"lang": "ko"})
    block = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page.text, re.S)
    assert block is not None
    chart = json.loads(block.group(1))
    assert chart["data"][0]["x"][0] == "2026-03-02T08:10:00"  # the chart's axis agrees with the table: Seoul
    assert chart["layout"]["xaxis"]["tickformat"] == "%-m월 %-d일 %H:%M"
    walk.space.parties["oem"].connector.settings.timezone = "UTC"  # the setting, read on every page
    utc = await walk.oem.get("/portal/data", params={"lang": "ko"})
    assert f"{day.year}년 {day.month}월 {day.day}일 오전 6:00 계약" in Visible.text(utc.text)


async def test_english_pages_name_things_too(walk: Walk) -> None:
    for client, path in pages(walk):
        page = await client.get(path, params={"lang": "en"})
        text = Visible.text(page.text, "en")
        assert "urn:" not in text, (path, text)
        assert not re.search(r"[가-힣]{2,}", text.replace(TITLE, "").replace("내경", "").replace("외경", "")), (
            path,
            text,
        )


def test_each_message_has_both_languages_and_korean_is_korean() -> None:
    korean, english = catalog("ko"), catalog("en")
    assert set(korean) == set(english)
    assert [k for k, v in korean.items() if not v] == [] and [k for k, v in english.items() if not v] == []
    not_korean = {k for k, v in korean.items() if not re.search(r"[가-힣]", v)}
    assert not_korean == {"lang.en"}, not_korean
    for entity in labels.ENTITY_LABELS:  # the add page's list and every other page call an entity alike
        assert korean[f"entity.{entity}"] == labels.entity_label(entity, "ko"), entity
    for key in korean:  # the same placeholders on both sides
        assert set(re.findall(r"\{(\w+)\}", korean[key])) == set(re.findall(r"\{(\w+)\}", english[key])), key


def test_a_moment_reads_as_the_company_writes_it() -> None:
    moment = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    assert moment_text(moment, "ko") == "2026년 3월 2일 오후 3:00"
    assert moment_text(moment, "en") == "2 Mar 2026, 3:00 PM"
    assert moment_text(datetime(2026, 3, 2, 15, 5, tzinfo=UTC), "ko") == "2026년 3월 3일 오전 12:05"
    assert moment_text(datetime(2026, 3, 2, 3, 0), "ko") == "2026년 3월 2일 오후 12:00"  # naive: UTC, as stored
    berlin = Words("en", "Europe/Berlin")
    assert berlin.when("2026-07-01T06:00:00+00:00") == "1 Jul 2026, 8:00 AM"
    assert Words("ko").when(datetime(2026, 3, 2).date()) == "2026년 3월 2일"


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2999, 12, 30), timezones=st.just(UTC)))
def test_the_korean_form_names_the_same_minute(moment: datetime) -> None:
    found = re.fullmatch(r"(\d+)년 (\d+)월 (\d+)일 (오전|오후) (\d+):(\d\d)", moment_text(moment, "ko"))
    assert found is not None
    year, month, day, half, hour, minute = found.groups()
    local = moment.astimezone(SEOUL)
    assert (int(year), int(month), int(day), int(minute)) == (local.year, local.month, local.day, local.minute)
    assert int(hour) % 12 + (12 if half == "오후" else 0) == local.hour


def test_ids_nothing_names_are_shown_short() -> None:
    assert short("urn:sangsaeng:participant:hanbit") == "hanbit"
    assert short("urn:uuid:3f2a9c1b-0d4e-4f6a-9b7c-1d2e3f4a5b6c") == "3f2a9c1b"
    assert short("https://example.com/datasets/" + "x" * 40) == "x" * 15 + "…"


def test_every_code_the_portal_shows_has_words_in_both_languages() -> None:
    """Purposes, roles, states, duty states, credential attributes and every kind of audit entry the code
    records: a new one without words would show as its code."""
    from sangsaeng.negotiation.machine import NEGOTIATION
    from sangsaeng.policy.model import ATTRIBUTES, PURPOSES
    from sangsaeng.portal.auth import ROLES
    from sangsaeng.transfer.machine import TRANSFER

    keys = {f"purpose.{p}" for p in PURPOSES} | {f"role.{r}" for r in ROLES}
    keys |= {f"state.negotiation.{s}" for s in NEGOTIATION.states | {"INITIAL"}}
    keys |= {f"state.transfer.{s}" for s in TRANSFER.states | {"INITIAL"}}
    keys |= {f"duty.state.{s}" for s in ("open", "overdue", "fulfilled")} | {f"attribute.{a}" for a in ATTRIBUTES}
    source = Path(labels.__file__).parents[1]
    for module in source.rglob("*.py"):
        text = module.read_text("utf-8")
        # Entries written alone (``audit.record``) or with a state change (``done.record`` in ``together()``); a
        # kind made of a step names every step (the hub's decisions: f"hub.{action}").
        kinds = re.findall(r'(?:audit|done)\.(?:note|record)\(\s*"([^"]+)"', text)
        if 'done.record(\n                f"hub.{action}"' in text:
            kinds += [f"hub.{step}" for step in ("approve", "decline", "suspend", "reinstate")]
        for kind in kinds:
            if kind == "agreement":
                keys |= {"audit.kind.agreement.provider", "audit.kind.agreement.consumer"}
            elif kind != "management":
                keys.add(f"audit.kind.{kind}")
        for action in re.findall(r'action="([a-z_.]+)"|_changed\(\s*svc,\s*"([a-z_.]+)"', module.read_text("utf-8")):
            keys.add(f"audit.action.{''.join(action)}")
    for language in ("ko", "en"):
        messages = catalog(language)
        assert sorted(k for k in keys if not messages.get(k)) == [], language


async def test_a_refused_offer_says_why_in_korean_next_to_the_field_and_keeps_what_was_entered(
    tmp_path: Path,
) -> None:
    async with dataspace(tmp_path, ["supplier", "oem"]) as space:
        supplier, oem = space.parties["supplier"], space.parties["oem"]
        source = tmp_path / "검사성적서.csv"
        source.write_text(CSV, "utf-8")
        with source.open("rb") as handle:
            ingested = await supplier.api.post(
                "/api/ingest", data={"mapping": MAPPING, "title": TITLE}, files={"file": (source.name, handle)}
            )
        dataset_id = ingested.json()["dataset"]["id"]
        admin = await session(supplier, "kim", "admin")
        page = await admin.get(f"/portal/offer/{dataset_id}", params={"lang": "ko"})
        form = {"csrf": csrf_of(page.text), "template": "quality-to-customer", "param.customer": oem.id}
        refused = await admin.post(
            f"/portal/offer/{dataset_id}", params={"lang": "ko"}, data={**form, "param.days": "한달"}
        )
        assert refused.status_code == 400
        text = Visible.text(refused.text)
        assert text.count("기간은 1에서 3650 사이의 정수(일)로 입력하세요.") == 2  # at the top and at the field
        assert 'value="한달"' in refused.text and english_in(text, english_words()) == set()
        fewer = await admin.post(
            f"/portal/offer/{dataset_id}",
            params={"lang": "ko"},
            data={**form, "template": "benchmark-aggregates", "param.k": "1"},
        )
        assert fewer.status_code == 400 and "최소 그룹 크기는 2 이상의 정수로 입력하세요." in fewer.text
        await admin.aclose()


def test_a_partners_titles_are_remembered_per_partner_and_survive_a_restart(tmp_path: Path) -> None:
    from sangsaeng.portal.names import Names, RememberedTitles
    from sangsaeng.store.records import Agreement

    titles = RememberedTitles(tmp_path / "portal-titles.json")
    titles.remember("urn:p:hanbit", {"urn:uuid:d1": "도금 두께 검사"})
    titles.remember("urn:p:mallory", {"urn:uuid:d1": "가짜 제목", "urn:uuid:d2": "x" * 500})  # the same id
    again = RememberedTitles(tmp_path / "portal-titles.json")
    assert again.get("urn:p:hanbit", "urn:uuid:d1") == "도금 두께 검사"
    assert again.get("urn:p:mallory", "urn:uuid:d2") == "x" * 200
    agreed = Agreement("urn:uuid:a1", "n", "urn:uuid:d1", "urn:p:hanbit", "urn:p:me", {}, datetime.now(UTC))
    names = Names(
        Words("ko"),
        "urn:p:me",
        participants={"urn:p:hanbit": "한빛정밀"},
        datasets={"urn:uuid:d1": "우리 데이터"},  # ours: never a partner's dataset's title
        agreements={agreed.id: agreed},
        remembered=again,
    )
    assert names.agreement("urn:uuid:a1") == "도금 두께 검사 · 한빛정밀"
    assert names.dataset("urn:uuid:d1") == "우리 데이터"
    assert names.agreement("urn:uuid:0bad0bad-0000-4000-8000-000000000000") == "계약 0bad0bad"
    assert names.partner("urn:sangsaeng:participant:daehan") == "daehan"
    assert names.dataset("urn:uuid:d9", "urn:p:hanbit") == "데이터셋 d9"
