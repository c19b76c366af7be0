"""PACT's declared units and the canonical units they become.

PACT 2.x declares footprints per ``liter``, ``kilogram``, ``cubic meter``, ``kilowatt hour``, ``megajoule``,
``ton kilometer`` or ``square meter`` (``CarbonFootprint.declaredUnit``); 3.0 adds ``piece``, ``hour`` and
``megabit second`` (``declaredUnitOfMeasurement``). Each becomes a canonical unit by an exact factor, written here
rather than asked of pint: pint would make ``megabit second`` a time (a bit has no dimension there), the same
quantity as an ``hour``, which a data-transfer footprint is not.

Two PACT units share a canonical unit with another (``liter`` and ``cubic meter``, ``megajoule`` and ``kilowatt
hour``): a footprint read in liters or megajoules keeps the PACT word in ``declared_unit_pact`` and is written in it
again. Every other canonical unit has one PACT word, its ``DEFAULT_NAME``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sangsaeng.standard.pact.decimals import decimal_for, to_float
from sangsaeng.standard.pact.versions import PactVersion


@dataclass(frozen=True)
class DeclaredUnit:
    name: str  # as PACT writes it
    canonical: str  # the canonical unit (DATA-MODEL.md)
    factor: Fraction  # one of ``name`` in ``canonical``
    since: PactVersion  # the first version whose enumeration has it
    ko: str


_UNITS = (
    DeclaredUnit("liter", "meter ** 3", Fraction(1, 1000), "2.2", "리터"),
    DeclaredUnit("kilogram", "kilogram", Fraction(1), "2.2", "킬로그램"),
    DeclaredUnit("cubic meter", "meter ** 3", Fraction(1), "2.2", "세제곱미터"),
    DeclaredUnit("kilowatt hour", "kilowatt_hour", Fraction(1), "2.2", "킬로와트시"),
    DeclaredUnit("megajoule", "kilowatt_hour", Fraction(5, 18), "2.2", "메가줄"),  # 1 MJ = 1/3.6 kWh
    DeclaredUnit("ton kilometer", "kilogram * meter", Fraction(10**6), "2.2", "톤킬로미터"),
    DeclaredUnit("square meter", "meter ** 2", Fraction(1), "2.2", "제곱미터"),
    DeclaredUnit("piece", "piece", Fraction(1), "3.0", "개"),
    DeclaredUnit("hour", "second", Fraction(3600), "3.0", "시간"),
    DeclaredUnit("megabit second", "megabit * second", Fraction(1), "3.0", "메가비트초"),
)
DECLARED_UNITS: dict[str, DeclaredUnit] = {unit.name: unit for unit in _UNITS}
# The PACT word of each canonical unit when the footprint names none: its only one, else the one of factor 1.
DEFAULT_NAME: dict[str, str] = {
    unit.canonical: unit.name
    for unit in _UNITS
    if unit.factor == 1 or sum(other.canonical == unit.canonical for other in _UNITS) == 1
}


def units_of(version: PactVersion) -> tuple[str, ...]:
    """The declared units a version's enumeration has, in its order."""
    if version.startswith("2"):
        return tuple(unit.name for unit in _UNITS if unit.since == "2.2")
    return tuple(DECLARED_UNITS)


def pact_unit(canonical: str, named: str | None) -> DeclaredUnit | None:
    """The PACT unit a footprint is written in: the one it names, else its canonical unit's; None when PACT has
    none for it or the named one is not that canonical unit."""
    name = named or DEFAULT_NAME.get(canonical)
    unit = DECLARED_UNITS.get(name or "")
    return unit if unit is not None and unit.canonical == canonical else None


def amount_text(canonical_amount: float, unit: DeclaredUnit) -> str:
    """The amount of ``unit`` that is ``canonical_amount`` of its canonical unit, as a PACT decimal."""
    return decimal_for(canonical_amount, unit.factor)


@dataclass(frozen=True)
class Canonical:
    """A declared unit and amount in canonical terms, with the PACT word where the canonical unit does not say it."""

    unit: str
    amount: float | None  # None: beyond a float's range
    pact_name: str | None


def canonical(name: str, amount: Fraction) -> Canonical:
    """``amount`` of the PACT unit ``name`` in canonical terms (``name`` must be one of ``DECLARED_UNITS``)."""
    unit = DECLARED_UNITS[name]
    kept = None if DEFAULT_NAME.get(unit.canonical) == name else name
    return Canonical(unit.canonical, to_float(amount * unit.factor), kept)


def declared(text: str, amount: float) -> Canonical:
    """For readers of other sources (a sheet's column): a PACT declared unit word and an amount in it, canonical.
    Raises KeyError for a word PACT does not declare."""
    return canonical(text.strip(), Fraction(Decimal(repr(amount))))
