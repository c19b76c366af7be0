"""Units as sources write them, converted with pint to the canonical unit of their dimension.

Canonical units (DATA-MODEL.md): energy kWh, mass kg, time s, temperature K (°C only for display), and carbon
as a dimension of its own, ``kg_CO2e``, so that a footprint can never silently become a mass. Recognised
spellings: pint's own, UCUM (``kg{CO2e}``, ``kW.h``, ``Cel``), UNECE Recommendation 20 codes as OPC UA carries
them (``KWH``, ``KGM``, ``3B``/``MJ``), SAMM (``unit:kilogram``), PACT declared units (``kilowatt hour``) and free
text in headers, Korean included (``킬로와트시``, ``전력량(kWh)``), full-width forms (``㎜``, ``ｍｍ``, ``㎾h``) read
through NFKC.

Some shop-floor units are scales, not physical quantities: hardness (HRC, HRB, HRA, HV, HB) and normal cubic
metres (Nm³, a volume at reference conditions, which no plain m³ equals). Each is a dimension of its own, so a
value keeps its number and scale name and never converts into another scale or a physical unit. Torque (N·m,
kgf·cm) is a dimension of its own too: pint would read N·m as an energy. Roughness parameters (Ra, Rz) read as
the micrometres they are given in.

Conversion of whole columns is vectorised: one ``factor`` and ``offset`` per unit, applied with Arrow compute.
"""

from __future__ import annotations

import difflib
import re
import tokenize
import unicodedata
from dataclasses import dataclass
from functools import cache

import pint
import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.errors import UnitMismatch, UnknownUnit
from sangsaeng.standard import said
from sangsaeng.standard.said import PerLanguage

_DEFINITIONS = [
    "gram_CO2e = [carbon] = g_CO2e = gCO2e",
    "kilogram_CO2e = 1000 * gram_CO2e = kg_CO2e = kgCO2e",
    "tonne_CO2e = 1000000 * gram_CO2e = t_CO2e = tCO2e",
    "piece = [item] = pc = pcs = ea",
    # Scales: each its own dimension, so nothing converts into or out of them.
    "HRC = [hardness_rockwell_C]",
    "HRB = [hardness_rockwell_B]",
    "HRA = [hardness_rockwell_A]",
    "HV = [hardness_vickers]",
    "HB = [hardness_brinell] = HBW",
    "normal_cubic_meter = [normal_volume] = Nm3",
    # Torque apart from energy: the same dimension in SI, never the same quantity on a drawing.
    # (pint's own newton_meter is the energy; this one is named apart)
    "newton_meter_torque = [moment_of_force] = Nm_torque",
    "kilogram_force_centimeter_torque = 0.0980665 * newton_meter_torque = kgf_cm_torque",
    "kilogram_force_meter_torque = 9.80665 * newton_meter_torque = kgf_m_torque",
]

# Dimensions of scales rather than physical quantities (kept as written, never converted).
SCALES = frozenset(
    {
        "[hardness_rockwell_C]",
        "[hardness_rockwell_B]",
        "[hardness_rockwell_A]",
        "[hardness_vickers]",
        "[hardness_brinell]",
        "[normal_volume]",
    }
)

# The canonical unit of each dimension; other dimensions convert to their SI base units.
CANONICAL_UNITS = [
    "kilogram",
    "meter",
    "second",
    "kelvin",
    "kilowatt_hour",
    "kilowatt",
    "kilogram_CO2e",
    "kilogram_CO2e / kilowatt_hour",
    "kilogram_CO2e / kilogram",
    "kilogram_CO2e / piece",
    "piece",
    "HRC",
    "HRB",
    "HRA",
    "HV",
    "HB",
    "normal_cubic_meter",
    "normal_cubic_meter / hour",
    "newton_meter_torque",
    "meter ** 3",
    "meter ** 2",
    "pascal",
    "newton",
    "hertz",
    "meter / second",
]

