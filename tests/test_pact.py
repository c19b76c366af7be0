"""PACT ProductFootprint v2 and v3 in and out: values and units survive the round trip."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import given

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.entities import ProductFootprint
from sangsaeng.standard.pact import from_pact, to_pact

START, END = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)


def footprint(**changes: Any) -> ProductFootprint:
    base: dict[str, Any] = {
        "id": "urn:uuid:91715e5e-fd0b-4d1c-8fab-76290c46e6ed",
        "spec_version": "2.2.0",
        "version": 1,
        "company_ids": ["urn:sangsaeng:participant:hanbit"],
        "product_ids": ["urn:gtin:8801234567890"],
        "declared_unit": "kilogram",
        "declared_amount": 1.0,
        "pcf_excluding_biogenic": 2.35,
        "pcf_including_biogenic": 2.1,
        "reference_period_start": START,
        "reference_period_end": END,
        "geography": "KR",
        "preceding_pf_ids": ["urn:uuid:0e5a7c0f-1b1e-4bd6-9e0c-4d7e7c6f3f11"],
        "primary_data_share": 56.12,
    }
    return ProductFootprint(**{**base, **changes})


def test_v2_uses_the_v2_names_and_decimal_strings() -> None:
    document = to_pact(footprint(), "2", company_name="한빛정밀")
    pcf = document["pcf"]
    assert pcf["declaredUnit"] == "kilogram" and pcf["unitaryProductAmount"] == "1.0"
    assert pcf["pCfExcludingBiogenic"] == "2.35" and pcf["pCfIncludingBiogenic"] == "2.1"
    assert document["id"] == "91715e5e-fd0b-4d1c-8fab-76290c46e6ed"
    assert document["precedingPfIds"] == ["0e5a7c0f-1b1e-4bd6-9e0c-4d7e7c6f3f11"]


def test_v3_uses_the_renamed_fields() -> None:
    pcf = to_pact(footprint(spec_version="3.0.0"), "3")["pcf"]
    assert {
        "declaredUnitOfMeasurement",
        "declaredUnitAmount",
        "pcfExcludingBiogenicUptake",
        "pcfIncludingBiogenicUptake",
    } <= set(pcf)
    assert not {"declaredUnit", "unitaryProductAmount", "pCfExcludingBiogenic"} & set(pcf)


@pytest.mark.parametrize("version", ["2", "3"])
def test_canonical_to_pact_and_back_is_exact(version: str) -> None:
    original = footprint(spec_version=f"{version}.0.0")
    assert from_pact(to_pact(original, version)) == original  # type: ignore[arg-type]


def test_pact_units_become_canonical_units() -> None:
    document = to_pact(footprint(), "2")
    document["pcf"].update(declaredUnit="liter", unitaryProductAmount="250")
    read = from_pact(document)
    assert (read.declared_unit, read.declared_amount) == ("meter ** 3", pytest.approx(0.25))
    document["pcf"].update(declaredUnit="megajoule", unitaryProductAmount="3.6")
    assert from_pact(document).declared_amount == pytest.approx(1.0)  # kWh


@given(
    amount=st.floats(0.001, 1e6, allow_nan=False),
    pcf=st.floats(0, 1e6, allow_nan=False),
    unit=st.sampled_from(["kilogram", "kilowatt_hour", "meter ** 3", "meter ** 2"]),
    version=st.sampled_from(["2", "3"]),
)
def test_every_footprint_survives_the_round_trip(amount: float, pcf: float, unit: str, version: str) -> None:
    original = footprint(
        declared_unit=unit,
        declared_amount=amount,
        pcf_excluding_biogenic=pcf,
        pcf_including_biogenic=None,
        spec_version=f"{version}.1.0",
    )
    again = from_pact(to_pact(original, version))  # type: ignore[arg-type]
    assert again.declared_unit == unit
    assert again.declared_amount == pytest.approx(amount, rel=1e-12)
    assert again.pcf_excluding_biogenic == pytest.approx(pcf, rel=1e-12)


@pytest.mark.parametrize(
    ("change", "position"),
    [
        (lambda d: d.pop("pcf"), "pcf"),
        (lambda d: d.update(specVersion="1.0.0"), "specVersion"),
        (lambda d: d["pcf"].update(declaredUnit="bushel"), "pcf.declaredUnit"),
        (lambda d: d["pcf"].update(pCfExcludingBiogenic="lots"), "pcf.pCfExcludingBiogenic"),
        (lambda d: d["pcf"].pop("unitaryProductAmount"), "pcf.unitaryProductAmount"),
    ],
)
def test_a_malformed_footprint_is_refused_with_its_path(change: Any, position: str) -> None:
    document = to_pact(footprint(), "2")
    change(document)
    with pytest.raises(InvalidInput) as caught:
        from_pact(document)
    assert caught.value.position == position


def test_a_unit_pact_cannot_declare_is_refused() -> None:
    with pytest.raises(InvalidInput, match="PACT has no declared unit"):
        to_pact(footprint(declared_unit="piece"), "2")
