"""For every aspect and release, over generated canonical records: what is written validates against the official
schema of the release it claims, and reads back as the records it came from; records that lack what the release
requires, or hold it in another form, are refused — exactly those that ``still_needed`` says need something."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.catenax import (
    RELEASES,
    Release,
    read_bom,
    read_part,
    read_usage,
    rules,
    still_needed,
    write_bom,
    write_part,
    write_usage,
)
from sangsaeng.standard.catenax.values import SAMM_UNIT_OF
from sangsaeng.standard.entities import BomLink, PartInstance, PartType
from tests.catenax_schemas import errors

PART_RELEASES = [r for aspect in ("SerialPart", "Batch") for r in RELEASES[aspect]]
LINK_RELEASES = [r for aspect in ("SingleLevelBomAsBuilt", "SingleLevelUsageAsBuilt") for r in RELEASES[aspect]]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

asset_ids = st.uuids().map(lambda u: f"urn:uuid:{u}") | st.uuids().map(str)
bpnls = st.from_regex(r"\ABPNL[a-zA-Z0-9]{12}\Z")
bpnss = st.from_regex(r"\ABPNS[a-zA-Z0-9]{12}\Z")
texts = st.text(min_size=1, max_size=12).filter(str.strip)
moments = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2099, 12, 31),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=9)), timezone(timedelta(hours=-5))]),
)
blank = st.sampled_from(["", "  "])


def required(of: Release, entity: str) -> set[str]:
    return {r.field for r in rules(of) if r.entity == entity and r.required}


def maybe(of: Release, entity: str, field: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The field's values, or also none when the release does not require it."""
    return values if field in required(of, entity) else st.none() | values


@st.composite
def complete_part(draw: st.DrawFn, of: Release) -> tuple[PartInstance, PartType, str | None]:
    number = draw(texts)
    classified = draw(st.booleans()) or "classification" in required(of, "part_type")
    part_type = PartType(
        id=f"pt:{number}",
        manufacturer_part_id=number,
        name=draw(texts),
        customer_part_id=draw(maybe(of, "part_type", "customer_part_id", texts)),
        name_at_customer=draw(maybe(of, "part_type", "name_at_customer", texts)),
        classification=draw(texts) if classified else None,
        classification_standard=draw(texts) if classified else None,
    )
    instance = PartInstance(
        global_asset_id=draw(asset_ids),
        part_type=part_type.id,
        kind="serial" if of.aspect == "SerialPart" else "batch",
        local_id=draw(texts),
        production_date=draw(moments),
        site=draw(st.none() | bpnss),
    )
    return instance, part_type, draw(st.none() | bpnls)


@st.composite
def complete_links(draw: st.DrawFn, of: Release) -> tuple[str, list[BomLink]]:
    anchor = draw(asset_ids)
    related = draw(st.lists(asset_ids, max_size=4, unique_by=str.lower))
    down = of.aspect == "SingleLevelBomAsBuilt"
    links = [
        BomLink(
            parent=anchor if down else other,
            child=other if down else anchor,
            quantity=draw(st.floats(min_value=0, exclude_min=True, allow_infinity=False)),
            quantity_unit=draw(st.sampled_from(sorted(SAMM_UNIT_OF))),
            lifecycle="as-built",
            business_partner=draw(bpnls if down else st.none() | bpnls),
            customer=draw(st.none() | bpnls if down else bpnls),
            created_on=draw(moments),
            has_alternatives=draw(st.booleans()),
        )
        for other in related
    ]
    return anchor, links


def expected_part(of: Release, instance: PartInstance, part_type: PartType) -> tuple[PartInstance, PartType]:
    """What a document of ``of`` keeps of the records: 4.0.0 keeps the production day (in Korea, where the company
    works), Batch no customer."""
    made = instance.production_date
    assert made is not None
    if of.major >= 4:
        seoul = ZoneInfo("Asia/Seoul")
        made = datetime.combine(made.astimezone(seoul).date(), datetime.min.time(), seoul).astimezone(UTC)
    kept = part_type
    if of.aspect == "Batch":
        kept = part_type.model_copy(update={"customer_part_id": None, "name_at_customer": None})
    return instance.model_copy(update={"production_date": made}), kept


