"""Exchange commands: ``catalog``, ``negotiate``, ``transfer``, ``agreement export|verify``.

What a consumer does with a partner: look at its offers, agree on one, pull the data, keep the signed agreement.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn
from rich.table import Table

from sangsaeng.cli.main import DataDir, _client, _directory, _fail, _run, console, err
from sangsaeng.client import ApiError, Client, PullCutOff
from sangsaeng.errors import SangsaengError

agreement_app = typer.Typer(help="Signed agreements: export and check them.", no_args_is_help=True)
FORMATS = {
    "arrow": "application/vnd.apache.arrow.stream",
    "parquet": "application/vnd.apache.parquet",
    "csv": "text/csv",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
}


def register(app: typer.Typer) -> None:
    """Add the exchange commands to the ``sangsaeng`` command."""
    app.command()(catalog)
    app.command()(negotiate)
    app.command()(transfer)
    app.add_typer(agreement_app, name="agreement")


def catalog(
    peer: Annotated[str, typer.Argument(help="The participant id of the connector to ask")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the DSP catalog as JSON")] = False,
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Show what PEER offers: its datasets and the offers on each."""
    with _client(data_dir) as client:
        result = _run(lambda: client.catalog(peer))
    if as_json:
        console.print_json(data=result)
        return
    table = Table("title", "terms")
    table.add_column("dataset", overflow="fold")
    table.add_column("offer", overflow="fold")
    for dataset in result.get("dataset", []):
        for offer in dataset.get("hasPolicy", []):
            terms = [
                f"{c.get('leftOperand')} {c.get('operator')} {c.get('rightOperand')}"
                for rule in offer.get("permission", [])
                for c in rule.get("constraint", [])
            ]
            table.add_row(dataset.get("title", ""), "\n".join(terms) or "use", dataset["@id"], offer["@id"])
    console.print(table)


def negotiate(
    peer: Annotated[str, typer.Argument(help="The provider's participant id")],
    dataset_id: Annotated[str, typer.Argument(help="The dataset, from the provider's catalog")],
    offer_id: Annotated[str, typer.Argument(help="The offer, from the provider's catalog")],
    purpose: Annotated[str | None, typer.Option(help="What the data is for, e.g. quality-analysis")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the outcome")] = 60.0,
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Negotiate an agreement for OFFER_ID on DATASET_ID with PEER, and wait for the outcome."""
    with _client(data_dir) as client:
        started = _run(lambda: client.negotiate(peer, dataset_id, offer_id, purpose))
        with console.status("negotiating …"):
            final = _run(lambda: client.wait_negotiation(started["id"], timeout))
    if final["state"] == "FINALIZED":
        console.print(f"[green]✓[/] agreement [bold]{final['agreementId']}[/] (negotiation {final['id']})")
    else:
        _fail(f"the negotiation ended {final['state']}: {final.get('reason') or 'no reason given'}")


def transfer(
    agreement_id: Annotated[str, typer.Argument(help="The agreement to pull data under")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the data")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="arrow, parquet, csv, json or jsonl")] = "",
    retries: Annotated[
        int,
        typer.Option(
            min=0,
            max=10,
            help="Pull again this many times if the pull is cut off. Each try is a use of the agreement; the"
            " provider refuses one its terms do not allow.",
        ),
    ] = 0,
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Pull the data of AGREEMENT_ID into --out (format from --format, else from the file's suffix).

    The file appears only when the data arrived whole; a pull cut off leaves nothing behind.
    """
    chosen = fmt or {".parquet": "parquet", ".csv": "csv", ".json": "json", ".jsonl": "jsonl"}.get(
        out.suffix.lower(), "arrow"
    )
    if chosen not in FORMATS:
        _fail(f"unknown format {chosen!r}", f"use one of {', '.join(FORMATS)}")
    # Before the transfer starts: afterwards the pull is a use of the agreement, perhaps the only one it allows.
    if out.is_dir():
        _fail(f"--out {out} is a folder", f"name a file in it, e.g. {out / ('data.' + chosen)}")
    if not out.parent.is_dir():
        _fail(f"the folder {out.parent} does not exist", "create it first, or name a file in another folder")
    with _client(data_dir) as client:
        started = _run(lambda: client.start_transfer(agreement_id))
        ready = _run(lambda: client.wait_transfer_ready(started["id"]))
        if not ready["ready"]:
            _fail(f"the transfer ended {ready['state']}: {ready.get('reason')}")
        begun = time.monotonic()
        columns = (*Progress.get_default_columns()[:1], BarColumn(), DownloadColumn(), TransferSpeedColumn())
        try:
            with Progress(*columns, console=err, transient=True) as progress:
                task = progress.add_task("downloading", total=None)
                pulled = _run(
                    lambda: client.pull(
                        started["id"],
                        out,
                        FORMATS[chosen],
                        retries=retries,
                        progress=lambda size: progress.update(task, completed=size),
                    )
                )
        except PullCutOff as cut:
            _end_cut_off(client, started["id"], cut)
        except OSError as exc:  # the disk is full, the file cannot be written: the partial file is gone already
            _end_cut_off(client, started["id"], f"The data could not be written to {out}: {exc.strerror or exc}.")
        _run(lambda: client.complete_transfer(started["id"]))
    tries = f", {pulled.attempts} tries" if pulled.attempts > 1 else ""
    took = time.monotonic() - begun
    console.print(f"[green]✓[/] {pulled.bytes:,} bytes ({chosen}{tries}) in {took:.1f}s → {out}", soft_wrap=True)


def _end_cut_off(client: Client, transfer_id: str, cut: PullCutOff | str) -> NoReturn:
    """Say what happened in one sentence and end the transfer: the next command starts a new one."""
    import httpx

    try:
        client.post(f"/transfers/{transfer_id}/terminate", {"reason": str(cut)})
    except (ApiError, httpx.HTTPError):
        pass  # ending it is tidiness; the sentence below is what matters
    err.print(escape(str(cut)), soft_wrap=True)
    raise typer.Exit(1)


@agreement_app.command("export")
def agreement_export(
    agreement_id: Annotated[str, typer.Argument(help="The agreement")],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write")],
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Write an agreement with both parties' signatures to a file anyone can verify offline."""
    with _client(data_dir) as client:
        document = _run(lambda: client.get(f"/agreements/{agreement_id}/export"))
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

    known = _directory(directory, data_dir)
    try:
        document = json.loads(file.read_text("utf-8"))
        result = verify_export(known, document)
    except json.JSONDecodeError as exc:
        _fail(f"{file} is not JSON: {exc}")
    except SangsaengError as exc:
        _fail(exc.message, exc.hint)
    for finding in result.findings:
        console.print(f"  {finding}")
    if not result.valid:
        console.print("[bold red]✗ not valid[/]")
        raise typer.Exit(1)
    console.print("[bold green]✓ valid[/]: both parties signed this agreement as it stands")
