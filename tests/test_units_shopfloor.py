"""Units as the shop floor writes them: hardness scales stay scales, torque is not energy, Nm³ is not m³,
Korean and full-width spellings read as their units, and an unknown unit names the spellings it is closest to."""

from __future__ import annotations

import math

import hypothesis.strategies as st
import pyarrow as pa
import pytest
from hypothesis import given

from sangsaeng.errors import UnitMismatch, UnknownUnit
from sangsaeng.standard.mapping import Applier, load_mapping
from sangsaeng.standard.units import convert, nearest, recognize, require, symbol, through, to_canonical

TORQUE = "newton_meter_torque"
FLOW = "meter ** 3 / second"

# (as written, canonical unit, factor); offsets are zero except for temperatures, tested apart.
SPELLINGS = [
    # hardness: scales, kept as written
    ("HRC", "HRC", 1.0),
    ("hrc", "HRC", 1.0),
    ("HRB", "HRB", 1.0),
    ("HV", "HV", 1.0),
    ("HV10", "HV", 1.0),
    ("HV0.5", "HV", 1.0),
    ("HV 0.1", "HV", 1.0),
    ("HB", "HB", 1.0),
    ("HBW", "HB", 1.0),
    ("경도(HRC)", "HRC", 1.0),
    # roughness: the parameter is not the unit; micrometres are
    ("Ra", "meter", 1e-6),
    ("Ra 0.8", "meter", 1e-6),
    ("Ra(µm)", "meter", 1e-6),
    ("Rz μm", "meter", 1e-6),
    ("Rz", "meter", 1e-6),
    ("µm", "meter", 1e-6),
    ("um", "meter", 1e-6),
    ("미크론", "meter", 1e-6),
    # torque
    ("N·m", TORQUE, 1.0),
    ("N.m", TORQUE, 1.0),
    ("Nm", TORQUE, 1.0),
    ("kN·m", TORQUE, 1000.0),
    ("kgf·cm", TORQUE, 0.0980665),
    ("kgf.cm", TORQUE, 0.0980665),
    ("kgf·m", TORQUE, 9.80665),
    ("뉴턴미터", TORQUE, 1.0),
    # pressure
    ("MPa", "pascal", 1e6),
    ("㎫", "pascal", 1e6),
    ("메가파스칼", "pascal", 1e6),
    ("bar", "pascal", 1e5),
    ("바", "pascal", 1e5),
    ("kgf/cm²", "pascal", 98066.5),
    ("kgf/cm2", "pascal", 98066.5),
    ("kg/cm²", "pascal", 98066.5),  # how Korean gauges are labelled: the force is meant
    ("psi", "pascal", 6894.757293168361),
    ("kPa", "pascal", 1000.0),
    # flow and volume
    ("m³/h", FLOW, 1 / 3600),
    ("m3/h", FLOW, 1 / 3600),
    ("㎥/h", FLOW, 1 / 3600),
    ("L/min", FLOW, 1e-3 / 60),
    ("l/min", FLOW, 1e-3 / 60),
    ("LPM", FLOW, 1e-3 / 60),
    ("㎥", "meter ** 3", 1.0),
    ("리터", "meter ** 3", 1e-3),
    ("Nm³", "normal_cubic_meter", 1.0),
    ("Nm3", "normal_cubic_meter", 1.0),
    ("Nm3/h", "normal_cubic_meter / hour", 1.0),
    ("Nm³/h", "normal_cubic_meter / hour", 1.0),
    # ratios
    ("ppm", "dimensionless", 1e-6),
    ("%", "dimensionless", 0.01),
    ("퍼센트", "dimensionless", 0.01),
    # counts and pieces
    ("ea", "piece", 1.0),
    ("EA", "piece", 1.0),
    ("pcs", "piece", 1.0),
    ("PCS", "piece", 1.0),
    ("개", "piece", 1.0),
    ("매", "piece", 1.0),
    ("대", "piece", 1.0),
    ("본", "piece", 1.0),
    # Korean as typed
    ("밀리미터", "meter", 1e-3),
    ("미리", "meter", 1e-3),
    ("킬로그램", "kilogram", 1.0),
    ("키로", "kilogram", 1.0),
    ("시간", "second", 3600.0),
    ("분", "second", 60.0),
    ("초", "second", 1.0),
    ("킬로와트시", "kilowatt_hour", 1.0),
    # full width
    ("ｍｍ", "meter", 1e-3),
    ("㎜", "meter", 1e-3),
    ("㎏", "kilogram", 1.0),
    ("㎾h", "kilowatt_hour", 1.0),
    ("ｋＷｈ", "kilowatt_hour", 1.0),
    # ERP unit codes, in capitals as ERPs export them: never gauss, molar, megamolar, megalitre or tesla
    ("KG", "kilogram", 1.0),
    ("Kg", "kilogram", 1.0),
    ("G", "kilogram", 1e-3),
    ("MG", "kilogram", 1e-6),
    ("TON", "kilogram", 1000.0),
    ("ton", "kilogram", 1000.0),  # a metric tonne, not the US short ton
    ("MT", "kilogram", 1000.0),
    ("M", "meter", 1.0),
    ("MM", "meter", 1e-3),
    ("CM", "meter", 1e-2),
    ("KM", "meter", 1e3),
    ("M2", "meter ** 2", 1.0),
    ("M3", "meter ** 3", 1.0),
    ("L", "meter ** 3", 1e-3),
    ("ML", "meter ** 3", 1e-6),
    ("EA", "piece", 1.0),
    ("PCS", "piece", 1.0),
    ("SET", "piece", 1.0),
]


