"""``sangsaeng credential issue|add``: signed credentials (role, tier, sector, region, membership)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sangsaeng.cli.common import DataDir, call, client_of, console, fail, pairs, settings_of
from sangsaeng.errors import SangsaengError

credential_app = typer.Typer(help="Signed credentials: role, tier, sector, region, membership.", no_args_is_help=True)


@credential_app.command("issue")
def credential_issue(
    subject: Annotated[str, typer.Option(help="The participant the credential is about")],
    attr: Annotated[list[str], typer.Option(help="What it attests, NAME=VALUE, e.g. tier=tier1 (repeatable)")],
    days: Annotated[int, typer.Option(min=1, max=3650, help="How long it is valid")] = 365,
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """As an issuer (the hub, an association), sign a credential for SUBJECT with this connector's key; prints it."""
    from datetime import UTC, datetime, timedelta

    from sangsaeng.identity import credentials
    from sangsaeng.identity.keys import load_private_key

    settings = settings_of(data_dir)
    if not settings.participant_id:
        fail(f"{data_dir} holds no connector", "run `sangsaeng init` first, or pass --data-dir")
    try:
        token = credentials.issue(
            load_private_key(settings.key_path),
            settings.participant_id,
            subject,
            pairs(attr, "attr"),
            datetime.now(UTC),
            timedelta(days=days),
        )
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    print(token)


@credential_app.command("add")
def credential_add(
    token: Annotated[str, typer.Argument(help="The credential an issuer gave this connector")],
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Keep a signed credential; the connector presents it to providers from its next request on."""
    with client_of(data_dir) as client:
        kept = call(lambda: client.post("/credentials", {"token": token}))
    shown = ", ".join(f"{k}={'/'.join(v)}" for k, v in kept["attributes"].items())
    console.print(f"[green]✓[/] credential from {kept['issuer']}: {shown}", soft_wrap=True)
