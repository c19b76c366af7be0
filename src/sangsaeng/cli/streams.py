"""``sangsaeng stream``: run an ingester for machine data (MQTT, Sparkplug B, OPC UA) with live counters."""

from __future__ import annotations

import asyncio
import gc
import signal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.live import Live
from rich.table import Table

from sangsaeng.cli.common import DataDir, console, fail, korean_asked, say, settings_of
from sangsaeng.errors import SangsaengError

stream_app = typer.Typer(
    help="Machine data streams (MQTT JSON, Sparkplug B, OPC UA) landed as standard time series.",
    no_args_is_help=True,
)
MappingFile = Annotated[
    Path, typer.Option("--mapping", "-m", exists=True, dir_okay=False, help="The stream mapping (YAML)")
]
Korean = Annotated[bool, typer.Option("--ko", help="In Korean (also when LANG or LC_ALL is ko_…)")]

# What a Sparkplug host's seq numbers tell (docs/streams.md, "What nothing lost means"), by counter.
SEQ_WORDS = {
    "reordered": "stream.seq.reordered",
    "gaps": "stream.seq.gaps",
    "late": "stream.seq.late",
    "stale_deaths": "stream.seq.stale_deaths",
    "rebirths": "stream.seq.rebirths",
}


def _korean(flag: bool = False) -> bool:
    return korean_asked(True if flag else None)


def _seq_line(counters: dict[str, Any], korean: bool) -> str:
    """reordered 3 · lost 2 · …, in the reader's language."""
    return " · ".join(f"{say(key, korean)} {counters.get(k, 0):,}" for k, key in SEQ_WORDS.items())


def _counters(status: dict[str, Any]) -> Table:
    c = status["counters"]
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="dim")
    table.add_column(justify="right")
    state = "[green]connected[/]" if status["connected"] else f"[red]not connected[/] {status.get('error') or ''}"
    table.add_row("stream", f"{status['stream']} ({status['kind']}) {state}")
    table.add_row("messages/s", f"{status['messages_per_second']:,.0f}")
    table.add_row("messages", f"{c['messages']:,}")
    table.add_row("rows landed", f"{c['rows']:,}")
    table.add_row("rejected", f"{c['rejected']:,}")
    table.add_row("duplicates", f"{c['duplicates']:,}")
    table.add_row("lag", f"{status['lag_seconds']:.2f} s ({status['waiting']:,} waiting)")
    if status["kind"] == "sparkplug":
        table.add_row("Sparkplug seq", _seq_line(c, _korean()))
    last = status.get("last_commit")
    table.add_row("last commit", f"#{last['number']} at {last['at'][11:19]}" if last else "—")
    table.add_row("dataset", status.get("dataset_id") or "[dim]not registered yet[/]")
    return table


def _run(kinds: tuple[str, ...], mapping_file: Path, data_dir: Path, quiet: bool, register: bool) -> None:
    from sangsaeng.logs import configure
    from sangsaeng.streams.mapping import read_stream_mapping
    from sangsaeng.streams.runner import Runner

    settings = settings_of(data_dir)
    configure(settings.log_level, settings.log_json)
    try:
        mapping = read_stream_mapping(mapping_file)
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    if mapping.kind not in kinds:
        other = "opcua" if mapping.kind == "opcua" else "mqtt"
        fail(f"{mapping_file} reads {mapping.kind}", f"run `sangsaeng stream {other} --mapping {mapping_file}`")
    settings.streams_dir.mkdir(parents=True, exist_ok=True)

    # A stream allocates a few small objects per message and frees them a batch later: with Python's default
    # thresholds the collector scans every 700 allocations, more than half of the decoding time (measured).
    # What is alive at start is frozen out of the scans; collections come every 50,000 allocations.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if quiet or not console.is_terminal:
            runner = Runner(settings, mapping, register=register)
            await runner.run(stop)
            return
        with Live(console=console, refresh_per_second=2, transient=False) as live:
            runner = Runner(settings, mapping, register=register, on_status=lambda s: live.update(_counters(s)))
            await runner.run(stop)

    try:
        asyncio.run(main())
    except SangsaengError as exc:
        fail(exc.message, exc.hint)


@stream_app.command("mqtt")
def stream_mqtt(
    mapping: MappingFile,
    data_dir: DataDir = Path(".sangsaeng"),
    quiet: Annotated[bool, typer.Option(help="No live counters (they are in status.json and the API)")] = False,
    register: Annotated[bool, typer.Option(help="Register the stream as a dataset of the connector")] = True,
) -> None:
    """Land an MQTT stream (JSON payloads or Sparkplug B) until Ctrl-C."""
    _run(("mqtt", "sparkplug"), mapping, data_dir, quiet, register)