@pytest.mark.parametrize(("written", "canonical", "factor"), SPELLINGS)
def test_shop_floor_spellings_read_as_their_units(written: str, canonical: str, factor: float) -> None:
    unit = recognize(written)
    assert (unit.canonical, unit.offset) == (canonical, 0.0)
    assert math.isclose(unit.factor, factor, rel_tol=1e-12)


@pytest.mark.parametrize("written", ["도", "℃", "섭씨", "°C", "Cel"])
def test_degrees_as_typed_are_celsius(written: str) -> None:
    assert to_canonical(pa.array([25.0]), recognize(written)).to_pylist() == [298.15]


# Each of these read wrongly or not at all before: Nm was pint's "number meter", N·m an energy in kWh, Nm³ and
# m3/h unreadable, HRC/HV10 unknown, full-width forms and 미리/키로/바/매/대/본/LPM unknown.
@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Nm", TORQUE),
        ("N·m", TORQUE),
        ("kgf·cm", TORQUE),
        ("Nm³", "normal_cubic_meter"),
        ("m3/h", FLOW),
        ("LPM", FLOW),
        ("HRC", "HRC"),
        ("HV10", "HV"),
        ("HBW", "HB"),
        ("Ra 0.8", "meter"),
        ("Rz μm", "meter"),
        ("ｍｍ", "meter"),
        ("㎾h", "kilowatt_hour"),
        ("미리", "meter"),
        ("키로", "kilogram"),
        ("바", "pascal"),
        ("매", "piece"),
        ("대", "piece"),
        ("본", "piece"),
    ],
)
def test_spellings_that_failed_before(written: str, canonical: str) -> None:
    assert recognize(written).canonical == canonical


