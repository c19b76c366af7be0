"""Units as factories write them, converted to the canonical unit of their dimension; carbon stays carbon."""

from __future__ import annotations

import math

import hypothesis.strategies as st
import pyarrow as pa
import pytest
from hypothesis import given

from sangsaeng.errors import UnitMismatch, UnknownUnit
from sangsaeng.standard.units import convert, recognize, require, to_canonical


@pytest.mark.parametrize(
    ("written", "canonical", "factor", "offset"),
    [
        ("kWh", "kilowatt_hour", 1.0, 0.0),
        ("KWH", "kilowatt_hour", 1.0, 0.0),  # UNECE Rec 20, as OPC UA carries it
        ("kW.h", "kilowatt_hour", 1.0, 0.0),  # UCUM
        ("전력량(kWh)", "kilowatt_hour", 1.0, 0.0),  # a Korean header with the unit in brackets
        ("Energy [MWh]", "kilowatt_hour", 1000.0, 0.0),
        ("킬로와트시", "kilowatt_hour", 1.0, 0.0),
        ("MJ", "kilowatt_hour", 1 / 3.6, 0.0),
        ("3B", "kilowatt_hour", 1 / 3.6, 0.0),
        ("megajoule", "kilowatt_hour", 1 / 3.6, 0.0),  # PACT
        ("unit:kilowattHour", "kilowatt_hour", 1.0, 0.0),  # SAMM
        ("KGM", "kilogram", 1.0, 0.0),
        ("톤", "kilogram", 1000.0, 0.0),
        ("g", "kilogram", 0.001, 0.0),
        ("kg{CO2e}", "kilogram_CO2e", 1.0, 0.0),
        ("kgCO2e", "kilogram_CO2e", 1.0, 0.0),
        ("t CO2e", "kilogram_CO2e", 1000.0, 0.0),
        ("kg CO2-eq", "kilogram_CO2e", 1.0, 0.0),
        ("kgCO2e/kWh", "kilogram_CO2e / kilowatt_hour", 1.0, 0.0),
        ("kg CO2e / MJ", "kilogram_CO2e / kilowatt_hour", 3.6, 0.0),
        ("°C", "kelvin", 1.0, 273.15),
        ("Cel", "kelvin", 1.0, 273.15),
        ("섭씨", "kelvin", 1.0, 273.15),
        ("mm", "meter", 0.001, 0.0),
        ("MMT", "meter", 0.001, 0.0),
        ("h", "second", 3600.0, 0.0),
        ("시간", "second", 3600.0, 0.0),
        ("EA", "piece", 1.0, 0.0),
        ("unit:piece", "piece", 1.0, 0.0),
        ("개", "piece", 1.0, 0.0),
        ("bar", "pascal", 1e5, 0.0),
        ("%", "dimensionless", 0.01, 0.0),
    ],
)
def test_units_as_sources_write_them(written: str, canonical: str, factor: float, offset: float) -> None:
    unit = recognize(written)
    assert unit.canonical == canonical
    assert math.isclose(unit.factor, factor, rel_tol=1e-12)
    assert math.isclose(unit.offset, offset, abs_tol=1e-9)
    assert unit.raw == written


@pytest.mark.parametrize("written", ["", "  ", "blorps per sprocket", "kWhh", "전력량"])
def test_an_unknown_unit_is_refused_with_a_hint(written: str) -> None:
    with pytest.raises(UnknownUnit) as caught:
        recognize(written)
    assert caught.value.code == "unknown-unit"
    assert caught.value.hint


def test_a_footprint_never_becomes_a_mass() -> None:
    with pytest.raises(UnitMismatch):
        require(recognize("kgCO2e"), "kilogram")
    with pytest.raises(UnitMismatch) as caught:
        convert(1.0, "kgCO2e", "kg")
    assert caught.value.code == "unit-mismatch"
    assert require(recognize("t CO2e"), "kilogram_CO2e").factor == 1000.0


