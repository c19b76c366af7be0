"""The translation catalogs: ``locale/<language>/LC_MESSAGES/<domain>.po``, read with Babel once per language and
domain, looked up by key. Every key has a Korean and an English entry with the same placeholders
(``tests/test_i18n.py``); texts are ``str.format`` templates filled in when values are given."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LANGUAGES = ("ko", "en")
DOMAINS = (
    "messages",
    "findings",
    "cli",
    "standard",
    "hub",
    "hosting",
    "demo",
    "assessment",
    "benchmarks",
    "experts",
    "plan",
)
LOCALE_DIR = Path(__file__).parent / "locale"


def path_of(language: str, domain: str = "messages") -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


@cache
def _catalog(language: str, domain: str) -> Catalog:
    if language not in LANGUAGES or domain not in DOMAINS:
        raise ValueError(f"no catalog {domain} in {language!r}: languages {LANGUAGES}, domains {DOMAINS}")
    with path_of(language, domain).open("rb") as handle:
        return read_po(handle, locale=language, domain=domain)


@cache
def entries(language: str, domain: str = "messages") -> Mapping[str, str]:
    """Every key of a catalog and its text, as gettext reads it: fuzzy and empty entries left out."""
    return {
        m.id: m.string
        for m in _catalog(language, domain)
        if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string and not m.fuzzy
    }


def text(domain: str, key: str, language: str, /, **values: Any) -> str:
    """The text of ``key`` in ``language`` with ``values`` filled in; the key itself where the catalog has none
    (a test keeps every key the code uses in both catalogs)."""
    template = entries(language, domain).get(key) or key
    return template.format(**values) if values else template


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
