"""A supplier publishes, an OEM negotiates and pulls: the whole path in-process."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pyarrow as pa
import pytest

from tests.helpers import SAMPLE_CSV, Dataspace, dataspace, negotiate, offer_policy, poll, publish, start_transfer

pytestmark = pytest.mark.anyio


async def test_negotiation_finalizes_on_both_sides_and_both_signed(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id))

    final = await negotiate(oem, supplier, dataset_id, offer_id)

    assert final["state"] == "FINALIZED", final
    provider_side = await poll(
        supplier.api, f"/api/negotiations/{final['providerPid']}", lambda n: n["state"] == "FINALIZED"
    )
    assert provider_side["agreementId"] == final["agreementId"]
    for party in (supplier, oem):
        agreement = (await party.api.get(f"/api/agreements/{final['agreementId']}")).json()
        assert agreement["signedByBoth"] is True
        assert agreement["provider"] == supplier.id and agreement["consumer"] == oem.id


@pytest.mark.xdist_group("s3")
async def test_pulled_arrow_stream_lacks_the_withheld_column(each_store: str, two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    assert supplier.connector.datasets.where.startswith("s3://") or each_store == "local"
    policy = offer_policy(oem.id, fields=["lot_no", "part_no", "measured", "result"])
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, policy)
    final = await negotiate(oem, supplier, dataset_id, offer_id)
    transfer = await start_transfer(oem, final["agreementId"])
    assert transfer["ready"], transfer

    response = await oem.api.get(f"/api/transfers/{transfer['id']}/data")

    assert response.status_code == 200, response.text
    table = pa.ipc.open_stream(io.BytesIO(response.content)).read_all()
    assert table.column_names == ["lot_no", "part_no", "measured", "result"]
    assert table.column("measured").to_pylist() == [54.01, 53.92, 12.40]

    completed = await oem.api.post(f"/api/transfers/{transfer['id']}/complete")
    assert completed.status_code == 200
    await poll(oem.api, f"/api/transfers/{transfer['id']}", lambda t: t["state"] == "COMPLETED")
    await poll(supplier.api, f"/api/transfers/{transfer['providerPid']}", lambda t: t["state"] == "COMPLETED")


async def test_a_request_the_policy_denies_ends_terminated_with_the_reason(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id, purpose="carbon-accounting"))

    final = await negotiate(oem, supplier, dataset_id, offer_id, purpose="quality-analysis")

    assert final["state"] == "TERMINATED"
    assert "purpose eq carbon-accounting" in final["reason"]
    assert final["agreementId"] is None


async def test_an_agreement_the_consumer_refuses_ends_the_negotiation_on_both_sides(
    two: Dataspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A provider whose agreement is refused (here: a broken signature) terminates and tells the consumer."""
    from sangsaeng.negotiation import service

    supplier, oem = two.parties["supplier"], two.parties["oem"]
    real = service.sign_agreement

    def broken(key: object, signer: str, agreement: dict[str, object]) -> dict[str, str]:
        signature = real(key, signer, agreement)  # type: ignore[arg-type]
        return {**signature, "value": signature["value"][::-1]} if signer == supplier.id else signature

    monkeypatch.setattr(service, "sign_agreement", broken)
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id))

    final = await negotiate(oem, supplier, dataset_id, offer_id)

    assert final["state"] == "TERMINATED"
    assert "ContractAgreementMessage was refused" in final["reason"]
    assert "signature does not match" in final["reason"]
    provider = await poll(
        supplier.api, f"/api/negotiations/{final['providerPid']}", lambda n: n["state"] == "TERMINATED"
    )
    assert "signature does not match" in provider["reason"]


async def test_two_connectors_on_postgresql_negotiate_and_pull(tmp_path: Path, postgres_server: str) -> None:
    """The production mode: state in PostgreSQL (one database per connector), the same path end to end."""
    import psycopg

    names = {party: f"sangsaeng_flow_{party}_{uuid.uuid4().hex[:8]}" for party in ("supplier", "oem")}
    base = postgres_server.rsplit("/", 1)[0]
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        for name in names.values():
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        extra = {party: {"database_url": f"{base}/{name}"} for party, name in names.items()}
        async with dataspace(tmp_path, ["supplier", "oem"], extra=extra) as space:
            supplier, oem = space.parties["supplier"], space.parties["oem"]
            assert supplier.connector.settings.state_url.startswith("postgresql")
            dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id, fields=["lot_no"]))
            final = await negotiate(oem, supplier, dataset_id, offer_id)
            assert final["state"] == "FINALIZED"
            transfer = await start_transfer(oem, final["agreementId"])
            response = await oem.api.get(f"/api/transfers/{transfer['id']}/data", headers={"Accept": "text/csv"})
            assert response.text.splitlines() == ['"lot_no"', '"L1"', '"L1"', '"L2"']
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            for name in names.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_an_agreement_past_its_time_gives_no_more_data(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    policy = {
        "permission": [
            {
                "action": "use",
                "constraint": [{"leftOperand": "elapsedTime", "operator": "lteq", "rightOperand": "PT1M"}],
            }
        ]
    }
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, policy)
    final = await negotiate(oem, supplier, dataset_id, offer_id)
    transfer = await start_transfer(oem, final["agreementId"])
    assert (await oem.api.get(f"/api/transfers/{transfer['id']}/data")).status_code == 200
    supplier.clock.advance(minutes=2)  # the token (5 minutes) is still valid; the agreement (1 minute) is not
    refused = await oem.api.get(f"/api/transfers/{transfer['id']}/data")
    assert refused.status_code == 403
    assert "elapsedTime lteq" in refused.json()["error"]["message"] + str(refused.json()["error"])


async def test_a_request_waits_for_approval_when_agreeing_is_not_automatic(tmp_path: Path) -> None:
    async with dataspace(tmp_path, ["supplier", "oem"], extra={"supplier": {"auto_agree": False}}) as space:
        supplier, oem = space.parties["supplier"], space.parties["oem"]
        dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id))
        started = await oem.api.post(
            "/api/negotiations", json={"peer": supplier.id, "datasetId": dataset_id, "offerId": offer_id}
        )
        waiting = await poll(supplier.api, "/api/negotiations", lambda ns: any(n["state"] == "REQUESTED" for n in ns))
        pid = next(n["id"] for n in waiting if n["role"] == "provider")
        assert (await oem.api.get(f"/api/negotiations/{started.json()['id']}")).json()["state"] == "REQUESTED"
        approved = await supplier.api.post(f"/api/negotiations/{pid}/approve")
        assert approved.status_code == 200, approved.text
        final = await poll(
            oem.api, f"/api/negotiations/{started.json()['id']}", lambda n: n["state"] in ("FINALIZED", "TERMINATED")
        )
        assert final["state"] == "FINALIZED"
        again = await supplier.api.post(f"/api/negotiations/{pid}/approve")
        assert again.status_code == 400
