"""``sangsaeng map suggest|check|ingest``: factory files (CSV, Excel, Korean or English) to standard entities.

They work on files alone, with no connector running: a quality engineer can check a mapping before sharing anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress

from sangsaeng.cli.common import console, err, fail, korean_asked, say
from sangsaeng.errors import SangsaengError
from sangsaeng.standard.workbook import Limits

if TYPE_CHECKING:
    from sangsaeng.standard.findings import Finding, Report


def _limits() -> Limits:
    """The upload limits, raised like a connector's: SANGSAENG_UPLOAD_… variables (see docs/settings.md)."""
    from pydantic import ValidationError

    from sangsaeng.settings import Settings

    try:
        return Limits.of(Settings())
    except ValidationError as exc:
        fail(f"the settings are not valid: {exc}", "see docs/settings.md")


map_app = typer.Typer(
    help="Mappings from factory files (CSV, Korean or English) to standard entities.", no_args_is_help=True
)


@map_app.command("suggest")
def map_suggest(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV (UTF-8 or CP949), .xlsx, .jsonl or .parquet")
    ],
    entity: Annotated[str, typer.Option(help="The standard entity, e.g. quality_result, energy_record")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the mapping here instead of printing it")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="Excel: the sheet to read (default: the first)")] = None,
) -> None:
    """Propose a mapping from FILE's layout, headers and values; edit it, then use it with `map check`.

    The mapping goes to standard output (or OUT); how sure the proposal is of each field, and why, goes to
    standard error — in Korean when LANG starts with ko."""
    from sangsaeng.standard import sources
    from sangsaeng.standard.entities import ENTITIES
    from sangsaeng.standard.suggest import suggest

    if entity not in ENTITIES:
        fail(f"unknown entity {entity!r}", f"one of: {', '.join(ENTITIES)}")
    korean = korean_asked()
    # The layout reader (header row under titles, two-row headers, wide columns) where this build has it.
    open_detected = getattr(sources, "open_detected", None)
    try:
        if open_detected is not None:
            source, guess = open_detected(file, sheet, _limits())
        else:
            source, guess = sources.open_source(file, sheet, _limits()), None
        name = sheet or getattr(source, "sheet", None)
        proposal = suggest(entity, source.headers, source.sample(), guess=guess, sheet=name)
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    text = f"# {file.name}: {source.describe()}\n" + proposal.to_yaml()
    if out:
        out.write_text(text, "utf-8")
        console.print(f"[green]✓[/] mapping written to {escape(str(out))}", soft_wrap=True)
    else:
        print(text, end="")
    width = max((len(f) for f in proposal.confidence), default=0)
    for field, confidence in proposal.confidence.items():
        rule = proposal.document["fields"][field]
        source_text = f"← {rule['column']}" if "column" in rule else f"= {rule['value']}"
        reason = proposal.reasons[field].ko if korean else proposal.reasons[field].en
        colour = "green" if confidence >= 0.8 else "yellow" if confidence >= 0.6 else "red"
        err.print(
            f"  {field:<{width}} {escape(source_text)}  [{colour}]{confidence:.2f}[/]  [dim]{escape(reason)}[/]",
            soft_wrap=True,
        )
    for note in proposal.notes:
        err.print(f"  · {escape(note.text(korean))}", soft_wrap=True)
    if proposal.missing:
        label = say("map.still-to-map", korean)
        err.print(f"[yellow]{label}:[/] {', '.join(proposal.missing)}", soft_wrap=True)


def _summary(report: Report, korean: bool) -> str:
    """What a check or an ingest would publish: rows read, kept, set aside, and the notes."""
    counts = {"rows": report.rows, "kept": report.rows_kept, "set_aside": report.rows_set_aside}
    return "  " + say("map.summary", korean, **counts, errors=report.errors, notes=report.notes)


def _print_findings(findings: list[Finding], korean: bool) -> None:
    for finding in findings:
        # The row a person finds in Excel (title and header rows counted) where the source says it, else the record.
        if finding.row == 0:  # about the mapping as a whole (what a PACT export will ask), not a row
            where = say("map.mapping", korean)
        elif finding.line is not None:
            where = say("map.sheet-row", korean, line=finding.line)
        else:
            where = say("map.record", korean, row=finding.row)
        mark = say("map.note" if finding.severity == "note" else "map.error", korean)
        column = f" [{finding.column}]" if finding.column and finding.column != finding.field else ""
        language = "ko" if korean else "en"
        text, hint = finding.text(language), finding.hint_text(language)
        # The text names the field; markup off: values from the file are printed as they are.
        console.print(f"  {where}{column} {mark}: {text}", soft_wrap=True, markup=False)
        console.print(f"      → {hint}", soft_wrap=True, markup=False, style="dim")