# Names and codes that pint does not read by itself → a pint expression.
_ALIASES = {
    # UNECE Recommendation 20 (the codes OPC UA EUInformation carries)
    "KWH": "kWh",
    "MWH": "MWh",
    "GWH": "GWh",
    "WHR": "Wh",
    "KWT": "kW",
    "MAW": "MW",
    "WTT": "W",
    "KGM": "kg",
    "GRM": "g",
    "MGM": "mg",
    "TNE": "t",
    "3B": "MJ",
    "MJ": "MJ",
    "GV": "GJ",
    "JOU": "J",
    "MTR": "m",
    "CMT": "cm",
    "MMT": "mm",
    "KMT": "km",
    "MTK": "m**2",
    "MTQ": "m**3",
    "LTR": "L",
    "SEC": "s",
    "MIN": "min",
    "HUR": "h",
    "DAY": "day",
    "CEL": "degC",
    "KEL": "K",
    "FAH": "degF",
    "BAR": "bar",
    "PAL": "Pa",
    "KPA": "kPa",
    "MPA": "MPa",
    "NEW": "N",
    "B47": "kN",
    "HTZ": "Hz",
    "AMP": "A",
    "VLT": "V",
    "KVT": "kV",
    "MBR": "mbar",
    "MQH": "m**3/h",
    "C62": "dimensionless",
    "H87": "piece",
    "P1": "percent",
    "MTS": "m/s",
    "RPM": "1/min",
    # UCUM
    "Cel": "degC",
    "kW.h": "kWh",
    "W.h": "Wh",
    "MW.h": "MWh",
    "[ppm]": "ppm",
    "%": "percent",
    "kg{CO2e}": "kg_CO2e",
    "g{CO2e}": "g_CO2e",
    "t{CO2e}": "t_CO2e",
    "{piece}": "piece",
    "{pc}": "piece",
    # SAMM (Catena-X aspect models)
    "unit:kilogram": "kg",
    "unit:gram": "g",
    "unit:tonneMetricTon": "t",
    "unit:piece": "piece",
    "unit:metre": "m",
    "unit:millimetre": "mm",
    "unit:litre": "L",
    "unit:cubicMetre": "m**3",
    "unit:kilowattHour": "kWh",
    "unit:megajoule": "MJ",
    "unit:secondUnitOfTime": "s",
    "unit:hourUnitOfTime": "h",
    "unit:degreeCelsius": "degC",
    "unit:kelvin": "K",
    "unit:squareMetre": "m**2",
    "unit:unitless": "dimensionless",
    # PACT declared units
    "liter": "L",
    "kilogram": "kg",
    "cubic meter": "m**3",
    "kilowatt hour": "kWh",
    "megajoule": "MJ",
    "ton kilometer": "t*km",
    "square meter": "m**2",
    # Korean
    "킬로와트시": "kWh",
    "메가와트시": "MWh",
    "와트시": "Wh",
    "킬로와트": "kW",
    "메가줄": "MJ",
    "기가줄": "GJ",
    "킬로그램": "kg",
    "그램": "g",
    "톤": "t",
    "밀리그램": "mg",
    "미터": "m",
    "센티미터": "cm",
    "밀리미터": "mm",
    "리터": "L",
    "초": "s",
    "분": "min",
    "시간": "h",
    "일": "day",
    "섭씨": "degC",
    "도": "degC",
    "℃": "degC",
    "°C": "degC",
    "개": "piece",
    "ea": "piece",
    "EA": "piece",
    "개수": "piece",
    "킬로파스칼": "kPa",
    "메가파스칼": "MPa",
    "뉴턴": "N",
    "킬로뉴턴": "kN",
    # The shop floor: Korean as typed, counters, pressure, torque and flow spellings
    "미리": "mm",
    "밀리": "mm",
    "마이크로미터": "µm",
    "마이크론": "µm",
    "미크론": "µm",
    "micron": "µm",
    "um": "µm",
    "키로": "kg",
    "킬로": "kg",
    "바": "bar",
    "파스칼": "Pa",
    "기가파스칼": "GPa",
    "밀리리터": "mL",
    "입방미터": "m**3",
    "세제곱미터": "m**3",
    "루베": "m**3",
    "헤베": "m**2",
    "제곱미터": "m**2",
    "와트": "W",
    "메가와트": "MW",
    "암페어": "A",
    "볼트": "V",
    "헤르츠": "Hz",
    "퍼센트": "percent",
    "프로": "percent",
    "피피엠": "ppm",
    "알피엠": "1/min",  # as RPM: revolutions per minute, not radians
    "뉴턴미터": "newton_meter_torque",
    "켈빈": "K",
    "pcs": "piece",
    "pc": "piece",
    "매": "piece",
    "대": "piece",
    "본": "piece",
    "장": "piece",
    "Nm": "newton_meter_torque",
    "N.m": "newton_meter_torque",
    "N·m": "newton_meter_torque",
    "N*m": "newton_meter_torque",
    "N-m": "newton_meter_torque",
    "N m": "newton_meter_torque",
    "kN·m": "kilonewton_meter_torque",
    "kNm": "kilonewton_meter_torque",
    "kN.m": "kilonewton_meter_torque",
    "kgf·cm": "kgf_cm_torque",
    "kgf.cm": "kgf_cm_torque",
    "kgf-cm": "kgf_cm_torque",
    "kgfcm": "kgf_cm_torque",
    "kgf·m": "kgf_m_torque",
    "kgf.m": "kgf_m_torque",
    "kgf-m": "kgf_m_torque",
    "kgfm": "kgf_m_torque",
    "Nm3": "normal_cubic_meter",
    "Nm**3": "normal_cubic_meter",
    "N㎥": "normal_cubic_meter",
    "노멀루베": "normal_cubic_meter",
    "노멀입방미터": "normal_cubic_meter",
    "LPM": "L/min",
    "CMH": "m**3/h",
    "CMM": "m**3/min",
    "kgf/cm2": "kgf/cm**2",
    "kg/cm2": "kgf/cm**2",  # how gauges are labelled: the force is meant
    "HBW": "HB",
    "HBS": "HB",
}
# ERP unit codes (SAP, Douzone, Younglimwon … export them in capitals), read exactly as written: what an ERP means
# by them, never pint's reading of the capitals (G gauss, M molar, MM megamolar, MG megagauss, ML megalitre, MT
# megatesla). Not case-folded: Mg written in mixed case stays pint's megagram.
_ERP_CODES = {
    "KG": "kg",
    "G": "g",
    "MG": "mg",
    "TON": "t",  # a metric tonne, as in Korea; pint's "ton" is the US short ton
    "ton": "t",
    "Ton": "t",
    "Kg": "kg",  # as often typed
    "MT": "t",
    "M": "m",
    "MM": "mm",
    "CM": "cm",
    "KM": "km",
    "M2": "m**2",
    "M3": "m**3",
    "ML": "mL",
    "SET": "piece",  # a count: one set of the item the row names
}
_FOLDED = {k.casefold(): v for k, v in _ALIASES.items()}
_CARBON = re.compile(r"^\s*(k?g|t|tonnes?|kilograms?|grams?)\s*[-_ ]?\s*co(?:2|₂)[-_ ]?e(?:q)?\s*$", re.IGNORECASE)
_WRAPPED = re.compile(r"[(\[]\s*([^()\[\]]+?)\s*[)\]]\s*$")
# HV10, HV 0.5, HV0.1: the test load is a condition of the test, the scale is Vickers.
_VICKERS = re.compile(r"^HV\s*\d+(?:\.\d+)?$", re.IGNORECASE)
_HARDNESS = re.compile(r"^H(RC|RB|RA|V|BW?|BS)$", re.IGNORECASE)
# A roughness parameter names what was measured; its value is in micrometres unless a unit follows.
_ROUGHNESS = re.compile(r"^(?:Ra|Rz|Rq|Rt|Rp|Rmax|Rzjis)\b\s*[:=]?\s*(.*)$")
_NUMBER = re.compile(r"^[\d.,\s]*$")
# m3, cm2 as typed for m³, cm² (not the 2 in CO2e)
_POWER = re.compile(r"(?<=[A-Za-zµμ])([23])(?![\d.A-Za-z_])")


