"""A Sparkplug B host application's view of its edge nodes: births, deaths, aliases, seq numbers.

``Host`` keeps what a host application must: per edge node its birth (``bdSeq``), its ``seq`` numbers (0–255,
every message after NBIRTH counts, NDEATH does not; ``streams/sequence.py`` tells reordered from lost), the
metric aliases and units announced in NBIRTH and DBIRTH, and whether node and devices are alive. It turns
messages into readings and tells the caller when to ask a node for a rebirth (an alias or a node it does not
know, messages lost) and which ``seq`` numbers were lost. Death certificates mark every metric of the node (or
device) ``bad`` at the moment of death — an NDEATH at its arrival, since the broker sends it as the will the node
registered when it connected (Sparkplug 3.0, tck-id-operational-behavior-edge-node-termination-host-action-
ndeath-node-offline); a DDEATH at its own timestamp. Data from a node or device that is dead is kept as
``uncertain`` and triggers a rebirth request, unless its ``seq`` shows it was sent before a message already here.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import DecodeError, Message

from sangsaeng.streams.mapping import Sparkplug, fill
from sangsaeng.streams.readings import MAX_NAME, Readings, Rejects
from sangsaeng.streams.sequence import Lost, Sequence, Window
from sangsaeng.streams.sparkplug.payload import BOOLEAN, NUMERIC, Payload, encode, metric_value, properties

NAMESPACE = "spBv1.0"
REBIRTH = "Node Control/Rebirth"
BD_SEQ = "bdSeq"
UNIT_PROPERTIES = ("engUnit", "engUnits", "EngUnit", "unit", "units")
# Limits on what one message may carry: more metrics than this is no edge node's message; a unit longer than
# MAX_UNIT is kept only that far (it is refused as a unit anyway, and the host's memory is saved every commit);
# a moment at or beyond FAR_MS (ms since 1970) would not fit the 64-bit µs column.
MAX_METRICS = 100_000
MAX_UNIT = 65
FAR_MS = 2**62 // 1000
COUNTS = ("reordered", "gaps", "late", "stale_deaths")


@dataclass
class MetricInfo:
    name: str
    datatype: int
    unit: str | None
    last: float | None = None
    at: int | None = None  # µs: the moment of ``last`` (a message that came late may hold an older value)


@dataclass
class Node:
    bd_seq: int | None = None
    seq: Sequence = field(default_factory=Sequence)
    alive: bool = False
    rebirth_asked: bool = False
    aliases: dict[int, str] = field(default_factory=dict)  # alias → metric name, for the node and its devices
    metrics: dict[str, dict[str, MetricInfo]] = field(default_factory=dict)  # device ("" = node) → name → info
    devices: dict[str, bool] = field(default_factory=dict)  # device → alive


@dataclass(frozen=True)
class Gap:
    """Messages of an edge node known lost: seq numbers ``first`` … ``first + lost - 1`` (mod 256)."""

    group: str
    node: str
    first: int
    lost: int
    since: int  # µs since the epoch: when the first of them was found missing


@dataclass(frozen=True)
class StaleDeath:
    """An NDEATH that ends no living session (the will of an earlier one, or a second death): ignored."""

    group: str
    node: str
    bd_seq: int | None


class Host:
    """A Sparkplug host application's memory of its edge nodes; serialisable so a restart resumes it."""

    def __init__(self, mapping: Sparkplug) -> None:
        self.mapping = mapping
        self.window = Window(mapping.reorder.seconds, mapping.reorder.messages)
        self.nodes: dict[tuple[str, str], Node] = {}
        # Noticed since the last commit, taken by the caller after it (a batch decoded again notices them again).
        self.rebirths: list[tuple[str, str]] = []  # (group, node) to ask
        self.gaps: list[Gap] = []
        self.stale: list[StaleDeath] = []
        self.counted = dict.fromkeys(COUNTS, 0)  # saved with the state: exact across restarts and faults
        self.commands = 0
        self._overrides = list(mapping.metrics.items())
        self._asked_unknown: set[tuple[str, str]] = set()
        self._deadline: int | None = None  # µs: when the oldest seq hole of any node is out of time

    # ---- state that survives a restart -------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        nodes = {
            f"{g}/{n}": {
                "bdSeq": node.bd_seq,
                "seq": node.seq.state(),
                "alive": node.alive,
                "aliases": {str(a): name for a, name in node.aliases.items()},
                "metrics": {
                    device: {k: [v.datatype, v.unit, v.last, v.at] for k, v in infos.items()}
                    for device, infos in node.metrics.items()
                },
                "devices": node.devices,
            }
            for (g, n), node in self.nodes.items()
        }
        return {"nodes": nodes, "counts": dict(self.counted)}

    def restore(self, state: dict[str, Any]) -> None:
        """Back to a saved state (at start, or after a batch that failed): what was noticed since is forgotten."""
        self.nodes.clear()
        self.rebirths.clear()
        self.gaps.clear()
        self.stale.clear()
        self._asked_unknown.clear()
        saved_counts = state.get("counts")
        nodes = state.get("nodes", {}) if isinstance(saved_counts, dict) else state  # before counts: nodes alone
        self.counted = {k: int((saved_counts or {}).get(k, 0)) for k in COUNTS}
        for key, saved in nodes.items():
            group, node_id = key.split("/", 1)
            node = Node(
                bd_seq=saved["bdSeq"],
                seq=Sequence.restore(saved["seq"]),
                alive=saved["alive"],
                aliases={int(a): name for a, name in saved["aliases"].items()},
                metrics={
                    device: {k: MetricInfo(k, *v[:4]) for k, v in infos.items()}
                    for device, infos in saved["metrics"].items()
                },
                devices=dict(saved["devices"]),
            )
            self.nodes[(group, node_id)] = node
        self._deadline = self._next_deadline()

    def counts(self) -> dict[str, int]:
        """Messages reordered, lost (``gaps``), late, and deaths ignored as stale — for the stream's status."""
        return dict(self.counted)

    # ---- the Reorder Timeout -------------------------------------------------------------------------
    def deadline(self) -> int | None:
        """When (µs) a seq hole runs out of time, so that a quiet stream still notices its lost messages."""
        return self._deadline

    def tick(self, now: int) -> None:
        """The time is ``now`` (µs): holes whose time is up are lost (a rebirth asked of the living nodes)."""
        if self._deadline is None or now < self._deadline:
            return
        for key, node in self.nodes.items():
            self._lost(key, node, node.seq.expire(now, self.window))
        self._deadline = self._next_deadline()

    def _next_deadline(self) -> int | None:
        found = [d for node in self.nodes.values() if (d := node.seq.deadline(self.window)) is not None]
        return min(found) if found else None

    # ---- messages ------------------------------------------------------------------------------------
    def receive(self, topic: str, payload: bytes, arrived: int, readings: Readings, rejects: Rejects) -> None:
        """One message: readings for its metrics, rejects for what cannot be read, requests and gaps noted."""
        levels = topic.split("/")
        source = f"sparkplug:{topic}"
        if len(levels) < 2 or levels[0] != NAMESPACE:
            rejects.add(arrived, source, f"not a Sparkplug B topic (it starts with {NAMESPACE}/)", payload)
            return
        if levels[1] == "STATE":  # a host application's state: not machine data
            return
        if len(levels) not in (4, 5):
            rejects.add(arrived, source, "a Sparkplug topic is spBv1.0/group/TYPE/node[/device]", payload)
            return
        group, kind, node_id = levels[1], levels[2], levels[3]
        device = levels[4] if len(levels) == 5 else ""
        if kind in ("NCMD", "DCMD"):
            self.commands += 1
            return
        if kind not in ("NBIRTH", "NDEATH", "DBIRTH", "DDEATH", "NDATA", "DDATA"):
            rejects.add(arrived, source, f"unknown Sparkplug message type {kind!r}", payload)
            return
        if (kind[0] == "D") != bool(device):
            rejects.add(arrived, source, f"{kind} {'needs' if kind[0] == 'D' else 'takes no'} device id", payload)
            return
        try:
            message: Message = Payload.FromString(payload)
        except DecodeError as exc:
            rejects.add(arrived, source, f"not a Sparkplug B payload: {exc}", payload)
            return
        count = len(message.metrics)  # type: ignore[attr-defined]
        if count > MAX_METRICS:
            rejects.add(arrived, source, f"{count} metrics in one message, more than {MAX_METRICS:,}", payload)
            return
        key = (group, node_id)
        node = self.nodes.get(key)
        if kind == "NDEATH":  # its payload's timestamp is not the moment of death: not read
            self._node_death(key, node, message, source, arrived, readings)
            return
        when = message.timestamp if message.HasField("timestamp") else arrived // 1000  # type: ignore[attr-defined]
        if when >= FAR_MS:
            rejects.add(arrived, source, f"payload timestamp {when} ms since 1970 is far outside any moment", payload)
            return
        if message.HasField("seq") and message.seq > 255:  # type: ignore[attr-defined]
            why = f"seq {message.seq} is no Sparkplug seq number (0–255): its place cannot be told"  # type: ignore[attr-defined]
            rejects.add(arrived, source, why, payload)
            return
        if kind == "NBIRTH":
            self._node_birth(key, message, arrived, source, readings, rejects, payload)
            return
        if node is None:
            self._ask(key)
            rejects.add(arrived, source, f"no birth certificate seen for node {node_id}; rebirth requested", payload)
            return
        order = self._check_seq(key, node, message, arrived)
        if kind == "DBIRTH":
            node.devices[device] = True
            infos = node.metrics.setdefault(device, {})
            for m in message.metrics:  # type: ignore[attr-defined]
                if len(m.name) > MAX_NAME:
                    continue
                if m.HasField("alias") and m.name:
                    node.aliases[m.alias] = m.name
                if m.name:
                    infos[m.name] = MetricInfo(m.name, m.datatype, _unit(m))
            self._metrics(key, node, device, message, "good", source, arrived, readings, rejects, payload)
        elif kind == "DDEATH":
            if order != "reordered":  # a later message of the device came first: it tells its state now
                node.devices[device] = False
            self._mark_bad(key, node, device, when * 1000, source, arrived, readings)
        else:
            # a message that fills a seq hole was sent before one already here, while its session lived
            alive = order == "reordered" or node.alive and (not device or node.devices.get(device, False))
            if not alive:
                self._ask(key)
            quality = "good" if alive else "uncertain"
            self._metrics(key, node, device, message, quality, source, arrived, readings, rejects, payload)

    def _node_birth(
        self,
        key: tuple[str, str],
        message: Any,
        arrived: int,
        source: str,
        readings: Readings,
        rejects: Rejects,
        payload: bytes,
    ) -> None:
        node = Node(seq=Sequence(newest=message.seq if message.HasField("seq") else 0), alive=True)
        infos = node.metrics.setdefault("", {})
        for m in message.metrics:
            if m.name == BD_SEQ:
                node.bd_seq = metric_value(m)
            if len(m.name) > MAX_NAME:  # no name: not remembered (its reading is rejected for it)
                continue
            if m.HasField("alias") and m.name:
                node.aliases[m.alias] = m.name
            if m.name:
                infos[m.name] = MetricInfo(m.name, m.datatype, _unit(m))
        old = self.nodes.get(key)
        if old is not None:  # the devices must be born again under the new node session
            node.devices = {d: False for d in old.devices}
            self._lost(key, old, old.seq.close(), ask=False)  # of the session before: born again, nothing to ask
        self.nodes[key] = node
        self.rebirths = [k for k in self.rebirths if k != key]
        self._asked_unknown.discard(key)
        self._metrics(key, node, "", message, "good", source, arrived, readings, rejects, payload)

    def _node_death(
        self, key: tuple[str, str], node: Node | None, message: Any, source: str, arrived: int, r: Readings
    ) -> None:
        """The node's session ended at ``arrived``: the broker sends the will when it notices, and the payload's
        timestamp (if any) is from when the will was registered, at connect (Sparkplug 3.0 § 5, Edge Node
        Session Termination)."""
        bd_seq = next((metric_value(m) for m in message.metrics if m.name == BD_SEQ), None)
        stale = node is None or not node.alive  # never born here, or dead already (its will after its NDEATH)
        if node is not None and bd_seq is not None and node.bd_seq is not None and bd_seq != node.bd_seq:
            stale = True  # the will of an earlier session, arriving late: this one lives on
        if stale or node is None:
            self.counted["stale_deaths"] += 1
            self.stale.append(StaleDeath(key[0], key[1], bd_seq if isinstance(bd_seq, int) else None))
            return
        node.alive = False
        node.seq.newest = None  # NDEATH has no seq; holes stay open for messages still on their way
        for device in list(node.metrics):
            if device:
                node.devices[device] = False
            self._mark_bad(key, node, device, arrived, source, arrived, r)

    def _check_seq(self, key: tuple[str, str], node: Node, message: Any, arrived: int) -> str:
        """How the message's seq stands to those seen: in order, reordered, late or ahead (see sequence.py)."""
        if not message.HasField("seq"):
            return "in order"
        order, lost = node.seq.see(message.seq, arrived, self.window)
        if order == "reordered":
            self.counted["reordered"] += 1
        elif order == "late":
            self.counted["late"] += 1
        elif order == "ahead":
            deadline = arrived + self.window.micros
            self._deadline = deadline if self._deadline is None else min(self._deadline, deadline)
        if lost:
            self._lost(key, node, lost)
        return order

    def _lost(self, key: tuple[str, str], node: Node, lost: list[Lost], ask: bool = True) -> None:
        """Messages the window gave up on: counted, said (runs next to each other as one), a rebirth asked."""
        for found in lost:
            self.counted["gaps"] += found.count
            last = self.gaps[-1] if self.gaps else None
            if last and (last.group, last.node) == key and (last.first + last.lost) % 256 == found.first:
                self.gaps[-1] = Gap(key[0], key[1], last.first, last.lost + found.count, last.since)
            else:
                self.gaps.append(Gap(key[0], key[1], found.first, found.count, found.since))
        if lost and ask and node.alive:
            self._ask(key)  # tck-id-operational-behavior-host-reordering-rebirth

    def _ask(self, key: tuple[str, str]) -> None:
        node = self.nodes.get(key)
        if node is not None:
            if node.rebirth_asked:
                return
            node.rebirth_asked = True
        elif key in self._asked_unknown:
            return
        else:
            self._asked_unknown.add(key)
        self.rebirths.append(key)

    def _equipment(self, key: tuple[str, str], device: str) -> str:
        names = {"group": key[0], "node": key[1], "device": device}
        return fill(self.mapping.equipment if device else self.mapping.node_equipment, names)

    def _override(self, name: str) -> tuple[str | None, str | None, bool]:
        """(signal, unit, ignored) for a metric name from the mapping."""
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in self.mapping.ignore):
            return None, None, True
        for pattern, found in self._overrides:
            if fnmatch.fnmatchcase(name, pattern):
                return found.signal, found.unit, False
        return None, None, False

    def _metrics(
        self,
        key: tuple[str, str],
        node: Node,
        device: str,
        message: Any,
        quality: str,
        source: str,
        arrived: int,
        readings: Readings,
        rejects: Rejects,
        payload: bytes,
    ) -> None:
        equipment = self._equipment(key, device)
        infos = node.metrics.setdefault(device, {})
        default_ms = message.timestamp if message.HasField("timestamp") else arrived // 1000
        for m in message.metrics:
            name = m.name
            if not name:
                if not m.HasField("alias") or m.alias not in node.aliases:
                    self._ask(key)
                    rejects.add(
                        arrived,
                        source,
                        f"metric alias {m.alias} is unknown for node {key[1]}; rebirth requested",
                        payload,
                    )
                    continue
                name = node.aliases[m.alias]
            if name == BD_SEQ or name.startswith("Node Control/") or name.startswith("Device Control/"):
                continue
            signal, unit, ignored = self._override(name)
            if ignored:
                continue
            info = infos.get(name)
            kind = m.datatype or (info.datatype if info else 0)
            if m.is_null:
                continue  # no value at this moment: nothing to record
            if kind not in NUMERIC:
                rejects.add(
                    arrived,
                    source,
                    f"metric {name!r} is of Sparkplug type {kind}, not a number; list it under sparkplug.ignore",
                    None,
                )
                continue
            unit = unit or (info.unit if info else None) or _unit(m)
            if unit is None:
                rejects.add(
                    arrived,
                    source,
                    f"metric {name!r} has no unit: give engUnit in its birth certificate, or "
                    f"sparkplug.metrics.{name!r}.unit in the mapping (1 for counts)",
                    None,
                )
                continue
            value = metric_value(m)
            held = type(value)
            if held is not float and held is not int and held is not bool:  # a text where a DOUBLE belongs …
                which = m.WhichOneof("value")
                why = f"metric {name[:80]!r} is of Sparkplug type {kind} but carries {which or 'no value'}"
                rejects.add(arrived, source, why, payload)
                continue
            stamp = m.timestamp if m.HasField("timestamp") else default_ms
            if stamp >= FAR_MS:
                why = f"metric {name[:80]!r}: timestamp {stamp} ms since 1970 is far outside any moment"
                rejects.add(arrived, source, why, payload)
                continue
            if info is not None and (info.at is None or stamp * 1000 >= info.at):  # the newest, whatever came last
                info.last, info.at = float(value), stamp * 1000
            readings.add(equipment, signal or name, stamp * 1000, value, unit, quality, source, arrived)

    def _mark_bad(
        self, key: tuple[str, str], node: Node, device: str, when: int, source: str, arrived: int, r: Readings
    ) -> None:
        """A death certificate: every metric of the node or device last seen with a value becomes bad at ``when``
        (µs since the epoch)."""
        equipment = self._equipment(key, device)
        for name, info in node.metrics.get(device, {}).items():
            if info.last is None or name == BD_SEQ:
                continue
            signal, unit, ignored = self._override(name)
            unit = unit or info.unit
            if ignored or unit is None:
                continue
            r.add(equipment, signal or name, when, info.last, unit, "bad", source, arrived, -1)


def _unit(metric: Any) -> str | None:
    found = properties(metric)
    for key in UNIT_PROPERTIES:
        value = found.get(key)
        if isinstance(value, str) and value.strip():
            return value[: MAX_UNIT * 4].strip()[:MAX_UNIT]
    if metric.datatype == BOOLEAN:
        return "1"
    return None


def rebirth_request(group: str, node: str, now_ms: int) -> tuple[str, bytes]:
    """The NCMD that asks an edge node to publish its birth certificates again."""
    body = encode([{"name": REBIRTH, "datatype": BOOLEAN, "value": True, "timestamp": now_ms}], timestamp=now_ms)
    return f"{NAMESPACE}/{group}/NCMD/{node}", body
