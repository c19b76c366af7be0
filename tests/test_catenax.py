"""Catena-X SerialPart, Batch and SingleLevelBomAsBuilt in and out of the canonical model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.catenax import bom_from_catenax, bom_to_catenax, part_from_catenax, part_to_catenax
from sangsaeng.standard.entities import BomLink, PartInstance, PartType

MADE = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
PART_TYPE = PartType(
    id="pt:BRK-CAL-2041",
    manufacturer_part_id="BRK-CAL-2041",
    customer_part_id="58130-AB000",
    name="브레이크 캘리퍼 하우징",
)


@pytest.mark.parametrize("kind", ["serial", "batch"])
def test_parts_go_out_and_come_back_the_same(kind: str) -> None:
    instance = PartInstance(
        global_asset_id="urn:uuid:6c5b8b2c-0000-4000-8000-000000000001",
        part_type=PART_TYPE.id,
        kind=kind,
        local_id="L261001-00" if kind == "batch" else "SN-0042",
        production_date=MADE,
        site="BPNS000000000001",
    )
    document = part_to_catenax(instance, PART_TYPE, manufacturer="BPNL000000000001")
    key = "batchId" if kind == "batch" else "partInstanceId"
    assert {"key": key, "value": instance.local_id} in document["localIdentifiers"]
    assert document["manufacturingInformation"]["date"] == "2026-10-01T08:00:00.000Z"
    assert part_from_catenax(document) == (instance, PART_TYPE)


def test_a_bill_of_material_goes_out_and_comes_back_the_same() -> None:
    links = [
        BomLink(
            parent="urn:uuid:p",
            child="urn:uuid:c1",
            quantity=4,
            quantity_unit="piece",
            lifecycle="as-built",
            business_partner="BPNL000000000002",
            created_on=MADE,
        ),
        BomLink(
            parent="urn:uuid:p", child="urn:uuid:c2", quantity=0.35, quantity_unit="kilogram", lifecycle="as-built"
        ),
    ]
    document = bom_to_catenax("urn:uuid:p", links)
    assert document["childItems"][0]["quantity"] == {"value": 4.0, "unit": "unit:piece"}
    assert bom_from_catenax(document) == links


def test_older_spellings_and_other_units_are_read() -> None:
    document: dict[str, Any] = {
        "catenaXId": "urn:uuid:p",
        "childItems": [
            {"childCatenaXId": "urn:uuid:a", "quantity": {"quantityNumber": 250, "measurementUnit": "unit:gram"}},
            {"globalAssetId": "urn:uuid:b", "quantity": {"value": 2.5, "unit": "unit:litre"}},
        ],
    }
    first, second = bom_from_catenax(document)
    assert (first.child, first.quantity, first.quantity_unit) == ("urn:uuid:a", pytest.approx(0.25), "kilogram")
    assert (second.child, second.quantity, second.quantity_unit) == ("urn:uuid:b", pytest.approx(0.0025), "meter ** 3")


@pytest.mark.parametrize(
    ("document", "position"),
    [
        ({"localIdentifiers": []}, "catenaXId"),
        ({"catenaXId": "urn:uuid:x", "localIdentifiers": [{"key": "van", "value": "1"}]}, "localIdentifiers"),
        ({"catenaXId": "urn:uuid:x", "localIdentifiers": [{"key": "batchId", "value": "1"}]}, "manufacturer_part_id"),
    ],
)
def test_malformed_parts_are_refused_with_where(document: dict[str, Any], position: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        part_from_catenax(document)
    assert caught.value.position == position


def test_a_child_with_an_unknown_unit_is_refused() -> None:
    document = {
        "catenaXId": "urn:uuid:p",
        "childItems": [{"catenaXId": "urn:uuid:a", "quantity": {"value": 1, "unit": "unit:blorp"}}],
    }
    with pytest.raises(InvalidInput) as caught:
        bom_from_catenax(document)
    assert caught.value.position == "childItems[0].quantity.unit"
