"""A company's own words, declared once and applied to its next files: "HV10 is Vickers hardness", "재검 means
reinspect" for `disposition`, "검사치 is the measured value".

The portal keeps one per company (``to_dict`` / ``from_dict`` are its stored form); ``remember`` adds what a
person confirmed in a mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sangsaeng.errors import SangsaengError
from sangsaeng.standard.said import PerLanguage, refusal, told
from sangsaeng.standard.suggest.text import fold, key
from sangsaeng.standard.units import recognize


@dataclass(frozen=True)
class Vocabulary:
    # a unit as the company writes it → a spelling `units.recognize` reads: {"HV10": "HV", "㎏f": "kgf"}
    units: Mapping[str, str] = field(default_factory=dict)
    # field → {code as the company writes it → the standard's code}: {"disposition": {"재검": "reinspect"}};
    # for yes/no fields the code is "true" or "false": {"passed": {"양": "true"}}
    codes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # a header as the company writes it → the field it holds: {"검사치": "value"}
    headers: Mapping[str, str] = field(default_factory=dict)

    def unit(self, written: str) -> str | None:
        wanted = fold(written)
        return next((spelling for text, spelling in self.units.items() if fold(text) == wanted), None)

    def code(self, field_name: str, written: str) -> str | None:
        wanted = fold(written)
        codes = self.codes.get(field_name, {})
        return next((code for text, code in codes.items() if fold(text) == wanted), None)

    def field_of(self, header: str) -> str | None:
        wanted = key(header)
        return next((name for text, name in self.headers.items() if key(text) == wanted), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "units": dict(self.units),
            "codes": {name: dict(codes) for name, codes in self.codes.items()},
            "headers": dict(self.headers),
        }

    @classmethod
    def from_dict(cls, data: object) -> Vocabulary:
        """The stored form back; a shape that is not one (or a unit nobody can read) is refused, naming where."""
        if not isinstance(data, dict) or set(data) - {"units", "codes", "headers"}:
            raise refusal("suggest.vocabulary.shape")
        units = _texts(data.get("units", {}), "units")
        for written, spelling in units.items():
            try:
                recognize(spelling)
            except SangsaengError as exc:
                raise refusal(
                    "suggest.vocabulary.not-a-unit",
                    at=f"units.{written}",
                    written=written,
                    spelling=spelling,
                    problem=PerLanguage(partial(told, exc)),
                ) from exc
            except Exception as exc:  # noqa: BLE001 — the unit parser's own errors on odd text (mm/0, ")")
                raise refusal(
                    "suggest.vocabulary.unit", at=f"units.{written}", written=written, spelling=spelling
                ) from exc
        codes = data.get("codes", {})
        if not isinstance(codes, dict):
            raise refusal("suggest.vocabulary.codes", at="codes")
        return cls(
            units=units,
            codes={str(name): _texts(table, f"codes.{name}") for name, table in codes.items()},
            headers=_texts(data.get("headers", {}), "headers"),
        )

    def remember(self, document: Mapping[str, Any]) -> Vocabulary:
        """This vocabulary and what a confirmed mapping document declares: each column's field, each code."""
        unpivot = document.get("unpivot") or {}
        made = {unpivot.get(part) for part in ("name", "value", "unit")}  # columns the unpivot makes
        headers = dict(self.headers)
        codes = {name: dict(table) for name, table in self.codes.items()}
        for name, rule in (document.get("fields") or {}).items():
            column = rule.get("column")
            if isinstance(column, str) and column not in made:
                headers[column] = name
            for written, code in (rule.get("values") or {}).items():
                codes.setdefault(name, {})[str(written)] = _code_text(code)
        return Vocabulary(units=dict(self.units), codes=codes, headers=headers)


def _code_text(code: object) -> str:
    return str(code).lower() if isinstance(code, bool) else str(code)


def _texts(table: object, where: str) -> dict[str, str]:
    if not isinstance(table, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in table.items()):
        raise refusal("suggest.vocabulary.texts", at=where, where=where)
    return dict(table)
