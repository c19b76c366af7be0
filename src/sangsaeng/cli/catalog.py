"""``sangsaeng catalog``: what a partner offers — its datasets and the offers on each."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sangsaeng.cli.common import DataDir, call, client_of, console


def catalog(
    peer: Annotated[str, typer.Argument(help="The participant id of the connector to ask")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the DSP catalog as JSON")] = False,
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Show what PEER offers: its datasets and the offers on each."""
    with client_of(data_dir) as client:
        result = call(lambda: client.catalog(peer))
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