def test_a_column_converts_at_once_and_keeps_its_nulls() -> None:
    converted = to_canonical(pa.array([1.5, None, 20.0]), recognize("MWh"))
    assert converted.to_pylist() == [1500.0, None, 20000.0]
    celsius = to_canonical(pa.array([0, 25], pa.int64()), recognize("°C"))
    assert celsius.to_pylist() == [273.15, 298.15]


COMPATIBLE = [
    ["kWh", "MWh", "MJ", "GJ", "Wh", "kW.h", "3B", "킬로와트시"],
    ["kg", "g", "t", "mg", "KGM", "톤"],
    ["kgCO2e", "gCO2e", "tCO2e", "kg{CO2e}"],
    ["s", "min", "h", "day", "HUR"],
    ["°C", "K", "degF"],
    ["kgCO2e/kWh", "gCO2e/MJ", "tCO2e/MWh"],
]
values = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@given(group=st.sampled_from(COMPATIBLE), data=st.data(), value=values)
def test_converting_there_and_back_gives_the_value_again(group: list[str], data: st.DataObject, value: float) -> None:
    first, second = data.draw(st.sampled_from(group)), data.draw(st.sampled_from(group))
    back = convert(convert(value, first, second), second, first)
    assert math.isclose(back, value, rel_tol=1e-9, abs_tol=1e-6)


@given(group=st.sampled_from(COMPATIBLE), data=st.data(), column=st.lists(st.one_of(st.none(), values), max_size=20))
def test_a_column_converts_as_each_value_would(
    group: list[str], data: st.DataObject, column: list[float | None]
) -> None:
    unit = recognize(data.draw(st.sampled_from(group)))
    converted = to_canonical(pa.array(column, pa.float64()), unit).to_pylist()
    for original, result in zip(column, converted, strict=True):
        if original is None:
            assert result is None
        else:
            expected = convert(original, unit.raw, unit.canonical)
            assert math.isclose(result, expected, rel_tol=1e-9, abs_tol=1e-6)


@given(first=st.sampled_from([g[0] for g in COMPATIBLE]), second=st.sampled_from([g[-1] for g in COMPATIBLE]))
def test_units_of_different_dimensions_never_convert(first: str, second: str) -> None:
    same = recognize(first).canonical == recognize(second).canonical
    if same:
        convert(1.0, first, second)
    else:
        with pytest.raises(UnitMismatch):
            convert(1.0, first, second)


@pytest.mark.parametrize(
    ("unit", "shown"),
    [("meter", "m"), ("kilowatt_hour", "kWh"), ("kilogram_CO2e", "kg CO₂e"), ("degree_Celsius", "°C"), ("L1", "L1")],
)
def test_canonical_units_are_shown_as_symbols(unit: str, shown: str) -> None:
    from sangsaeng.standard.units import symbol

    assert symbol(unit) == shown


@pytest.mark.parametrize("written", ["(", ")", "kg/(m", "((", "[", "kg)"])
def test_unbalanced_brackets_are_an_unknown_unit_not_a_crash(written: str) -> None:
    with pytest.raises(UnknownUnit):
        recognize(written)


@given(st.text(alphabet="()[]/*·^ kgmsAhW²³0123456789", max_size=12))
def test_any_unit_text_is_read_or_refused_in_words(written: str) -> None:
    try:
        recognize(written)
    except UnknownUnit as exc:
        assert exc.message


def test_spellings_of_one_unit_read_alike() -> None:
    assert recognize("알피엠").factor == pytest.approx(recognize("RPM").factor)
    assert recognize("알피엠").canonical == recognize("RPM").canonical


@pytest.mark.parametrize("written", ["kg/m/s", "kgCO2e/kWh/m", "kilogram * meter ** 2 / ampere / second ** 3"])
def test_a_canonical_unit_reads_back_as_itself(written: str) -> None:
    first = recognize(written)
    again = recognize(first.canonical)
    assert again.canonical == first.canonical and again.factor == pytest.approx(1.0)