SAME = [
    ["mm", "밀리미터", "미리", "ｍｍ", "㎜", "MMT"],
    ["kg", "킬로그램", "키로", "㎏", "KGM"],
    ["kWh", "킬로와트시", "㎾h", "KWH", "kW.h"],
    ["N·m", "N.m", "Nm", "뉴턴미터", "N*m"],
    ["bar", "바", "BAR"],
    ["MPa", "메가파스칼", "㎫", "MPA"],
    ["m³/h", "m3/h", "㎥/h", "MQH", "CMH"],
    ["L/min", "l/min", "LPM"],
    ["Nm³", "Nm3", "N㎥"],
    ["µm", "μm", "um", "Ra", "Ra 0.8", "Ra(µm)", "Rz μm"],
    ["piece", "ea", "EA", "pcs", "개", "매", "대", "본"],
    ["HV", "HV10", "HV0.5", "hv"],
    ["°C", "℃", "도", "섭씨"],
    ["s", "초", "SEC"],
]
numbers = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@given(group=st.sampled_from(SAME), data=st.data(), value=numbers)
def test_any_spelling_converts_as_the_canonical_spelling(group: list[str], data: st.DataObject, value: float) -> None:
    written = recognize(data.draw(st.sampled_from(group)))
    reference = recognize(group[0])
    assert written.canonical == reference.canonical
    got = to_canonical(pa.array([value]), written).to_pylist()[0]
    want = to_canonical(pa.array([value]), reference).to_pylist()[0]
    assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-9)


SCALE_SPELLINGS = ["HRC", "HRB", "HRA", "HV", "HV10", "HV0.5", "HB", "HBW", "Nm³"]
OTHERS = ["HRC", "HRB", "HV", "HB", "Nm³", "kg", "mm", "m³", "kWh", "N·m", "MPa", "piece", "%", "°C"]


@given(scale=st.sampled_from(SCALE_SPELLINGS), value=numbers)
def test_a_scale_keeps_its_value(scale: str, value: float) -> None:
    unit = recognize(scale)
    assert unit.scale and (unit.factor, unit.offset) == (1.0, 0.0)
    assert to_canonical(pa.array([value]), unit).to_pylist() == [value]


@given(scale=st.sampled_from(SCALE_SPELLINGS), other=st.sampled_from(OTHERS))
def test_a_scale_never_converts_into_anything_else(scale: str, other: str) -> None:
    if recognize(scale).canonical == recognize(other).canonical:
        assert convert(45.0, scale, other) == 45.0
        return
    with pytest.raises(UnitMismatch):
        convert(45.0, scale, other)
    with pytest.raises(UnitMismatch):
        require(recognize(scale), recognize(other).canonical)


def test_hrc_45_stays_45_hrc_and_is_refused_as_a_length() -> None:
    hrc = recognize("HRC")
    assert to_canonical(pa.array([45.0]), hrc).to_pylist() == [45.0] and hrc.canonical == "HRC"
    assert symbol(hrc.canonical) == "HRC"
    with pytest.raises(UnitMismatch) as caught:
        require(hrc, "meter")
    assert "scale" in caught.value.message
    with pytest.raises(UnitMismatch):
        convert(45.0, "HRC", "HV")


def test_torque_is_not_energy_and_nm3_is_not_m3() -> None:
    with pytest.raises(UnitMismatch):
        convert(1.0, "N·m", "kWh")
    with pytest.raises(UnitMismatch):
        convert(1.0, "N·m", "J")
    with pytest.raises(UnitMismatch):
        convert(1.0, "Nm³", "m³")
    assert math.isclose(convert(100.0, "kgf·cm", "N·m"), 9.80665)
    assert symbol(TORQUE) == "N·m"


@pytest.mark.parametrize(
    ("written", "offered"),
    [("kwhh", "kWh"), ("mpa", "MPa"), ("HRCC", "HRC"), ("kgf/cm3", "kgf/cm2"), ("밀리미타", "밀리미터")],
)
def test_nearest_spellings_are_offered(written: str, offered: str) -> None:
    assert offered in nearest(written)


def test_an_unknown_unit_says_which_and_what_it_might_be() -> None:
    with pytest.raises(UnknownUnit) as caught:
        recognize("kWhh")
    assert "'kWhh'" in caught.value.message and "did you mean" in caught.value.message
    assert "kWh" in caught.value.message
    with pytest.raises(UnknownUnit) as nothing_near:
        recognize("blorps per sprocket")
    assert "did you mean" not in nothing_near.value.message and nothing_near.value.hint


