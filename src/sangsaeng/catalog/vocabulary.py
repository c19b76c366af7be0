"""The company's remembered vocabulary: units and code values its files write that the system did not know,
declared once by a person ("Hs" is Shore hardness, "재검" in a disposition means re-inspect) and used to read
its next files. The portal declares through here; the CLI and the API are to do the same.

A declaration names a meaning the system already reads — a unit spelling ``units.recognize`` reads, one of the
field's allowed codes — so a remembered word can never bring in a meaning of its own.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from sangsaeng.errors import InvalidInput, SangsaengError
from sangsaeng.standard.entities import ENTITIES, literal_values
from sangsaeng.standard.mapping import _base
from sangsaeng.standard.suggest import Vocabulary
from sangsaeng.standard.units import MAX_UNIT_LENGTH, recognize
from sangsaeng.store.ports import Store
from sangsaeng.store.records import Term

MAX_CODE_LENGTH = 128
YES_NO = ("true", "false")


def written_form(text: str) -> str:
    """A word as it is remembered and looked up: NFKC (full width → half width), inner blanks as one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def code_choices(entity: str, field: str) -> tuple[str, ...]:
    """What a code of ``entity.field`` may mean: its allowed codes, or true/false for a yes/no field."""
    model = ENTITIES.get(entity)
    if model is None or field not in model.model_fields:
        raise InvalidInput(f"{entity}.{field} is no field of the standard", position="field")
    annotation = model.model_fields[field].annotation
    if _base(annotation) is bool:
        return YES_NO
    choices = literal_values(annotation)
    if not choices:
        raise InvalidInput(f"{entity}.{field} takes free text, not codes", position="field")
    return choices


def unit_term(written: str, meaning: str, *, by: str, at: datetime) -> Term:
    """A unit declaration, checked: the spelling is one the system does not read, the meaning one it does."""
    spelled = written_form(written)
    if not spelled or len(spelled) > MAX_UNIT_LENGTH:
        raise InvalidInput(f"a unit is 1 to {MAX_UNIT_LENGTH} characters", position="written")
    try:
        recognize(spelled)
    except SangsaengError:
        pass
    else:
        raise InvalidInput(f"{spelled!r} is a unit the system already reads", position="written")
    try:
        recognize(meaning)
    except SangsaengError as exc:
        raise InvalidInput(f"{meaning!r} is no unit the system reads", position="meaning", hint=exc.hint) from exc
    return Term("unit", "", spelled, meaning, by, at)


def code_term(entity: str, field: str, written: str, meaning: str, *, by: str, at: datetime) -> Term:
    """A code declaration, checked: the meaning is one of the field's allowed codes, the word is not one."""
    choices = code_choices(entity, field)
    spelled = written_form(written)
    if not spelled or len(spelled) > MAX_CODE_LENGTH:
        raise InvalidInput(f"a code is 1 to {MAX_CODE_LENGTH} characters", position="written")
    if spelled in choices:
        raise InvalidInput(f"{spelled!r} is already a code of {entity}.{field}", position="written")
    if meaning not in choices:
        raise InvalidInput(
            f"{meaning!r} is not a code of {entity}.{field}", position="meaning", hint=f"one of {', '.join(choices)}"
        )
    return Term("code", f"{entity}.{field}", spelled, meaning, by, at)


async def declare(store: Store, *terms: Term) -> None:
    """Remember checked terms (``unit_term``, ``code_term``, ``header_terms``) for the company's next files."""
    async with store.begin() as tx:
        for term in terms:
            await tx.vocabulary.declare(term)


async def declared(store: Store) -> list[Term]:
    async with store.begin() as tx:
        return await tx.vocabulary.terms()


def header_terms(document: dict[str, Any], *, by: str, at: datetime) -> list[Term]:
    """What a published mapping says of the company's headers: each column a field was read from, to be
    recognised in its next files (a column the unpivot made is the flow's own, not the company's)."""
    entity = str(document.get("entity", ""))
    unpivot = document.get("unpivot") or {}
    made = {unpivot.get(part) for part in ("name", "value", "unit")}
    fields_of: dict[str, list[str]] = {}
    for name, rule in (document.get("fields") or {}).items():
        column = rule.get("column") if isinstance(rule, dict) else None
        if isinstance(column, str) and column not in made and 0 < len(column) <= MAX_CODE_LENGTH:
            fields_of.setdefault(column, []).append(str(name))
    # A column read for two fields (월 → period start and end) names neither alone: not remembered.
    return [Term("header", entity, column, names[0], by, at) for column, names in fields_of.items() if len(names) == 1]


def as_vocabulary(terms: list[Term], entity: str) -> Vocabulary:
    """The terms as suggestion takes them for a file of ``entity``: its units, and the codes and headers
    declared for that entity's fields."""
    units = {t.written: t.meaning for t in terms if t.kind == "unit"}
    codes: dict[str, dict[str, str]] = {}
    for term in terms:
        owner, _, name = term.field.partition(".")
        if term.kind == "code" and owner == entity:
            codes.setdefault(name, {})[term.written] = term.meaning
    headers = {t.written: t.meaning for t in terms if t.kind == "header" and t.field == entity}
    return Vocabulary(units=units, codes=codes, headers=headers)


async def remembered(store: Store, entity: str) -> Vocabulary:
    """The company's vocabulary, to suggest a mapping for its next file of ``entity`` with."""
    return as_vocabulary(await declared(store), entity)
