"""``sangsaeng hub join URL`` (and ``sangsaeng init --hub URL``): trust a hub — its name and key's fingerprint shown
for the person to compare with what the hub's operator publishes, then its address, id and key pinned."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sangsaeng.cli.common import DataDir, console, fail, korean_asked, say
from sangsaeng.errors import SangsaengError

if TYPE_CHECKING:  # the command line stays quick to start
    from sangsaeng.hubclient.join import HubInfo

Yes = Annotated[bool, typer.Option("--yes", "-y", help="Pin the hub without asking (scripts)")]
Korean = Annotated[bool | None, typer.Option("--ko/--en", help="Messages in Korean or English (default: LANG)")]


def register(hub_app: typer.Typer) -> None:
    hub_app.command("join")(join)


def discovered(url: str, yes: bool, korean: bool) -> HubInfo:
    """The hub at ``url``, shown, and agreed to (unless ``yes``); stops the command otherwise."""
    from sangsaeng.hubclient.join import discover

    try:
        info = discover(url)
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    console.print(say("hub.join.found", korean, name=info.name, id=info.id, url=info.url), soft_wrap=True)
    console.print(say("hub.join.fingerprint", korean, fingerprint=info.fingerprint), soft_wrap=True)
    if not yes and not typer.confirm(say("hub.join.confirm", korean)):
        fail(say("hub.join.declined", korean))
    return info


def join(
    url: Annotated[str, typer.Argument(help="The hub's base URL, e.g. http://127.0.0.1:9000")],
    data_dir: DataDir = Path(".sangsaeng"),
    replace: Annotated[bool, typer.Option(help="Trust this hub instead of the one already pinned")] = False,
    yes: Yes = False,
    ko: Korean = None,
) -> None:
    """Trust the hub at URL: its signed directory replaces the directory file, its credentials count."""
    from sangsaeng.setup import join_hub

    korean = korean_asked(ko)
    info = discovered(url, yes, korean)
    try:
        join_hub(data_dir, info, replace=replace)
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    console.print(say("hub.join.done", korean, name=info.name, data_dir=str(data_dir)), soft_wrap=True)
