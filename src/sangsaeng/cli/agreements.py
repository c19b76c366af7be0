"""``sangsaeng agreement export|verify``: signed agreements, kept in a file and checked offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sangsaeng.cli.common import DataDir, call, client_of, console, directory_of, fail
from sangsaeng.errors import SangsaengError

agreement_app = typer.Typer(help="Signed agreements: export and check them.", no_args_is_help=True)


@agreement_app.command("export")
def agreement_export(
    agreement_id: Annotated[str, typer.Argument(help="The agreement")],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write")],
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Write an agreement with both parties' signatures to a file anyone can verify offline."""
    with client_of(data_dir) as client:
        document = call(lambda: client.get(f"/agreements/{agreement_id}/export"))
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False), "utf-8")
    console.print(f"[green]✓[/] {out}")


@agreement_app.command("verify")
def agreement_verify(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="An exported agreement")],
    directory: Annotated[
        Path | None, typer.Option(help="Participant directory (default: the data directory's)")
    ] = None,
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Check offline that FILE was signed, unchanged, by both its provider and its consumer."""
    from sangsaeng.negotiation.signing import verify_export

    known = directory_of(directory, data_dir)
    try:
        document = json.loads(file.read_text("utf-8"))
        result = verify_export(known, document)
    except json.JSONDecodeError as exc:
        fail(f"{file} is not JSON: {exc}")
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    for finding in result.findings:
        console.print(f"  {finding}")
    if not result.valid:
        console.print("[bold red]✗ not valid[/]")
        raise typer.Exit(1)
    console.print("[bold green]✓ valid[/]: both parties signed this agreement as it stands")
