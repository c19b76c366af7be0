"""Public dictionaries of units and quantities that generic AAS tools and their users know: QUDT's unit and
quantity kind IRIs, with the IEC 61360 Common Data Dictionary (IEC CDD) IRDI and UNECE Recommendation 20 common
code of each.

Every identifier and symbol here was read from the QUDT vocabulary (github.com/qudt/qudt-public-repo, commit
8b9168d2: ``src/main/rdf/vocab/unit/VOCAB_QUDT-UNITS-ALL.ttl`` for ``qudt:symbol``, ``qudt:uneceCommonCode`` and
``qudt:iec61360Code`` of units, ``.../quantitykinds/VOCAB_QUDT-QUANTITY-KINDS-ALL.ttl`` for ``qudt:iec61360Code``
of quantity kinds); none is made up, and a code QUDT does not give is None. A unit that is not here (a hardness
scale, piece, normal cubic metre, kg CO2e …) has no public identifier in an export: its concept keeps our own URN.

A measurement's unit is matched to a dictionary unit by what it is, not by how it is spelled: the same dimension,
scale and zero (so ``degC``, ``°C`` and ``Cel`` are DEG_C; ``kelvin`` is K; a volt in SI base units is V).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from tokenize import TokenError

import pint

from sangsaeng.errors import UnknownUnit
from sangsaeng.standard.units import recognize, registry

QUDT_UNIT = "http://qudt.org/vocab/unit/"
QUDT_QUANTITY_KIND = "http://qudt.org/vocab/quantitykind/"


@dataclass(frozen=True)
class QuantityKind:
    qudt: str  # the local name under QUDT_QUANTITY_KIND
    iec_cdd: str | None  # IRDI in the IEC 61360 Common Data Dictionary
    en: str
    ko: str

    @property
    def iri(self) -> str:
        return QUDT_QUANTITY_KIND + self.qudt

    def public_ids(self) -> list[str]:
        return [i for i in (self.iec_cdd, self.iri) if i]


@dataclass(frozen=True)
class PublicUnit:
    expression: str  # as pint reads it
    qudt: str  # the local name under QUDT_UNIT
    symbol: str  # as people read it (QUDT's symbol, but "1" and "ppm" as written in ISO 80000)
    unece: str | None  # UNECE Recommendation 20 common code (what OPC UA EUInformation carries)
    iec_cdd: str | None  # kept for readers that need it; an export's unitId is the QUDT IRI, which lists both codes
    quantity: QuantityKind | None  # None for ratios

    @property
    def iri(self) -> str:
        return QUDT_UNIT + self.qudt


_K = QuantityKind
QUANTITY_KINDS = {
    k.qudt: k
    for k in [
        _K("Temperature", "0112/2///62720#UAD374", "temperature", "온도"),
        _K("Energy", "0112/2///62720#UAD071", "energy", "에너지"),
        _K("Power", "0112/2///62720#UAD003", "power", "일률"),
        _K("Mass", "0112/2///62720#UAD104", "mass", "질량"),
        _K("Length", "0112/2///62720#UAD072", "length", "길이"),
        _K("Area", "0112/2///62720#UAD182", "area", "넓이"),
        _K("Volume", "0112/2///62720#UAD238", "volume", "부피"),
        _K("VolumeFlowRate", "0112/2///62720#UAD239", "volume flow rate", "체적 유량"),
        _K("MassFlowRate", "0112/2///62720#UAD107", "mass flow rate", "질량 유량"),
        _K("Time", "0112/2///62720#UAD197", "time", "시간"),
        _K("Pressure", "0112/2///62720#UAD142", "pressure", "압력"),
        _K("Force", "0112/2///62720#UAD054", "force", "힘"),
        _K("Torque", "0112/2///62720#UAD200", "torque", "토크"),
        _K("Frequency", "0112/2///62720#UAD056", "frequency", "주파수"),
        _K("Velocity", "0112/2///62720#UAD236", "velocity", "속도"),
        _K("Acceleration", "0112/2///62720#UAD002", "acceleration", "가속도"),
        _K("ElectricCurrent", "0112/2///62720#UAD039", "electric current", "전류"),
        _K("Voltage", "0112/2///62720#UAD237", "voltage", "전압"),
    ]
}


def _u(expression: str, qudt: str, symbol: str, unece: str | None, iec: str | None, kind: str | None) -> PublicUnit:
    return PublicUnit(expression, qudt, symbol, unece, iec, QUANTITY_KINDS[kind] if kind else None)


UNITS = [
    _u("degC", "DEG_C", "°C", "CEL", "0112/2///62720#UAA033", "Temperature"),
    _u("kelvin", "K", "K", "KEL", "0112/2///62720#UAA185", "Temperature"),
    _u("degF", "DEG_F", "°F", "FAH", "0112/2///62720#UAA039", "Temperature"),
    _u("kWh", "KiloW-HR", "kW·h", "KWH", "0112/2///62720#UAA584", "Energy"),
    _u("Wh", "W-HR", "W·h", "WHR", "0112/2///62720#UAA308", "Energy"),
    _u("MWh", "MegaW-HR", "MW·h", "MWH", "0112/2///62720#UAA225", "Energy"),
    _u("J", "J", "J", "JOU", "0112/2///62720#UAA172", "Energy"),
    _u("MJ", "MegaJ", "MJ", "3B", "0112/2///62720#UAA211", "Energy"),
    _u("GJ", "GigaJ", "GJ", "GV", "0112/2///62720#UAA152", "Energy"),
    _u("W", "W", "W", "WTT", "0112/2///62720#UAA306", "Power"),
    _u("kW", "KiloW", "kW", "KWT", "0112/2///62720#UAA583", "Power"),
    _u("MW", "MegaW", "MW", "MAW", "0112/2///62720#UAA224", "Power"),
    _u("kg", "KiloGM", "kg", "KGM", "0112/2///62720#UAA594", "Mass"),
    _u("g", "GM", "g", "GRM", "0112/2///62720#UAA465", "Mass"),
    _u("t", "TONNE", "t", "TNE", None, "Mass"),
    _u("µm", "MicroM", "μm", "4H", "0112/2///62720#UAA090", "Length"),
    _u("mm", "MilliM", "mm", "MMT", "0112/2///62720#UAA862", "Length"),
    _u("cm", "CentiM", "cm", "CMT", "0112/2///62720#UAA375", "Length"),
    _u("m", "M", "m", "MTR", "0112/2///62720#UAA726", "Length"),
    _u("km", "KiloM", "km", "KMT", "0112/2///62720#UAA637", "Length"),
    _u("m**2", "M2", "m²", "MTK", "0112/2///62720#UAA744", "Area"),
    _u("m**3", "M3", "m³", "MTQ", "0112/2///62720#UAA757", "Volume"),
    _u("L", "L", "L", "LTR", "0112/2///62720#UAA649", "Volume"),
    _u("mL", "MilliL", "mL", "MLT", "0112/2///62720#UAA844", "Volume"),
    _u("m**3/s", "M3-PER-SEC", "m³/s", "MQS", "0112/2///62720#UAA772", "VolumeFlowRate"),
    _u("m**3/min", "M3-PER-MIN", "m³/min", "G53", "0112/2///62720#UAA768", "VolumeFlowRate"),
    _u("m**3/h", "M3-PER-HR", "m³/h", "MQH", "0112/2///62720#UAA763", "VolumeFlowRate"),
    _u("L/min", "L-PER-MIN", "L/min", "L2", "0112/2///62720#UAA659", "VolumeFlowRate"),
    _u("kg/s", "KiloGM-PER-SEC", "kg/s", "KGS", "0112/2///62720#UAA629", "MassFlowRate"),
    _u("kg/h", "KiloGM-PER-HR", "kg/h", "E93", "0112/2///62720#UAA607", "MassFlowRate"),
    _u("s", "SEC", "s", "SEC", "0112/2///62720#UAA972", "Time"),
    _u("min", "MIN", "min", "MIN", "0112/2///62720#UAA842", "Time"),
    _u("h", "HR", "h", "HUR", "0112/2///62720#UAA525", "Time"),
    _u("day", "DAY", "d", "DAY", "0112/2///62720#UAA407", "Time"),
    _u("Pa", "PA", "Pa", "PAL", "0112/2///62720#UAA258", "Pressure"),
    _u("kPa", "KiloPA", "kPa", "KPA", "0112/2///62720#UAA575", "Pressure"),
    _u("MPa", "MegaPA", "MPa", "MPA", "0112/2///62720#UAA215", "Pressure"),
    _u("bar", "BAR", "bar", "BAR", "0112/2///62720#UAA323", "Pressure"),
    _u("mbar", "MilliBAR", "mbar", "MBR", "0112/2///62720#UAA810", "Pressure"),
    _u("psi", "PSI", "psi", "PS", None, "Pressure"),
    _u("kgf/cm**2", "KiloGM_F-PER-CentiM2", "kgf/cm²", "E42", "0112/2///62720#UAA633", "Pressure"),
    _u("N", "N", "N", "NEW", "0112/2///62720#UAA235", "Force"),
    _u("kN", "KiloN", "kN", "B47", "0112/2///62720#UAA573", "Force"),
    _u("newton_meter_torque", "N-M", "N·m", "NU", "0112/2///62720#UAA239", "Torque"),
    _u("kilonewton_meter_torque", "KiloN-M", "kN·m", "B48", "0112/2///62720#UAA574", "Torque"),
    _u("Hz", "HZ", "Hz", "HTZ", "0112/2///62720#UAA170", "Frequency"),
    _u("1/min", "PER-MIN", "/min", "C94", "0112/2///62720#UAA843", "Frequency"),
    _u("m/s", "M-PER-SEC", "m/s", "MTS", "0112/2///62720#UAA733", "Velocity"),
    _u("m/min", "M-PER-MIN", "m/min", "2X", "0112/2///62720#UAA732", "Velocity"),
    _u("mm/s", "MilliM-PER-SEC", "mm/s", "C16", "0112/2///62720#UAA867", "Velocity"),
    _u("mm/min", "MilliM-PER-MIN", "mm/min", "H81", "0112/2///62720#UAB378", "Velocity"),
    _u("m/s**2", "M-PER-SEC2", "m/s²", "MSK", "0112/2///62720#UAA736", "Acceleration"),
    _u("A", "A", "A", "AMP", "0112/2///62720#UAA101", "ElectricCurrent"),
    _u("mA", "MilliA", "mA", "4K", "0112/2///62720#UAA775", "ElectricCurrent"),
    _u("V", "V", "V", "VLT", "0112/2///62720#UAA296", "Voltage"),
    _u("mV", "MilliV", "mV", "2Z", "0112/2///62720#UAA804", "Voltage"),
    _u("kV", "KiloV", "kV", "KVT", "0112/2///62720#UAA580", "Voltage"),
    _u("percent", "PERCENT", "%", "P1", "0112/2///62720#UAA000", None),
    _u("dimensionless", "ONE", "1", "C62", "0112/2///62720#UAA915", None),
    _u("ppm", "PPM", "ppm", "59", "0112/2///62720#UAD925", None),
]


def _same(a: pint.Unit, b: pint.Unit) -> bool:
    """The same unit whatever its spelling: one of each is one of the other, and zero is zero."""
    if a.dimensionality != b.dimensionality:
        return False
    quantity = registry().Quantity
    try:
        one, zero = quantity(1.0, a).to(b).magnitude, quantity(0.0, a).to(b).magnitude
    except pint.errors.PintError:
        return False
    return math.isclose(one, 1.0, rel_tol=1e-9) and math.isclose(zero, 0.0, abs_tol=1e-9)


@cache
def _parsed() -> list[tuple[pint.Unit, PublicUnit]]:
    return [(registry().parse_units(u.expression), u) for u in UNITS]


def expression_of(unit: str) -> str | None:
    """What pint reads for a unit as stored, or None when it cannot be read."""
    # A canonical unit with two slashes (a volt in SI base units: "kilogram * meter ** 2 / ampere / second ** 3")
    # is pint's own writing, read by pint; units.recognize splits at the first slash only.
    if unit.count("/") > 1:
        return unit
    try:
        return recognize(unit).expression
    except (UnknownUnit, TokenError):  # recognize lets pint's tokenizer error through for "(" (units.py)
        return None


@cache
def public_unit(unit: str) -> PublicUnit | None:
    """The dictionary unit a measurement's unit is, or None when none is (or the unit cannot be read)."""
    expression = expression_of(unit)
    if expression is None:
        return None
    try:
        parsed = registry().parse_units(expression)
    except (pint.errors.PintError, TokenError, ValueError, TypeError, AttributeError, AssertionError):
        return None
    return next((public for known, public in _parsed() if _same(parsed, known)), None)
