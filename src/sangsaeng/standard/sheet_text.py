"""What a cell of a sheet's top says, as plain values: a header cleaned as a person reads it, the unit written in it,
the kind of value a cell holds (number, date, a period's label, a code, text), and the words that mark total rows,
notes and energy carriers. ``layout`` decides a sheet's layout from these.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache
from typing import Literal

from sangsaeng.errors import SangsaengError
from sangsaeng.standard.units import Unit, recognize

# A row whose label is one of these (spaces and case ignored, full width read as half width) sums other rows.
TOTAL_WORDS = frozenset(
    {"합계", "소계", "총계", "총합계", "계", "누계", "평균", "total", "subtotal", "sub-total", "grandtotal"}
    | {"sum", "average"}
)
# A row of one cell starting with one of these is a note, wherever it stands.
NOTE_PREFIXES = ("※", "*", "주)", "주 )", "비고", "note")


_SPACES = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """A header as a person reads it: full width as half width (NFKC), Excel's line breaks as spaces, no runs of
    spaces, trimmed; '' for an empty cell."""
    if text is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def is_blank(cell: str | None) -> bool:
    return cell is None or not cell.strip()


def _folded(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).casefold()


def is_total_word(cell: str | None) -> bool:
    return cell is not None and _folded(cell) in TOTAL_WORDS


def is_note(cell: str | None) -> bool:
    if cell is None:
        return False
    text = unicodedata.normalize("NFKC", cell).strip().casefold()
    return text.startswith(NOTE_PREFIXES)


def column_letter(index: int) -> str:
    """Excel's letters of a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---- units in headers ----------------------------------------------------------------------------------------


def unit_of(text: str) -> Unit | None:
    """The unit ``text`` names, or None. Whatever the unit parser makes of odd text is no unit: it divides by zero
    on ``mm/0``, cannot tokenize ``)`` and raises on powers of powers — a header or a cell never crashes a guess."""
    try:
        return recognize(text)
    except SangsaengError:
        return None
    except Exception:  # noqa: BLE001 — pint's parser raises ZeroDivisionError, TokenError, DimensionalityError …
        return None


_WRAPPED = re.compile(r"^(.*?)\s*[(\[]\s*([^()\[\]]+?)\s*[)\]]\s*$")
_NUMBER_ONLY = re.compile(r"^[\d\s.,+-]*$")
# Digits in a unit: a power after a symbol (m3, cm2, kgf/cm2) or the load of a Vickers test (HV10).
_UNIT_SHAPE = re.compile(r"^(HV\s*\d+(\.\d+)?|[^\d_-]*?[23]?(/[^\d_-]*?[23]?)?)$", re.I)
# Words that pint reads as units but that sit under a header as sub-names (규격 over Min/Max, X̄ over R). Seconds
# (s, sec, 초) are units: 사이클타임(s), Elapsed over s; numbers (1, 2 under 측정값) never are.
_NOT_UNITS = frozenset({"min", "max", "avg", "mean", "r", "n", "no", "a", "b", "c", "t"})


def is_unit(text: str | None) -> bool:
    """A cell that is a unit on its own — ``mm``, ``(kWh)``, ``Nm³``, ``HRC`` — not a number or a sub-name."""
    return text is not None and _is_unit(text)


@cache
def _is_unit(text: str) -> bool:
    bare = clean(text)
    if len(bare) > 24 or not _UNIT_SHAPE.match(bare):  # codes and numbers are not units: spare pint the guess
        return False
    wrapped = _WRAPPED.match(bare)
    if wrapped and not wrapped.group(1):
        bare = wrapped.group(2)
    if not bare or _NUMBER_ONLY.match(bare) or bare.casefold() in _NOT_UNITS or any(c in bare for c in "()[]"):
        return False
    return unit_of(bare) is not None


def split_unit(header: str) -> tuple[str, str | None]:
    """A header's name and the unit written in it: ``"전기(kWh)"`` → ``("전기", "kWh")``, ``"외경 (mm)"`` →
    ``("외경", "mm")``; a header without a readable unit → ``(header, None)``."""
    found = _WRAPPED.match(header)
    if found and found.group(1).strip() and is_unit(found.group(2)):
        return found.group(1).strip(), found.group(2)
    return header, None


