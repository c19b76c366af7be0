"""Propose a mapping from a source's headers, a sample of its cells and what reading its layout found.

Every field gets the column that names it best: candidates are scored (exact name > remembered > synonym > a
known name contained in the header > values alone), each score weighed by how well the column's values fit the
field's type (dates for moments, numbers for quantities, codes for literal fields), and fields are given columns
by the best total, never by the first match — so column order never changes the outcome.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sangsaeng.standard import said
from sangsaeng.standard.cells import side_of
from sangsaeng.standard.company import Company
from sangsaeng.standard.entities import ENTITIES, literal_values
from sangsaeng.standard.footprint_entry import made_by_system
from sangsaeng.standard.layout import LayoutGuess
from sangsaeng.standard.mapping import _base
from sangsaeng.standard.said import PerLanguage
from sangsaeng.standard.suggest import cells as look
from sangsaeng.standard.suggest import footprints
from sangsaeng.standard.suggest import titles as read_titles
from sangsaeng.standard.suggest import wide as wide_layouts
from sangsaeng.standard.suggest.headers import WEAK_SYNONYM, Header, header_score, names_something, read_header
from sangsaeng.standard.suggest.matching import best_matching
from sangsaeng.standard.suggest.proposal import Draft, Proposal
from sangsaeng.standard.suggest.readings import read_fields
from sangsaeng.standard.suggest.vocabulary import Vocabulary

TIMEZONE = "Asia/Seoul"
DERIVED = frozenset({"unit", "raw_value", "raw_unit", "quantity_unit", "calorific_unit"})  # filled by the reader
_REQUIRED_BONUS = 0.5  # a required field left empty costs more than an optional one given a weaker column
_VALUES_ONLY = 0.4
_JUDGED = 60  # cells enough to judge whether a column fits a field (the reading itself uses the whole sample)
_VALUES_AGREE = 0.05  # a typed column whose values fit (dates, numbers, codes) is surer than its header alone


def _literal(draft: Draft, field: str) -> bool:
    return bool(literal_values(draft.model.model_fields[field].annotation))


def suggest(
    entity: str,
    headers: list[str],
    samples: dict[str, list[str]],
    *,
    guess: LayoutGuess | None = None,
    sheet: str | None = None,
    vocabulary: Vocabulary | None = None,
    company: Company | None = None,
) -> Proposal:
    """A mapping for ``entity`` from a source's ``headers`` and ``samples`` (cells by header); ``guess`` is what
    reading the sheet's top found (header row, titles, wide columns), ``sheet`` the sheet's name, ``vocabulary``
    what the company declared before, ``company`` what the connector knows of its company (its id, name and
    domain, offered where the file does not say them)."""
    if entity not in ENTITIES:
        raise said.refusal("suggest.unknown-entity", entity=entity, entities=", ".join(ENTITIES))
    draft = Draft(entity, vocabulary or Vocabulary())
    titles = list(guess.titles) if guess else []
    cells = {h: look.present(samples.get(h, [])) for h in headers}
    decimal = look.decimal_of(list(cells.values()))
    wide, layout_confidence = (guess.wide, guess.confidence) if guess and guess.wide else (None, 0.85)
    if wide is None and entity == "quality_result":
        wide = wide_layouts.find_samples(headers)
    if wide is None:
        wide = wide_layouts.find_measures(draft, headers, cells, decimal)
    if wide is not None:
        wide_layouts.propose(draft, wide, samples, headers, titles, layout_confidence, decimal)
    gone = set(draft.unpivot["columns"]) if draft.unpivot else set()
    parsed = {h: read_header(h, draft.vocabulary) for h in sorted(headers) if h not in gone}
    _assign(draft, parsed, cells, decimal)
    places = [*titles, *([sheet] if sheet else [])]
    read_fields(draft, parsed, cells, decimal, places)
    _derive(draft, parsed, cells)
    footprints.propose(draft, cells, company, samples, titles)
    _constants(draft, titles, sheet, parsed)
    _layout_notes(draft, guess, decimal)
    return _proposal(draft, guess, sheet, decimal)


def _fit(draft: Draft, field: str, cells: list[str], decimal: str) -> float:
    """How well a column's cells fit a field's type, 0..1 (1 when there are no cells to judge)."""
    if not cells:
        return 1.0
    cells = cells[:_JUDGED]
    annotation = draft.model.model_fields[field].annotation
    base = _base(annotation)
    if base in (datetime, date):  # a period in one cell (2026.01~2026.12) is read by its side
        return look.dates([side_of(c, False) for c in cells]).fit
    if base in (int, float):
        numbers = look.numbers(cells, decimal, draft.vocabulary)
        return numbers.fit * (1.0 if base is float or numbers.whole else 0.5)
    if base is bool:
        unknown = set(look.truth_values(field, cells, draft.vocabulary)[1])
        return 1 - sum(c in unknown for c in cells) / len(cells)
    choices = literal_values(annotation)
    if choices:
        unknown = set(look.code_values(field, choices, cells, draft.vocabulary)[1])
        return 1 - sum(c in unknown for c in cells) / len(cells)
    return 1.0


def _factor(fit: float) -> float:
    return 1.0 if fit >= 0.9 else 0.4 + 0.6 * fit


def _assign(draft: Draft, parsed: dict[str, Header], cells: dict[str, list[str]], decimal: str) -> None:
    fields = [f for f in draft.model.model_fields if draft.open(f) and f not in DERIVED]
    columns = list(parsed)  # sorted by name: the matrix, hence the outcome, does not depend on column order
    found: dict[tuple[str, str], tuple[float, str]] = {}
    for field in fields:
        for column in columns:
            scored = header_score(field, parsed[column], draft.vocabulary)
            if scored is None:
                continue
            fit = _fit(draft, field, cells[column], decimal)
            if scored[0] <= WEAK_SYNONYM and fit < 0.8:
                continue  # a weak word (구분, 일자) names the field only when the values agree
            typed = _base(draft.model.model_fields[field].annotation) is not str or _literal(draft, field)
            agree = _VALUES_AGREE if typed and cells[column] and fit >= 0.9 and scored[0] < 1.0 else 0.0
            found[field, column] = (min(1.0, scored[0] * _factor(fit) + agree), scored[1])
    named = {column for _, column in found} | {c for c in columns if names_something(parsed[c])}
    for field in fields:
        base = _base(draft.model.model_fields[field].annotation)
        if base not in (datetime, date, bool) and not literal_values(draft.model.model_fields[field].annotation):
            continue
        for column in columns:
            words = [c for c in cells[column] if not c.isdigit()]
            if column in named or len(words) < 3:
                continue
            if _fit(draft, field, words, decimal) >= 0.9:
                found[field, column] = (_VALUES_ONLY, "values")
    weights = [
        [
            found[f, c][0]
            + (_REQUIRED_BONUS if draft.model.model_fields[f].is_required() else 0.0)
            + 1e-6 * (1 - j / len(columns))
            if (f, c) in found and found[f, c][0] >= 0.3
            else 0.0
            for j, c in enumerate(columns)
        ]
        for f in fields
    ]
    for field, index in zip(fields, best_matching(weights), strict=True):
        if index is not None:
            confidence, reason = found[field, columns[index]]
            draft.place(field, {"column": columns[index]}, confidence, reason)


def _derive(draft: Draft, parsed: dict[str, Header], cells: dict[str, list[str]]) -> None:
    """Fields read from a column already placed for another: the period's end, good = total − defects, the
    disposition beside pass/fail, a part type's id."""
    start = draft.rules.get("period_start")
    if start and "column" in start and draft.open("period_end") and draft.reasons["period_start"].code != "layout":
        grain = look.dates(cells.get(start["column"], [])).granularity
        if grain in ("day", "month"):
            draft.place("period_end", {**start, "at": "end"}, draft.confidence["period_start"] * 0.9, "derived")
            grain_key = "suggest.grain.day" if grain == "day" else "suggest.grain.month"
            draft.note(
                "suggest.period-end.derived",
                "period_end",
                column=start["column"],
                grain=said.term(grain_key),
            )
    total = draft.rules.get("total_count")
    if total and "column" in total and draft.open("good_count"):
        defects = draft.rules.get("defect_count", {}).get("column") or _best_column("defect_count", draft, parsed)
        if defects:
            rule = {"column": total["column"], "minus": defects}
            draft.place("good_count", rule, draft.confidence["total_count"] * 0.9, "derived")
            draft.note("suggest.good-count.derived", "good_count", total=total["column"], defects=defects)
    passed = draft.rules.get("passed")
    if passed and "column" in passed and draft.open("disposition"):
        choices = literal_values(draft.model.model_fields["disposition"].annotation)
        # the words seen and their counterparts proposed for passed (불합격 beside 합격), so a later 불합격 reads too
        column_cells = [*cells.get(passed["column"], []), *passed.get("values", {})]
        values, unknown = look.code_values("disposition", choices, column_cells, draft.vocabulary)
        if any(code not in ("accept", "reject") for code in values.values()):
            draft.place("disposition", {"column": passed["column"], "values": values}, 0.7, "derived")
    maker = draft.rules.get("manufacturer_part_id")
    if draft.entity == "part_type" and maker and "column" in maker and draft.open("id"):
        draft.place("id", {"column": maker["column"]}, draft.confidence["manufacturer_part_id"] * 0.8, "derived")
    heat = draft.rules.get("calorific_factor")
    if heat and "column" in heat and draft.open("calorific_basis"):
        basis = read_titles.code("calorific_basis", [heat["column"]])
        if basis:
            draft.place("calorific_basis", {"value": basis}, 0.8, "header")


