"""Who sees an offer in the catalog: a partner-only offer stays between the partners (catalog, dataset lookup,
contract request), an access policy can name participants or credentials, and pages count what the caller sees."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from sangsaeng.cli.main import app
from sangsaeng.demo.data import write_inspection_csv
from sangsaeng.identity import credentials, tokens
from sangsaeng.launch import running
from sangsaeng.policy.access import visible_to
from tests.helpers import SAMPLE_CSV, Dataspace, Party, dataspace, negotiate, offer_policy, publish

pytestmark = pytest.mark.anyio
HUB = "urn:sangsaeng:participant:hub"
CONTEXT = ["https://w3id.org/dspace/2025/1/context.jsonld"]
CATALOG_REQUEST = {"@context": CONTEXT, "@type": "CatalogRequestMessage"}
EVERYONE = {"permission": [{"action": "use"}]}


@pytest.fixture
async def space(tmp_path: Path) -> AsyncIterator[Dataspace]:
    extra = {"supplier": {"trusted_issuers": [HUB], "catalog_page_size": 2}}
    async with dataspace(tmp_path, ["supplier", "oem", "rival", "hub"], extra=extra) as made:
        yield made


async def dsp(caller: Party, provider: Party, method: str, path: str, body: Any = None) -> httpx.Response:
    """A protocol request signed by ``caller`` (no credentials), straight to the provider."""
    token = tokens.issue(caller.connector.key, caller.id, provider.id, caller.connector.now())
    headers = {"Authorization": f"Bearer {token}"}
    return await provider.raw.request(method, f"/dsp{path}", json=body, headers=headers)


async def listed(caller: Party, provider: Party) -> list[dict[str, Any]]:
    """The datasets the caller's connector gathers from the provider's catalog (every page)."""
    answer = await caller.api.post("/api/catalog", json={"peer": provider.id})
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json().get("dataset", [])
    return found


def contract_request(caller: Party, offer_id: str, dataset_id: str) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "@type": "ContractRequestMessage",
        "consumerPid": "urn:uuid:32541fe6-c580-409e-85a8-8a9a32fbe833",
        "offer": {"@type": "Offer", "@id": offer_id, "target": dataset_id, **EVERYONE},
        "callbackAddress": caller.connector.protocol_url,
    }


async def test_a_partner_only_offer_is_seen_by_the_partner_and_by_no_one_else(space: Dataspace) -> None:
    supplier, oem, rival = (space.parties[n] for n in ("supplier", "oem", "rival"))
    private, private_offer = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id, purpose="quality-analysis"))
    public, _ = await publish(supplier, SAMPLE_CSV, EVERYONE)

    assert [d["@id"] for d in await listed(oem, supplier)] == [private, public]
    theirs = await listed(rival, supplier)
    assert [d["@id"] for d in theirs] == [public]
    assert private_offer not in json.dumps(theirs) and oem.id not in json.dumps(theirs)  # nor who supplies whom

    # The dataset lookup answers a hidden dataset exactly as one that does not exist.
    hidden = await dsp(rival, supplier, "GET", f"/catalog/datasets/{private}")
    unknown = await dsp(rival, supplier, "GET", "/catalog/datasets/urn:uuid:00000000-0000-4000-8000-000000000000")
    assert hidden.status_code == unknown.status_code == 404 and hidden.json() == unknown.json()
    assert (await dsp(oem, supplier, "GET", f"/catalog/datasets/{private}")).status_code == 200

    # A contract request for the hidden offer: the answer of an unknown offer, word for word (ids aside).
    guessed = await dsp(
        rival, supplier, "POST", "/negotiations/request", contract_request(rival, private_offer, private)
    )
    made_up = "urn:uuid:00000000-0000-4000-8000-00000000dead"
    nothing = await dsp(rival, supplier, "POST", "/negotiations/request", contract_request(rival, made_up, private))
    assert guessed.status_code == nothing.status_code == 400
    assert guessed.text.replace(private_offer, "X") == nothing.text.replace(made_up, "X")
    assert (await negotiate(oem, supplier, private, private_offer, "quality-analysis"))["state"] == "FINALIZED"


async def test_the_quality_template_is_seen_by_its_customer_only(space: Dataspace) -> None:
    supplier, oem, rival = (space.parties[n] for n in ("supplier", "oem", "rival"))
    dataset_id, _ = await publish(supplier, SAMPLE_CSV, EVERYONE)
    made = await supplier.api.post(
        "/api/offers",
        json={"datasetId": dataset_id, "template": "quality-to-customer", "parameters": {"customer": oem.id}},
    )
    assert made.status_code == 201 and made.json()["visibleTo"] == {"kind": "only", "participants": [oem.id]}
    assert [len(d["hasPolicy"]) for d in await listed(oem, supplier)] == [2]
    assert [len(d["hasPolicy"]) for d in await listed(rival, supplier)] == [1]  # the public offer only


async def test_an_access_policy_by_credential_decides_who_sees_the_offer(space: Dataspace) -> None:
    supplier, oem, hub = (space.parties[n] for n in ("supplier", "oem", "hub"))
    tier1 = {
        "permission": [
            {"action": "use", "constraint": [{"leftOperand": "tier", "operator": "eq", "rightOperand": "tier1"}]}
        ]
    }
    dataset_id, _ = await publish(supplier, SAMPLE_CSV, EVERYONE)
    created = await supplier.api.post(
        "/api/offers", json={"datasetId": dataset_id, "policy": EVERYONE, "accessPolicy": tier1}
    )
    assert created.status_code == 201, created.text
    # The dataset has one offer for everyone besides the tier-1 offer; only the latter is hidden.
    shown = await listed(oem, supplier)
    assert [o["@id"] for o in shown[0]["hasPolicy"]] != [] and created.json()["id"] not in json.dumps(shown)
    token = credentials.issue(hub.connector.key, hub.id, oem.id, {"tier": ["tier1"]}, oem.connector.now())
    assert (await oem.api.post("/api/credentials", json={"token": token})).status_code == 201
    assert created.json()["id"] in json.dumps(await listed(oem, supplier))

    offers = (await supplier.api.get("/api/offers")).json()
    kept = next(o for o in offers if o["id"] == created.json()["id"])
    assert kept["accessPolicy"] == tier1 and kept["visibleTo"] == {"kind": "credentials"}
    assert next(o for o in offers if o["id"] != kept["id"])["visibleTo"] == {"kind": "everyone"}


async def test_an_access_policy_may_ask_only_who_the_caller_is(space: Dataspace) -> None:
    supplier = space.parties["supplier"]
    dataset_id, _ = await publish(supplier, SAMPLE_CSV, EVERYONE)
    wrong = {
        "permission": [
            {"action": "use", "constraint": [{"leftOperand": "purpose", "operator": "eq", "rightOperand": "recall"}]}
        ]
    }
    refused = await supplier.api.post(
        "/api/offers", json={"datasetId": dataset_id, "policy": EVERYONE, "accessPolicy": wrong}
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert (
        error["code"] == "invalid-policy"
        and error["position"] == "accessPolicy.permission[0].constraint[0].leftOperand"
    )


async def test_pages_and_totals_count_only_what_the_caller_sees(space: Dataspace) -> None:
    supplier, oem, rival = (space.parties[n] for n in ("supplier", "oem", "rival"))
    mine, everyone = [], []
    for _ in range(3):
        mine.append((await publish(supplier, SAMPLE_CSV, offer_policy(oem.id)))[0])
        everyone.append((await publish(supplier, SAMPLE_CSV, EVERYONE))[0])

    first = await dsp(rival, supplier, "POST", "/catalog/request", CATALOG_REQUEST)
    assert [d["@id"] for d in first.json()["dataset"]] == everyone[:2]
    follow = re.search(r"<([^>]+)>; rel=\"next\"", first.headers["link"])
    assert follow is not None
    second = await dsp(rival, supplier, "POST", follow.group(1).split("/dsp", 1)[1], CATALOG_REQUEST)
    assert [d["@id"] for d in second.json()["dataset"]] == everyone[2:]
    assert 'rel="next"' not in second.headers.get("link", "")  # three datasets seen, so two pages

    assert len(await listed(oem, supplier)) == 6
    third = await dsp(oem, supplier, "POST", "/catalog/request?offset=4", CATALOG_REQUEST)
    assert len(third.json()["dataset"]) == 2 and 'rel="next"' not in third.headers.get("link", "")
    beyond = await dsp(rival, supplier, "POST", "/catalog/request?offset=4", CATALOG_REQUEST)
    assert "dataset" not in beyond.json()
    # A new offer shows at once, to whom it is for.
    extra, _ = await publish(supplier, SAMPLE_CSV, offer_policy(rival.id))
    assert extra in [d["@id"] for d in await listed(rival, supplier)]
    assert extra not in [d["@id"] for d in await listed(oem, supplier)]


@pytest.mark.processes
@pytest.mark.xdist_group("processes")
def test_offer_create_visible_to_names_who_sees_the_offer(tmp_path: Path) -> None:
    runner = CliRunner()
    with running(tmp_path, ["supplier"]) as nodes:
        supplier = str(nodes["supplier"].init.settings.data_dir)
        source = write_inspection_csv(tmp_path / "inspections.csv", 20)
        added = runner.invoke(app, ["dataset", "add", str(source), "--title", "inspection", "--data-dir", supplier])
        dataset_id = re.findall(r"urn:uuid:[0-9a-f-]{36}", added.output)[0]
        args = ["offer", "create", dataset_id, "--policy", json.dumps(EVERYONE), "--data-dir", supplier]
        made = runner.invoke(app, [*args, "--visible-to", "urn:p:a", "--visible-to", "urn:p:b"], env={"COLUMNS": "200"})
        assert made.exit_code == 0, made.output
        assert "seen in the catalog by: urn:p:a, urn:p:b only" in " ".join(made.output.split())
        offers = nodes["supplier"].client.get("/offers")
        assert offers[0]["accessPolicy"] == visible_to(["urn:p:a", "urn:p:b"])
        both = runner.invoke(app, [*args, "--visible-to", "urn:p:a", "--access-policy", json.dumps(EVERYONE)])
        assert both.exit_code == 2 and "not both" in both.output


async def test_the_portal_says_who_will_see_an_offer_in_both_languages(space: Dataspace) -> None:
    from tests.test_portal import session

    supplier = space.parties["supplier"]
    dataset_id, _ = await publish(supplier, SAMPLE_CSV, EVERYONE)
    steward = await session(supplier, "park", "steward")
    english = " ".join((await steward.get(f"/portal/offer/{dataset_id}", params={"lang": "en"})).text.split())
    assert "will see this offer in the catalog; other members cannot tell that it exists" in english
    assert "Every member of the dataspace sees this offer in the catalog" in english  # aggregates for anyone
    korean = " ".join((await steward.get(f"/portal/offer/{dataset_id}", params={"lang": "ko"})).text.split())
    assert "에게만 보입니다" in korean and "모든 참여자가 카탈로그에서 이 오퍼를 볼 수 있습니다" in korean
    await steward.aclose()
