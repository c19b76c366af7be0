"""OPC UA to the landing (asyncua): browse, map nodes to equipment and signals, subscribe to data changes.

Nodes are named in the mapping by node id or by a browse path under Objects whose ``{captures}`` name the
equipment and signal (``Line2/{equipment}/{signal}`` maps every variable two levels under Line2). Each
variable's unit comes from its ``EngineeringUnits`` property (EUInformation: the UNECE code OPC UA carries,
else its display name), unless the mapping gives one. When the server goes away (restart, network), the
session is rebuilt from the mapping — browse, resolve, subscribe — and values land again; a value the server
repeats on subscribing (same source time as the last one landed) is not landed twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

import structlog
from asyncua import ua
from asyncua.client.client import Client
from asyncua.common.node import Node
from asyncua.ua.object_ids import ObjectIds
from asyncua.ua.uaerrors import UaError, UaStatusCodeError

from sangsaeng.errors import SangsaengError
from sangsaeng.standard.units import recognize
from sangsaeng.streams.ingester import Ingester, land, supervise
from sangsaeng.streams.mapping import OpcuaSource, StreamMapping, fill, placeholders
from sangsaeng.streams.readings import Readings, Rejects

log = structlog.get_logger(__name__)
QUALITY = {0: "good", 1: "uncertain", 2: "bad", 3: "bad"}


@dataclass(frozen=True)
class Target:
    node: str  # the node id as text
    equipment: str
    signal: str
    unit: str | None
    path: str  # browse path, for people


def unece_code(unit_id: int) -> str | None:
    """EUInformation.UnitId packs a UNECE Recommendation 20 code's characters into an integer."""
    if unit_id <= 0:
        return None
    raw = unit_id.to_bytes(4, "big").lstrip(b"\0")
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        return None


def eu_unit(info: Any) -> str | None:
    """A unit text that ``recognize`` reads, from an EUInformation: its code, else its display name."""
    code = unece_code(int(getattr(info, "UnitId", -1) or -1))
    candidates = [code, getattr(getattr(info, "DisplayName", None), "Text", None)]
    for text in candidates:
        if not text:
            continue
        try:
            recognize(text)
            return text
        except SangsaengError:
            continue
    return None


async def _name(node: Node) -> str:
    return str((await node.read_browse_name()).Name)


async def _unit_of(node: Node) -> str | None:
    """From the variable's EngineeringUnits property (namespace 0 by the standard; some servers use their own)."""
    try:
        for prop in await node.get_properties():
            if (await prop.read_browse_name()).Name == "EngineeringUnits":
                return eu_unit(await prop.read_value())
    except UaStatusCodeError:
        return None
    return None


BROWSE_NODES = 50_000  # nodes looked at before a browse stops: a plant's whole address space, not a loop's
BROWSE_SECONDS = 60.0


@dataclass
class Browsed:
    """What a browse found, and what stopped it early (``None`` when it saw everything within its depth)."""

    variables: list[tuple[str, str, str | None]]  # (browse path, node id, unit)
    nodes: int  # nodes looked at
    cut: str | None = None  # "nodes" or "time": the budget that ended the browse


