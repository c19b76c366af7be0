"""The policy profile end to end, between connectors: restrictions applied to pulled data, templates, signed
credentials, explanations, rights that follow derived data, and duties that fall due on both sides."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from sangsaeng.dataplane.restrict import MASK_HEX, mask_key
from sangsaeng.identity import credentials
from tests.helpers import Dataspace, Party, dataspace, negotiate, start_transfer

pytestmark = pytest.mark.anyio

HUB = "urn:sangsaeng:participant:hub"
CSV = "lot,customer,line,value,inspector\n" + "".join(
    f"L{i % 4},{'urn:sangsaeng:participant:oem' if i % 3 else 'urn:sangsaeng:participant:rival'},"
    f"{'A' if i < 5 else ('B' if i < 8 else 'C')},{50 + i},kim\n"
    for i in range(10)
)  # line A: 5 rows, B: 3, C: 2; lots repeat across customers


@pytest.fixture
async def space(tmp_path: Path) -> AsyncIterator[Dataspace]:
    extra = {"supplier": {"trusted_issuers": [HUB]}}
    async with dataspace(tmp_path, ["supplier", "oem", "rival", "hub"], extra=extra) as made:
        yield made


async def publish(provider: Party, csv: str = CSV, **offer: Any) -> tuple[str, str]:
    added = await provider.api.post(
        "/api/datasets", params={"title": "inspections"}, content=csv.encode(), headers={"content-type": "text/csv"}
    )
    assert added.status_code == 201, added.text
    dataset_id = added.json()["id"]
    created = await provider.api.post("/api/offers", json={"datasetId": dataset_id, **offer})
    assert created.status_code == 201, created.text
    return dataset_id, created.json()["id"]


async def pull(consumer: Party, provider: Party, dataset_id: str, offer_id: str, purpose: str | None) -> Any:
    negotiation = await negotiate(consumer, provider, dataset_id, offer_id, purpose)
    assert negotiation["state"] == "FINALIZED", negotiation
    transfer = await start_transfer(consumer, negotiation["agreementId"])
    assert transfer["ready"], transfer
    return negotiation["agreementId"], transfer["id"]


async def rows(consumer: Party, transfer_id: str) -> list[dict[str, Any]]:
    response = await consumer.api.get(f"/api/transfers/{transfer_id}/data", headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def c(left: str, operator: str, right: Any) -> dict[str, Any]:
    return {"leftOperand": left, "operator": operator, "rightOperand": right}


async def give_credential(space: Dataspace, to: Party, **attributes: list[str]) -> None:
    hub = space.parties["hub"]
    token = credentials.issue(hub.connector.key, hub.id, to.id, attributes, to.connector.now())
    kept = await to.api.post("/api/credentials", json={"token": token})
    assert kept.status_code == 201, kept.text


async def test_fields_masks_and_row_scope_are_applied_to_pulled_data(space: Dataspace) -> None:
    supplier, oem, rival = (space.parties[n] for n in ("supplier", "oem", "rival"))
    policy = {
        "permission": [
            {
                "action": "use",
                "constraint": [
                    c("participant", "isAnyOf", [oem.id, rival.id]),
                    c("fields", "isAnyOf", ["lot", "customer", "value"]),
                    c("mask", "isAnyOf", ["lot"]),
                    c("rowScope", "eq", "customer = $consumer"),
                ],
            }
        ]
    }
    dataset_id, offer_id = await publish(supplier, policy=policy)
    _, oem_transfer = await pull(oem, supplier, dataset_id, offer_id, None)
    first, second = await rows(oem, oem_transfer), await rows(oem, oem_transfer)
    assert first == second  # masked values are stable across pulls
    assert {r["customer"] for r in first} == {oem.id} and len(first) == 6  # only the OEM's rows
    assert set(first[0]) == {"lot", "customer", "value"}  # inspector dropped, line not offered
    key = mask_key(supplier.connector.key, oem.id)
    original = [line.split(",")[0] for line in CSV.splitlines()[1:] if oem.id in line]
    assert [r["lot"] for r in first] == [
        hmac.new(key, lot.encode(), hashlib.sha256).hexdigest()[:MASK_HEX] for lot in original
    ]  # reproducible only with the provider's key …
    assert all(r["lot"] not in original and len(r["lot"]) == MASK_HEX for r in first)
    other_key = mask_key(oem.connector.key, oem.id)  # … not with anyone else's
    assert first[0]["lot"] != hmac.new(other_key, original[0].encode(), hashlib.sha256).hexdigest()[:MASK_HEX]

    _, rival_transfer = await pull(rival, supplier, dataset_id, offer_id, None)
    theirs = await rows(rival, rival_transfer)
    assert {r["customer"] for r in theirs} == {rival.id} and len(theirs) == 4
    shared = set(original) & {line.split(",")[0] for line in CSV.splitlines()[1:] if rival.id in line}
    assert shared  # the same lot masks differently for another consumer: the two cannot match their copies
    assert not {r["lot"] for r in first} & {r["lot"] for r in theirs}


async def test_aggregates_only_serves_large_groups_and_refuses_rows(space: Dataspace) -> None:
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    dataset_id, offer_id = await publish(supplier, template="benchmark-aggregates", parameters={"k": "3"})
    _, transfer_id = await pull(oem, supplier, dataset_id, offer_id, "benchmarking")
    refused = await oem.api.get(f"/api/transfers/{transfer_id}/data")
    assert refused.status_code == 403
    assert "only aggregates" in refused.text
    answer = await oem.api.post(
        f"/api/transfers/{transfer_id}/aggregate",
        json={"groupBy": ["line"], "measures": [{"op": "count"}, {"op": "mean", "field": "value"}]},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    groups = {g["line"]: g for g in body["groups"]}
    assert set(groups) == {"A", "B"} and body["suppressed"] == 1  # C has 2 rows < k = 3
    assert groups["A"]["count"] == 5 and groups["A"]["mean_value"] == pytest.approx(52.0)
    bad = await oem.api.post(
        f"/api/transfers/{transfer_id}/aggregate", json={"groupBy": ["line"], "measures": [{"op": "sum"}]}
    )
    assert bad.status_code == 400  # a sum of nothing: refused before it reaches the provider


async def test_credentials_decide_and_only_a_trusted_issuer_counts(space: Dataspace) -> None:
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    dataset_id, offer_id = await publish(supplier, template="carbon-to-members", parameters={"membership": "kama"})
    refused = await negotiate(oem, supplier, dataset_id, offer_id, "carbon-accounting")
    assert refused["state"] == "TERMINATED"
    assert "no verified credential says" in refused["reason"]
    # A credential from an issuer the supplier does not trust counts for nothing.
    rival = space.parties["rival"]
    untrusted = credentials.issue(rival.connector.key, rival.id, oem.id, {"membership": ["kama"]}, oem.connector.now())
    assert (await oem.api.post("/api/credentials", json={"token": untrusted})).status_code == 201
    assert (await negotiate(oem, supplier, dataset_id, offer_id, "carbon-accounting"))["state"] == "TERMINATED"
    await give_credential(space, oem, membership=["kama"])
    granted = await negotiate(oem, supplier, dataset_id, offer_id, "carbon-accounting")
    assert granted["state"] == "FINALIZED", granted
    transfer = await start_transfer(oem, granted["agreementId"])
    assert len(await rows(oem, transfer["id"])) == 10
    listed = (await oem.api.get("/api/credentials")).json()
    assert {c["issuer"] for c in listed if c["valid"]} == {rival.id, HUB}


async def test_a_wrong_tier_is_refused_with_what_the_credential_said(space: Dataspace) -> None:
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    dataset_id, offer_id = await publish(supplier, template="demand-to-tier1", parameters={"suppliers": oem.id})
    await give_credential(space, oem, tier=["2차"])
    refused = await negotiate(oem, supplier, dataset_id, offer_id, "demand-planning")
    assert refused["state"] == "TERMINATED" and "credentials say tier is 2차" in refused["reason"]
    await give_credential(space, oem, tier=["1차"])
    agreement_id, transfer_id = await pull(oem, supplier, dataset_id, offer_id, "demand-planning")
    assert len(await rows(oem, transfer_id)) == 10


async def test_explain_answers_without_touching_data(space: Dataspace) -> None:
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    _, offer_id = await publish(supplier, template="carbon-to-members", parameters={"membership": "kama"})
    ask = {"offerId": offer_id, "consumer": oem.id, "purpose": "carbon-accounting", "fields": ["lot", "value"]}
    no = (await supplier.api.post("/api/policy/explain", json=ask)).json()
    assert not no["permit"] and any("membership eq kama" in r for r in no["reasons"])
    yes = (await supplier.api.post("/api/policy/explain", json={**ask, "attributes": {"membership": ["kama"]}})).json()
    assert yes["permit"] and yes["deliveredFields"] == ["lot", "value"] and yes["duties"] == ["attribute"]
    wrong = await supplier.api.post("/api/policy/explain", json={**ask, "operation": "sell"})
    assert wrong.status_code == 400


async def test_derived_data_keeps_its_sources_terms(space: Dataspace) -> None:
    supplier, oem, rival = (space.parties[n] for n in ("supplier", "oem", "rival"))
    dataset_id, offer_id = await publish(supplier, template="quality-to-customer", parameters={"customer": oem.id})
    agreement_id, transfer_id = await pull(oem, supplier, dataset_id, offer_id, "quality-analysis")
    summary = "line,mean_value\nA,52\nB,56\n"
    derived = await oem.api.post(
        "/api/datasets/derived",
        params={"title": "line means", "sources": [agreement_id], "operation": "aggregate"},
        content=summary.encode(),
    )
    assert derived.status_code == 201, derived.text
    derived_id = derived.json()["id"]
    onward = await oem.api.post(
        "/api/offers",
        json={
            "datasetId": derived_id,
            "policy": {"permission": [{"action": "use", "constraint": [c("participant", "eq", rival.id)]}]},
        },
    )
    assert onward.status_code == 422, onward.text
    error = onward.json()["error"]
    assert f"agreement {agreement_id}" in error["message"] and "redistribution eq false" in error["message"]
    rights = (await oem.api.get(f"/api/datasets/{derived_id}/rights")).json()
    assert rights["generators"] == [oem.id]
    [source] = rights["sources"]
    assert (source["agreement"], source["provider"], source["operation"]) == (agreement_id, supplier.id, "aggregate")
    assert any("redistribution eq false" in line for line in source["restrictions"])
    given = (await supplier.api.get(f"/api/datasets/{dataset_id}/rights")).json()
    assert [(r["participant"], r["agreement"]) for r in given["recipients"]] == [(oem.id, agreement_id)]
    joint = await supplier.api.post(
        "/api/datasets", params={"title": "joint", "coGenerators": [oem.id]}, content=CSV.encode()
    )
    joint_rights = (await supplier.api.get(f"/api/datasets/{joint.json()['id']}/rights")).json()
    assert joint_rights["generators"] == [supplier.id, oem.id]


async def test_a_source_that_forbids_derivation_refuses_registration(space: Dataspace) -> None:
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    policy = {
        "permission": [{"action": "use", "constraint": [c("participant", "eq", oem.id), c("derivation", "eq", False)]}]
    }
    dataset_id, offer_id = await publish(supplier, policy=policy)
    agreement_id, _ = await pull(oem, supplier, dataset_id, offer_id, None)
    refused = await oem.api.post(
        "/api/datasets/derived", params={"title": "x", "sources": [agreement_id]}, content=b"a\n1\n"
    )
    assert refused.status_code == 403
    assert f"agreement {agreement_id}" in refused.text and "derivation eq false" in refused.text
    assert (await oem.api.get("/api/datasets")).json() == []


async def test_an_overdue_delete_duty_shows_on_both_sides(space: Dataspace) -> None:
    supplier, oem = space.parties["supplier"], space.parties["oem"]
    dataset_id, offer_id = await publish(
        supplier, template="quality-to-customer", parameters={"customer": oem.id, "days": "1"}
    )
    agreement_id, _ = await pull(oem, supplier, dataset_id, offer_id, "quality-analysis")

    async def duty(party: Party) -> dict[str, Any]:
        [found] = (await party.api.get(f"/api/agreements/{agreement_id}")).json()["duties"]
        return found

    assert (await duty(supplier))["state"] == (await duty(oem))["state"] == "open"
    for party in space.parties.values():
        party.clock.advance(days=2)
    assert (await duty(supplier))["state"] == (await duty(oem))["state"] == "overdue"
    path = (await duty(oem))["duty"]
    done = await oem.api.post(f"/api/agreements/{agreement_id}/duties/fulfil", json={"duty": path})
    assert done.status_code == 200 and (await duty(oem))["state"] == "fulfilled"
    assert (
        await supplier.api.post(f"/api/agreements/{agreement_id}/duties/fulfil", json={"duty": path})
    ).status_code == 400


async def test_templates_are_listed_and_need_their_parameters(space: Dataspace) -> None:
    supplier = space.parties["supplier"]
    listed = (await supplier.api.get("/api/templates")).json()
    assert {t["name"] for t in listed} == {
        "quality-to-customer",
        "carbon-to-members",
        "benchmark-aggregates",
        "demand-to-tier1",
    }
    added = await supplier.api.post("/api/datasets", params={"title": "t"}, content=CSV.encode())
    missing = await supplier.api.post(
        "/api/offers", json={"datasetId": added.json()["id"], "template": "quality-to-customer"}
    )
    assert missing.status_code == 400 and missing.json()["error"]["position"] == "parameters.customer"
