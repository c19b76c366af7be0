"""``sangsaeng policy explain``: would a participant be allowed, now, and why (not)?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sangsaeng.cli.common import DataDir, call, client_of, console, json_argument, pairs

policy_app = typer.Typer(help="Usage policies: ask what a policy would decide, and why.", no_args_is_help=True)


@policy_app.command("explain")
def policy_explain(
    consumer: Annotated[str, typer.Option(help="The participant asking")],
    offer: Annotated[str | None, typer.Option(help="An offer of this connector")] = None,
    agreement: Annotated[str | None, typer.Option(help="An agreement of this connector")] = None,
    policy: Annotated[str | None, typer.Option(help="A policy: a JSON file, or JSON text")] = None,
    purpose: Annotated[str | None, typer.Option(help="The purpose it declares")] = None,
    attr: Annotated[
        list[str], typer.Option(help="A credential attribute it holds, NAME=VALUE, e.g. tier=tier1 (repeatable)")
    ] = [],  # noqa: B006
    fields: Annotated[str | None, typer.Option(help="The fields it would read, comma-separated")] = None,
    operation: Annotated[str, typer.Option(help="read, aggregate, derive or distribute")] = "read",
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Would CONSUMER be allowed, now, and why (not)? Decides as the connector would, without touching data."""
    body: dict[str, Any] = {
        "offerId": offer,
        "agreementId": agreement,
        "policy": json_argument(policy, "policy") if policy else None,
        "consumer": consumer,
        "purpose": purpose,
        "attributes": pairs(attr, "attr"),
        "fields": [f.strip() for f in fields.split(",")] if fields else None,
        "operation": operation,
    }
    with client_of(data_dir) as client:
        answer = call(lambda: client.post("/policy/explain", body))
    verdict = "[bold green]✓ allowed[/]" if answer["permit"] else "[bold red]✗ not allowed[/]"
    console.print(f"{verdict}: {consumer}, {operation}" + (f", for {purpose}" if purpose else ""), soft_wrap=True)
    for reason in answer["reasons"]:
        console.print(f"  {reason}", soft_wrap=True, markup=False)
    if answer["permit"]:
        if answer["withheldFields"]:
            console.print(f"  withheld: {', '.join(answer['withheldFields'])}", soft_wrap=True)
        for duty in answer["duties"]:
            console.print(f"  duty: {duty}", soft_wrap=True)
    else:
        raise typer.Exit(1)
