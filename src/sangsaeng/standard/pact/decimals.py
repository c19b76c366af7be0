"""PACT's decimal strings, read and written exactly.

PACT 3.0 writes every fractional number as a string (``format: decimal``; the basic types table gives
``"12.3456"``, ``"-9876.5432102"`` and ``"1.2345e+6"``); 2.x does so for amounts and emissions and uses JSON numbers
for percentages. A decimal is read as an exact fraction and rounded to a float once; it is written as the shortest
plain decimal (no exponent) that reads back to the very same float, also through a unit's factor — so a footprint
goes out and comes back unchanged.
"""

from __future__ import annotations

import math
import re
from decimal import Context, Decimal
from fractions import Fraction

# The decimal strings PACT shows: an optional sign, digits, an optional fraction, an optional exponent.
DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_LONGEST = 40  # significant digits tried; 18 always suffice for a float, the rest is margin
# Bounds on what is read: a decimal's exact value is an integer ratio, and 1e999999999 would be a billion digits.
_LONGEST_TEXT = 2000
_LARGEST_EXPONENT = 2000


def plain(value: Decimal) -> str:
    """``value`` without an exponent and without trailing zeros; never ``-0``."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def decimal_text(value: float) -> str:
    """The shortest plain decimal that reads back as ``value`` (a finite float)."""
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return plain(Decimal(repr(value)))


def decimal_for(target: float, scale: Fraction) -> str:
    """The shortest plain decimal ``d`` with ``float(d × scale) == target``: ``target`` is in canonical terms,
    ``d`` in the terms ``scale`` turns into them (a declared unit's factor, an amount)."""
    if not math.isfinite(target):
        raise ValueError(f"{target!r} is not a finite number")
    if scale == 1:
        return decimal_text(target)
    exact = Fraction(target) / scale
    if exact == 0:
        return "0"
    numerator, denominator = Decimal(exact.numerator), Decimal(exact.denominator)
    for digits in range(1, _LONGEST + 1):
        candidate = Context(prec=digits).divide(numerator, denominator)
        if _scaled(candidate, scale) == target:
            return plain(candidate)
    raise AssertionError(f"no decimal of {_LONGEST} digits reads back as {target!r}")  # pragma: no cover


def _scaled(value: Decimal, scale: Fraction) -> float | None:
    try:
        return float(Fraction(value) * scale)
    except OverflowError:
        return None


def parse_decimal(text: str) -> Fraction | None:
    """The exact value of a PACT decimal string, or None when ``text`` is not one."""
    if len(text) > _LONGEST_TEXT or not DECIMAL.fullmatch(text):
        return None
    value = Decimal(text)
    if value != 0 and abs(value.adjusted()) > _LARGEST_EXPONENT:
        return None
    return Fraction(value)


def to_float(value: Fraction) -> float | None:
    """``value`` rounded once to a float; None when it is beyond a float's range."""
    try:
        return float(value)
    except OverflowError:
        return None
