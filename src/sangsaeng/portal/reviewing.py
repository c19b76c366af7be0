"""What the upload flow reads of a staged file and what the review page shows of it: the suggestion for a sheet,
the columns the fields can take (after the header rows and the unpivot), the sheets, and each field's row of
the page — its column or constant, unit, date reading, year, and how sure the suggestion was. File reading runs
in worker threads (the callers' job); nothing here touches the web.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sangsaeng.catalog.vocabulary import code_choices
from sangsaeng.errors import SangsaengError
from sangsaeng.portal import readings
from sangsaeng.portal.i18n import Words, day_text
from sangsaeng.portal.revise import CONSTANT, constant_text, kinds
from sangsaeng.standard import labels
from sangsaeng.standard.cells import side_of
from sangsaeng.standard.company import Company
from sangsaeng.standard.entities import ENTITIES
from sangsaeng.standard.footprint_entry import made_by_system
from sangsaeng.standard.footprint_needs import needed
from sangsaeng.standard.layout import LayoutGuess
from sangsaeng.standard.mapping import Mapping, load_mapping
from sangsaeng.standard.pact.vocabulary import URN
from sangsaeng.standard.sources import open_detected, open_source
from sangsaeng.standard.suggest import Proposal, Vocabulary, suggest
from sangsaeng.standard.value_rules import urn_fields
from sangsaeng.standard.workbook import Limits, vet

SHEET_ROWS_LOOKED_AT = 200  # a sheet with nothing in its first rows counts as empty
SAMPLES = 50
SHEETS_TRIED = 10  # a workbook's sheets with data tried for the table, in order
DERIVED = {"raw_value", "raw_unit"}  # kept by reading, never mapped
PREFIX_EXAMPLE = "urn:pact:<domain>:product-id:"  # PACT's form of productIds; the page says <회사 도메인> in Korean


def sheets(path: Path, limits: Limits) -> list[tuple[str, bool]]:
    """An Excel file's sheets, each with whether it holds anything in its first rows; [] for other files."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return []
    import openpyxl

    vet(path, limits)
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        found = []
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True, max_row=SHEET_ROWS_LOOKED_AT)
            found.append((sheet.title, any(v not in (None, "") for row in rows for v in row)))
        return found
    finally:
        book.close()


def _suggested(
    path: Path, entity: str, sheet: str | None, limits: Limits, vocabulary: Vocabulary, company: Company | None
) -> tuple[Proposal, LayoutGuess]:
    opened, guess = open_detected(path, sheet, limits)
    found = suggest(
        entity, opened.headers, opened.sample(), guess=guess, sheet=sheet, vocabulary=vocabulary, company=company
    )
    return found, guess


def _table_score(proposal: Proposal, entity: str) -> tuple[int, int]:
    """How much of the entity a sheet's suggestion reads from columns: required fields first, then all (a cover
    sheet or a revision list places next to nothing; a constant from a title proves no table)."""
    fields = proposal.document.get("fields") or {}
    from_columns = {name for name, rule in fields.items() if "column" in rule}
    required = {n for n, info in ENTITIES[entity].model_fields.items() if info.is_required()}
    return len(required & from_columns), len(from_columns)