@stream_app.command("opcua")
def stream_opcua(
    mapping: MappingFile,
    data_dir: DataDir = Path(".sangsaeng"),
    quiet: Annotated[bool, typer.Option(help="No live counters (they are in status.json and the API)")] = False,
    register: Annotated[bool, typer.Option(help="Register the stream as a dataset of the connector")] = True,
) -> None:
    """Land an OPC UA server's data changes until Ctrl-C."""
    _run(("opcua",), mapping, data_dir, quiet, register)


@stream_app.command("browse")
def stream_browse(
    endpoint: Annotated[str, typer.Argument(help="opc.tcp://host:port/path")],
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the server")] = 4.0,
    max_nodes: Annotated[int, typer.Option(help="Nodes to look at before stopping", min=1)] = 50_000,
    max_seconds: Annotated[float, typer.Option(help="Seconds to browse before stopping", min=0.1)] = 60.0,
) -> None:
    """List an OPC UA server's variables with their units: what a mapping's nodes are written from."""
    from asyncua.client.client import Client

    from sangsaeng.streams.opcua import Browsed, browse_within

    async def main() -> Browsed:
        client = Client(endpoint, timeout=timeout)
        await client.connect()
        try:
            return await browse_within(client, max_nodes=max_nodes, seconds=max_seconds)
        finally:
            await client.disconnect()

    try:
        found = asyncio.run(main())
    except (OSError, TimeoutError) as exc:
        fail(f"cannot reach {endpoint}: {exc or type(exc).__name__}", "is the server running? is the port right?")
    table = Table("browse path", "node id", "unit")
    for path, node, unit in found.variables:
        table.add_row(path, node, unit or "[yellow]none: give one in the mapping[/]")
    console.print(table)
    if found.cut == "nodes":
        console.print(
            f"[yellow]incomplete: the browse stopped after {found.nodes:,} nodes (--max-nodes); "
            "the server may have more variables than listed[/]"
        )
    elif found.cut == "time":
        console.print(
            f"[yellow]incomplete: the browse stopped after {max_seconds:g} s and {found.nodes:,} nodes "
            "(--max-seconds); the server may have more variables than listed[/]"
        )


@stream_app.command("status")
def stream_status(data_dir: DataDir = Path(".sangsaeng"), korean: Korean = False) -> None:
    """Every stream of this connector: running or not, what it landed, rejected, lag; for Sparkplug, what its
    seq numbers tell (reordered, lost, late, stale deaths ignored)."""
    from sangsaeng.streams.status import all_streams

    ko = _korean(korean)
    found = all_streams(settings_of(data_dir).streams_dir)
    if not found:
        console.print(say("stream.none", ko))
        return
    columns = ("stream.stream", "stream.kind", "stream.state", "stream.rows", "stream.rejected", "stream.rate")
    table = Table(*(say(key, ko) for key in (*columns, "stream.lag", "stream.last-commit")))
    said: list[str] = []  # why a stream stopped or what it struggles with, below the table
    for s in found:
        state = f"[green]{say('stream.running', ko)}[/]" if s["running"] else f"[dim]{say('stream.stopped', ko)}[/]"
        if s["running"] and not s["connected"]:
            state = f"[red]{say('stream.disconnected', ko)}[/]"
        elif s["running"] and s["error"]:
            state = f"[yellow]{say('stream.struggling', ko)}[/]"
        if s["error"]:
            said.append(f"{s['stream']}: {s['error']}")
        problem = s.get("problem")
        if problem:
            at = problem["at"][:19]
            last = say("stream.last-problem", ko)
            said.append(f"{s['stream']}: {last} ({problem['kind']}, {at}): {problem['message']}")
        if s.get("sparkplug") is not None:
            said.append(f"{s['stream']}: Sparkplug seq — {_seq_line(s['counters'], ko)}")
        lag = f"{s['lagSeconds']:.2f} s" if s["lagSeconds"] is not None else "—"
        landed = s["landed"]
        table.add_row(
            s["stream"],
            s["kind"] or "?",
            state,
            f"{landed['rows']:,}",
            f"{landed['rejected']:,}",
            f"{s['messagesPerSecond']:,.0f}",
            lag,
            landed["lastCommitAt"] or "—",
        )
    console.print(table)
    for line in said:
        console.print(line, markup=False, highlight=False)
