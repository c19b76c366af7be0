"""Catena-X SerialPart, Batch, SingleLevelBomAsBuilt and SingleLevelUsageAsBuilt in and out of the canonical model:
the official examples, what each release requires, the semantic id, and the older spellings."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sangsaeng.demo.valuechain import generate
from sangsaeng.errors import InvalidInput
from sangsaeng.standard.catenax import (
    RELEASES,
    Release,
    bom_from_catenax,
    bom_to_catenax,
    part_from_catenax,
    part_to_catenax,
    read_bom,
    read_part,
    read_usage,
    rules,
    still_needed,
    write_bom,
    write_part,
    write_usage,
)
from sangsaeng.standard.entities import ENTITIES, BomLink, Entity, PartInstance, PartType
from tests.catenax_schemas import errors, example

HANGUL = re.compile(r"[가-힣]")
MADE = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
PARENT, CHILD, OTHER = (
    "urn:uuid:6c5b8b2c-0000-4000-8000-000000000001",
    "urn:uuid:6c5b8b2c-0000-4000-8000-000000000002",
    "urn:uuid:6c5b8b2c-0000-4000-8000-000000000003",
)
SUPPLIER, CUSTOMER, MAKER = "BPNLDEMOSUNGJIN1", "BPNLDEMODAEHAN01", "BPNLDEMOHANBIT01"
PART_TYPE = PartType(
    id="pt:BRK-CAL-2041",
    manufacturer_part_id="BRK-CAL-2041",
    customer_part_id="58130-AB000",
    name="브레이크 캘리퍼 하우징",
    name_at_customer="캘리퍼 ASSY",
    classification="1004712",
    classification_standard="GIN 20510-21513",
)
ALL = [r for releases in RELEASES.values() for r in releases]


def part(kind: str) -> PartInstance:
    return PartInstance(
        global_asset_id=PARENT,
        part_type=PART_TYPE.id,
        kind=kind,
        local_id="L261001-00" if kind == "batch" else "SN-0042",
        production_date=MADE,
        site="BPNSDEMOHANBITC1",
    )


def link(**changes: Any) -> BomLink:
    base: dict[str, Any] = {
        "parent": PARENT,
        "child": CHILD,
        "quantity": 4,
        "lifecycle": "as-built",
        "business_partner": SUPPLIER,
        "customer": CUSTOMER,
        "created_on": MADE,
        "has_alternatives": False,
    }
    return BomLink(**{**base, **changes})


def write(of: Release, records: dict[str, Entity]) -> Any:
    if of.aspect in ("SerialPart", "Batch"):
        return write_part(records["part_instance"], records["part_type"], version=of.version)  # type: ignore[arg-type]
    if of.aspect == "SingleLevelBomAsBuilt":
        return write_bom(PARENT, [records["bom_link"]], version=of.version)  # type: ignore[list-item]
    return write_usage(CHILD, [records["bom_link"]], version=of.version)  # type: ignore[list-item]


def complete(of: Release) -> dict[str, Entity]:
    if of.aspect in ("SerialPart", "Batch"):
        return {"part_instance": part("serial" if of.aspect == "SerialPart" else "batch"), "part_type": PART_TYPE}
    return {"bom_link": link()}


def test_each_release_writes_the_names_of_its_model() -> None:
    current = write_part(part("serial"), PART_TYPE, manufacturer=MAKER)
    older = write_part(part("serial"), PART_TYPE, manufacturer=MAKER, version="3.0.1")
    assert current.semantic_id == "urn:samm:io.catenax.serial_part:4.0.0#SerialPart"
    assert older.semantic_id == "urn:samm:io.catenax.serial_part:3.0.1#SerialPart"
    assert current.document["globalAssetId"] == older.document["catenaXId"] == PARENT
    assert current.document["manufacturingInformation"] == {
        "productionDate": "2026-10-01",
        "sites": [{"siteId": "BPNSDEMOHANBITC1", "function": "production"}],
    }
    assert older.document["manufacturingInformation"]["date"] == "2026-10-01T08:00:00.000Z"
    assert current.document["partTypeInformation"]["partClassification"] == [
        {"standard": "GIN 20510-21513", "id": "1004712"}
    ]
    assert {"key": "manufacturerId", "value": MAKER} in current.document["localIdentifiers"]
    batch = write_part(part("batch"), PART_TYPE).document["partTypeInformation"]
    assert "customerPartId" not in batch and "nameAtCustomer" not in batch  # Batch has no customer fields
    assert write_bom(PARENT, [link()]).document["childItems"][0]["globalAssetId"] == CHILD
    assert write_bom(PARENT, [link()], version="3.0.0").document["childItems"][0]["catenaXId"] == CHILD
    usage = write_usage(CHILD, [link()]).document
    assert usage["parentItems"][0]["businessPartner"] == CUSTOMER and usage["customers"] == [CUSTOMER]
    assert usage["parentItems"][0]["isOnlyPotentialParent"] is False


@pytest.mark.parametrize("of", ALL, ids=str)
def test_complete_records_validate_against_every_release(of: Release) -> None:
    aspect = write(of, complete(of))
    assert aspect.release == of and errors(of, aspect.document) == []


# A canonical record always holds its required numbers (a quantity): those can only be wrong, tested below.
REQUIRED = [
    (of, rule)
    for of in ALL
    for rule in rules(of)
    if rule.required
    and rule.field != "kind"  # the writer writes a part of its kind; still_needed tells a wrong kind (below)
    and ENTITIES[rule.entity].model_fields[rule.field].annotation not in (float, int)
]


@pytest.mark.parametrize(("of", "rule"), REQUIRED, ids=[f"{of} {rule.field}" for of, rule in REQUIRED])
def test_what_a_release_requires_is_refused_when_missing(of: Release, rule: Any) -> None:
    records = complete(of)
    target = records[rule.entity]
    empty: Any = None if not type(target).model_fields[rule.field].is_required() else ""
    if rule.field == "lifecycle":
        empty = "as-planned"
    records[rule.entity] = target.model_copy(update={rule.field: empty})
    with pytest.raises(InvalidInput) as refused:
        write(of, records)
    assert refused.value.position == rule.field
    assert str(of) in refused.value.message and rule.field in refused.value.message
    assert HANGUL.search(refused.value.details["message_ko"])
    if rule.field != "lifecycle":
        assert "{column:" in (refused.value.hint or "") and "{value:" in (refused.value.hint or "")
    needs = still_needed(of.aspect, records.values(), version=of.version)
    assert [(n.entity, n.field) for n in needs] == [(rule.entity, rule.field)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("business_partner", "urn:sangsaeng:participant:sungjin-metal"),
        ("customer", "BPNS0000000000AA"),
        ("child", "urn:uuid:c1"),
        ("quantity_unit", "kelvin"),
        ("quantity", float("inf")),
    ],
)
def test_values_in_another_form_than_the_schemas_allow_are_refused(field: str, value: Any) -> None:
    wrong = link().model_copy(update={field: value})
    write_ = write_bom if field != "customer" else write_usage
    with pytest.raises(InvalidInput) as refused:
        write_(PARENT if write_ is write_bom else CHILD, [wrong])
    assert refused.value.position == field
    needs = still_needed("SingleLevelBomAsBuilt" if write_ is write_bom else "SingleLevelUsageAsBuilt", [wrong])
    assert [(n.field, n.missing, n.wrong) for n in needs] == [(field, 0, 1)]
    with pytest.raises(InvalidInput) as refused:
        write_part(part("serial").model_copy(update={"site": "site:changwon-1"}), PART_TYPE)
    assert refused.value.position == "site"
    with pytest.raises(InvalidInput) as refused:
        write_part(part("serial"), PART_TYPE, manufacturer="urn:sangsaeng:participant:hanbit")
    assert refused.value.position == "manufacturer"


def test_still_needed_reads_rows_and_says_why_in_both_languages() -> None:
    rows = [
        {"id": "pt:1", "manufacturer_part_id": "1", "name": "캘리퍼", "customer_part_id": "58130"},
        {"id": "pt:2", "manufacturer_part_id": "2", "name": "링", "classification": "1004712"},
    ]
    needs = {n.field: n for n in still_needed("SerialPart", rows, entity="part_type")}
    assert set(needs) == {"customer_part_id", "name_at_customer", "classification", "classification_standard"}
    assert (needs["name_at_customer"].missing, needs["customer_part_id"].missing) == (2, 1)
    assert (needs["classification"].missing, needs["classification_standard"].missing) == (1, 2)
    assert all(HANGUL.search(n.ko) and "SerialPart 4.0.0" in n.en for n in needs.values())
    assert "nameAtCustomer" in needs["name_at_customer"].en
    assert still_needed("SerialPart", rows, entity="part_type", version="3.0.1")[0].field == "classification_standard"
    assert still_needed("Batch", [rows[0]], entity="part_type") == ()
    wrong_kind = still_needed("Batch", [part("serial"), PART_TYPE])
    assert [(n.field, n.wrong) for n in wrong_kind] == [("kind", 1)] and "batch" in wrong_kind[0].en
    with pytest.raises(InvalidInput):
        still_needed("SerialPart", rows)  # rows without their entity


def readable(of: Release) -> dict[str, Any]:
    """The official example; the 4.0.0 part examples name no serial or batch number, which a canonical part
    instance is known by, so one is added (the test below shows they are refused as they are)."""
    document = copy.deepcopy(example(of))
    key = {"SerialPart": "partInstanceId", "Batch": "batchId"}.get(of.aspect)
    if key and not any(i["key"] == key for i in document["localIdentifiers"]):
        document["localIdentifiers"].append({"key": key, "value": "NO-0001"})
    return document


def read_write(of: Release, document: Any) -> tuple[Any, Any]:
    """The canonical reading of ``document`` and the document written back from it at the same release."""
    if of.aspect in ("SerialPart", "Batch"):
        read = read_part(document, of.urn)
        maker = read.manufacturer if read.manufacturer and read.manufacturer.startswith("BPNL") else None
        return (read.instance, read.part_type), write_part(
            read.instance, read.part_type, manufacturer=maker, version=of.version
        )
    if of.aspect == "SingleLevelBomAsBuilt":
        bom = read_bom(document, of.urn)
        return bom.links, write_bom(bom.parent, bom.links, version=of.version)
    usage = read_usage(document, of.urn)
    return (usage.links, usage.customers), write_usage(
        usage.child, usage.links, customers=usage.customers, version=of.version
    )


@pytest.mark.parametrize("of", ALL, ids=str)
def test_every_official_example_reads_and_written_back_validates_and_reads_the_same(of: Release) -> None:
    assert errors(of, example(of)) == []
    first, aspect = read_write(of, readable(of))
    assert aspect.release == of and errors(of, aspect.document) == []
    again, _ = read_write(of, aspect.envelope())
    assert again == first


def test_the_examples_say_what_they_hold() -> None:
    serial = read_part(readable(RELEASES["SerialPart"][0]))
    assert serial.release is None and serial.instance.kind == "serial"  # by shape: the partInstanceId
    assert serial.part_type.name_at_customer == "side element A" and serial.part_type.classification == "1004712"
    # a date alone is the day where the company works (Korea by default): its first moment there
    assert serial.instance.production_date == datetime(2025, 9, 26, tzinfo=ZoneInfo("Asia/Seoul"))
    assert serial.instance.site == "BPNSSHcmMTIW8nYX"
    usage = read_usage(example(RELEASES["SingleLevelUsageAsBuilt"][0]))
    assert [(x.parent, x.customer, x.has_alternatives) for x in usage.links] == [
        ("urn:uuid:A9325aA0-1718-09d7-0f4a-0D8c2878c9cE", "BPNL50096894aNXY", False)
    ]
    bom = read_bom(example(RELEASES["SingleLevelBomAsBuilt"][1]))
    assert bom.links[0].business_partner == "BPNL50096894aNXY" and bom.links[0].quantity == 20


@pytest.mark.parametrize("aspect", ["SerialPart", "Batch"])
def test_the_4_0_0_part_examples_without_a_serial_or_batch_number_read_by_their_semantic_id(aspect: str) -> None:
    of = RELEASES[aspect][0]
    read = read_part(example(of), of.urn)
    assert read.instance.local_id is None and read.instance.kind == ("serial" if aspect == "SerialPart" else "batch")
    assert read.manufacturer == "BID12345678" or read.manufacturer is None
    written = write_part(read.instance, read.part_type, version=str(of.version))
    assert errors(of, written.document) == []
    assert read_part(written.envelope()).instance == read.instance
    with pytest.raises(InvalidInput) as refused:  # a bare document of that shape could be either
        read_part(example(of))
    assert refused.value.position == "localIdentifiers" and HANGUL.search(refused.value.details["message_ko"])


def test_the_semantic_id_travels_in_the_envelope_or_beside_the_document() -> None:
    aspect = write_bom(PARENT, [link()], version="3.0.0")
    envelope = aspect.envelope()
    assert envelope == {"aspectType": aspect.semantic_id, "payload": aspect.document}
    assert read_bom(envelope).release == aspect.release == read_bom(aspect.document, aspect.semantic_id).release
    assert read_bom(aspect.document).release is None  # by shape
    with pytest.raises(InvalidInput, match="not the semantic id"):
        read_bom(aspect.document, "urn:samm:io.catenax.serial_part:4.0.0#SerialPart")
    with pytest.raises(InvalidInput, match="newer"):
        read_bom(aspect.document, "urn:samm:io.catenax.single_level_bom_as_built:5.0.0#SingleLevelBomAsBuilt")
    with pytest.raises(InvalidInput, match="the envelope says"):
        read_bom(envelope, "urn:samm:io.catenax.single_level_bom_as_built:4.0.0#SingleLevelBomAsBuilt")
    older = read_bom(aspect.document, "urn:bamm:io.catenax.single_level_bom_as_built:2.0.0#SingleLevelBomAsBuilt")
    assert older.release is None and older.links == [link(customer=None)]
    assert read_part(write_part(part("batch"), PART_TYPE).envelope()).instance.kind == "batch"
    with pytest.raises(InvalidInput):
        write_bom(PARENT, [link()], version="2.0.0")


def test_the_first_names_still_work_at_the_current_release() -> None:
    document = part_to_catenax(part("batch"), PART_TYPE, manufacturer=MAKER)
    assert errors(RELEASES["Batch"][0], document) == []
    assert part_from_catenax(document)[0].local_id == "L261001-00"
    bom = bom_to_catenax(PARENT, [link()])
    assert errors(RELEASES["SingleLevelBomAsBuilt"][0], bom) == []
    assert bom_from_catenax(bom) == [link(customer=None)]


def test_older_spellings_and_other_units_are_read() -> None:
    document: dict[str, Any] = {
        "catenaXId": PARENT,
        "childItems": [
            {"childCatenaXId": CHILD, "quantity": {"quantityNumber": 250, "measurementUnit": "unit:gram"}},
            {"globalAssetId": OTHER, "quantity": {"value": 2.5, "unit": "unit:litre"}},
            {"catenaXId": PARENT, "quantity": {"value": 3, "unit": "unit:hourUnitOfTime"}},
        ],
    }
    first, second, third = bom_from_catenax(document)
    assert (first.child, first.quantity, first.quantity_unit) == (CHILD, pytest.approx(0.25), "kilogram")
    assert (second.child, second.quantity, second.quantity_unit) == (OTHER, pytest.approx(0.0025), "meter ** 3")
    assert (third.quantity, third.quantity_unit) == (pytest.approx(10800), "second")


@pytest.mark.parametrize(
    ("document", "position"),
    [
        ({"localIdentifiers": []}, "catenaXId"),
        ({"catenaXId": PARENT, "localIdentifiers": [{"key": "van", "value": "1"}]}, "localIdentifiers"),
        ({"catenaXId": PARENT, "localIdentifiers": [{"key": "batchId", "value": "1"}]}, "manufacturer_part_id"),
        (
            {
                "catenaXId": PARENT,
                "localIdentifiers": [{"key": "batchId", "value": "1"}],
                "partTypeInformation": {"manufacturerPartId": "P", "nameAtManufacturer": "N"},
                "manufacturingInformation": {"date": "2026-10-01T08:00:00"},
            },
            "manufacturingInformation.date",
        ),
    ],
)
def test_malformed_parts_are_refused_with_where(document: dict[str, Any], position: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        part_from_catenax(document)
    assert caught.value.position == position and HANGUL.search(caught.value.details["message_ko"])


@pytest.mark.parametrize(
    ("item", "position"),
    [
        ({"catenaXId": CHILD, "quantity": {"value": 1, "unit": "unit:blorp"}}, "childItems[0].quantity.unit"),
        ({"catenaXId": CHILD, "quantity": {"value": 2, "unit": "unit:pair"}}, "childItems[0].quantity.unit"),
        ({"catenaXId": CHILD, "quantity": {"value": 2}}, "childItems[0].quantity.unit"),
        ({"catenaXId": CHILD}, "childItems[0].quantity"),
        ({"catenaXId": CHILD, "quantity": {"value": "2", "unit": "unit:piece"}}, "childItems[0].quantity.value"),
        ({"catenaXId": CHILD, "quantity": {"value": 0, "unit": "unit:piece"}}, "childItems[0]"),
    ],
)
def test_a_child_that_cannot_become_a_link_is_refused_with_where(item: dict[str, Any], position: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        bom_from_catenax({"catenaXId": PARENT, "childItems": [item]})
    assert caught.value.position == position and HANGUL.search(caught.value.details["message_ko"])


def test_a_usage_keeps_customers_whose_parents_are_not_known_and_refuses_the_nested_older_shape() -> None:
    aspect = write_usage(CHILD, [link()], customers=["BPNLDEMOKIAMOTO1", CUSTOMER])
    assert aspect.document["customers"] == [CUSTOMER, "BPNLDEMOKIAMOTO1"]
    read = read_usage(aspect.envelope())
    assert read.customers == [CUSTOMER, "BPNLDEMOKIAMOTO1"] and read.links == [link(business_partner=None)]
    with pytest.raises(InvalidInput) as refused:
        write_usage(CHILD, [link()], customers=["대한모터스"])
    assert refused.value.position == "customer"
    nested = {"catenaXId": CHILD, "customers": [{"businessPartner": CUSTOMER, "parentItems": []}]}
    with pytest.raises(InvalidInput) as refused:
        read_usage(nested)
    assert refused.value.position == "customers"


def test_links_of_another_anchor_or_twice_the_same_item_are_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        write_bom(OTHER, [link()])
    assert refused.value.position == "parent"
    with pytest.raises(InvalidInput) as refused:
        write_bom(PARENT, [link(), link(quantity=2)])
    assert refused.value.position == "child"
    with pytest.raises(InvalidInput) as refused:
        write_usage("not-a-uuid", [])
    assert refused.value.position == "child"
    empty = write_usage(CHILD, [])
    assert errors(empty.release, empty.document) == [] and empty.document["customers"] == []


def test_the_demo_value_chain_writes_catena_x_files_that_validate(tmp_path: Path) -> None:
    files = generate(tmp_path, inspections_rows=3)
    for name in ("catenax_batch.json", "catenax_bom.json"):
        envelope = json.loads(files.paths[name].read_text("utf-8"))
        of = next(r for r in ALL if r.urn == envelope["aspectType"])
        assert of.version == "4.0.0" and errors(of, envelope["payload"]) == []