def _unit_text(text: str) -> str:
    bare = clean(text)
    wrapped = _WRAPPED.match(bare)
    return wrapped.group(2) if wrapped and not wrapped.group(1) else bare


# ---- what a cell looks like ----------------------------------------------------------------------------------

Kind = Literal["empty", "number", "date", "month", "code", "text"]

_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?([.,]\d+)?(e[-+]?\d+)?\s*(%|[a-zµμ°℃㎜㎏㎥³²/]{1,6})?$", re.I)
_DATE = re.compile(
    r"^(\d{4}|\d{2})\s*[-./년]\s*\d{1,2}\s*[-./월]\s*\d{1,2}\s*[.일]?(\s*\(.\))?(\s+\d{1,2}:\d{2}(:\d{2})?)?$"
    r"|^\d{1,2}\s*월\s*\d{1,2}\s*일$|^\d{1,2}/\d{1,2}$|^(오전|오후)?\s*\d{1,2}:\d{2}(:\d{2})?$"
)
_DAY = re.compile(r"^\d{1,2}\s*일$")  # a day of the month as a column header
_MONTH_NUMBER = re.compile(r"^(\d{1,2})\s*월\s*(분)?$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-./]\s*(\d{1,2})$|^(\d{2}|\d{4})\s*년\s*(\d{1,2})\s*월\s*(분)?$")
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_FULL_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_CODE = re.compile(r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9\-_/.#:]*$")


def _month_of(text: str) -> int | None:
    """The month a header names: 3월, 3월분, Mar, March, 2026-03, 2026.03, 2026년 3월, or the first day of a month
    as an Excel date cell reads (2026-03-01, 2026-03-01 00:00:00)."""
    text = clean(text)
    found = _MONTH_NUMBER.match(text) or _YEAR_MONTH.match(text)
    if found:
        month = int(found.group(1) if found.re is _MONTH_NUMBER else found.group(2) or found.group(4))
        return month if 1 <= month <= 12 else None
    word = text.casefold().rstrip(".")
    if word[:3] in _MONTH_NAMES and (len(word) == 3 or word in _FULL_MONTHS or word == "sept"):
        return _MONTH_NAMES.index(word[:3]) + 1
    day = _iso_day(text)
    return day.month if day is not None and day.day == 1 else None


def _iso_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.removesuffix(" 00:00:00"))
    except ValueError:
        return None


def cell_kind(cell: str | None) -> Kind:
    if is_blank(cell):
        return "empty"
    assert cell is not None
    text = clean(cell)
    if _month_of(text) is not None and _iso_day(text) is None or _DAY.match(text):
        return "month"  # a label of a period: 3월, 2026-03, Mar, 1일
    if _DATE.match(text) or _iso_day(text) is not None or text[:19].count(":") and _iso_day(text[:10]):
        return "date"
    if _NUMBER.match(text) and any(c.isdigit() for c in text):
        return "number"
    if _CODE.match(text):
        return "code"
    return "text"


# ---- energy carriers and what is measured on a part ----------------------------------------------------------

_CARRIERS = frozenset(
    {"전기", "전력", "전력량", "lng", "도시가스", "천연가스", "lpg", "프로판", "부탄", "경유", "디젤", "등유"}
    | {"휘발유", "중유", "벙커c유", "b-c유", "bc유", "스팀", "증기", "용수", "상수도", "공업용수", "지하수"}
    | {"수도", "냉수", "온수", "압축공기", "수소", "electricity", "power", "naturalgas", "gas", "diesel"}
    | {"kerosene", "gasoline", "steam", "water", "heavyoil", "fueloil", "propane"}
)
_USAGE = ("사용량", "사용", "usage", "consumption")


def is_carrier(name: str) -> bool:
    """An energy carrier's name as a column header writes it: 전기, LNG, 도시가스 사용량, Steam."""
    folded = _folded(split_unit(clean(name))[0])
    for suffix in _USAGE:
        folded = folded.removesuffix(suffix)
    return folded in _CARRIERS


def _characteristic_unit(unit: str) -> bool:
    """Units of what is measured on a part: lengths (dimensions, roughness) and hardness scales."""
    found = unit_of(unit)
    return found is not None and (found.canonical == "meter" or found.dimension.startswith("[hardness"))
