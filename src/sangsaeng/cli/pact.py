"""``sangsaeng pact export|import``: canonical footprints as PACT 2.2, 2.3 or 3.0 documents, and back.

Files alone, no connector: a sustainability officer can see what a customer's PACT version still needs before
anything is shared (docs/pact.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from sangsaeng.cli.common import console, err, fail, say
from sangsaeng.errors import SangsaengError
from sangsaeng.standard.labels import field_label
from sangsaeng.standard.pact.files import Refused

pact_app = typer.Typer(
    help="PACT product carbon footprints (2.2, 2.3, 3.0): export canonical footprints, import documents.",
    no_args_is_help=True,
)
Korean = Annotated[bool, typer.Option("--ko", help="Messages in Korean")]


def _print_refused(refused: list[Refused], korean: bool, what: str) -> None:
    """Each footprint or document that failed, with every problem it has, in the reader's language."""
    for item in refused:
        console.print(f"  ✗ {what} {item.which}", markup=False, soft_wrap=True)
        problems = item.error.details.get("problems")
        if not problems:
            console.print(f"      {item.error.message}", markup=False, soft_wrap=True)
            continue
        for problem in problems:
            if "ko" in problem:
                text = problem["ko"] if korean else problem["en"]
            else:
                text = f"{problem['position']}: {problem['message']}"
            console.print(f"      · {text}", markup=False, soft_wrap=True)
    hint = refused[0].error.details.get("hintKo") if korean else refused[0].error.hint
    if hint:
        console.print(f"  → {hint}", markup=False, soft_wrap=True, style="dim")


@pact_app.command("export")
def pact_export(
    footprints: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Canonical product footprints (Parquet)")
    ],
    version: Annotated[str, typer.Option("--version", help="The PACT version to write: 2.2, 2.3 or 3.0")],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="FILE.json: one JSON array of every footprint; a folder: one <id>.json each"),
    ],
    korean: Korean = False,
) -> None:
    """Write every footprint in FOOTPRINTS as a PACT document, or nothing: if PACT cannot be written from one, say
    what each lacks (and how to give it) and write no file."""
    from sangsaeng.standard.pact.files import export, footprints_of, write_documents
    from sangsaeng.standard.pact.versions import version_of

    try:
        chosen = version_of(version)
        done = export(footprints_of(footprints), chosen, datetime.now(UTC))
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    if done.refused:
        heading = say("pact.export-refused", korean, version=chosen, count=len(done.refused))
        err.print(f"[bold red]error:[/] {escape(heading)}", soft_wrap=True)
        _print_refused(done.refused, korean, say("pact.footprint", korean))
        raise typer.Exit(1)
    for footprint, fields in done.unsaid.items():
        names = ", ".join(field_label("product_footprint", f, "ko" if korean else "en") for f in fields)
        note = say("pact.no-place", korean, version=chosen, fields=names)
        console.print(f"  · {footprint}: {note}", markup=False, soft_wrap=True)
    written = write_documents(done.documents, out)
    where = out if len(written) == 1 else f"{out}/"
    said = say("pact.written", korean, count=len(done.documents), version=chosen)
    console.print(f"[green]✓[/] {escape(said)} → {escape(str(where))}", soft_wrap=True)


@pact_app.command("import")
def pact_import(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="PACT JSON: one ProductFootprint, an array, or an API answer {data: …}"
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The canonical Parquet file to write")],
    korean: Korean = False,
) -> None:
    """Read every PACT 2.x or 3.x footprint in FILE into canonical Parquet, or nothing: a document that cannot be
    read is named with the JSON path of each problem, and no file is written."""
    from sangsaeng.standard.pact.files import documents_in, read_documents, write_footprints

    raw = file.read_bytes()
    try:
        done = read_documents(documents_in(raw))
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    if done.refused:
        heading = say("pact.import-refused", korean, count=len(done.refused))
        err.print(f"[bold red]error:[/] {escape(heading)}", soft_wrap=True)
        _print_refused(done.refused, korean, say("pact.document", korean))
        raise typer.Exit(1)
    if not done.readings:
        fail(f"{file.name} holds no footprint", "give one PACT ProductFootprint or an array of them")
    for reading in done.readings:
        if reading.unmapped:
            kept = say("pact.not-kept", korean)
            console.print(
                f"  · {reading.footprint.id}: {kept}: {', '.join(reading.unmapped)}", markup=False, soft_wrap=True
            )
    write_footprints(done.readings, out, file, raw)
    said = say("pact.read", korean, count=len(done.readings))
    console.print(f"[green]✓[/] {escape(said)} → {escape(str(out))}", soft_wrap=True)
