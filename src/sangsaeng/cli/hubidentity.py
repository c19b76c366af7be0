"""``sangsaeng hub identity URL``: what the hub's application form asks about this connector — its participant
id, public key and endpoints — and a proof token for that hub, signed by the connector's key (valid 5 minutes,
used once); ``--token-only`` prints a fresh token alone, for the application's status page."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from sangsaeng.cli.common import DataDir, console, fail, korean_asked, say, settings_of
from sangsaeng.errors import SangsaengError

Korean = Annotated[bool | None, typer.Option("--ko/--en", help="Messages in Korean or English (default: LANG)")]


def register(hub_app: typer.Typer) -> None:
    hub_app.command("identity")(identity)


def identity(
    url: Annotated[str, typer.Argument(help="The hub's base URL, e.g. http://127.0.0.1:9000")],
    data_dir: DataDir = Path(".sangsaeng"),
    token_only: Annotated[bool, typer.Option("--token-only", help="Print a fresh proof token only")] = False,
    ko: Korean = None,
) -> None:
    """Print what the hub's application form asks about this connector, and a proof token for that hub."""
    from sangsaeng.hubclient.join import discover
    from sangsaeng.identity import tokens
    from sangsaeng.identity.keys import load_private_key, public_jwk

    korean = korean_asked(ko)
    settings = settings_of(data_dir)
    try:
        hub = discover(url)
        key = load_private_key(settings.key_path)
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    token = tokens.issue(key, settings.participant_id, hub.id, datetime.now(UTC))
    if token_only:
        console.print(token, soft_wrap=True)
        return
    rows = (
        ("hub.identity.id", settings.participant_id),
        ("hub.identity.key", json.dumps(public_jwk(key.public_key()))),
        ("hub.identity.endpoint", settings.protocol_url),
        ("hub.identity.data", settings.public_url.rstrip("/") + "/data"),
        ("hub.identity.proof", token),
    )
    for label, value in rows:
        console.print(say(label, korean), soft_wrap=True)
        console.print(value, soft_wrap=True, markup=False, highlight=False)
