"""The words of standard data's refusals and notes: the ``standard`` catalog (``sangsaeng/i18n/locale``), in Korean
and English with the same placeholders, so that what a sheet, a mapping or an export refuses reads in both from
one key (``tests/test_i18n.py`` keeps every key used here in both catalogs)."""

from __future__ import annotations

from typing import Any, TypeVar

from sangsaeng.errors import InvalidInput, SangsaengError
from sangsaeng.i18n import refusals
from sangsaeng.i18n.refusals import CAMEL, SNAKE, PerLanguage

DOMAIN = "standard"
E = TypeVar("E", bound=SangsaengError)

__all__ = ["CAMEL", "SNAKE", "PerLanguage", "Problem", "both", "refusal", "refused_as", "term", "told", "words"]


def words(key: str, language: str, /, **values: Any) -> str:
    return refusals.words(DOMAIN, key, language, **values)


def told(error: SangsaengError, language: str) -> str:
    """What a refusal said in ``language``: its Korean from ``details`` (either shape), else its message."""
    if language == "ko":
        return str(error.details.get(SNAKE[0]) or error.details.get(CAMEL[0]) or error.message)
    return error.message


def term(key: str) -> PerLanguage:
    """``key``'s words as a value said in the language of the text it goes into (a word inside a sentence)."""
    return PerLanguage(lambda language: words(key, language))


def both(key: str, /, **values: Any) -> tuple[str, str]:
    """(English, Korean)."""
    return refusals.both(DOMAIN, key, **values)


def refusal(key: str, /, **options: Any) -> InvalidInput:
    """An ``InvalidInput`` in both languages: ``at`` (position), ``extra`` (details), ``shape``, and the values."""
    return refusals.refusal(DOMAIN, key, **options)


def refused_as(error: type[E], key: str, /, **options: Any) -> E:
    return refusals.refused_as(error, DOMAIN, key, **options)


class Problem(ValueError):
    """A ``ValueError`` saying ``key`` in both languages, for a check whose error a caller turns into a refusal (a
    pydantic validator, which keeps it as the error's ``ctx["error"]``): ``str()`` is the English."""

    def __init__(self, key: str, /, **values: Any) -> None:
        self.key = key
        self.en, self.ko = both(key, **values)
        super().__init__(self.en)

    def said(self, language: str) -> str:
        return self.ko if language == "ko" else self.en
