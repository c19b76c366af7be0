"""What a suggestion hands back: the mapping document it proposes, how sure it is of each field and why, the
constants and the unpivot it proposed, and sentences for the person in Korean and English."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import yaml
from pydantic import ValidationError

from sangsaeng.standard import said
from sangsaeng.standard.entities import ENTITIES, Entity
from sangsaeng.standard.mapping import FieldMap, Mapping
from sangsaeng.standard.suggest.vocabulary import Vocabulary

# Why a field was placed so, by code: each the key of its words in the ``standard`` catalog.
REASON_KEYS: Final = {
    "exact": "suggest.reason.exact",
    "remembered": "suggest.reason.remembered",
    "synonym": "suggest.reason.synonym",
    "contained": "suggest.reason.contained",
    "values": "suggest.reason.values",
    "layout": "suggest.reason.layout",
    "title": "suggest.reason.title",
    "sheet": "suggest.reason.sheet",
    "header": "suggest.reason.header",
    "derived": "suggest.reason.derived",
    "settings": "suggest.reason.settings",
}


@dataclass(frozen=True)
class Reason:
    """Why a field was placed so: its code (a key of ``REASON_KEYS``), said in either language."""

    code: str

    def text(self, language: str) -> str:
        return said.words(REASON_KEYS[self.code], language)

    @property
    def en(self) -> str:
        return self.text("en")

    @property
    def ko(self) -> str:
        return self.text("ko")


REASONS: Final = {code: Reason(code) for code in REASON_KEYS}


@dataclass(frozen=True)
class Note:
    """A sentence for the person about the proposal, in both languages, from the catalog key ``key``; ``field``
    the field it is about, if one."""

    en: str
    ko: str
    field: str | None = None
    key: str | None = None

    @classmethod
    def of(cls, key: str, about: str | None = None, /, **values: Any) -> Note:
        en, ko = said.both(key, **values)
        return cls(en, ko, about, key)

    def text(self, korean: bool) -> str:
        return self.ko if korean else self.en


@dataclass(frozen=True)
class Proposal:
    document: dict[str, Any]  # the mapping document (version 2) a person confirms or edits
    missing: list[str]  # required fields nobody could place: the person adds them
    confidence: dict[str, float]  # per placed field, 0..1
    reasons: dict[str, Reason]  # per placed field: why it was placed so
    constants: dict[str, Any] = field(default_factory=dict)  # fields given a constant value, e.g. carrier
    unpivot: dict[str, Any] | None = None  # the proposed unpivot of a wide layout
    notes: list[Note] = field(default_factory=list)

    @property
    def mapping(self) -> Mapping:
        """The proposal as a mapping the installed reader understands (see ``readable``)."""
        return Mapping.model_validate(readable(self.document))

    def columns(self) -> dict[str, str | None]:
        """Each placed field's column (None for a constant)."""
        return {name: rule.get("column") for name, rule in self.document["fields"].items()}

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.document, allow_unicode=True, sort_keys=False)


def readable(document: dict[str, Any]) -> dict[str, Any]:
    """The document without what the installed mapping reader does not know (keys of mapping version 2 before
    it is there): a field whose rule needs such a key is left out rather than read differently."""
    known_rule = set(FieldMap.model_fields)
    top = {k: v for k, v in document.items() if k in Mapping.model_fields}
    fields = {name: rule for name, rule in document["fields"].items() if set(rule) <= known_rule}
    if "unpivot" not in Mapping.model_fields and document.get("unpivot"):
        made = {document["unpivot"].get(part) for part in ("name", "value", "unit")}
        fields = {n: r for n, r in fields.items() if not ({r.get("column"), r.get("unit_column")} & made)}
    top["fields"] = fields
    try:
        Mapping.model_validate(top)
    except ValidationError:
        return document  # not a question of version: let the caller see the real error
    return top


@dataclass
class Draft:
    """A proposal being built: rules placed field by field, each with its confidence and reason."""

    entity: str
    vocabulary: Vocabulary
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, Reason] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    unpivot: dict[str, Any] | None = None
    fill_down: list[str] = field(default_factory=list)  # columns known merged down beyond what the layout saw

    @property
    def model(self) -> type[Entity]:
        return ENTITIES[self.entity]

    def has(self, name: str) -> bool:
        return name in self.model.model_fields

    def open(self, name: str) -> bool:
        """The entity has the field and nothing is placed in it yet."""
        return self.has(name) and name not in self.rules

    def place(self, name: str, rule: dict[str, Any], confidence: float, reason: str) -> None:
        self.rules[name] = rule
        self.confidence[name] = round(max(0.0, min(1.0, confidence)), 2)
        self.reasons[name] = REASONS[reason]
        if "value" in rule:
            self.constants[name] = rule["value"]

    def lower(self, name: str, factor: float) -> None:
        self.confidence[name] = round(self.confidence[name] * factor, 2)

    def note(self, key: str, /, about: str | None = None, **values: Any) -> None:
        """Note ``key`` of the ``standard`` catalog with ``values`` (``PerLanguage`` ones said in each language),
        about the field ``about`` if one."""
        self.notes.append(Note.of(key, about, **values))
