"""Stream mappings: how a machine stream's messages become standard measurements, as a document a person edits.

One document names the stream, its source (an MQTT broker with JSON payloads, a Sparkplug B group, or an OPC UA
server), how messages map to equipment, signal, value, unit and time, and how often landed data is committed::

    stream: line2-presses
    title: Line 2 presses
    source:
      mqtt: {host: 127.0.0.1, port: 1883}
    batch: {rows: 20000, seconds: 1}
    rules:
      - topic: "factory/{line}/{machine}/telemetry"
        equipment: "{line}-{machine}"
        timestamp: {path: $.ts, format: epoch_ms}
        signals:
          - {signal: spindle_temperature, value: $.temp, unit: °F}
          - {signal: "{kind}", value: $.v, unit_path: $.u}

Topic patterns use MQTT's levels: ``{name}`` captures one level (``+``), a final ``#`` matches the rest; the
captures (and, for Sparkplug, ``group``, ``node`` and ``device``) fill ``{…}`` in equipment and signal names.
JSON paths are the plain subset ``$.a.b[0].c``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sangsaeng.errors import InvalidInput, SangsaengError
from sangsaeng.standard.units import recognize
from sangsaeng.streams.sequence import MOST_MESSAGES

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PATH_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
SPARKPLUG_NAMES = ("group", "node", "device")


def json_path(text: str) -> tuple[str | int, ...]:
    """``$.a.b[0]`` → ("a", "b", 0). Only names and indexes: what machine payloads need, read fast."""
    if not text.startswith("$"):
        raise ValueError(f"{text!r} is not a JSON path; write it as $.field or $.a.b[0]")
    steps: list[str | int] = []
    at = 1
    while at < len(text):
        found = _PATH_PART.match(text, at)
        if found is None:
            raise ValueError(f"{text!r}: cannot read the path after {text[:at]!r}; use $.name and [index] steps")
        steps.append(found.group(1) if found.group(1) is not None else int(found.group(2)))
        at = found.end()
    return tuple(steps)


def getter(path: tuple[str | int, ...]) -> Callable[[Any], Any]:
    """A function reading ``path`` out of a decoded payload; ``None`` where the path leads nowhere."""
    if len(path) == 1 and isinstance(path[0], str):
        key = path[0]
        return lambda doc: doc.get(key) if type(doc) is dict else None

    def get(doc: Any) -> Any:
        for step in path:
            if isinstance(step, str):
                if type(doc) is not dict:
                    return None
                doc = doc.get(step)
            else:
                if type(doc) is not list or step >= len(doc):
                    return None
                doc = doc[step]
        return doc

    return get


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))


def fill(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template) if "{" in template else template


def _known_unit(unit: str | None) -> str | None:
    if unit is not None:
        try:
            recognize(unit)
        except SangsaengError as exc:
            raise ValueError(f"{exc.message}; {exc.hint}") from exc
    return unit


UnitText = Annotated[str | None, AfterValidator(_known_unit)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Broker(_Strict):
    host: str = Field("127.0.0.1", description="The MQTT broker (MQTT 5)")
    port: int = Field(1883, ge=1, le=65535)
    username: str | None = None
    password: str | None = None
    client_id: str | None = Field(None, description="Session id at the broker; default sangsaeng-<stream>")
    keepalive: int = Field(30, ge=5, le=3600, description="Seconds between keep-alive pings")
    session_hours: float = Field(
        168, gt=0, description="How long the broker keeps messages for this stream while the ingester is away"
    )


class MqttSource(Broker):
    topics: list[str] | None = Field(None, description="Subscriptions; default: each rule's topic as a filter")
    qos: Literal[0, 1] = Field(1, description="1: acknowledged only once durable; 0: may be lost")


class SparkplugSource(Broker):
    group: str = Field(description="The Sparkplug group id to take (+ for every group)")
    host_id: str | None = Field(None, description="This host application's id in rebirth requests")
    qos: Literal[0, 1] = Field(1)

    @field_validator("group")
    @classmethod
    def _one_level(cls, group: str) -> str:
        if not group or "/" in group or "#" in group or (group != "+" and "+" in group):
            raise ValueError("a group id is one topic level without wildcards, or + for every group")
        return group


class OpcuaSource(_Strict):
    endpoint: str = Field(description="opc.tcp://host:port/path")
    publishing_ms: int = Field(100, ge=10, le=60000, description="How often the server sends changes")
    sampling_ms: int = Field(0, ge=0, description="How often the server samples (0: as fast as it can)")
    timeout: float = Field(4.0, gt=0, description="Seconds to wait for the server")

    @field_validator("endpoint")
    @classmethod
    def _opc_tcp(cls, endpoint: str) -> str:
        if not endpoint.startswith("opc.tcp://"):
            raise ValueError("an OPC UA endpoint starts with opc.tcp://")
        return endpoint


class Source(_Strict):
    mqtt: MqttSource | None = None
    sparkplug: SparkplugSource | None = None
    opcua: OpcuaSource | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Source:
        given = [k for k in ("mqtt", "sparkplug", "opcua") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one source: mqtt, sparkplug or opcua")
        return self

    @property
    def kind(self) -> str:
        return "mqtt" if self.mqtt else "sparkplug" if self.sparkplug else "opcua"


class Timestamp(_Strict):
    path: str = Field(description="JSON path of the moment")
    format: Literal["epoch_s", "epoch_ms", "epoch_us", "iso"] = Field("iso", description="How it is written")

    @field_validator("path")
    @classmethod
    def _path(cls, path: str) -> str:
        json_path(path)
        return path


class Signal(_Strict):
    signal: str = Field(description="Signal name (may use {captures})")
    value: str = Field(description="JSON path of the number")
    unit: UnitText = Field(None, description="The unit every value is in")
    unit_path: str | None = Field(None, description="JSON path of each message's unit")
    quality_path: str | None = Field(None, description="JSON path of good / uncertain / bad (default good)")

    @field_validator("value", "unit_path", "quality_path")
    @classmethod
    def _paths(cls, path: str | None) -> str | None:
        if path is not None:
            json_path(path)
        return path

    @model_validator(mode="after")
    def _one_unit(self) -> Signal:
        if (self.unit is None) == (self.unit_path is None):
            raise ValueError("give either 'unit' (e.g. °C, kWh; 1 for counts) or 'unit_path'")
        return self


class Rule(_Strict):
    topic: str = Field(description="Topic pattern, e.g. factory/{line}/{machine}/telemetry")
    equipment: str = Field(description="Equipment id (may use {captures})")
    timestamp: Timestamp | None = Field(None, description="Where the moment is; default: when it arrived")
    signals: list[Signal] = Field(default_factory=list)
    # the one-signal shorthand
    signal: str | None = None
    value: str | None = None
    unit: str | None = None
    unit_path: str | None = None
    quality_path: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> Rule:
        single = {
            k: getattr(self, k) for k in ("signal", "value", "unit", "unit_path", "quality_path") if getattr(self, k)
        }
        if single:
            if self.signals:
                raise ValueError("give either 'signals' or one signal's 'signal' and 'value', not both")
            self.signals = [Signal.model_validate(single)]
            for k in single:
                setattr(self, k, None)
        if not self.signals:
            raise ValueError("a rule needs 'signals' (or 'signal' and 'value')")
        levels = self.topic.split("/")
        names: list[str] = []
        for at, level in enumerate(levels):
            if level == "#" and at != len(levels) - 1:
                raise ValueError(f"topic {self.topic!r}: # may only end a pattern")
            if "{" in level or "}" in level:
                found = re.fullmatch(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", level)
                if found is None:
                    raise ValueError(f"topic {self.topic!r}: a capture is a whole level, like {{machine}}")
                names.append(found.group(1))
            elif "+" in level and level != "+" or "#" in level and level != "#":
                raise ValueError(f"topic {self.topic!r}: + and # stand alone in a level")
        if len(set(names)) != len(names):
            raise ValueError(f"topic {self.topic!r} captures one name twice")
        unknown = placeholders(self.equipment) - set(names)
        for s in self.signals:
            unknown |= placeholders(s.signal) - set(names)
        if unknown:
            raise ValueError(f"{', '.join(sorted(unknown))} not captured by the topic {self.topic!r}")
        return self

    @property
    def filter(self) -> str:
        """The MQTT subscription filter for this rule's pattern."""
        return "/".join("+" if level.startswith("{") else level for level in self.topic.split("/"))