@cache
def registry() -> pint.UnitRegistry[float]:
    ureg: pint.UnitRegistry[float] = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    for line in _DEFINITIONS:
        ureg.define(line)
    return ureg


@cache
def _canonical_by_dimension() -> dict[str, str]:
    ureg = registry()
    return {str(ureg.parse_units(u).dimensionality): u for u in CANONICAL_UNITS}


@dataclass(frozen=True)
class Unit:
    """A recognised unit: canonical value = raw value × factor + offset."""

    raw: str  # as the source wrote it
    expression: str  # what pint reads
    canonical: str
    factor: float
    offset: float

    @property
    def dimension(self) -> str:
        return (
            str(registry().parse_units(self.canonical).dimensionality)
            if self.canonical != "dimensionless"
            else "dimensionless"
        )

    @property
    def scale(self) -> bool:
        """A scale (hardness, normal volume): its values are kept as written, never converted."""
        return self.dimension in SCALES


# A power of a power, or a power of three digits: no unit is written so, and pint's exact integers make them
# cost time without bound.
_TOWER = re.compile(r"(?:\^|\*\*)\s*[-+]?(?:\d{3,}|\d+(?:\.\d*)?\s*[^\w\s(]*\s*(?:\^|\*\*))")


def _expression(text: str) -> str:
    stripped = unicodedata.normalize("NFKC", text).strip()  # ｍｍ, ㎏, ℃, ㎥ → mm, kg, °C, m3
    wrapped = _WRAPPED.search(stripped)  # 전력량(kWh), Energy [MWh]
    if wrapped and wrapped.start() > 0:
        stripped = wrapped.group(1)
    roughness = _ROUGHNESS.match(stripped)  # Ra 0.8, Rz μm, Ra
    if roughness:
        rest = roughness.group(1)
        return "µm" if _NUMBER.match(rest) else _expression(rest)
    if _VICKERS.match(stripped):
        return "HV"
    hardness = _HARDNESS.match(stripped)
    if hardness:
        return _ALIASES.get(stripped.upper(), stripped.upper())
    if stripped in _ALIASES:
        return _ALIASES[stripped]
    if stripped in _ERP_CODES:
        return _ERP_CODES[stripped]
    if stripped.casefold() in _FOLDED:
        return _FOLDED[stripped.casefold()]
    carbon = _CARBON.match(stripped)
    if carbon:
        mass = carbon.group(1).lower().rstrip("s")
        prefix = {"kg": "kg", "kilogram": "kg", "g": "g", "gram": "g", "t": "t", "tonne": "t"}[mass]
        return f"{prefix}_CO2e"
    per = stripped.split("/")  # kgCO2e/kWh, kg CO2e / MJ, kg·m²/A/s³ (each "/" divides what stands before it)
    if len(per) >= 2 and all(part.strip() for part in per):
        return " / ".join(f"({_expression(part)})" for part in per)
    return _POWER.sub(r"**\1", stripped.replace("·", "*").replace("²", "**2").replace("³", "**3"))


