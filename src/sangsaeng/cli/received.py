"""``sangsaeng received list|refresh|export``: the copies of partners' data this connector keeps.

``refresh`` is the one that asks the provider (a use of the agreement); ``list`` and ``export`` read the copy.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import typer

from sangsaeng.cli.common import DataDir, call, client_of, console, fail

received_app = typer.Typer(help="Data received under agreements and kept here.", no_args_is_help=True)
FORMATS = ("csv", "parquet", "arrow", "xlsx")


def _path(agreement_id: str, tail: str = "") -> str:
    return f"/received/{quote(agreement_id, safe='')}{tail}"


@received_app.command("list")
def received_list(data_dir: DataDir = Path(".sangsaeng")) -> None:
    """Every copy kept: agreement, provider, rows, when it was received."""
    with client_of(data_dir) as client:
        copies = call(lambda: client.get("/received", limit=1000))
    if not copies:
        console.print("Nothing received yet: `sangsaeng received refresh AGREEMENT_ID` gets an agreement's data.")
        return
    for c in copies:
        stream = " · stream" if c["position"] is not None else ""
        console.print(
            f"{c['agreementId']}  {c['provider']}  {c['rows']:,} rows  {c['receivedAt']}{stream}", soft_wrap=True
        )


@received_app.command("refresh")
def received_refresh(
    agreement_id: Annotated[str, typer.Argument(help="The agreement whose data to get (again)")],
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Get the agreement's data from the provider into the copy kept here (a use of the agreement). A stream's
    copy gets only what is new; anything else is replaced whole. Refused or cut off, the copy stays as it was."""
    with client_of(data_dir) as client:
        done = call(lambda: client.post(_path(agreement_id, "/refresh")))
    copy = done["received"]
    how = "replaced" if done["whole"] else "added"
    console.print(
        f"[green]✓[/] {done['rows']:,} rows {how}; the copy holds {copy['rows']:,} rows (refresh {copy['refreshes']})"
    )


@received_app.command("export")
def received_export(
    agreement_id: Annotated[str, typer.Argument(help="The agreement whose copy to write")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write it")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, parquet, arrow or xlsx")] = "",
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Write the copy kept here to a file (it never asks the provider); the file appears only when whole."""
    chosen = fmt or {".parquet": "parquet", ".arrows": "arrow", ".xlsx": "xlsx"}.get(out.suffix.lower(), "csv")
    if chosen not in FORMATS:
        fail(f"unknown format {chosen!r}", f"use one of {', '.join(FORMATS)}")
    if out.is_dir() or not out.parent.is_dir():
        fail(f"--out {out} is not a file in an existing folder", "name a file in a folder that exists")
    temp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.partial")
    with client_of(data_dir) as client:
        try:
            with client.http.stream("GET", _path(agreement_id, "/data"), params={"format": chosen}) as response:
                if response.status_code >= 400:
                    response.read()
                    call(lambda: client.raise_for(response))
                with temp.open("wb") as handle:
                    for chunk in response.iter_bytes():
                        handle.write(chunk)
            os.replace(temp, out)
        finally:
            temp.unlink(missing_ok=True)
    console.print(f"[green]✓[/] {out}")
