"""What every command group of ``sangsaeng`` shares: the consoles, the data directory option, the connector's
settings and API client, refusals printed as what, where and how to fix, and the reader's language — what the
command line says in Korean and English comes from the ``cli`` catalog of ``sangsaeng.i18n``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from sangsaeng.client import ApiError, Client
from sangsaeng.errors import SangsaengError
from sangsaeng.i18n import catalogs
from sangsaeng.settings import CONFIG_FILE, Settings

# No emoji codes: ids such as urn:x:… must print as they are, never as pictures.
console = Console(emoji=False)
err = Console(stderr=True, emoji=False)

DataDir = Annotated[
    Path,
    typer.Option("--data-dir", "-d", envvar="SANGSAENG_DATA_DIR", help="The connector's data directory."),
]


def fail(message: str, hint: str | None = None) -> NoReturn:
    """Say what is wrong and how to fix it on standard error, and stop with status 2."""
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)  # paths and ids stay whole, to copy
    if hint:
        err.print(f"  [dim]hint:[/] {escape(hint)}", soft_wrap=True)
    raise typer.Exit(2)


def settings_of(data_dir: Path) -> Settings:
    """The settings of the connector in ``data_dir`` (its connector.toml and the SANGSAENG_… variables)."""
    from pydantic import ValidationError

    try:
        return Settings(data_dir=data_dir)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        fail(
            f"the settings in {data_dir / CONFIG_FILE} or SANGSAENG_… variables are not valid: {problems}",
            "see docs/settings.md for every setting",
        )


def client_of(data_dir: Path) -> Client:
    """A client of the management API of the connector in ``data_dir``."""
    settings = settings_of(data_dir)
    if not settings.api_key.get_secret_value():
        fail(f"{data_dir} holds no connector", "run `sangsaeng init` first, or pass --data-dir")
    return Client(settings.public_url, settings.api_key.get_secret_value())


def directory_of(given: Path | None, data_dir: Path) -> Any:
    """The participant directory with the public keys for offline checks: given, or the data directory's."""
    from datetime import UTC, datetime

    from sangsaeng.hubclient.pinned import open_directory
    from sangsaeng.identity.directory import load_directory
    from sangsaeng.identity.hub import HubDirectory

    settings = settings_of(data_dir)
    if given is None and settings.hub_url:  # a hub's member: the hub's signed directory, as last fetched
        try:
            opened = open_directory(settings, lambda: datetime.now(UTC))
        except SangsaengError as exc:
            fail(exc.message, exc.hint)
        listed = opened.as_listed() if isinstance(opened, HubDirectory) else None
        if listed is None:
            fail(
                f"no directory of the hub {settings.hub_url} is kept in {data_dir}",
                "start the connector once (it fetches it), or pass --directory FILE",
            )
        return listed
    path = given or settings.directory_path
    if not path.exists():
        fail(f"no participant directory at {path}", "pass --directory FILE")
    try:
        return load_directory(path)
    except SangsaengError as exc:
        fail(exc.message, exc.hint)


def call(action: Any) -> Any:
    """Run a client call, turning API and connection errors into readable messages."""
    import httpx

    try:
        return action()
    except ApiError as exc:
        fail(str(exc))
    except httpx.ConnectError:
        fail("the connector is not running", "start it with `sangsaeng serve`")
    except httpx.HTTPError as exc:
        fail(f"the connector did not answer: {exc or type(exc).__name__}", "it may still be working; look again later")
    except SangsaengError as exc:
        fail(exc.message, exc.hint)


def json_argument(value: str, what: str) -> Any:
    """JSON given as text, or as the path of a file holding it."""
    if value.lstrip().startswith(("{", "[")):
        text = value
    else:
        path = Path(value)
        if not path.is_file():
            fail(f"no {what} file {value}", "pass a JSON file, or the JSON itself")
        text = path.read_text("utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"the {what} is not JSON: {exc}", "pass a file path or a JSON object")


def pairs(values: list[str], what: str) -> dict[str, list[str]]:
    """NAME=VALUE options (repeatable; a name given twice collects both values)."""
    found: dict[str, list[str]] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            fail(f"{what} {item!r} is not NAME=VALUE", f"e.g. --{what} tier=tier1")
        found.setdefault(name.strip(), []).append(value.strip())
    return found


def korean_asked(flag: bool | None = None) -> bool:
    """Korean when ``--ko`` says so (``--en`` says not), else when LANG (or LC_ALL) starts with ``ko``."""
    if flag is not None:
        return flag
    return (os.environ.get("LC_ALL") or os.environ.get("LANG") or "").lower().startswith("ko")


def say(key: str, korean: bool, **values: Any) -> str:
    """The command line's message ``key`` (catalog ``cli``) in the reader's language, with ``values`` in it."""
    return catalogs.text("cli", key, "ko" if korean else "en", **values)
