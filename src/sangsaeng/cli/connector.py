"""``sangsaeng init``, ``serve``, ``host`` and ``demo``: give a connector its identity, run it, run several in one
process, or run two on loopback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sangsaeng.cli.common import DataDir, console, fail, korean_asked, settings_of
from sangsaeng.errors import SangsaengError
from sangsaeng.settings import CONFIG_FILE


def register(app: typer.Typer) -> None:
    """Add the connector's own commands to the ``sangsaeng`` command."""
    app.command()(init)
    app.command()(serve)
    app.command()(host)
    app.command()(demo)


def init(
    participant_id: Annotated[str, typer.Option(help="A URI naming the company, e.g. urn:sangsaeng:participant:acme")],
    name: Annotated[str, typer.Option(help="The company's display name")],
    data_dir: DataDir = Path(".sangsaeng"),
    public_url: Annotated[str, typer.Option(help="Base URL other connectors reach this one at")] = "",
    port: Annotated[int, typer.Option(help="Port to serve on")] = 8181,
    directory: Annotated[
        Path | None, typer.Option(help="A shared participant directory file to add this connector to")
    ] = None,
    database_url: Annotated[str, typer.Option(help="PostgreSQL URL for its state; empty: SQLite in DATA_DIR")] = "",
    state_schema: Annotated[
        str, typer.Option(help="PostgreSQL schema for its state (connectors hosted on one database need one each)")
    ] = "",
    hub: Annotated[str, typer.Option(help="The hub to trust for the directory and credentials (its base URL)")] = "",
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --hub: pin the hub without asking")] = False,
) -> None:
    """Give a connector its identity: a participant id, an Ed25519 key pair and an API key, in DATA_DIR."""
    from sangsaeng.cli.hubjoin import discovered
    from sangsaeng.setup import hub_settings, init_connector

    extra: dict[str, object] = {"state_schema": state_schema} if state_schema else {}
    if hub:  # asked before anything is written: a hub that cannot be reached leaves no half-made connector
        extra |= hub_settings(discovered(hub, yes, korean_asked()))
    try:
        made = init_connector(
            data_dir,
            participant_id,
            name,
            port=port,
            public_url=public_url,
            directory=directory,
            database_url=database_url,
            extra=extra or None,
        )
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    settings = made.settings
    console.print(f"[green]✓[/] connector [bold]{name}[/] ({participant_id}) in {data_dir}")
    console.print(f"  protocol endpoint  {settings.protocol_url}")
    console.print(f"  directory          {settings.directory_path}")
    console.print(f"  management API key {made.api_key}  [dim](also in {data_dir / CONFIG_FILE})[/]")
    if hub:
        console.print(f"  hub                {settings.hub_url} ({settings.hub_id})")


def serve(
    data_dir: DataDir = Path(".sangsaeng"),
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
) -> None:
    """Run the connector: protocol API, management API and data plane, until Ctrl-C."""
    import uvicorn

    from sangsaeng.logs import configure
    from sangsaeng.web.app import create_app

    settings = settings_of(data_dir)
    configure(settings.log_level, settings.log_json)
    try:
        application = create_app(settings)
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    uvicorn.run(
        application,
        host=host or settings.host,
        port=port or settings.port,
        # Believed only from proxies the operator names: uvicorn's default (127.0.0.1) let anyone who reaches the
        # connector from this host, or through a proxy that passes the header on, choose their own address.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        log_level="warning",
        access_log=False,
    )


def host(
    root: Annotated[Path, typer.Option(help="A folder holding one initialised connector per sub-folder")],
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8181,
) -> None:
    """Serve every connector initialised in ROOT/<name>/ from one process, each at /c/<name>."""
    import uvicorn

    from sangsaeng.logs import configure
    from sangsaeng.tenants.context import NAME
    from sangsaeng.tenants.host import Host
    from sangsaeng.web.app import create_host_app

    folders = sorted(p for p in root.iterdir() if (p / CONFIG_FILE).is_file()) if root.is_dir() else []
    if not folders:
        fail(f"{root} holds no initialised connector", f"run `sangsaeng init --data-dir {root}/<name> …` first")
    contexts = Host()
    for folder in folders:
        if not NAME.match(folder.name):
            fail(f"{folder} cannot be served at /c/{folder.name}", "name folders with a-z, 0-9 and '-' (at most 63)")
        settings = settings_of(folder)
        if not settings.public_url.rstrip("/").endswith(f"/c/{folder.name}"):
            fail(
                f"{folder} is served at /c/{folder.name}, but its public_url is {settings.public_url}",
                f'set public_url = "http://<host>:<port>/c/{folder.name}" in {folder / CONFIG_FILE}',
            )
        try:
            contexts.build(folder.name, settings)
        except SangsaengError as exc:
            fail(exc.message, exc.hint)
    first = contexts.contexts[folders[0].name].settings  # the process's own: logs, limits, proxies
    configure(first.log_level, first.log_json)
    uvicorn.run(
        create_host_app(contexts, first),
        host=host,
        port=port,
        proxy_headers=bool(first.forwarded_allow_ips),
        forwarded_allow_ips=first.forwarded_allow_ips or None,
        log_level="warning",
        access_log=False,
    )


def demo(
    workdir: Annotated[Path, typer.Option(help="Where the demo keeps its connectors")] = Path("demo-data"),
    rows: Annotated[int, typer.Option(help="Inspection records to generate")] = 5000,
    keep_serving: Annotated[bool, typer.Option(help="Keep the hub and the connectors running until Ctrl-C")] = True,
    ko: Annotated[
        bool | None, typer.Option("--ko/--en", help="Tell it in Korean or in English (default: both)")
    ] = None,
) -> None:
    """A hub and a value chain on loopback: an OEM, a tier-1 and a tier-2 join the hub, publish, find each
    other's data at the hub, negotiate and pull it along the chain; then the tier-2 takes the self-assessment, gets
    its plan, is matched to an expert and sees its place in a sector benchmark."""
    from sangsaeng.demo.run import run_demo

    sys.exit(run_demo(workdir, rows, keep_serving, console, ko))
