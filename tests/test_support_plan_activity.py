"""What the hub knows a member does, gathered for its plan (``PlanService.gather``): what the federated catalog
lists of it (filled as a crawl fills it, and by a real crawl of a connector the hub hosts), what its partners asked
of it, and — when the hub hosts its connector — its live agreements and machine streams from its own state."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from sangsaeng.demo.valuechain import generate
from sangsaeng.hub.catalog.index import SqliteIndex
from sangsaeng.hub.catalog.model import Member, MemberState, read_catalog
from sangsaeng.hub.service.hub import Hub
from sangsaeng.hub.store.access import records_of
from sangsaeng.identity import tokens
from sangsaeng.policy.templates import template
from sangsaeng.standard.sources import open_source
from sangsaeng.standard.suggest import suggest
from sangsaeng.store.records import Agreement
from sangsaeng.streams.ingester import MAPPING
from sangsaeng.support.service.plan import PlanService
from sangsaeng.tenants.host import ROOT
from tests.hosting_space import hosting_hub
from tests.hub_space import HubSpace, company, hub_space
from tests.test_support_assessment_scoring import TIER2

pytestmark = pytest.mark.anyio
PLAN = "/hub/support/plan"
QUALITY_SCHEMA = "urn:sangsaeng:standard:quality_result:v1"
ENERGY_SCHEMA = "urn:sangsaeng:standard:energy_record:v1"


def dataset(i: str, title: str, offer: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"@id": i, "@type": "Dataset", "title": title, **more, "hasPolicy": [{**offer, "@id": f"{i}:o"}]}


def crawled(index: SqliteIndex, member: Member, *datasets: dict[str, Any]) -> None:
    """The member's catalog in the index, as the crawl puts it there (``tests/test_hub_catalog_search.py``)."""
    read = read_catalog(member, {"@type": "Catalog", "participantId": member.id, "dataset": list(datasets)}, 1000)
    index.replace(member, read.entries, MemberState(member.id, datasets=len(read.entries)))


def hub_of(space: HubSpace) -> Hub:
    found: Hub = space.app.state.host.contexts[ROOT].own(Hub, lambda: None)
    return found


def test_the_index_lists_one_members_entries_and_no_one_elses() -> None:
    index = SqliteIndex()
    a, b = Member("urn:p:a", "에이", "http://a/dsp"), Member("urn:p:b", "비", "http://b/dsp")
    quality = template("quality-to-customer").policy({"customer": "urn:p:oem", "days": "90"})
    crawled(index, a, dataset("a2", "검사", quality, conformsTo=QUALITY_SCHEMA), dataset("a1", "품목", {}))
    crawled(index, b, dataset("b1", "에너지", {}, conformsTo=ENERGY_SCHEMA))
    found = index.entries_of("urn:p:a")
    assert [(e.dataset_id, e.entity, [o.template for o in e.offers]) for e in found] == [
        ("a1", None, [None]),
        ("a2", "quality_result", ["quality-to-customer"]),
    ]
    assert [e.dataset_id for e in index.entries_of("urn:p:b")] == ["b1"]
    assert index.entries_of("urn:p:nobody") == []
    index.close()


async def test_a_members_activity_is_what_the_index_lists_of_it_and_what_partners_asked(tmp_path: Path) -> None:
    async with hub_space(tmp_path) as space:
        oem, supplier = company(1), company(2)
        for member, name, tier in ((oem, "현대모터", "OEM"), (supplier, "한빛정밀", "1차")):
            filed = await space.applied(member, name=name, tiers=[{"chain": "현대모터", "tier": tier}])
            assert (await space.operator.post(f"/hub/applications/{filed['id']}/approve")).status_code == 200
        hub = hub_of(space)
        quality = template("quality-to-customer").policy({"customer": oem.id, "days": "90"})
        crawled(
            hub.catalog.index,
            Member(supplier.id, "한빛정밀", f"http://127.0.0.1:{supplier.port}/dsp", ("1차",)),
            dataset("d1", "수입검사결과", quality, conformsTo=QUALITY_SCHEMA),
            dataset("d2", "전력 사용량", {"permission": [{"action": "use"}]}, conformsTo=ENERGY_SCHEMA),
            dataset("d3", "비공개", {}, **{"sangsaeng:listedAtHub": False}),  # the crawl leaves it out
        )
        crawled(hub.catalog.index, Member(oem.id, "현대모터", "http://o/dsp"), dataset("o1", "수요", {}))
        asked = await space.raw.post(
            f"{PLAN}/wants",
            json={"entity": "product_footprint", "why": "CBAM 보고", "from": {"tier": "1차"}},
            headers=space.as_member(oem),
        )
        assert asked.status_code == 201, asked.text

        service = PlanService(hub)
        async with hub.connector.store.begin() as tx:
            record = await records_of(tx).by_participant(supplier.id)
        assert record is not None
        gathered = await service.gather(record)
        activity = gathered.situation.profile.activity
        assert activity.datasets_published == 2
        assert activity.entities_published == {"quality_result", "energy_record"}
        assert activity.templates_offered == {"quality-to-customer"}
        assert activity.requested_of_it == {"product_footprint"}
        assert (activity.agreements_as_provider, activity.streams, gathered.sources) == (0, 0, ("catalog",))
        assert activity.benchmark_indicators == frozenset()
        assert [(a.asker, a.why) for a in gathered.situation.asks] == [("현대모터", "CBAM 보고")]
        assert gathered.situation.wants_declared == 0
        assert gathered.situation.profile.tiers == ("1차",) and gathered.situation.profile.sectors == ("C30",)

        plan = (await space.raw.get(PLAN, params={"lang": "en"}, headers=space.as_member(supplier))).json()
        ids = [s["id"] for s in plan["steps"]]
        assert ids[0] == "answer-footprint-request" and "first-dataset" in [d["id"] for d in plan["done"]]
        assert "quality-under-template" in [d["id"] for d in plan["done"]]
        assert plan["facts"]["entities_published"]["value"] == "Energy use, Quality result"