class MetricMap(_Strict):
    signal: str | None = Field(None, description="Signal name instead of the metric's")
    unit: UnitText = Field(None, description="Unit when the birth certificate gives none (or another)")


class Reorder(_Strict):
    """Sparkplug's Reorder Timeout: how long a missing seq may take before it counts as lost (and a rebirth is
    asked for). Every message lands as it arrives; the window only tells reordered from lost."""

    seconds: float = Field(2.0, ge=0, le=600, description="Seconds a missing seq may arrive after a later one")
    messages: int = Field(
        MOST_MESSAGES,
        ge=0,
        le=MOST_MESSAGES,
        description=f"… or later seq numbers that may overtake it (at most {MOST_MESSAGES}: seq wraps at 255)",
    )


class Sparkplug(_Strict):
    equipment: str = Field("{node}/{device}", description="Equipment id from {group}, {node}, {device}")
    node_equipment: str = Field("{node}", description="Equipment id of an edge node's own metrics")
    metrics: dict[str, MetricMap] = Field(default_factory=dict, description="Per metric name (glob patterns)")
    ignore: list[str] = Field(default_factory=list, description="Metric names (glob) that are not measurements")
    reorder: Reorder = Field(default_factory=Reorder, description="When a missing seq counts as lost")

    @model_validator(mode="after")
    def _names(self) -> Sparkplug:
        for template in (self.equipment, self.node_equipment):
            extra = placeholders(template) - set(SPARKPLUG_NAMES)
            if extra:
                raise ValueError(f"{template!r}: only {{group}}, {{node}} and {{device}} can be used")
        if "device" in placeholders(self.node_equipment):
            raise ValueError("node_equipment cannot use {device}: node metrics belong to no device")
        return self


