"""Words in both languages from one catalog key, for what the pure core refuses or notes: a refusal
(``InvalidInput`` or another error) carries its English message and hint where every client reads them and the
Korean in ``details`` (``message_ko``/``hint_ko``, or ``messageKo``/``hintKo`` where a caller's shape has them), so
the shape stays what API clients and the portal know while the words come from the catalogs.

A value said differently in each language (a field's label, a list joined with "or") is given as ``PerLanguage``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from sangsaeng.errors import InvalidInput, SangsaengError
from sangsaeng.i18n import catalogs

E = TypeVar("E", bound=SangsaengError)

SNAKE: Final = ("message_ko", "hint_ko")
CAMEL: Final = ("messageKo", "hintKo")


@dataclass(frozen=True)
class PerLanguage:
    """A value whose words depend on the language: ``say(language)`` gives what goes into the text."""

    say: Callable[[str], Any]


def _filled(values: Mapping[str, Any], language: str) -> dict[str, Any]:
    return {name: v.say(language) if isinstance(v, PerLanguage) else v for name, v in values.items()}


def words(domain: str, key: str, language: str, /, **values: Any) -> str:
    """``key`` of ``domain`` in ``language``, with ``values`` (``PerLanguage`` ones in that language) in it; a
    template is always filled, so ``{{`` says a brace whether or not values are given."""
    return catalogs.text(domain, key, language).format(**_filled(values, language))


def both(domain: str, key: str, /, **values: Any) -> tuple[str, str]:
    """``key`` in English and in Korean."""
    return words(domain, key, "en", **values), words(domain, key, "ko", **values)


def has(domain: str, key: str) -> bool:
    """Whether the catalogs have ``key`` (a test keeps Korean and English to the same keys)."""
    return key in catalogs.entries("en", domain)


def refused_as(
    error: type[E],
    domain: str,
    key: str,
    /,
    *,
    at: str | None = None,
    extra: Mapping[str, Any] | None = None,
    shape: tuple[str, str] = SNAKE,
    **values: Any,
) -> E:
    """``error`` saying ``key`` in both languages, with ``key.hint`` as its hint where the catalog has one; ``at``
    is its position, ``extra`` more details beside the Korean."""
    message, message_ko = both(domain, key, **values)
    details: dict[str, Any] = {shape[0]: message_ko}
    hint = None
    if has(domain, f"{key}.hint"):
        hint, details[shape[1]] = both(domain, f"{key}.hint", **values)
    details.update(extra or {})
    return error(message, position=at, hint=hint, details=details)


def refusal(
    domain: str,
    key: str,
    /,
    *,
    at: str | None = None,
    extra: Mapping[str, Any] | None = None,
    shape: tuple[str, str] = SNAKE,
    **values: Any,
) -> InvalidInput:
    """An ``InvalidInput`` saying ``key`` in both languages (see ``refused_as``)."""
    return refused_as(InvalidInput, domain, key, at=at, extra=extra, shape=shape, **values)