@pytest.mark.parametrize("of", PART_RELEASES, ids=str)
@SETTINGS
@given(data=st.data())
def test_parts_validate_against_their_release_and_read_back(of: Release, data: st.DataObject) -> None:
    instance, part_type, manufacturer = data.draw(complete_part(of))
    aspect = write_part(instance, part_type, manufacturer=manufacturer, version=of.version)
    assert aspect.release == of and aspect.semantic_id == of.urn
    assert errors(of, aspect.document) == []
    read = read_part(aspect.envelope())
    assert (read.instance, read.part_type) == expected_part(of, instance, part_type)
    assert read.manufacturer == manufacturer and read.release == of


@pytest.mark.parametrize("of", LINK_RELEASES, ids=str)
@SETTINGS
@given(data=st.data())
def test_links_validate_against_their_release_and_read_back(of: Release, data: st.DataObject) -> None:
    anchor, links = data.draw(complete_links(of))
    if of.aspect == "SingleLevelBomAsBuilt":
        aspect = write_bom(anchor, links, version=of.version)
        back = read_bom(aspect.envelope())
        kept = [link.model_copy(update={"customer": None}) for link in links]  # the downward aspect has none
    else:
        aspect = write_usage(anchor, links, version=of.version)
        back = read_usage(aspect.envelope())  # type: ignore[assignment]
        kept = [link.model_copy(update={"business_partner": None}) for link in links]  # nor the upward supplier
    assert aspect.release == of and errors(of, aspect.document) == []
    assert back.links == kept and back.release == of


def loosened(draw: st.DrawFn, loose: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
    """New values for none, one or two of the fields: missing, blank or of another form than a release needs."""
    chosen = draw(st.sets(st.sampled_from(sorted(loose)), max_size=2))
    return {name: draw(loose[name]) for name in sorted(chosen)}


# Records of which a field or two may be missing, blank or of another form than the release needs.
@st.composite
def any_part(draw: st.DrawFn, of: Release) -> tuple[PartInstance, PartType, str | None]:
    instance, part_type, manufacturer = draw(complete_part(of))
    loose = {
        "customer_part_id": st.none() | blank,
        "name_at_customer": st.none() | blank,
        "classification": st.none() | blank,
        "classification_standard": st.none() | blank,
        "name": blank,
        "manufacturer_part_id": blank,
    }
    part_type = part_type.model_copy(update=loosened(draw, loose))
    loose = {
        "global_asset_id": texts,
        "local_id": blank,
        "production_date": st.none(),
        "site": texts,
    }
    instance = instance.model_copy(update=loosened(draw, loose))
    return instance, part_type, manufacturer


@pytest.mark.parametrize("of", PART_RELEASES, ids=str)
@SETTINGS
@given(data=st.data())
def test_a_part_is_written_valid_or_refused_as_still_needed_says(of: Release, data: st.DataObject) -> None:
    instance, part_type, manufacturer = data.draw(any_part(of))
    needs = still_needed(of.aspect, [instance, part_type], version=of.version)
    try:
        aspect = write_part(instance, part_type, manufacturer=manufacturer, version=of.version)
    except InvalidInput as refused:
        assert refused.position in {n.field for n in needs}
        assert refused.details["release"] == of.urn and refused.details["message_ko"]
        return
    assert needs == () and errors(of, aspect.document) == []


@st.composite
def any_links(draw: st.DrawFn, of: Release) -> tuple[str, list[BomLink]]:
    anchor, links = draw(complete_links(of))
    loose = {
        "parent": texts,
        "child": texts,
        "quantity": st.just(float("inf")),
        "quantity_unit": st.sampled_from(["kelvin", "HRC", "dimensionless"]),
        "lifecycle": st.just("as-planned"),
        "business_partner": st.none() | texts,
        "customer": st.none() | texts,
        "created_on": st.none(),
        "has_alternatives": st.none(),
    }
    return anchor, [link.model_copy(update=loosened(draw, loose)) for link in links]


@pytest.mark.parametrize("of", LINK_RELEASES, ids=str)
@SETTINGS
@given(data=st.data())
def test_links_are_written_valid_or_refused_as_still_needed_says(of: Release, data: st.DataObject) -> None:
    anchor, links = data.draw(any_links(of))
    needs = still_needed(of.aspect, links, version=of.version)
    write = write_bom if of.aspect == "SingleLevelBomAsBuilt" else write_usage
    try:
        aspect = write(anchor, links, version=of.version)
    except InvalidInput as refused:
        assert refused.position in {n.field for n in needs}
        return
    assert needs == () and errors(of, aspect.document) == []
