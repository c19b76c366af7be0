"""The directory's controlled words, read from ``vocabulary.toml``: skills and languages with their Korean and
English names, and which regions share a land border (for "an expert nearby")."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from sangsaeng.hub.members.ksic import Named
from sangsaeng.hub.members.regions import REGIONS

SOURCE: Final = Path(__file__).with_name("vocabulary.toml")


def _named(table: Mapping[str, Any]) -> dict[str, Named]:
    return {key: Named(str(entry["ko"]), str(entry["en"])) for key, entry in table.items()}


def _symmetric(pairs: Mapping[str, list[str]]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {code: set() for code in REGIONS}
    for code, others in pairs.items():
        for other in others:
            if code not in REGIONS or other not in REGIONS or other == code:
                raise ValueError(f"{SOURCE.name}: neighbours {code} – {other}: not two of the 17 regions")
            found[code].add(other)
            found[other].add(code)
    return {code: frozenset(others) for code, others in found.items()}


def _load() -> tuple[str, dict[str, Named], dict[str, Named], dict[str, frozenset[str]]]:
    data = tomllib.loads(SOURCE.read_text("utf-8"))
    return str(data["version"]), _named(data["skills"]), _named(data["languages"]), _symmetric(data["neighbours"])


VERSION, SKILLS, LANGUAGES, NEIGHBOURS = _load()


def near(region: str, other: str) -> bool:
    """Whether two regions share a land border."""
    return other in NEIGHBOURS.get(region, frozenset())