class Node(_Strict):
    node: str | None = Field(None, description="A node id, e.g. ns=2;s=Press1.Temperature")
    browse: str | None = Field(
        None, description="A browse path under Objects, e.g. Line2/{equipment}/{signal} (captures name the rows)"
    )
    equipment: str | None = None
    signal: str | None = None
    unit: UnitText = Field(None, description="Unit when the node's EngineeringUnits is missing (or wrong)")

    @model_validator(mode="after")
    def _shape(self) -> Node:
        if (self.node is None) == (self.browse is None):
            raise ValueError("give either 'node' or 'browse'")
        if self.node is not None and (self.equipment is None or self.signal is None):
            raise ValueError("a node needs 'equipment' and 'signal'")
        if self.browse is not None:
            levels = [p for p in self.browse.split("/") if p]
            captured = {m for level in levels for m in placeholders(level)}
            needed = set()
            if self.equipment is None:
                needed.add("equipment")
            if self.signal is None:
                needed.add("signal")
            missing = needed - captured
            if missing:
                raise ValueError(f"browse {self.browse!r} must capture {', '.join(sorted(missing))} or name it")
        return self


class Batch(_Strict):
    rows: int = Field(20000, ge=1, le=60000, description="Commit when this many messages wait …")
    seconds: float = Field(1.0, gt=0, le=600, description="… or when the oldest has waited this long")


class StreamMapping(_Strict):
    stream: str = Field(description="The stream's name: lower-case letters, digits, . _ -")
    title: str = Field("", description="Title of the dataset it lands in")
    description: str = ""
    source: Source
    batch: Batch = Field(default_factory=Batch)
    partition: Literal["day", "hour"] = Field("day", description="Time partitions of the landed data (UTC)")
    rules: list[Rule] = Field(default_factory=list, description="MQTT with JSON: topic → measurements")
    sparkplug: Sparkplug | None = None
    nodes: list[Node] = Field(default_factory=list, description="OPC UA: nodes → measurements")

    @field_validator("stream")
    @classmethod
    def _name(cls, name: str) -> str:
        if not NAME.match(name):
            raise ValueError("a stream name is 1–63 lower-case letters, digits, '.', '_' or '-', e.g. line2-presses")
        return name

    @model_validator(mode="after")
    def _fits_source(self) -> StreamMapping:
        kind = self.source.kind
        if kind == "mqtt" and not self.rules:
            raise ValueError("an mqtt source needs 'rules' (topic → equipment, signal, value, unit)")
        if kind != "mqtt" and self.rules:
            raise ValueError(f"'rules' are for MQTT with JSON payloads, not {kind}")
        if kind == "sparkplug" and self.sparkplug is None:
            self.sparkplug = Sparkplug()
        if kind != "sparkplug" and self.sparkplug is not None:
            raise ValueError(f"'sparkplug' settings do not apply to a {kind} source")
        if kind == "opcua" and not self.nodes:
            raise ValueError("an opcua source needs 'nodes' (node or browse path → equipment, signal)")
        if kind != "opcua" and self.nodes:
            raise ValueError(f"'nodes' are for OPC UA, not {kind}")
        if self.source.mqtt is not None and self.source.mqtt.topics is None:
            self.source.mqtt.topics = list(dict.fromkeys(r.filter for r in self.rules))
        if not self.title:
            self.title = self.stream
        return self

    @property
    def kind(self) -> str:
        return self.source.kind

    @property
    def broker(self) -> Broker:
        found = self.source.mqtt or self.source.sparkplug
        if found is None:
            raise InvalidInput(f"stream {self.stream} reads OPC UA, not MQTT")
        return found

    @property
    def client_id(self) -> str:
        return self.broker.client_id or f"sangsaeng-{self.stream}"


def load_stream_mapping(text: str, source: str = "mapping") -> StreamMapping:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{source} is not YAML or JSON: {exc}", hint="check the indentation") from exc
    if not isinstance(data, dict):
        raise InvalidInput(f"{source} must be a mapping document (stream, source, rules …)", hint="see docs/streams.md")
    try:
        return StreamMapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInput(
            f"{source}: {where + ': ' if where else ''}{message}", position=where or None, hint="see docs/streams.md"
        ) from exc


def read_stream_mapping(path: Path) -> StreamMapping:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the mapping {path}: {exc}") from exc
    return load_stream_mapping(text, path.name)
