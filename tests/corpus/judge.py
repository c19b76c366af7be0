"""Reading a corpus file through a mapping and comparing what came out with what its case says the file means.

The project's reading is imported inside the functions, so that a function not yet built fails the cases that
need it rather than the collection of every test.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

CORPUS = Path(__file__).parent
LIMIT = 10_000_000  # every finding of a file, whatever its size


def load_case(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return case


def mapping_of(document: dict[str, Any]) -> Any:
    """The case's mapping document, read as a person's confirmed YAML is read."""
    from sangsaeng.standard.mapping import load_mapping

    return load_mapping(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "the case's mapping")


@dataclass
class Outcome:
    rows: int
    kept: int
    set_aside: int
    written: int
    problems: list[tuple[int | None, str | None, str]]
    notes: int
    records: list[dict[str, Any]]


def findings(report: Any, severity: str) -> list[Any]:
    """Every finding of one severity, through the report's pages (the report keeps all of them)."""
    page = report.page(0, LIMIT, severity=severity)
    if isinstance(page, list | tuple):
        return list(page)
    for name in ("findings", "items"):
        if hasattr(page, name):
            return list(getattr(page, name))
    return list(page)


def field_of(finding: Any, mapping: Any) -> str | None:
    """The canonical field a finding concerns. A whole repeated record concerns no one field; a unit column (or
    the record's ``unit``) concerns the field it gives a unit to."""
    if finding.code == "duplicate-row":
        return None
    model_fields = mapping.model.model_fields
    name: str = finding.field
    if name in model_fields and name != "unit":
        return name
    measured = mapping.model.measured
    using = [f for f, rule in mapping.fields.items() if name in (rule.column, rule.unit_column)]
    if name == "unit" and measured:
        return str(measured)
    if measured in using:
        return str(measured)
    return using[0] if len(using) == 1 else name


def checked(path: Path, mapping: Any, sheet: str | None) -> Outcome:
    """What a check (the preview a person sees before publishing) says of the file; writes nothing."""
    from sangsaeng.standard.ingest import check_file

    report = check_file(path, mapping, sheet)
    problems = [(f.line, field_of(f, mapping), f.code) for f in findings(report, "error")]
    notes = findings(report, "note")
    return Outcome(report.rows, report.rows_kept, report.rows_set_aside, 0, problems, len(notes), [])


def read(path: Path, mapping: Any, sheet: str | None, work: Path) -> Outcome:
    """Ingest the whole file, good rows kept (as a person publishing "good rows only" would), and collect what
    the report and the written records say."""
    from sangsaeng.standard.ingest import ingest

    output = work / "canonical.parquet"
    result = ingest(path, mapping, output, accept_partial=True, sheet=sheet)
    report = result.report
    errors = findings(report, "error")
    notes = findings(report, "note")
    problems = [(f.line, field_of(f, mapping), f.code) for f in errors]
    records = pq.read_table(output).to_pylist() if result.written and output.exists() else []
    return Outcome(
        rows=report.rows,
        kept=report.rows_kept,
        set_aside=report.rows_set_aside,
        written=result.rows_written if result.written else 0,
        problems=problems,
        notes=len(notes),
        records=records,
    )


def same(actual: Any, expected: Any) -> bool:
    if expected is None:
        return actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return actual == pytest.approx(expected, rel=1e-9, abs=1e-12)
    if isinstance(expected, str) and isinstance(actual, datetime):
        return actual == datetime.fromisoformat(expected.replace("Z", "+00:00"))
    if isinstance(expected, str) and isinstance(actual, date):
        return actual.isoformat() == expected
    return bool(actual == expected)


IDENTITY = ("subject", "characteristic", "sample", "lot", "equipment", "signal", "order", "consumer", "carrier",
            "buyer", "part_type", "parent", "child", "id", "global_asset_id", "period_start", "timestamp",
            "inspected_at")  # fmt: skip


def differences(outcome: Outcome, expect: dict[str, Any], entity_key: tuple[str, ...]) -> list[str]:
    """What differs between the outcome and the case, each as a sentence (all of them, so one run says all)."""
    said: list[str] = []
    for name in ("rows", "kept", "set_aside", "notes"):
        if getattr(outcome, name) != expect[name]:
            said.append(f"{name}: {getattr(outcome, name)}, expected {expect[name]}")
    if outcome.written != expect["kept"]:
        said.append(f"records written: {outcome.written}, expected {expect['kept']}")
    wanted = Counter((p[0], p[1], p[2]) for p in expect["problems"])
    found = Counter(outcome.problems)
    missing, unexpected = wanted - found, found - wanted
    if missing:
        said.append(f"{sum(missing.values())} expected problems not reported, e.g. {sorted(missing, key=str)[:8]}")
    if unexpected:
        said.append(f"{sum(unexpected.values())} problems not expected, e.g. {sorted(unexpected, key=str)[:8]}")
    for wanted_record in expect["values"]:
        keys = [k for k in (*entity_key, *IDENTITY) if k in wanted_record]
        keys = list(dict.fromkeys(keys))
        match = next(
            (r for r in outcome.records if all(k in r and same(r[k], wanted_record[k]) for k in keys)),
            None,
        )
        shown = {k: wanted_record[k] for k in keys}
        if match is None:
            said.append(f"no canonical record with {shown}")
            continue
        wrong = {
            k: (match.get(k, "<no such field>"), v)
            for k, v in wanted_record.items()
            if k not in match or not same(match[k], v)
        }
        if wrong:
            said.append(f"record {shown}: (found, expected) {wrong}")
    return said