# Spellings offered when a unit is not known: the aliases and the symbols people write most.
_COMMON = ["kWh", "MWh", "Wh", "kW", "MJ", "kg", "g", "t", "mm", "cm", "m", "µm", "L", "mL", "m3", "m3/h", "L/min"]
_COMMON += ["s", "min", "h", "°C", "K", "bar", "MPa", "kPa", "Pa", "psi", "N", "ppm", "%", "piece", "kgCO2e"]
_COMMON += ["HRC", "HRB", "HRA", "HV", "HB", "N·m", "Nm³", "Nm³/h", "ppb", "rpm", "Hz", "kN", "W", "A", "V"]


@cache
def _known_spellings() -> dict[str, str]:
    known = {k.casefold(): k for k in [*_ERP_CODES, *_ALIASES] if not k.startswith("unit:")}
    known.update({k.casefold(): k for k in _COMMON})
    return known


def nearest(text: str, n: int = 3) -> list[str]:
    """The known spellings closest to an unknown unit (for "did you mean …"), nearest first."""
    known = _known_spellings()
    folded = unicodedata.normalize("NFKC", text).strip().casefold()
    return [known[k] for k in difflib.get_close_matches(folded, list(known), n=n, cutoff=0.6)]


def unknown_hint(text: str, language: str = "en") -> str:
    """What to write instead of an unknown unit, in ``language``: the nearest spellings, else examples."""
    close = nearest(text)
    if close:
        return said.words("unit.did-you-mean", language, names=", ".join(close))
    return said.words("unit.examples", language)


