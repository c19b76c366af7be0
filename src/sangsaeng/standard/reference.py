"""Generate the canonical model's reference page and JSON Schemas from the entity models.

    python -m sangsaeng.standard.reference docs/

writes ``docs/standard-entities.md`` and ``docs/schemas/<entity>.schema.json``; a test fails when the committed
files differ from what the models generate.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sangsaeng.standard.entities import ENTITIES, Entity, arrow_schema, json_schema, literal_values
from sangsaeng.standard.findings import reference_lines as findings_reference
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
    lines.extend(reference_lines())
    return "\n".join(lines).rstrip() + "\n"


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
