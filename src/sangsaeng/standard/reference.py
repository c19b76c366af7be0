"""Generate the canonical model's reference page and JSON Schemas from the entity models.

    python -m sangsaeng.standard.reference docs/

writes ``docs/standard-entities.md`` and ``docs/schemas/<entity>.schema.json``; a test fails when the committed
files differ from what the models generate.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from sangsaeng.standard.cells import NO_VALUE
from sangsaeng.standard.dates import EXAMPLES, pattern_of
from sangsaeng.standard.entities import ENTITIES, Entity, arrow_schema, json_schema, literal_values
from sangsaeng.standard.findings import reference_lines as findings_reference
from sangsaeng.standard.mapping import FieldMap, Mapping
from sangsaeng.standard.units import reference_lines


def _entity_section(model: type[Entity]) -> list[str]:
    schema = arrow_schema(model)
    lines = [
        f"## {model.__name__} ({model.title_ko}) — `{model.entity}`, version {model.schema_version}",
        "",
        (model.__doc__ or "").strip(),
        "",
        f"Key: {', '.join(f'`{k}`' for k in model.key)}. JSON Schema: [`schemas/{model.entity}.schema.json`]"
        f"(schemas/{model.entity}.schema.json).",
        "",
        "| field | type | unit | required | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, info in model.model_fields.items():
        field = schema.field(name)
        unit = (field.metadata or {}).get(b"unit", b"").decode()
        required = "yes" if info.is_required() else ""
        description = (info.description or "").replace("|", "\\|")
        choices = literal_values(info.annotation)
        if choices:
            description += f" (one of: {', '.join(f'`{c}`' for c in choices)})"
        lines.append(f"| `{name}` | {field.type} | {unit} | {required} | {description} |")
    return [*lines, ""]


def reference_markdown() -> str:
    lines = [
        "# Canonical entities",
        "",
        "Generated from `src/sangsaeng/standard/entities.py` by `python -m sangsaeng.standard.reference docs/`;",
        "do not edit by hand. Quantities are stored in the canonical unit shown; where a source gave another unit,",
        "the record keeps `raw_value` and `raw_unit` beside the converted value. A percentage stays a percentage",
        "(unit `percent`, 12 for 12 %). Each entity has a version; data stored under an older version keeps its",
        "bytes and is read as the current version, the fields added since then empty (or, for a quality result's",
        "`sample`, 1) — see `standard/versions.py`.",
        "",
    ]
    for model in ENTITIES.values():
        lines.extend(_entity_section(model))
    lines.extend(findings_reference())
    lines.extend(mapping_lines())
    lines.extend(reference_lines())
    return "\n".join(lines).rstrip() + "\n"


def _keys(model: type[BaseModel]) -> list[str]:
    rows = ["| key | meaning |", "| --- | --- |"]
    for name, info in model.model_fields.items():
        rows.append(f"| `{name}` | {(info.description or '').replace('|', chr(92) + '|')} |")
    return rows


def mapping_lines() -> list[str]:
    """The mapping document's keys and how cells are read, from the models that read them."""
    return [
        "## Mappings",
        "",
        "A mapping says how a file's columns become an entity's fields (`sangsaeng map suggest` proposes one; a",
        "person confirms it). Every key but `entity` and `fields` is optional; a document written before a key",
        "existed means the same.",
        "",
        *_keys(Mapping),
        "",
        "Each field takes a column or a constant (`value`; a constant such as `2026-03-01` or `1,200 kWh` is read",
        "as a cell would be) and these keys:",
        "",
        *_keys(FieldMap),
        "",
        "### Cells",
        "",
        "- Text is NFKC-normalised (full-width `１２．５ｍｍ`, `Ｌ２６０３`, `３５％`, `（주）` read as",
        "  `12.5mm`, `L2603`, `35%`, `(주)`) and trimmed; an empty cell is a missing value.",
        "- A no-value marker is a missing value, never a number, a code or a date; each is a note (`no-value`), and",
        "  where the field is required the record also lacks it (`missing-value`). Unless `no_value` says",
        "  otherwise the markers are:",
        "  " + ", ".join(f"`{m}`" for m in NO_VALUE) + ".",
        '- Numbers may have thousands separators (`1,234.5`; with `decimal: ","`, `1.234,5`, and there a `.` that',
        "  cannot separate thousands, as in `1.5`, is a decimal point), a sign and a unit in the cell (`12.5mm`,",
        "  `1,200 kWh`, `45 HRC`, `35%`). A unit in the cell is that row's unit: converted like a unit column's,",
        "  refused (`unit-mismatch`) where it is not of the declared unit's dimension or the field's fixed unit, and",
        "  a finding (`unknown-unit`) where the field takes no unit at all; counts may say `EA` or `개`. Percent",
        "  stays percent (`12%` is 12, unit `percent`). A value whose unit column is empty, in a field with a fixed",
        "  unit, is `missing-value` at the unit column, never silently dropped. ERP unit codes in capitals mean",
        "  what an ERP means (`KG`, `G`, `MG`, `TON`, `M`, `MM`, `CM`, `M3`, `L`, `ML`, `EA`, `PCS`, `SET`), never",
        "  gauss or molar; a quantity read with a unit keeps its canonical unit beside it (`quantity_unit`; none:",
        "  `piece`). A constant with a `unit` (`{value: 24.98, unit: mm}`) is converted as a column would be.",
        "- An Excel cell formatted as a percentage reads as the person sees it: 0.00045 shown as `0.045%` is",
        "  0.045 (unit `percent`). In a CSV only an empty cell is empty: `N/A`, `NA`, `NULL` are markers as above.",
        "- A fuel's amount (Nm³, L, kg) becomes kWh through `calorific_factor` and its unit (`calorific_unit`, or",
        "  the `unit` of `calorific_factor`): 973 Nm³ × 42.7 MJ/Nm³ = 11,540.9 kWh; `raw_value`/`raw_unit` keep",
        "  973 Nm³, the factor, unit and `calorific_basis` are recorded; a row without a factor is `missing-value`.",
        "- `minus`: the field is `column` minus the `minus` column (e.g. good = produced − defects); an empty or",
        "  no-value subtrahend takes nothing away.",
        "",
        "### Dates",
        "",
        "`format` is a strptime pattern (it has `%`) or an example written as the file writes it. Cells the format",
        "does not read are tried as ISO 8601 text (what an Excel date cell becomes) and as Excel serial numbers",
        "(20000–80000 days since 1899-12-30, the fraction the time of day). Months, days and hours need no leading",
        "zero; `-`, `.` and `/` stand for each other; a weekday after the day, `(월)`, is allowed; two-digit years",
        "are 20xx; 오전/오후 and AM/PM read 12-hour times; 24:00 is the end of its day. An impossible date",
        "(2026-02-30) is `bad-date`, never rolled over. Times without an offset are local times in `timezone`,",
        "stored as UTC. A format without a year needs `year`. With `at: end` a cell naming a day, month or year",
        "(no time of day) is the start of the next one (`3월분` → 2026-04-01 00:00), or for a date field its last",
        "day (2026-03-31).",
        "",
        "| the file writes | pattern |",
        "| --- | --- |",
        *(f"| `{example}` | `{pattern_of(example)}` |" for example in EXAMPLES),
        "",
    ]


def schema_files() -> dict[str, str]:
    return {
        f"schemas/{name}.schema.json": json.dumps(json_schema(model), indent=2, ensure_ascii=False) + "\n"
        for name, model in ENTITIES.items()
    }


def write(folder: Path) -> list[Path]:
    written = [folder / "standard-entities.md"]
    written[0].write_text(reference_markdown(), "utf-8")
    for relative, text in schema_files().items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(path)