# Longest unit text read: pint's parser takes time growing with the square of the text's length (a 5 MB unit
# stalls a stream), and no unit anyone writes is longer.
MAX_UNIT_LENGTH = 64


def recognize(text: str) -> Unit:
    """Read a unit as a source wrote it; raise ``UnknownUnit`` with a hint when it cannot be read."""
    if len(text) > MAX_UNIT_LENGTH:
        raise said.refused_as(UnknownUnit, "unit.too-long", start=text[:20], length=len(text), most=MAX_UNIT_LENGTH)
    return _recognize(text)


@cache
def _recognize(text: str) -> Unit:
    if not text or not text.strip():
        raise said.refused_as(UnknownUnit, "unit.none")
    ureg = registry()
    expression = _expression(text)
    if _TOWER.search(expression):  # pint would compute 22^(3^69) before saying it is no unit
        raise said.refused_as(UnknownUnit, "unit.powers", unit=text)
    try:
        units = ureg.parse_units(expression)
    except (
        pint.errors.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        AttributeError,
        TypeError,
        ValueError,
        AssertionError,
        KeyError,
        tokenize.TokenError,  # unbalanced brackets: "(" or "kg/(m"
        SyntaxError,
        ArithmeticError,  # "0", "/0": a number, not a unit
        pint.errors.PintError,
    ) as exc:
        close = nearest(text)
        names = PerLanguage(lambda language: said.words("word.or", language).join(close))
        key = "unit.unknown-close" if close else "unit.unknown"
        raise said.refused_as(UnknownUnit, key, unit=text, names=names) from exc
    try:
        canonical = "dimensionless" if units.dimensionless else _canonical_by_dimension().get(str(units.dimensionality))
        if canonical is None:
            canonical = str(ureg.Quantity(1, units).to_base_units().units)
        zero = ureg.Quantity(0.0, units).to(canonical).magnitude
        one = ureg.Quantity(1.0, units).to(canonical).magnitude
    except (ArithmeticError, pint.errors.PintError) as exc:  # "h^817" overflows, "g2|^,+55" has no dimension
        raise said.refused_as(UnknownUnit, "unit.unreadable", unit=text) from exc
    return Unit(raw=text, expression=expression, canonical=canonical, factor=float(one - zero), offset=float(zero))


def require(unit: Unit, canonical: str) -> Unit:
    """Refuse a unit of another dimension than the field's canonical unit (no kgCO2e into a mass field)."""
    if unit.canonical != canonical:
        if unit.scale:
            raise said.refused_as(
                UnitMismatch, "unit.scale", unit=unit.raw, scale=unit.canonical, field_unit=canonical.replace("_", " ")
            )
        raise said.refused_as(
            UnitMismatch,
            "unit.mismatch",
            unit=unit.raw,
            field_unit=canonical.replace("_", " "),
            converts_to=unit.canonical.replace("_", " "),
            canonical=canonical,
        )
    return unit


def to_canonical(values: pa.Array | pa.ChunkedArray, unit: Unit) -> pa.Array | pa.ChunkedArray:
    """Convert a whole column at once; nulls stay null."""
    as_float = pc.cast(values, pa.float64())
    scaled = as_float if unit.factor == 1.0 else pc.multiply(as_float, unit.factor)
    return scaled if unit.offset == 0.0 else pc.add(scaled, unit.offset)


