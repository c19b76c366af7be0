"""Korean and English: gettext catalogs (``locale/*/LC_MESSAGES/messages.po``, read with Babel at start), the
language a request gets, and dates and numbers formatted for it."""

from __future__ import annotations

import io
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LANGUAGES = ("ko", "en")
SEOUL = ZoneInfo("Asia/Seoul")
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def translations(language: str) -> Translations:
    """The catalog of ``language``, compiled in memory from its .po file (no build step, no binary in git)."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def choose(query: str | None, cookie: str | None, accept: str | None) -> str:
    """?lang= first, then the language switch's cookie, then the browser: Korean when it asks for Korean."""
    for asked in (query, cookie):
        if asked in LANGUAGES:
            return asked
    ranked: list[tuple[float, str]] = []
    for part in (accept or "").split(","):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        q = 1.0
        for param in pieces[1:]:
            if param.strip().startswith("q="):
                try:
                    q = float(param.strip()[2:])
                except ValueError:
                    q = 0.0
        if tag:
            ranked.append((q, tag))
    for _, tag in sorted(ranked, key=lambda r: -r[0]):
        if tag.startswith("ko"):
            return "ko"
        if tag.startswith("en"):
            return "en"
    return "en"


class Words:
    """What a template needs for one language: ``t()``, and dates and numbers in that language's forms."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._catalog = translations(language)
        self._locale = Locale.parse("ko_KR" if language == "ko" else "en_GB")

    def t(self, message: str, **values: Any) -> str:
        text = self._catalog.gettext(message)
        return text.format(**values) if values else text

    def when(self, moment: datetime | str | None) -> str:
        if moment is None:
            return "—"
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return format_datetime(moment, "medium", tzinfo=SEOUL, locale=self._locale)

    def number(self, value: float | int | None) -> str:
        return "—" if value is None else format_decimal(value, locale=self._locale)

    def cell(self, value: Any, column: str = "") -> str:
        """A table cell: numbers and moments in this language's forms, units as symbols, nothing as a dash."""
        if isinstance(value, str) and (column == "unit" or column.endswith("_unit")):
            from sangsaeng.standard.units import symbol

            return symbol(value)
        if value is None:
            return "—"
        if isinstance(value, bool):
            return self.t("yes") if value else self.t("no")
        if isinstance(value, int | float):
            return format_decimal(value, format="#,##0.######", locale=self._locale)
        if isinstance(value, datetime):
            return self.when(value)
        return str(value)