async def browse_within(
    client: Client, depth: int = 6, max_nodes: int = BROWSE_NODES, seconds: float = BROWSE_SECONDS
) -> Browsed:
    """Every variable under Objects, breadth first, each node once — whatever cycles the server's references
    make — within a budget of nodes and time. A node reached by several paths is named by its shortest.

    The time budget is checked between requests (each is bounded by the client's own timeout), not by
    cancelling one mid-way, which asyncua does not always turn back into a timeout."""
    found = Browsed([], 0)
    seen = {client.nodes.objects.nodeid}
    level: list[tuple[Node, list[str]]] = [(client.nodes.objects, [])]
    deadline = time.monotonic() + seconds

    def out_of_time() -> bool:
        if time.monotonic() < deadline:
            return False
        found.cut = "time"
        return True

    while level and len(level[0][1]) <= depth:
        below: list[tuple[Node, list[str]]] = []
        for node, path in level:
            if out_of_time():
                return found
            for ref in await node.get_children_descriptions(refs=ObjectIds.HierarchicalReferences):
                child_id = ref.NodeId
                if child_id in seen:
                    continue
                if found.nodes >= max_nodes:
                    found.cut = "nodes"
                    return found
                seen.add(child_id)
                found.nodes += 1
                name = str(ref.BrowseName.Name)
                if path == [] and name == "Server":
                    continue  # the server's own diagnostics
                child = client.get_node(child_id)
                if ref.NodeClass == ua.NodeClass.Variable and name != "EngineeringUnits":
                    if out_of_time():
                        return found
                    found.variables.append(("/".join([*path, name]), child_id.to_string(), await _unit_of(child)))
                elif ref.NodeClass == ua.NodeClass.Object:
                    below.append((child, [*path, name]))
        level = below
    return found


async def browse(client: Client, depth: int = 6) -> list[tuple[str, str, str | None]]:
    """Every variable under Objects: (browse path, node id, unit) — what a mapping is written from."""
    found = await browse_within(client, depth)
    if found.cut:
        log.warning("opcua.browse_cut", budget=found.cut, nodes=found.nodes, variables=len(found.variables))
    return found.variables


async def resolve(client: Client, mapping: StreamMapping) -> list[Target]:
    """The mapping's nodes on this server, now. A browse pattern matching nothing is an error: a renamed
    machine should be noticed, not silently dropped. A node named by id overrides what a browse pattern made of
    it; of two patterns matching one node, the first wins."""
    targets: list[Target] = []
    named: dict[str, Target] = {}
    variables: list[tuple[str, str, str | None]] | None = None
    for at, spec in enumerate(mapping.nodes):
        if spec.node is not None:
            node = client.get_node(spec.node)
            try:
                name = await _name(node)
            except UaStatusCodeError as exc:
                raise SangsaengError(
                    f"nodes[{at}]: the server has no node {spec.node} ({exc})", hint="check the id with --browse"
                ) from exc
            unit = spec.unit or await _unit_of(node)
            assert spec.equipment is not None and spec.signal is not None
            target = Target(node.nodeid.to_string(), spec.equipment, spec.signal, unit, name)
            named[target.node] = target
            continue
        assert spec.browse is not None
        if variables is None:
            variables = await browse(client)
        levels = [p for p in spec.browse.split("/") if p]
        matched = 0
        for path, node_id, unit in variables:
            parts = path.split("/")
            if len(parts) != len(levels):
                continue
            captures: dict[str, str] = {}
            for level, part in zip(levels, parts, strict=True):
                names = placeholders(level)
                if names:
                    captures[next(iter(names))] = part
                elif level not in (part, "+"):
                    break
            else:
                matched += 1
                equipment = fill(spec.equipment, captures) if spec.equipment else captures["equipment"]
                signal = fill(spec.signal, captures) if spec.signal else captures["signal"]
                targets.append(Target(node_id, equipment, signal, spec.unit or unit, path))
        if not matched:
            raise SangsaengError(
                f"nodes[{at}]: no variable on the server matches {spec.browse!r}",
                hint="see what the server has with `sangsaeng stream browse ENDPOINT`",
            )
    chosen: dict[str, Target] = {}
    for target in targets:
        chosen.setdefault(target.node, target)
    chosen.update(named)
    return list(chosen.values())