async def test_a_hosted_members_crawled_datasets_agreements_and_streams_are_its_activity(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, []) as h:
        made = await h.sign_up("t2")
        tenant = h.space.host.contexts["t2"]
        transport = httpx.ASGITransport(app=h.space.app)
        async with httpx.AsyncClient(
            transport=transport, base_url=made["url"], headers={"X-API-Key": made["apiKey"]}
        ) as api:
            files = generate(tmp_path / "files", errors=False)
            source = open_source(files.paths["quality_result"])
            mapping = suggest("quality_result", source.headers, source.sample()).mapping.to_yaml()
            with files.paths["quality_result"].open("rb") as handle:
                ingested = await api.post(
                    "/api/ingest",
                    data={"mapping": mapping, "title": "수입검사 결과"},
                    files={"file": ("quality.csv", handle)},
                )
            assert ingested.status_code == 201, ingested.text
            offered = await api.post(
                "/api/offers",
                json={
                    "datasetId": ingested.json()["dataset"]["id"],
                    "template": "quality-to-customer",
                    "parameters": {"customer": "urn:uuid:oem", "days": "30"},
                },
            )
            assert offered.status_code == 201, offered.text
            # and a file anyone may take, which the hub's crawl can see (the quality offer is for its customer only)
            added = await api.post(
                "/api/datasets", params={"title": "품목", "filename": "parts.csv"}, content=b"p\n1\n"
            )
            assert added.status_code == 201, added.text
            opened = await api.post(
                "/api/offers", json={"datasetId": added.json()["id"], "policy": {"permission": [{"action": "use"}]}}
            )
            assert opened.status_code == 201, opened.text
        crawl = await h.operator.post("/hub/catalog/crawl")
        assert crawl.status_code == 200 and made["participantId"] in crawl.json()["indexed"], crawl.text
        hub = h.space.host.contexts[ROOT].own(Hub, lambda: None)
        assert [e.dataset_id for e in hub.catalog.index.entries_of(made["participantId"])] == [added.json()["id"]]

        c = tenant.connector
        me = made["participantId"]
        now = datetime(2026, 12, 1, tzinfo=UTC)
        async with c.store.begin() as tx:
            for i, (provider, consumer, ended) in enumerate(
                [(me, "urn:uuid:oem", None), (me, "urn:uuid:oem2", now), ("urn:uuid:t1", me, None)]
            ):
                await tx.agreements.add(
                    Agreement(
                        f"urn:agreement:{i}", f"urn:neg:{i}", "d", provider, consumer, {}, now, terminated_at=ended
                    )
                )
        for name in ("press-1", "press-2"):
            folder = c.settings.streams_dir / name
            folder.mkdir(parents=True)
            (folder / MAPPING).write_text("{}")
        (c.settings.streams_dir / "half-made").mkdir()  # no mapping: not a stream

        token = tokens.issue(c.key, me, h.hub.settings.participant_id, h.clock.now())
        plan = await h.space.anyone.get(PLAN, params={"lang": "en"}, headers={"Authorization": f"Bearer {token}"})
        assert plan.status_code == 200, plan.text
        facts = plan.json()["facts"]
        assert {"catalog", "hosted"} <= set(plan.json()["sources"])
        assert facts["datasets_published"]["value"] == "2"  # one crawled, one its connector offers its customer
        assert facts["entities_published"]["value"] == "Quality result"
        assert facts["templates_offered"]["value"].startswith("Quality data to my direct customer")
        assert (facts["agreements_as_provider"]["value"], facts["agreements_as_consumer"]["value"]) == ("1", "1")
        assert facts["streams"]["value"] == "2"
        steps = [s["id"] for s in plan.json()["steps"]] + [s["id"] for s in plan.json()["later"]]
        assert "first-dataset" not in steps and "first-agreement" not in steps and "benchmark-oee" in steps


