"""``sangsaeng transfer``: pull the data of an agreement into a file that appears only when the data arrived whole."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from sangsaeng.cli.common import DataDir, call, client_of, console, err, fail
from sangsaeng.client import ApiError, Client, PullCutOff

FORMATS = {
    "arrow": "application/vnd.apache.arrow.stream",
    "parquet": "application/vnd.apache.parquet",
    "csv": "text/csv",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
}


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
        fail(f"unknown format {chosen!r}", f"use one of {', '.join(FORMATS)}")
    # Before the transfer starts: afterwards the pull is a use of the agreement, perhaps the only one it allows.
    if out.is_dir():
        fail(f"--out {out} is a folder", f"name a file in it, e.g. {out / ('data.' + chosen)}")
    if not out.parent.is_dir():
        fail(f"the folder {out.parent} does not exist", "create it first, or name a file in another folder")
    with client_of(data_dir) as client:
        started = call(lambda: client.start_transfer(agreement_id))
        ready = call(lambda: client.wait_transfer_ready(started["id"]))
        if not ready["ready"]:
            fail(f"the transfer ended {ready['state']}: {ready.get('reason')}")
        begun = time.monotonic()
        columns = (*Progress.get_default_columns()[:1], BarColumn(), DownloadColumn(), TransferSpeedColumn())
        try:
            with Progress(*columns, console=err, transient=True) as progress:
                task = progress.add_task("downloading", total=None)
                pulled = call(
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
        call(lambda: client.complete_transfer(started["id"]))
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