def propose(
    path: Path,
    entity: str,
    sheet: str | None,
    limits: Limits,
    vocabulary: Vocabulary,
    company: Company | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The suggestion for one sheet — None: the sheet with data whose suggestion reads most of the entity from
    columns (the first of equals), not a cover sheet before it — as the mapping document, and what the page shows
    of how it was made (sheets, title rows, sureness per field and why, the proposed unpivot). ``company``: what
    the connector knows of its company, proposed where the file does not say it."""
    found = sheets(path, limits)
    full = [name for name, has_data in found if has_data]
    chosen: tuple[Proposal, LayoutGuess] | None = None
    if sheet is None and len(full) > 1:
        scored = []
        for index, name in enumerate(full[:SHEETS_TRIED]):
            try:
                tried = _suggested(path, entity, name, limits, vocabulary, company)
            except SangsaengError:
                continue
            scored.append((_table_score(tried[0], entity), -index, name, tried))
        if scored:
            *_, sheet, chosen = max(scored, key=lambda s: (s[0], s[1]))
    proposal, guess = chosen or _suggested(path, entity, sheet, limits, vocabulary, company)
    document = dict(proposal.document)
    if sheet is not None:
        document = {
            **{k: v for k, v in document.items() if k != "fields"},
            "sheet": sheet,
            "fields": document["fields"],
        }
    if vocabulary.units:  # the company's own unit words, wherever a unit is read (a unit column too)
        document["units"] = {**dict(vocabulary.units), **(document.get("units") or {})}
    about = {
        "sheets": [name for name, _ in found],
        "empty_sheets": [name for name, full in found if not full],
        "titles": list(guess.titles),
        "wide_kind": guess.wide.kind if guess.wide else None,
        "confidence": {k: v for k, v in dict(proposal.confidence).items()},
        "reasons": {k: r.code for k, r in proposal.reasons.items()},
        "notes": [{"ko": n.ko, "en": n.en, "field": n.field} for n in proposal.notes],
        "proposed": document.get("fields") or {},
        "unpivot": document.get("unpivot"),
    }
    return document, about


def as_mapping(document: dict[str, Any]) -> Mapping:
    return load_mapping(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))


@dataclass(frozen=True)
class Columns:
    """The columns of the file as the document lays it out."""

    headers: list[str]  # what the fields can take: after the header rows and the unpivot
    wide: list[str]  # before the unpivot: what can be turned into rows
    samples: dict[str, list[str]] = field(default_factory=dict)  # of ``headers``


def columns(path: Path, document: dict[str, Any], limits: Limits) -> Columns:
    mapping = as_mapping({**document, "fields": {}})
    laid_out = open_source(path, mapping.sheet, limits, layout=mapping)
    flat = as_mapping({**document, "fields": {}, "unpivot": None}) if document.get("unpivot") else mapping
    before = open_source(path, flat.sheet, limits, layout=flat).headers if flat is not mapping else laid_out.headers
    return Columns(laid_out.headers, before, laid_out.sample(SAMPLES))


@dataclass(frozen=True)
class FieldRow:
    """One field as the review page shows it."""

    name: str
    label: str
    description: str
    required: bool
    kind: str  # code, yesno, number, moment, text
    column: str  # the column, CONSTANT, or "" for none
    constant: str
    codes: list[tuple[str, str]]  # (code, its word) for code and yes/no fields
    unit: str  # the unit, or the unit column
    unit_groups: list[tuple[str, list[str]]]  # known spellings by quantity
    readings: list[tuple[str, str]]  # (format, the example read that way)
    year: int | None
    needs_year: bool
    at: str
    minus: str
    sureness: str  # sure, likely, check, yours (set by the person), missing
    problems: int
    pact: str = ""  # the PACT versions whose export needs the field the model leaves optional ("2.3, 3.0")
    prefix: str | None = None  # None: no prefix box; else what the box holds (the rule's, or the one proposed)
    prefix_example: str = ""  # the box's placeholder: what a prefix looks like
    prefix_asked: bool = False  # the column holds no URNs and nothing proposes a prefix: the person is asked

    @property
    def asked(self) -> bool:
        """A PACT export needs it, and the mapping gives it neither from a column nor as a value."""
        return bool(self.pact) and not self.column


def _reading_text(reading: readings.Reading, year: int | None, w: Words) -> str:
    moment = reading.moment
    if moment is None:
        as_written = w.t("review.as_written")
        return f"{reading.example} ({as_written})"
    if reading.needs_year:
        shown = moment.replace(year=year) if year else moment
        text = w.t("review.month_of", year=year, month=shown.month) if year else w.t("review.month", month=shown.month)
        if "%d" in (reading.pattern or ""):
            text = (
                day_text(shown.date(), w.language)
                if year
                else w.t("review.day_of_month", month=shown.month, day=shown.day)
            )
        return f"{reading.example} → {text}"
    text = day_text(moment.date(), w.language)
    if "%H" in (reading.pattern or ""):
        text += f" {moment:%H:%M}"
    return f"{reading.example} → {text}"


def _prefix(
    entity: str, name: str, rule: dict[str, Any], cols: Columns, company: Company | None
) -> tuple[str | None, str, bool]:
    """The prefix box of a field whose values must be URNs, when it reads a column: (what the box holds, its
    placeholder, whether the person is asked). A part number column gets the prefix of the company's domain when
    the connector knows one (proposed, to confirm), else the box asks for it."""
    if name not in urn_fields(entity) or not rule.get("column"):
        return None, "", False
    example = PREFIX_EXAMPLE if name == "product_ids" else "urn:<namespace>:"
    if "prefix" in rule:
        return str(rule["prefix"]), example, False
    samples = [s for s in cols.samples.get(str(rule["column"]), []) if s and s.strip()]
    plain = any(not URN.fullmatch(s.strip()) for s in samples)
    proposed = company.prefix if company and name == "product_ids" and plain else None
    return proposed or "", example, plain and proposed is None


def field_rows(
    document: dict[str, Any],
    about: dict[str, Any],
    cols: Columns,
    problems: dict[str, int],
    w: Words,
    company: Company | None = None,
) -> list[FieldRow]:
    entity = str(document["entity"])
    model = ENTITIES[entity]
    rules: dict[str, Any] = document.get("fields") or {}
    proposed: dict[str, Any] = about.get("proposed") or {}
    confidence: dict[str, Any] = about.get("confidence") or {}
    title_year = readings.year_in([*about.get("titles", []), about.get("name", "")])
    pact = needed(entity)
    reasons: dict[str, Any] = about.get("reasons") or {}
    system = made_by_system(entity)
    rows = []
    for name, kind in kinds(entity).items():
        if name in DERIVED:
            continue
        info = model.model_fields[name]
        rule = rules.get(name) or {}
        column = CONSTANT if "value" in rule else str(rule.get("column") or "")
        readings_found: list[readings.Reading] = []
        if kind == "moment" and column and column != CONSTANT:
            end = rule.get("at") == "end"  # a period in one cell (2026.01~2026.12): the side this field reads
            samples = [side_of(s, end) for s in cols.samples.get(column, [])]
            readings_found = readings.date_readings(samples, rule.get("format"))
        needs_year = any(r.needs_year for r in readings_found[:1])
        year = rule.get("year") or (title_year if needs_year else None)
        if not rule:
            sureness = "system" if name in system else "missing" if info.is_required() else "none"
        elif rule != proposed.get(name):
            sureness = "yours"
        elif reasons.get(name) == "settings":
            sureness = "settings"  # the company's own id or name, from the connector's settings: to confirm
        else:
            sureness = readings.sureness(confidence.get(name))
        prefix, prefix_example, prefix_asked = _prefix(entity, name, rule, cols, company)
        codes = (
            [(c, _code_word(w, name, c, kind)) for c in code_choices(entity, name)] if kind in ("code", "yesno") else []
        )
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        canonical = str(extra["x-unit"]) if "x-unit" in extra else None
        rows.append(
            FieldRow(
                name=name,
                label=w.field(entity, name),
                description=labels.field_description(entity, name, w.language),
                required=info.is_required(),
                kind=kind,
                column=column,
                constant=constant_text(rule.get("value")),
                codes=codes,
                unit=str(rule.get("unit_column") or rule.get("unit") or ""),
                unit_groups=readings.unit_choices("", canonical) if kind == "number" else [],
                readings=[(r.format, _reading_text(r, year, w)) for r in readings_found],
                year=year,
                needs_year=needs_year or "year" in rule,
                at=str(rule.get("at") or "start"),
                minus=str(rule.get("minus") or ""),
                sureness=sureness,
                problems=problems.get(name, 0),
                pact=", ".join(pact.get(name, ())),
                prefix=prefix,
                prefix_example=prefix_example,
                prefix_asked=prefix_asked,
            )
        )
    return rows


def _code_word(w: Words, field: str, code: str, kind: str) -> str:
    """A code in words; a yes/no field without words of its own says yes or no."""
    word = w.code(field, code)
    if kind != "yesno" or word != code:
        return word
    return w.t("yes") if code == "true" else w.t("no")


def dataset_title(about: dict[str, Any], name: str) -> str:
    """The title the publish form starts with: the file's first title row, else the file's name."""
    titles = [t.strip() for t in about.get("titles", []) if t and t.strip()]
    if not titles:
        return Path(name).stem
    words = titles[0].split()
    # A title spaced out letter by letter for the printed form ("공 정 검 사 성 적 서") is one word.
    return "".join(words) if len(words) > 2 and all(len(w) == 1 for w in words) else " ".join(words)