async def test_a_members_activity_report_and_benchmark_contributions_count_for_its_plan(tmp_path: Path) -> None:
    """A member the hub does not host tells it its month's counts (``/hub/support/activity``) and contributes to the
    benchmarks: the plan reads both, so it does not tell the member to make a first agreement or to contribute OEE."""
    async with hub_space(tmp_path) as space:
        supplier = company(2)
        filed = await space.applied(supplier, name="한빛정밀", tiers=[{"chain": "현대모터", "tier": "1차"}])
        assert (await space.operator.post(f"/hub/applications/{filed['id']}/approve")).status_code == 200
        me = space.as_member
        month = space.clock.now().strftime("%Y-%m")
        report = {"month": month, "datasetsOffered": 3, "entities": ["quality_result", "not_an_entity"],
                  "agreementsProvided": 2, "agreementsObtained": 1, "streams": 1}  # fmt: skip
        reported = await space.raw.post("/hub/support/activity", json=report, headers=me(supplier))
        assert reported.status_code == 200, reported.text
        before = (await space.raw.get(PLAN, params={"lang": "en"}, headers=me(supplier))).json()
        suggested = [s["id"] for s in before["steps"]] + [s["id"] for s in before["later"]]
        assert "benchmark-oee" in suggested  # one stream, no OEE contributed yet

        bench = "/hub/support/benchmarks"
        terms = (await space.raw.get(f"{bench}/terms", headers=me(supplier))).json()
        agreed = await space.raw.post(f"{bench}/agreement", json={"terms": terms["version"]}, headers=me(supplier))
        assert agreed.status_code == 200, agreed.text
        value = {"indicator": "oee", "period": str(space.clock.now().year), "value": 61.5, "unit": "%"}
        given = await space.raw.post(f"{bench}/contributions", json={"contributions": [value]}, headers=me(supplier))
        assert given.status_code == 200, given.text

        plan = (await space.raw.get(PLAN, params={"lang": "en"}, headers=me(supplier))).json()
        facts = plan["facts"]
        assert plan["sources"] == ["report"]
        assert (facts["datasets_published"]["value"], facts["streams"]["value"]) == ("3", "1")
        assert (facts["agreements_as_provider"]["value"], facts["agreements_as_consumer"]["value"]) == ("2", "1")
        assert facts["entities_published"]["value"] == "Quality result"  # what the plan knows of, by its name
        assert facts["benchmark_indicators"]["value"] == "Overall equipment effectiveness (OEE)"
        shown = [s["id"] for s in plan["steps"]] + [s["id"] for s in plan["later"]]
        assert "first-agreement" not in shown and "first-dataset" not in shown and "benchmark-oee" not in shown
        assert {"first-dataset", "first-agreement", "benchmark-oee"} <= {d["id"] for d in plan["done"]}


async def test_a_completed_self_assessment_shapes_the_plan(tmp_path: Path) -> None:
    """The tier-2 machining shop of the assessment's worked example (level 1, shop-floor connectivity 1, workforce
    learning 1, vertical integration 2) with nothing shared yet. By the rule file: first-dataset (20),
    connect-machines-mqtt (35: no stream, connectivity ≥ 1), energy-metering (50: a tier-2 without energy data);
    then data-skills-training (55: workforce learning ≤ 1). Not basic-mes (vertical integration is 2), not the
    IoT counter (connectivity is not 0), and the assessment itself is done."""
    async with hub_space(tmp_path) as space:
        shop = company(3)
        filed = await space.applied(shop, name="대성금속", tiers=[{"chain": "현대모터", "tier": "2차"}])
        assert (await space.operator.post(f"/hub/applications/{filed['id']}/approve")).status_code == 200
        base = "/hub/support/assessment"
        started = await space.raw.post(f"{base}/start", headers=space.as_member(shop))
        assert started.status_code == 201, started.text
        assessment = started.json()["id"]
        saved = await space.raw.put(
            f"{base}/{assessment}/answers", json={"answers": TIER2}, headers=space.as_member(shop)
        )
        assert saved.status_code == 200, saved.text
        done = await space.raw.post(f"{base}/{assessment}/complete", headers=space.as_member(shop))
        assert done.status_code == 200, done.text

        plan = (await space.raw.get(PLAN, params={"lang": "en"}, headers=space.as_member(shop))).json()
        assert [s["id"] for s in plan["steps"]] == ["first-dataset", "connect-machines-mqtt", "energy-metering"]
        assert [s["id"] for s in plan["later"]] == ["data-skills-training"]
        assert "take-assessment" in {d["id"] for d in plan["done"]}
        assert plan["facts"]["level"] == {"value": "1", "known": True}
        mqtt = plan["steps"][1]
        assert mqtt["trace"][1]["explained"] == [
            "SIRI band in ‘Shop floor connectivity’: 1 → ‘siri.shop_floor_connectivity >= 1’ holds"
        ]