def _best_column(field: str, draft: Draft, parsed: dict[str, Header]) -> str | None:
    """The unplaced column whose header names ``field`` best (for a field the entity does not have itself)."""
    used = {rule.get("column") for rule in draft.rules.values()}
    scored = [
        (score[0], column)
        for column, header in parsed.items()
        if column not in used and (score := header_score(field, header, draft.vocabulary)) and score[0] > WEAK_SYNONYM
    ]
    return max(scored)[1] if scored else None


def _constants(draft: Draft, titles: list[str], sheet: str | None, parsed: dict[str, Header]) -> None:
    """Constants the sheet implies, each only where no column holds the field."""
    zone = ZoneInfo(TIMEZONE)
    if draft.open("carrier"):
        measured = draft.rules.get(draft.model.measured or "", {}).get("column")
        for texts, reason, confidence in (
            ([sheet or ""], "sheet", 0.8),
            (titles, "title", 0.8),
            ([measured or ""], "header", 0.6),
        ):
            if carrier := read_titles.code("carrier", texts):
                draft.place("carrier", {"value": carrier}, confidence, reason)
                break
    if draft.open("firmness"):
        for texts, reason in (([sheet or ""], "sheet"), (titles, "title")):
            if firmness := read_titles.code("firmness", texts):
                draft.place("firmness", {"value": firmness}, 0.7, reason)
                break
    for field in ("consumer", "site"):
        if draft.open(field):
            for texts, reason in ((titles, "title"), ([sheet or ""], "sheet")):
                if site := read_titles.site(texts):
                    draft.place(field, {"value": site}, 0.6, reason)
                    place = "suggest.place.title" if reason == "title" else "suggest.place.sheet"
                    draft.note(
                        "suggest.site.from",
                        field,
                        field=field,
                        site=site,
                        place=said.term(place),
                    )
                    break
    # A sheet that inspects one lot names it in its title; a column that only weakly looks like the subject (a
    # running "No") gives way to it.
    if draft.has("subject") and (draft.open("subject") or draft.confidence["subject"] < 0.7):
        if found := read_titles.lot(titles):
            draft.place("subject", {"value": found}, 0.85, "title")
            draft.note("suggest.subject.lot", "subject", lot=found)
    if draft.open("inspected_at") and (day := read_titles.day(titles)):
        when, labelled = day
        draft.place(
            "inspected_at",
            {"value": datetime(when.year, when.month, when.day, tzinfo=zone)},
            0.85 if labelled else 0.6,
            "title",
        )
    if draft.open("period_start") and draft.open("period_end") and (month := read_titles.month([*titles, sheet or ""])):
        first = date(month[0], month[1], 1)
        following = (first + timedelta(days=32)).replace(day=1)
        if _base(draft.model.model_fields["period_start"].annotation) is date:
            start: Any
            end: Any
            start, end = first, following - timedelta(days=1)  # a date field's end is the period's last day
        else:
            start, end = (
                datetime(first.year, first.month, 1, tzinfo=zone),
                datetime(following.year, following.month, 1, tzinfo=zone),
            )
        draft.place("period_start", {"value": start}, 0.6, "title")
        draft.place("period_end", {"value": end}, 0.6, "title")