def _print_page(report: Report, page: int, per_page: int, korean: bool, **filters: str | None) -> None:
    """One page of the problems (``filters``: code, field, severity), with where the others are."""
    total = report.count(**filters)
    if not total:
        return
    pages = (total + per_page - 1) // per_page
    page = min(max(page, 1), pages)
    first = (page - 1) * per_page
    shown = report.page(first, per_page, **filters)
    for code, count in sorted(report.counts.items()):
        console.print(f"  {code}: {count}", markup=False)
    words = say("map.problems", korean)
    console.print(f"  {words} {first + 1}–{first + len(shown)} / {total} (page {page}/{pages})", markup=False)
    _print_findings(shown, korean)
    if page < pages:
        console.print(f"  … --page {page + 1} for the next {min(per_page, total - page * per_page)}", markup=False)


@map_app.command("check")
def map_check(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV (UTF-8 or CP949), .xlsx, .jsonl or .parquet")
    ],
    mapping: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="The mapping (YAML or JSON)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    korean: Annotated[bool, typer.Option("--ko", help="Messages in Korean")] = False,
    sheet: Annotated[str | None, typer.Option(help="Excel: the sheet to read (default: the first)")] = None,
    page: Annotated[int, typer.Option(min=1, help="Which page of the problems to show")] = 1,
    per_page: Annotated[int, typer.Option(min=1, max=10_000, help="Problems per page")] = 50,
    code: Annotated[str | None, typer.Option(help="Only problems of this code, e.g. type-error")] = None,
    field: Annotated[str | None, typer.Option(help="Only problems of this field, e.g. value")] = None,
    severity: Annotated[str | None, typer.Option(help="Only errors or only notes: error | note")] = None,
) -> None:
    """Read FILE through MAPPING and report every problem by row and field, a page at a time; writes nothing.

    Errors set their row aside when the file is published; notes (e.g. a no-value marker) never do."""
    from sangsaeng.standard.ingest import check_file
    from sangsaeng.standard.mapping import load_mapping

    if severity not in (None, "error", "note"):
        fail(f"unknown severity {severity!r}", "error or note")
    try:
        rules = load_mapping(mapping.read_text("utf-8"), source=str(mapping))
        report = check_file(file, rules, sheet, _limits())
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    filters = {"code": code, "field": field, "severity": severity}
    if as_json:
        shown = report.to_dict(per_page, (page - 1) * per_page, **filters)
        print(json.dumps(shown, ensure_ascii=False, indent=2))
    else:
        verdict = "[green]✓ valid[/]" if report.valid else f"[red]✗ {report.errors} problem(s)[/]"
        console.print(f"{verdict} in {report.rows} rows of {file.name}", soft_wrap=True)
        console.print(_summary(report, korean), markup=False)
        _print_page(report, page, per_page, korean, **filters)
    if not report.valid:
        raise typer.Exit(1)


@map_app.command("ingest")
def map_ingest(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV (UTF-8 or CP949), .xlsx, .jsonl or .parquet")
    ],
    mapping: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="The mapping (YAML or JSON)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The canonical Parquet file to write")],
    max_errors: Annotated[int, typer.Option(help="Problems tolerated before nothing is written")] = 0,
    accept_partial: Annotated[
        bool, typer.Option(help="Write the good rows; the others go to OUT.rejected.csv with their reasons")
    ] = False,
    sheet: Annotated[str | None, typer.Option(help="Excel: the sheet to read (default: the first)")] = None,
    korean: Annotated[bool, typer.Option("--ko", help="Messages in Korean")] = False,
) -> None:
    """Turn FILE into a canonical Parquet file through MAPPING: whole, or not at all (never empty)."""
    from sangsaeng.standard.ingest import NothingKept, ingest
    from sangsaeng.standard.mapping import load_mapping

    try:
        rules = load_mapping(mapping.read_text("utf-8"), source=str(mapping))
        with Progress(*Progress.get_default_columns()[:1], BarColumn(), console=err, transient=True) as bar:
            task = bar.add_task("ingesting", total=None)
            result = ingest(
                file,
                rules,
                out,
                max_errors=max_errors,
                accept_partial=accept_partial,
                progress=lambda rows: bar.advance(task, rows),
                sheet=sheet,
                limits=_limits(),
            )
    except NothingKept as exc:
        err.print(f"[bold red]error:[/] {escape(exc.details['messageKo'] if korean else exc.message)}", soft_wrap=True)
        err.print(f"  [dim]hint:[/] {escape(exc.details['hintKo'] if korean else exc.hint or '')}", soft_wrap=True)
        raise typer.Exit(1) from None
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    if result.unchanged:
        console.print(
            f"[green]✓[/] {out} already holds {file.name} read through this mapping; nothing to do", soft_wrap=True
        )
        return
    console.print(_summary(result.report, korean), markup=False)
    _print_page(result.report, 1, 20, korean)
    if not result.written:
        fail(
            f"nothing written: {result.report.errors} problem(s), {max_errors} allowed",
            "fix the file or the mapping (see `map check`), or pass --accept-partial",
        )
    console.print(f"[green]✓[/] {result.rows_written} rows → {out}", soft_wrap=True)
    if result.rejected:
        console.print(f"  {result.rows_rejected} rows rejected → {result.rejected}", soft_wrap=True)