def through(unit: Unit, rate: Unit, target: str) -> float | None:
    """The factor that makes values in ``unit`` ``target`` through a rate per that unit (a fuel's Nm³ made kWh
    through a calorific value in MJ/Nm³), or None when the two do not make the target's dimension."""
    ureg = registry()
    try:
        made = ureg.Quantity(1.0, unit.expression) * ureg.Quantity(1.0, rate.expression)
        return float(made.to(target).magnitude)
    except (pint.errors.DimensionalityError, pint.errors.OffsetUnitCalculusError):
        return None


def convert(value: float, source: str, target: str) -> float:
    """Convert one number between two units as written (for reports and tests)."""
    ureg = registry()
    origin, goal = recognize(source), recognize(target)
    try:
        return float(ureg.Quantity(value, origin.expression).to(goal.expression).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise said.refused_as(UnitMismatch, "unit.different-things", source=source, target=target) from exc


@cache
def symbol(unit: str) -> str:
    """A canonical unit's short symbol for people (meter → m, kilowatt_hour → kWh); the name if it has none."""
    try:
        shown = f"{registry().parse_units(unit):~P}" or unit
        return shown.replace("_CO2e", " CO₂e").replace("Nm_torque", "N·m")
    except (pint.errors.PintError, ValueError, TypeError, AttributeError):
        return unit


# Spellings read, by what they measure, for the reference (docs/standard-entities.md); each is recognised
# (a test checks), so the table cannot promise a spelling that fails.
SPELLINGS_BY_QUANTITY = {
    "length": ["mm", "밀리미터", "미리", "ｍｍ", "㎜", "µm", "um", "미크론", "MMT"],
    "roughness (Ra, Rz …, in µm)": ["Ra", "Ra 0.8", "Ra(µm)", "Rz μm"],
    "mass": ["kg", "킬로그램", "키로", "㎏", "톤", "KGM"],
    "energy": ["kWh", "킬로와트시", "㎾h", "MJ", "KWH", "kW.h"],
    "torque": ["N·m", "N.m", "Nm", "kN·m", "kgf·cm", "kgf·m", "뉴턴미터"],
    "pressure": ["MPa", "메가파스칼", "㎫", "bar", "바", "kPa", "kgf/cm²", "psi"],
    "flow": ["m³/h", "m3/h", "㎥/h", "L/min", "l/min", "LPM", "CMH"],
    "temperature": ["°C", "℃", "도", "섭씨", "Cel", "K"],
    "time": ["s", "초", "min", "분", "h", "시간"],
    "count": ["piece", "ea", "EA", "pcs", "개", "매", "대", "본"],
    "ratio": ["%", "퍼센트", "ppm"],
    "hardness (scales)": ["HRC", "HRB", "HRA", "HV", "HV10", "HV0.5", "HB", "HBW"],
    "normal volume (scale)": ["Nm³", "Nm3", "Nm³/h"],
}


def reference_lines() -> list[str]:
    """The units section of the entity reference: what is read, what stays a scale."""
    lines = [
        "## Units",
        "",
        "Units are read once per distinct spelling (pint, UCUM, UNECE Rec 20 codes, SAMM, Korean names; full-width",
        "forms through NFKC) and converted to the canonical unit of their dimension. Hardness scales and normal cubic",
        "metres are scales: a value keeps its number and scale name, never converts into another scale or a",
        "physical unit, and is refused where a field needs a physical unit. Torque is kept apart from energy. An",
        "unknown unit is a finding (`unknown-unit`) at its row and column that names the nearest known spellings.",
        "",
        "| quantity | canonical | spellings read (examples) |",
        "|---|---|---|",
    ]
    for quantity, spellings in SPELLINGS_BY_QUANTITY.items():
        first = recognize(spellings[0])
        canonical = "its own scale" if first.scale else symbol(first.canonical)
        lines.append(f"| {quantity} | {canonical} | {', '.join(f'`{s}`' for s in spellings)} |")
    return [*lines, ""]
