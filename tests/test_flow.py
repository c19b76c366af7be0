"""A supplier publishes, an OEM negotiates and pulls: the whole path in-process."""

from __future__ import annotations

import io

import pyarrow as pa
import pytest

from tests.helpers import SAMPLE_CSV, Dataspace, negotiate, offer_policy, poll, publish, start_transfer

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


async def test_pulled_arrow_stream_lacks_the_withheld_column(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
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
