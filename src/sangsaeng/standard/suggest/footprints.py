"""A product footprint sheet as an SME's quality or environment engineer keeps it, or a consultant's LCA tool
exports it, proposed without knowing PACT (issue 15): what its headers and cells already say, placed; what the
connector knows of its company, offered; nothing else.

- A footprint written per unit in its header (``탄소발자국(kgCO2e/개)``, ``PCF [kg CO2e/kg]``) is read in the
  numerator's unit (``kgCO2e``); the denominator is the declared unit where no column gives one, and "per" one of
  it makes the declared amount 1.
- A reference period in one cell (``2026.01~2026.12``), or one month or year, gives both period fields: the start,
  and at its end the end (``at: end``); an end column of days or months names the period's last day or month, so
  the period ends after it (PACT's end is exclusive).
- What the rows above the table say of the whole file — the standards followed, the IPCC reports used
  ("산정 기준: ISO 14067, IPCC AR6") — is proposed for every row.
- Known, not asked: the participant id (when a URN) and name of the company (``company.Company``) are proposed
  for ``company_ids`` and ``company_name``; part numbers that are no URNs get the prefix of the company's domain
  (``urn:pact:<domain>:product-id:``) when the connector knows one, and a note asking for it when not.
"""

from __future__ import annotations

import re
from collections import Counter

from sangsaeng.standard.cells import side_of
from sangsaeng.standard.company import Company
from sangsaeng.standard.pact.vocabulary import URN
from sangsaeng.standard.sheet_text import unit_of
from sangsaeng.standard.suggest import cells as look
from sangsaeng.standard.suggest.proposal import Draft
from sangsaeng.standard.value_rules import declared_unit, ipcc_factor, standard

ENTITY = "product_footprint"
_PER = re.compile(r"^(?P<amount>.+?)\s*(?:/|\bper\b|당)\s*(?P<per>[^/]+)$", re.IGNORECASE)
PERIOD = ("reference_period_start", "reference_period_end")


def may_merge(entity: str, field: str) -> bool:
    """Whether a column of ``field`` may be proposed as merged down (``fill_down``). A footprint sheet merges its
    period over the rows; any other blank of it is a value not given — a missing part number, a remark with
    nothing to say — which the row above must not fill."""
    return entity != ENTITY or field in PERIOD


def propose(
    draft: Draft,
    cells: dict[str, list[str]],
    company: Company | None,
    samples: dict[str, list[str]] | None = None,
    titles: list[str] | None = None,
) -> None:
    """``cells``: each column's cells that hold something; ``samples``: the sample of each column (its top rows'
    values); ``titles``: the rows above the header."""
    if draft.entity != ENTITY:
        return
    per = _per_unit(draft)
    _declared(draft, per)
    _period(draft, cells)
    _merged_period(draft, samples or {})
    _titles(draft, titles or [])
    _company(draft, cells, company or Company())


# Standards and IPCC reports as a sheet's title or note row names them ("산정 기준: ISO 14067, IPCC AR6").
_STANDARD_NAMES = re.compile(
    r"ISO\s*14067(?::\s*\d{4})?|ISO\s*14083|ISO\s*1404[04](?:\s*/\s*1404[04])?|GHG\s*Protocol(?:\s*Product)?"
    r"(?:\s*standard)?|PAS\s*2050|\bPEF\b|PACT[\s-]*v?[123](?:\.0)?",
    re.IGNORECASE,
)
_REPORTS = re.compile(r"\bAR\s*([1-9][0-9]?)\b")


def _titles(draft: Draft, titles: list[str]) -> None:
    """What the rows above the table say of the whole file: the standards followed, the IPCC reports used."""
    text = " ".join(titles)
    standards = list(dict.fromkeys(s for m in _STANDARD_NAMES.finditer(text) if (s := standard(m.group(0)))))
    if standards and draft.open("cross_sectoral_standards"):
        draft.place("cross_sectoral_standards", {"value": standards}, 0.8, "title")
    reports = list(dict.fromkeys(r for m in _REPORTS.finditer(text) if (r := ipcc_factor(m.group(0)))))
    if reports and "IPCC" in text.upper() and draft.open("ipcc_characterization_factors"):
        draft.place("ipcc_characterization_factors", {"value": reports}, 0.8, "title")


