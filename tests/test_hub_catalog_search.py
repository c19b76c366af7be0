"""The hub's catalog search: Korean by syllable bigrams (검사 finds 수입검사결과), English by words, filters, and
no hit a bigram index would make up across a word boundary."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sangsaeng.errors import InvalidInput
from sangsaeng.hub.catalog.model import Filters, Member, MemberState, read_catalog
from sangsaeng.hub.catalog.routes import READER, install
from sangsaeng.hub.catalog.service import HubCatalog
from sangsaeng.hub.catalog.text import terms
from sangsaeng.policy.templates import template
from sangsaeng.web import errors
from tests.hub_indexes import ADAPTERS, Index, index_for

ACME = Member("urn:p:acme", "에이크미정밀", "http://acme/dsp", ("tier1",), ("C29",), ("11",), ("경기",))
BETA = Member("urn:p:beta", "Beta Metal", "http://beta/dsp", ("tier2",), ("C24",), ("26",))
QUALITY_SCHEMA = "urn:sangsaeng:standard:quality_result:v1"
QUALITY = template("quality-to-customer").policy({"customer": "urn:p:oem", "days": "90"})


def dataset(i: str, title: str, description: str = "", **more: Any) -> dict[str, Any]:
    offer = more.pop("offer", {"permission": [{"action": "use"}]})
    return {"@id": i, "@type": "Dataset", "title": title, "description": description, **more,
            "hasPolicy": [{**offer, "@id": f"{i}:offer", "@type": "Offer"}]}  # fmt: skip


def catalog(member: Member, *datasets: dict[str, Any]) -> dict[str, Any]:
    return {"@type": "Catalog", "participantId": member.id, "dataset": list(datasets)}


def put(index: Index, member: Member, *datasets: dict[str, Any]) -> None:
    read = read_catalog(member, catalog(member, *datasets), 1000)
    index.replace(member, read.entries, MemberState(member.id, datasets=len(read.entries)))


@pytest.fixture(params=ADAPTERS)
def index(request: pytest.FixtureRequest) -> Iterator[Index]:
    """An empty index, on each adapter: every test below gives the same answers on each."""
    with index_for(request) as made:
        yield made


@pytest.fixture
def hub(index: Index) -> HubCatalog:
    put(
        index,
        ACME,
        dataset("d1", "수입검사결과 (Incoming inspection results)", conformsTo=QUALITY_SCHEMA, offer=QUALITY),
        dataset("d2", "검사 사결", "two words that a bigram index could join"),
        dataset("d3", "에너지 사용량", "전력 월별", keyword=["energy", "electricity"]),
        dataset("d4", "비공개", **{"sangsaeng:listedAtHub": False}),
    )  # fmt: skip
    put(index, BETA, dataset("d5", "Heat treatment inspection log", "furnace 열처리 검사 기록"))
    return HubCatalog(index)


def found(hub: HubCatalog, q: str, **filters: str) -> list[str]:
    return [h.dataset_id for h in hub.search(READER, q, Filters(**filters), 100)]


def test_korean_is_found_inside_compounds_and_english_by_words(hub: HubCatalog) -> None:
    assert sorted(found(hub, "검사")) == ["d1", "d2", "d5"]
    assert found(hub, "수입검사") == ["d1"]
    assert found(hub, "검사결과") == ["d1"]
    assert sorted(found(hub, "inspection")) == ["d1", "d5"]
    assert found(hub, "INSPECTION results") == ["d1"]  # lowercased, every word must match
    assert found(hub, "inspect") and set(found(hub, "inspect")) == {"d1", "d5"}  # a word finds words it begins
    assert found(hub, "검사 furnace") == ["d5"]  # mixed
    assert found(hub, "ｉｎｓｐｅｃｔｉｏｎ 검사") == found(hub, "inspection 검사")  # full-width letters read as such


def test_one_syllable_finds_every_text_holding_it(hub: HubCatalog) -> None:
    assert sorted(found(hub, "검")) == ["d1", "d2", "d5"]
    assert found(hub, "량") == ["d3"]
    assert found(hub, "뷁") == []


def test_no_hit_is_made_up_across_a_word_boundary(hub: HubCatalog) -> None:
    # "검사 사결" (d2) is two words: 검사결 is not in it, nor is 사사; and 입검 only inside 수입검사.
    assert found(hub, "검사결") == ["d1"]
    assert found(hub, "사사") == []
    assert found(hub, "입검") == ["d1"]
    # Two words that each occur, but not as one: not found as a compound.
    assert found(hub, "수입결과") == []


def test_entity_names_provider_names_and_keywords_are_searchable(hub: HubCatalog) -> None:
    assert found(hub, "품질") == ["d1"]  # quality_result's Korean name
    assert found(hub, "quality result") == ["d1"]
    assert found(hub, "에이크미") and set(found(hub, "에이크미")) == {"d1", "d2", "d3"}
    assert found(hub, "electricity") == ["d3"]
    assert found(hub, "경기") and "d5" not in found(hub, "경기")  # the member's words (its region's name)


def test_filters_narrow_by_entity_template_tier_sector_and_region(hub: HubCatalog) -> None:
    assert found(hub, "", entity="quality_result") == ["d1"]
    assert found(hub, "검사", template="quality-to-customer") == ["d1"]
    assert found(hub, "검사", tier="tier2") == ["d5"]
    assert sorted(found(hub, "", sector="C29")) == ["d1", "d2", "d3"]
    assert found(hub, "inspection", region="26") == ["d5"]
    assert found(hub, "inspection", region="26", tier="tier1") == []


def test_a_dataset_its_provider_unlisted_is_not_found(hub: HubCatalog) -> None:
    assert found(hub, "비공개") == []
    assert "d4" not in found(hub, "")


def test_a_search_it_does_not_understand_is_refused_in_both_languages(hub: HubCatalog) -> None:
    for q, filters in (("가" * 201, {}), (" ".join(f"w{i}" for i in range(13)), {}), ("", {"entity": "nope"}),
                       ("", {"template": "nope"})):  # fmt: skip
        with pytest.raises(InvalidInput) as refused:
            hub.search(READER, q, Filters(**filters), 10)
        assert refused.value.details and refused.value.details.get("message_ko")
    assert hub.search(READER, "\"'*)(:^-", Filters(), 10) is not None  # FTS syntax is never passed through


@pytest.mark.anyio
async def test_the_routes_answer_hits_a_portal_can_request_in_one_click(hub: HubCatalog) -> None:
    app = FastAPI()
    errors.install(app)
    install(app, hub)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as client:
        answer = await client.get("/hub/catalog/search", params={"q": "수입검사"})
        assert answer.status_code == 200, answer.text
        (hit,) = answer.json()["hits"]
        assert hit["provider"] == {"id": ACME.id, "name": ACME.name, "endpoint": ACME.endpoint, "tier": ["tier1"],
                                   "sector": ["C29"], "region": ["11"]}  # fmt: skip
        assert hit["datasetId"] == "d1" and hit["entity"] == {"id": "quality_result", "ko": "품질 검사 결과",
                                                              "en": "Quality result"}  # fmt: skip
        assert hit["offers"] == [{"id": "d1:offer", "template": "quality-to-customer"}]
        assert hit["request"] == {"method": "POST", "path": "/portal/partners/urn%3Ap%3Aacme/request",
                                  "form": {"offer": "d1:offer"}}  # fmt: skip
        refused = await client.get("/hub/catalog/search", params={"entity": "nope"})
        assert refused.status_code == 400 and refused.json()["error"]["hint"].startswith("Use one of")
        members = (await client.get("/hub/catalog/members")).json()["members"]
        assert [m["id"] for m in members] == [ACME.id, BETA.id]
        assert members[0]["datasets"] == 3 and members[0]["lastError"] is None


HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
TEXT = st.text(st.one_of(HANGUL, st.sampled_from(list(" -()abcXYZ019·"))), max_size=30)


# One index for every example: each replaces the member's entries whole (what ``replace`` promises).
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=TEXT, wanted=st.text(HANGUL, min_size=2, max_size=6), after=TEXT, other=TEXT)
def test_any_title_holding_the_query_is_found(index: Index, before: str, wanted: str, after: str, other: str) -> None:
    put(index, ACME, dataset("hit", f"{before}{wanted}{after}"), dataset("other", other or "x"))
    assert [e.dataset_id for e in index.entries_of(ACME.id)] == ["hit", "other"]
    assert "hit" in [h.dataset_id for h in index.search(terms(wanted), Filters(), 100)]
