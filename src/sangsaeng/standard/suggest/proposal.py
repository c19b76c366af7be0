"""What a suggestion hands back: the mapping document it proposes, how sure it is of each field and why, the
constants and the unpivot it proposed, and sentences for the person in Korean and English."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from sangsaeng.standard.entities import ENTITIES, Entity
from sangsaeng.standard.mapping import FieldMap, Mapping
from sangsaeng.standard.suggest.vocabulary import Vocabulary


@dataclass(frozen=True)
class Reason:
    code: (
        str  # exact | remembered | synonym | contained | values | layout | title | sheet | header | derived | settings
    )
    en: str
    ko: str


REASONS = {
    r.code: r
    for r in (
        Reason("exact", "header matched exactly", "머리글이 필드 이름과 정확히 일치"),
        Reason("remembered", "header remembered from this company's earlier files", "이전 파일에서 기억한 머리글"),
        Reason("synonym", "header matched by synonym", "머리글이 동의어로 일치"),
        Reason("contained", "header contains a known name", "머리글에 알려진 이름이 들어 있음"),
        Reason("values", "by values only: no header names it", "머리글 없이 값만 보고 추정"),
        Reason("layout", "from the wide layout (unpivot)", "가로로 펼친 표(열 → 행 변환)에서"),
        Reason("title", "constant from the title", "제목에서 읽은 상수"),
        Reason("sheet", "constant from the sheet name", "시트 이름에서 읽은 상수"),
        Reason("header", "constant from another column's header", "다른 열의 머리글에서 읽은 상수"),
        Reason("derived", "derived from a column placed for another field", "다른 필드의 열에서 계산"),
        Reason("settings", "what this connector knows of its company", "이 커넥터 설정에 있는 회사 정보"),
    )
}


@dataclass(frozen=True)
class Note:
    en: str
    ko: str
    field: str | None = None

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

    def note(self, en: str, ko: str, name: str | None = None) -> None:
        self.notes.append(Note(en, ko, name))
