"""``sangsaeng negotiate``: agree with a provider on one of its offers, and wait for the outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sangsaeng.cli.common import DataDir, call, client_of, console, fail


def negotiate(
    peer: Annotated[str, typer.Argument(help="The provider's participant id")],
    dataset_id: Annotated[str, typer.Argument(help="The dataset, from the provider's catalog")],
    offer_id: Annotated[str, typer.Argument(help="The offer, from the provider's catalog")],
    purpose: Annotated[str | None, typer.Option(help="What the data is for, e.g. quality-analysis")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the outcome")] = 60.0,
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Negotiate an agreement for OFFER_ID on DATASET_ID with PEER, and wait for the outcome."""
    with client_of(data_dir) as client:
        started = call(lambda: client.negotiate(peer, dataset_id, offer_id, purpose))
        with console.status("negotiating …"):
            final = call(lambda: client.wait_negotiation(started["id"], timeout))
    if final["state"] == "FINALIZED":
        console.print(f"[green]✓[/] agreement [bold]{final['agreementId']}[/] (negotiation {final['id']})")
    else:
        fail(f"the negotiation ended {final['state']}: {final.get('reason') or 'no reason given'}")
