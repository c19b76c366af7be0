"""The value forms Catena-X aspects constrain, checked at our edge so that no document leaves invalid: business
partner numbers, global asset ids, times and dates, and quantity units of the SAMM unit catalogue.

Patterns and the unit enumeration are the ones in the generated schemas (``shared/spec/catenax``): BpnlTrait,
BpnsTrait (io.catenax.shared.business_partner_number 2.0.0), UuidV4Trait (io.catenax.shared.uuid 2.0.0) and
ItemUnitEnumeration (io.catenax.shared.quantity).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sangsaeng.errors import SangsaengError
from sangsaeng.standard.said import refusal
from sangsaeng.standard.units import Unit, recognize

BPNL = re.compile(r"BPNL[a-zA-Z0-9]{12}")
BPNS = re.compile(r"BPNS[a-zA-Z0-9]{12}")
_HEX = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
GLOBAL_ASSET_ID = re.compile(rf"(?:urn:uuid:)?{_HEX}")


def given(value: Any) -> bool:
    """Whether a field holds a value: neither None nor blank text (a blank cell is no value)."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def is_bpnl(value: Any) -> bool:
    return isinstance(value, str) and BPNL.fullmatch(value) is not None


def is_bpns(value: Any) -> bool:
    return isinstance(value, str) and BPNS.fullmatch(value) is not None


def is_asset_id(value: Any) -> bool:
    """A UUID, bare or as ``urn:uuid:…`` (UuidV4Trait's pattern does not check the version digit)."""
    return isinstance(value, str) and GLOBAL_ASSET_ID.fullmatch(value) is not None


def is_finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# Canonical unit of a BOM link's quantity → the SAMM unit written (each in ItemUnitEnumeration).
SAMM_UNIT_OF = {
    "piece": "unit:piece",
    "kilogram": "unit:kilogram",
    "meter": "unit:metre",
    "meter ** 2": "unit:squareMetre",
    "meter ** 3": "unit:cubicMetre",
    "kilowatt_hour": "unit:kilowattHour",
    "second": "unit:secondUnitOfTime",
}
# ItemUnitEnumeration → what pint reads (each then converts to its canonical unit).
_SAMM_READ = {
    "unit:piece": "piece",
    "unit:kilowattHour": "kWh",
    "unit:gram": "g",
    "unit:kilogram": "kg",
    "unit:tonneMetricTon": "t",
    "unit:tonUsOrShortTonUkorus": "short_ton",
    "unit:ounceAvoirdupois": "avoirdupois_ounce",
    "unit:pound": "avoirdupois_pound",
    "unit:metre": "m",
    "unit:centimetre": "cm",
    "unit:kilometre": "km",
    "unit:inch": "inch",
    "unit:foot": "foot",
    "unit:yard": "yard",
    "unit:squareCentimetre": "cm**2",
    "unit:squareMetre": "m**2",
    "unit:squareInch": "inch**2",
    "unit:squareFoot": "foot**2",
    "unit:squareYard": "yard**2",
    "unit:cubicCentimetre": "cm**3",
    "unit:cubicMetre": "m**3",
    "unit:cubicInch": "inch**3",
    "unit:cubicFoot": "foot**3",
    "unit:cubicYard": "yard**3",
    "unit:litre": "L",
    "unit:millilitre": "mL",
    "unit:hectolitre": "hL",
    "unit:secondUnitOfTime": "s",
    "unit:minuteUnitOfTime": "min",
    "unit:hourUnitOfTime": "h",
    "unit:day": "day",
}
# Counts of things that are not pieces: no canonical unit holds them, and none is guessed.
_NOT_CANONICAL = ("unit:set", "unit:pair", "unit:page", "unit:cycle")


def samm_unit(canonical: str) -> str | None:
    return SAMM_UNIT_OF.get(canonical)


def read_unit(written: str, where: str) -> Unit:
    """A quantity's unit as a document writes it (the SAMM catalogue's names, or older spellings units.py
    knows), recognised; refused with the path when no canonical unit can hold it."""
    if written in _NOT_CANONICAL:
        raise refusal("catenax.unit-not-pieces", at=where, where=where, unit=written)
    try:
        return recognize(_SAMM_READ.get(written, written))
    except SangsaengError as exc:
        raise refusal(
            "catenax.unit-unknown", at=where, where=where, unit=written, problem=exc.message, how=exc.hint
        ) from exc


def stamp(moment: datetime) -> str:
    """An instant in UTC as xsd:dateTime with ``Z`` (milliseconds, or microseconds when it has them)."""
    utc = moment.astimezone(UTC)
    return utc.isoformat(timespec="microseconds" if utc.microsecond % 1000 else "milliseconds").replace("+00:00", "Z")


DEFAULT_ZONE = "Asia/Seoul"


def day(moment: datetime, zone: str = DEFAULT_ZONE) -> str:
    """The date of an instant where the company works (``zone``), as xsd:date: a part made at 08:00 in Korea is
    made that day, not the day before as UTC would have it."""
    return moment.astimezone(ZoneInfo(zone)).date().isoformat()


def read_moment(written: Any, where: str, zone: str = DEFAULT_ZONE) -> datetime:
    """A date or date-time a document gives, as an instant: a date alone is its first moment where the company
    works (``zone``); a time
    without an offset is refused, because which instant it means cannot be told."""
    if not isinstance(written, str):
        raise refusal("catenax.moment-not-text", at=where, where=where, value=written)
    text = written.strip()
    try:
        if "T" not in text:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), ZoneInfo(zone)).astimezone(UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise refusal("catenax.not-a-moment", at=where, where=where, value=written) from exc
    if moment.tzinfo is None:
        raise refusal("catenax.no-offset", at=where, where=where, value=written)
    return moment.astimezone(UTC)