def _per_unit(draft: Draft) -> list[str]:
    """Quantities whose header writes "per a unit": read in the numerator's unit; the denominators seen."""
    seen: list[str] = []
    for name, rule in draft.rules.items():
        extra = draft.model.model_fields[name].json_schema_extra
        fixed = extra.get("x-unit") if isinstance(extra, dict) else None
        found = _PER.match(str(rule.get("unit") or ""))
        if fixed is None or found is None:
            continue
        amount = unit_of(found.group("amount"))
        if amount is None or amount.canonical != fixed:
            continue
        rule["unit"] = found.group("amount").strip()
        if declared_unit(found.group("per")) is not None:
            seen.append(found.group("per").strip())
    return seen


def _declared(draft: Draft, per: list[str]) -> None:
    if per and draft.open("declared_unit"):
        unit = Counter(per).most_common(1)[0][0]
        draft.place("declared_unit", {"value": unit}, 0.8, "header")
        draft.note("suggest.footprint.declared-unit", "declared_unit", unit=unit)
    if draft.open("declared_amount") and "declared_unit" in draft.rules:
        sure = 0.8 if per else 0.6  # "per kg" says one kg; a unit column alone says it less plainly
        draft.place("declared_amount", {"value": 1}, sure, "header")
        draft.note("suggest.footprint.declared-amount", "declared_amount")


def _period(draft: Draft, cells: dict[str, list[str]]) -> None:
    start, end = (draft.rules.get(name) for name in PERIOD)
    if end is not None and "column" in end and "at" not in end:
        # An end column of days or months names the last one the period covers (2025-12-31): PACT's end is
        # exclusive, the start of the next (2026-01-01).
        if look.dates(cells.get(end["column"], [])).granularity in ("day", "month"):
            end["at"] = "end"
            draft.note("suggest.footprint.period-end-last", "reference_period_end", column=end["column"])
        return
    if not start or "column" not in start or end is not None:
        return
    column = start["column"]
    ranged = any(side_of(c, True) != c for c in cells.get(column, []))
    grain = look.dates([side_of(c, False) for c in cells.get(column, [])]).granularity
    if not ranged and grain not in ("day", "month"):
        return
    rule = {"column": column, "at": "end"}
    written = look.dates([side_of(c, True) for c in cells.get(column, [])]).format if ranged else start.get("format")
    if written:
        rule["format"] = written
    draft.place("reference_period_end", rule, draft.confidence["reference_period_start"] * 0.95, "derived")
    draft.note("suggest.footprint.period-end", "reference_period_end", column=column)


def _merged_period(draft: Draft, samples: dict[str, list[str]]) -> None:
    """A period written once for the whole table and merged down over its rows (read-only Excel gives the top
    cell only, so the sample holds it once while the other columns hold a value a row): each row takes it
    (``fill_down``). Several periods, or one that a column of fewer rows repeats, are left as they are."""
    column = (draft.rules.get("reference_period_start") or {}).get("column")
    written = [c for c in samples.get(column or "", []) if c and c.strip()]
    longest = max((len([c for c in v if c and c.strip()]) for v in samples.values()), default=0)
    if not column or len(written) != 1 or longest < 2:
        return
    draft.fill_down.append(column)
    draft.note("suggest.footprint.period-merged", "reference_period_start", column=column)


def _company(draft: Draft, cells: dict[str, list[str]], company: Company) -> None:
    for name, value in company.known(ENTITY).items():
        if draft.open(name):
            draft.place(name, {"value": value}, 0.9, "settings")
    products = draft.rules.get("product_ids")
    if not products or "column" not in products or "prefix" in products:
        return
    samples = cells.get(products["column"], [])
    if all(URN.fullmatch(c) for c in samples):
        return
    if company.prefix:
        products["prefix"] = company.prefix
        draft.note("suggest.footprint.prefix", "product_ids", prefix=company.prefix)
        return
    draft.lower("product_ids", 0.6)
    draft.note("suggest.footprint.no-prefix", "product_ids")
