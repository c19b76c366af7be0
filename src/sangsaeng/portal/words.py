"""What a reader needs in one language: ``t()`` for catalog keys, moments in the company's time zone, numbers, and
the words for codes (purposes, states, roles, the canonical model's entities, fields and values). Every time a
person reads goes through ``moment_text``, in the company's zone (the ``timezone`` setting)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import format_decimal

from sangsaeng.i18n.catalogs import entries
from sangsaeng.standard import labels

SEOUL = ZoneInfo("Asia/Seoul")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def moment_text(moment: datetime, language: str, zone: ZoneInfo = SEOUL) -> str:
    """A moment as a person in the company reads it, in the company's time zone: ``2026년 3월 2일 오후 3:00``,
    ``2 Mar 2026, 3:00 PM``. A moment without a zone is UTC (what the store keeps)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    if language == "ko":
        return f"{day_text(local.date(), language)} {'오전' if local.hour < 12 else '오후'} {hour}:{local.minute:02d}"
    return f"{day_text(local.date(), language)}, {hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def day_text(day: date, language: str) -> str:
    """A calendar day: ``2026년 3월 2일``, ``2 Mar 2026``."""
    if language == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


class Words:
    """What a template needs for one language: ``t()``, moments in the company's time zone, numbers, and the
    words for codes (purposes, states, roles, the canonical model's fields and values)."""

    def __init__(self, language: str, zone: str | ZoneInfo = SEOUL, domain: str = "messages") -> None:
        self.language = language
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        self._catalog = entries(language, domain)
        self._locale = Locale.parse("ko_KR" if language == "ko" else "en_GB")

    def t(self, message: str, **values: Any) -> str:
        text = self._catalog.get(message, message)
        return text.format(**values) if values else text

    def known(self, message: str) -> bool:
        return self._catalog.get(message, message) != message

    def word(self, prefix: str, code: str | None) -> str:
        """The catalog's word for ``code`` under ``prefix`` (``purpose``, ``state.transfer`` …), else the code."""
        if code is None:
            return "—"
        key = f"{prefix}.{code}"
        return self.t(key) if self.known(key) else code

    def purpose(self, code: str | None) -> str:
        return self.word("purpose", code)

    def role(self, code: str) -> str:
        return self.word("role", code)

    def entity(self, name: str | None) -> str:
        return "—" if name is None else labels.entity_label(name, self.language)

    def field(self, entity: str | None, name: str) -> str:
        return labels.field_label(entity, name, self.language)

    def code(self, field: str, value: Any) -> str:
        return labels.code_label(field, value, self.language)

    def when(self, moment: datetime | date | str | None) -> str:
        if moment is None:
            return "—"
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        if not isinstance(moment, datetime):
            return day_text(moment, self.language)
        return moment_text(moment, self.language, self.zone)

    def number(self, value: float | int | None) -> str:
        return "—" if value is None else format_decimal(value, locale=self._locale)

    def cell(self, value: Any, column: str = "", entity: str | None = None) -> str:
        """A table cell: numbers and moments in this language's forms, units as symbols, codes as words,
        nothing as a dash."""
        if isinstance(value, str) and (column == "unit" or column.endswith("_unit")):
            from sangsaeng.standard.units import symbol

            return symbol(value)
        if value is None:
            return "—"
        if labels.has_codes(column) and isinstance(value, str | bool):
            return self.code(column, value)
        if isinstance(value, bool):
            return self.t("yes") if value else self.t("no")
        if isinstance(value, int | float):
            return format_decimal(value, format="#,##0.######", locale=self._locale)
        if isinstance(value, datetime | date):
            return self.when(value)
        if isinstance(value, list):  # a list field (standards, ids): its items, as a person types them
            return ", ".join(self.cell(item, column, entity) for item in value) if value else "—"
        return str(value)
