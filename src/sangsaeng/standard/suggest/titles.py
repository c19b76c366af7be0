"""What a sheet's name and the title rows above its header say about every row: the year ("2026년 에너지 사용
실적"), a month, an inspection date ("검사일: 2026.03.02"), one site ("창원공장 …"), one energy carrier ("전력
사용량"), a unit ("(단위: kWh)")."""

from __future__ import annotations

import re
from datetime import date

from sangsaeng.standard.suggest.headers import is_unit
from sangsaeng.standard.suggest.text import clean, fold
from sangsaeng.standard.suggest.vocabulary import Vocabulary
from sangsaeng.standard.suggest.words import TITLE_CODES

_YEAR = (
    re.compile(r"(?<!\d)((?:19|20)\d{2})\s*년"),  # 2026년
    re.compile(r"\bFY\s*'?((?:19|20)\d{2})\b", re.IGNORECASE),  # FY2026
    re.compile(r"(?<![\w\-])((?:19|20)\d{2})\s*[.\-/]\s*\d{1,2}(?!\d)"),  # 2026.03, 2026-03-02 (not QP-2031-01)
    re.compile(r"(?<![\w\-])((?:19|20)\d{2})(?![\w\-])"),  # a year alone: "2026 전력"
)
_MONTH = (
    re.compile(r"(?<!\d)((?:19|20)\d{2})\s*년\s*(\d{1,2})\s*월(?!\s*\d{1,2}\s*일)"),  # 2026년 3월 (not 3월 2일)
    re.compile(r"(?<![\w\-])((?:19|20)\d{2})\s*[.\-/]\s*(\d{1,2})(?!\s*[.\-/]?\s*\d)"),  # 2026.03, 2026-03
)
# 2026.03.02, 26-03-02, 2026년 3월 2일
_DATE = re.compile(r"(?<![\w\-])((?:19|20)\d{2}|\d{2})\s*[.\-/년]\s*(\d{1,2})\s*[.\-/월]\s*(\d{1,2})(?!\d)")
_DATE_LABEL = re.compile(
    r"(검\s*사\s*일\s*[자시]?|측\s*정\s*일\s*자?|일\s*자|날\s*짜|inspection\s*date|date|検査日|檢査日)\s*[:：]?\s*",
    re.IGNORECASE,
)
_UNIT = re.compile(r"(?:단\s*위|unit|uom)\s*[:：]\s*([^\s)\]]+)", re.IGNORECASE)
_EVERY = {f"{w}{place}" for w in "전각타" for place in ("공장", "사업장", "사업소")}  # all, each, other plants
_SITE = re.compile(r"([0-9A-Za-z가-힣○]+(?:공장|사업장|사업소|플랜트))|([0-9A-Za-z]+\s+Plant)\b")


def _texts(titles: list[str]) -> list[str]:
    return [clean(t) for t in titles if t and t.strip()]


# A lot the titles name: "LOT No.: L2603-017", "로트번호 : L2603-017", "Lot L2603-017".
_LOT = re.compile(
    r"(?:\blot\s*(?:no\.?|number|#)?|로트\s*(?:번호|no\.?)?)\s*[:：]?\s*(?=\S*\d)([A-Za-z0-9][A-Za-z0-9\-_/.]{2,})",
    re.I,
)


def lot(titles: list[str]) -> str | None:
    """The one lot the titles name, for a sheet that inspects one lot; None when they name none or several."""
    found = {m.group(1).rstrip(".") for text in _texts(titles) for m in _LOT.finditer(text)}
    return found.pop() if len(found) == 1 else None


def year(titles: list[str]) -> int | None:
    """The year the titles name (the first one, by the most explicit way of writing it)."""
    texts = _texts(titles)
    for pattern in _YEAR:
        for text in texts:
            if found := pattern.search(text):
                return int(found.group(1))
    return None


def month(titles: list[str]) -> tuple[int, int] | None:
    """(year, month) when a title names one month: "2026년 3월 전력 사용량"."""
    for pattern in _MONTH:
        for text in _texts(titles):
            found = pattern.search(text)
            if found and 1 <= int(found.group(2)) <= 12:
                return int(found.group(1)), int(found.group(2))
    return None


def day(titles: list[str]) -> tuple[date, bool] | None:
    """(the day a title names, whether a label such as 검사일 says what it is)."""
    unlabelled: date | None = None
    for text in _texts(titles):
        for label in _DATE_LABEL.finditer(text):
            if found := _DATE.match(text, label.end()):
                when = _date(found)
                if when:
                    return when, True
        if unlabelled is None and (found := _DATE.search(text)) and len(found.group(1)) == 4:
            unlabelled = _date(found)
    return (unlabelled, False) if unlabelled else None


def _date(found: re.Match[str]) -> date | None:
    year_text, month_text, day_text = found.groups()
    try:
        return date(int(year_text) + (2000 if len(year_text) == 2 else 0), int(month_text), int(day_text))
    except ValueError:
        return None


def unit(titles: list[str], vocabulary: Vocabulary) -> str | None:
    """The unit a title declares for the sheet's numbers: "(단위: kWh)"."""
    for text in _texts(titles):
        found = _UNIT.search(text)
        if found and is_unit(found.group(1), vocabulary):
            return found.group(1)
    return None


def site(titles: list[str]) -> str | None:
    """The one site the titles name ("창원공장 2026년 3월 …", "○○사업장"); None when they name none or several."""
    names = {m.group(1) or m.group(2) for text in _texts(titles) for m in _SITE.finditer(text)}
    names -= _EVERY
    return names.pop() if len(names) == 1 else None


def code(field: str, texts: list[str]) -> str | None:
    """The one code of ``field`` (carrier, firmness) the texts name: "전력 사용량" → electricity."""
    words = TITLE_CODES.get(field, {})
    found = {c for text in texts for word, c in words.items() if fold(word) in fold(text)}
    return found.pop() if len(found) == 1 else None