class OpcuaDecoder:
    """Data changes → readings. Remembers the last source time per node, so a repeat is not landed twice."""

    def __init__(self) -> None:
        self.targets: dict[str, Target] = {}
        self.last: dict[str, int] = {}

    def receive(self, topic: str, payload: Any, arrived: int, readings: Readings, rejects: Rejects) -> None:
        target = self.targets.get(topic)
        source = f"opcua:{topic}"
        value, stamp, status = payload
        if target is None:
            rejects.add(arrived, source, "a data change for a node the mapping no longer names", None)
            return
        if stamp is not None and self.last.get(topic) == stamp:
            return
        if stamp is not None:
            self.last[topic] = stamp
        quality = QUALITY[(status >> 30) & 3]
        if target.unit is None:
            rejects.add(
                arrived,
                source,
                f"{target.path} has no EngineeringUnits; give 'unit' for it in the mapping (1 for counts)",
                repr(value).encode()[:200],
            )
            return
        if value is None:
            rejects.add(arrived, source, f"{target.path}: no value (status 0x{status:08X})", None)
            return
        readings.add(
            target.equipment,
            target.signal,
            stamp if stamp is not None else arrived,
            value,
            target.unit,
            quality,
            source,
            arrived,
        )

    def state(self) -> dict[str, Any]:
        return {"last": self.last}

    def restore(self, state: dict[str, Any]) -> None:
        self.last = {k: int(v) for k, v in state.get("last", {}).items()}


class _Changes:
    def __init__(self, stream: OpcuaStream) -> None:
        self.stream = stream

    def datachange_notification(self, node: Node, val: Any, data: Any) -> None:
        value: Any = data.monitored_item.Value
        stamp = value.SourceTimestamp or value.ServerTimestamp
        status = value.StatusCode.value if value.StatusCode is not None else 0
        micros = int(stamp.timestamp() * 1_000_000) if stamp is not None else None
        self.stream.received(node.nodeid.to_string(), val, micros, status)

    def status_change_notification(self, status: Any) -> None:
        self.stream.ingester.event("subscription-status", status=str(status))


class OpcuaStream:
    def __init__(self, mapping: StreamMapping, ingester: Ingester, decoder: OpcuaDecoder) -> None:
        assert mapping.source.opcua is not None
        self.source: OpcuaSource = mapping.source.opcua
        self.mapping = mapping
        self.ingester = ingester
        self.decoder = decoder
        self._committing = asyncio.Lock()
        self.targets: list[Target] = []

    def received(self, node: str, value: Any, stamp: int | None, status: int) -> None:
        self.ingester.add(node, (value, stamp, status), time.time_ns() // 1000)

    async def commit_due(self, force: bool = False) -> None:
        async with self._committing:
            if not (self.ingester.due() or (force and len(self.ingester.batch))):
                return
            await land(self.ingester, self.ingester.take())

    async def _committer(self) -> None:
        while True:
            await asyncio.sleep(min(self.mapping.batch.seconds / 4, 0.25))
            await self.commit_due()

    async def run(self, stop: asyncio.Event) -> None:
        await supervise(
            self.ingester,
            stop,
            lambda: self._session(stop),
            self.commit_due,
            self._committer,
            (OSError, TimeoutError, UaError, SangsaengError, ConnectionError),
        )

    async def _session(self, stop: asyncio.Event) -> None:
        client = Client(self.source.endpoint, timeout=self.source.timeout, watchdog_intervall=1.0)
        await client.connect()
        try:
            self.targets = await resolve(client, self.mapping)
            self.decoder.targets = {t.node: t for t in self.targets}
            subscription = await client.create_subscription(self.source.publishing_ms, _Changes(self))
            nodes = [client.get_node(t.node) for t in self.targets]
            results = await subscription.subscribe_data_change(
                nodes, queuesize=100, sampling_interval=ua.Double(self.source.sampling_ms)
            )
            refused = [
                t.path
                for t, r in zip(self.targets, results if isinstance(results, list) else [results], strict=False)
                if isinstance(r, ua.StatusCode)
            ]
            if refused:
                raise SangsaengError(f"the server refused to watch {', '.join(refused)}")
            self.ingester.connected = True
            self.ingester.error = None
            self.ingester.event("connected", endpoint=self.source.endpoint, nodes=len(self.targets))
            log.info("stream.connected", stream=self.mapping.stream, nodes=len(self.targets))
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.5)
                await client.check_connection()
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.disconnect(), 2)
