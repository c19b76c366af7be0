"""``sangsaeng user``: the people who use the portal — add them, lift a lockout, set a password.

These go through the accounts use case as the administrator at the machine (``roles.CLI_ADMIN``), against the
state database directly, so they also work while the connector is stopped; unlocks and password changes go to the
connector's tamper-evident log like the portal's own.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from sangsaeng.accounts.sessions import PortalSessions
from sangsaeng.cli.common import DataDir, console, fail, settings_of
from sangsaeng.errors import SangsaengError
from sangsaeng.roles import CLI_ADMIN
from sangsaeng.settings import Settings

user_app = typer.Typer(help="People who use the portal, and their roles.", no_args_is_help=True)
T = TypeVar("T")
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input")
]


def _connector_settings(data_dir: Path) -> Settings:
    settings = settings_of(data_dir)
    if not settings.participant_id:
        fail(f"{data_dir} holds no connector", "run `sangsaeng init` first, or pass --data-dir")
    return settings


def _with_sessions(settings: Settings, action: Callable[[PortalSessions], Awaitable[T]]) -> T:
    """Run one use case of the portal's sign-in service against the connector's state, outside the server."""
    from sangsaeng.audit.log import AuditLog
    from sangsaeng.web.app import build_connector

    async def run() -> T:
        connector = build_connector(settings)
        connector.audit = AuditLog(connector)  # not started: each entry is written at once
        try:
            return await action(PortalSessions(connector))
        finally:
            await connector.peer.close()
            await connector.store.close()

    try:
        return asyncio.run(run())
    except SangsaengError as exc:
        fail(exc.message, exc.hint)


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password (at least 10 characters)", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The user's login name")],
    role: Annotated[str, typer.Option(help="admin, steward (adds and offers data) or viewer")] = "steward",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters")
    ] = "",
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Let NAME log in to this connector's portal (http://…/portal) with ROLE."""
    from sangsaeng.store import migrate

    settings = _connector_settings(data_dir)
    migrate.upgrade(settings.state_url)
    _with_sessions(settings, lambda s: s.add_user(name, password, role, by=CLI_ADMIN))
    console.print(f"[green]✓[/] {name} ({role}) can log in at {settings.public_url}/portal/", soft_wrap=True)


@user_app.command("unlock")
def user_unlock(
    name: Annotated[str, typer.Argument(help="The user's login name")],
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Let NAME sign in again after too many failed attempts locked the account (and reset its count)."""
    settings = _connector_settings(data_dir)
    was_locked = _with_sessions(settings, lambda s: s.unlock(name, by=CLI_ADMIN))
    state = "unlocked" if was_locked else "was not locked; its count of failed sign-ins is reset"
    console.print(f"[green]✓[/] {name} {state}", soft_wrap=True)


@user_app.command("password")
def user_password(
    name: Annotated[str, typer.Argument(help="The user's login name")],
    password_stdin: PasswordStdin = False,
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Set NAME's password; every portal session of NAME ends (signed in anywhere, they must sign in again)."""
    settings = _connector_settings(data_dir)
    password = _new_password(password_stdin)
    ended = _with_sessions(settings, lambda s: s.set_password(name, password, by=CLI_ADMIN))
    console.print(f"[green]✓[/] {name}'s password is set; {ended} session(s) ended", soft_wrap=True)