QUALITY = """
entity: quality_result
fields:
  subject: {column: 로트번호}
  characteristic: {column: 검사항목}
  inspected_at: {column: 검사일자, format: "%Y-%m-%d"}
  value: {column: 측정값, unit_column: 단위}
"""


def _batch(rows: list[tuple[str, str, str]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(
        [{"로트번호": "L1", "검사항목": c, "검사일자": "2026-03-02", "측정값": v, "단위": u} for c, v, u in rows]
    )


def test_a_hardness_result_is_kept_as_its_scale_and_an_unknown_unit_is_found_where_it_is() -> None:
    batch, findings = Applier(load_mapping(QUALITY)).apply(
        _batch([("hardness", "45", "HRC"), ("Ra", "0.8", "Ra(µm)"), ("bore", "12.5", "mmm"), ("hv", "320", "HV10")])
    )
    records = batch.to_pylist()
    assert (records[0]["value"], records[0]["unit"], records[0]["raw_unit"]) == (45.0, "HRC", "HRC")
    assert records[1]["value"] == pytest.approx(0.8e-6) and records[1]["unit"] == "meter"
    assert (records[3]["value"], records[3]["unit"], records[3]["raw_unit"]) == (320.0, "HV", "HV10")
    [finding] = findings
    assert (finding.code, finding.row, finding.field, finding.value) == ("unknown-unit", 3, "단위", "mmm")
    assert finding.expected.startswith("did you mean: ") and "mm" in finding.expected
    assert "did you mean" in finding.message and "다음 중 하나가 아닌가요" in finding.message_ko


def test_a_hardness_is_refused_where_an_energy_is_needed() -> None:
    mapping = load_mapping("""
entity: energy_record
fields:
  consumer: {column: 계량기}
  period_start: {column: 시작, format: "%Y-%m-%d"}
  period_end: {column: 끝, format: "%Y-%m-%d"}
  carrier: {value: electricity}
  amount: {column: 사용량, unit_column: 단위}
""")
    source = pa.RecordBatch.from_pylist(
        [{"계량기": "M1", "시작": "2026-03-01", "끝": "2026-03-02", "사용량": "45", "단위": u} for u in ("HRC", "㎾h")]
    )
    batch, findings = Applier(mapping).apply(source)
    assert [(f.code, f.row, f.value) for f in findings] == [("unit-mismatch", 1, "HRC")]
    assert batch.column("amount").to_pylist() == [None, 45.0]


def test_the_reference_lists_only_spellings_that_are_read() -> None:
    from sangsaeng.standard.units import SPELLINGS_BY_QUANTITY

    for quantity, spellings in SPELLINGS_BY_QUANTITY.items():
        units = [recognize(s) for s in spellings]
        if "scale" in quantity:
            assert all(u.scale or u.canonical.startswith("normal_cubic_meter") for u in units), quantity
        else:
            assert len({u.canonical for u in units}) == 1, quantity


def test_erp_codes_are_read_only_as_written_so_mixed_case_keeps_its_own_meaning() -> None:
    assert recognize("Mg").factor == pytest.approx(1000.0)  # a megagram, as SI writes it; MG is the ERP's mg
    assert recognize("mm").canonical == "meter" and recognize("Mm").factor == pytest.approx(1e6)


def test_a_fuel_becomes_energy_only_through_a_rate_per_its_own_unit() -> None:
    per_normal_volume = recognize("MJ/Nm³")
    assert through(recognize("Nm3"), per_normal_volume, "kilowatt_hour") == pytest.approx(1 / 3.6)
    assert through(recognize("L"), recognize("MJ/L"), "kilowatt_hour") == pytest.approx(1 / 3.6)
    assert through(recognize("kg"), recognize("kcal/kg"), "kilowatt_hour") == pytest.approx(4.184 / 3600)
    assert through(recognize("L"), per_normal_volume, "kilowatt_hour") is None  # litres are no normal volume
    assert through(recognize("°C"), per_normal_volume, "kilowatt_hour") is None