def _layout_notes(draft: Draft, guess: LayoutGuess | None, decimal: str) -> None:
    if guess and guess.header_row > 1:
        draft.note("suggest.header.row", row=guess.header_row, above=guess.header_row - 1)
    if guess and guess.header_rows == 2:
        draft.note("suggest.header.two-rows")
    if guess and guess.confidence < 0.7:
        draft.note("suggest.header.unsure", row=guess.header_row)
    if decimal == ",":
        draft.note("suggest.decimal-comma")


_ORDER = ("column", "value", "format", "year", "at", "unit", "unit_column", "minus", "prefix", "values")


def _proposal(draft: Draft, guess: LayoutGuess | None, sheet: str | None, decimal: str) -> Proposal:
    document: dict[str, Any] = {"entity": draft.entity, "timezone": TIMEZONE, "decimal": decimal}
    if sheet:
        document["sheet"] = sheet
    if guess and (guess.header_row, guess.header_rows) != (1, 1):
        document["header"] = {"row": guess.header_row, "rows": guess.header_rows}
    if draft.unpivot:
        document["unpivot"] = draft.unpivot
    # A field's text column merged down over the rows it covers (a lot, its verdict); a unit column or the measured
    # value with blanks is missing there, not merged (number columns are never proposed by the layout).
    measured = draft.model.measured
    placed = {
        rule["column"]
        for name, rule in draft.rules.items()
        if name != measured and rule.get("column") and footprints.may_merge(draft.entity, name)
    }
    merged = [*(guess.merged_down if guess else []), *draft.fill_down]
    if down := list(dict.fromkeys(c for c in merged if c in placed)):
        document["fill_down"] = down  # a lot merged down over its samples: each row takes the value above
    fields = [f for f in draft.model.model_fields if f in draft.rules]
    document["fields"] = {f: {k: draft.rules[f][k] for k in _ORDER if k in draft.rules[f]} for f in fields}
    missing = [
        name
        for name, info in draft.model.model_fields.items()
        if info.is_required()
        and name not in draft.rules
        and name not in DERIVED
        and name not in made_by_system(draft.entity)
    ]
    for name in fields:
        if draft.confidence[name] < 0.6:
            source = draft.rules[name].get("column", draft.rules[name].get("value"))
            draft.note(
                "suggest.unsure",
                name,
                field=name,
                source=source,
                confidence=draft.confidence[name],
                reason=PerLanguage(draft.reasons[name].text),
            )
    return Proposal(
        document=document,
        missing=missing,
        confidence={f: draft.confidence[f] for f in fields},
        reasons={f: draft.reasons[f] for f in fields},
        constants={f: draft.constants[f] for f in fields if f in draft.constants},
        unpivot=draft.unpivot,
        notes=list(draft.notes),
    )
