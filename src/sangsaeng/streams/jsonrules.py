"""MQTT messages with JSON payloads → readings, by a mapping's rules.

What a topic means is worked out once per distinct topic (machines publish to a fixed set) and kept: the rule
it matches, its captures, the equipment and signal names filled in, and the functions that read each value,
unit, quality and moment from a payload. Per message there is then one JSON parse and a few dictionary reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from sangsaeng.streams.mapping import Rule, Timestamp, fill, getter, json_path
from sangsaeng.streams.readings import Readings, Rejects

MAX_TOPICS = 100_000  # distinct topics remembered; more than that are matched anew each time


@dataclass(frozen=True)
class _Signal:
    signal: str
    value: Callable[[Any], Any]
    unit: str | None
    unit_of: Callable[[Any], Any] | None
    quality_of: Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Topic:
    equipment: str
    signals: tuple[_Signal, ...]
    moment: Callable[[Any], int | str] | None  # µs since the epoch, or a reason it could not be read
    source: str


def _moment(spec: Timestamp) -> Callable[[Any], int | str]:
    read = getter(json_path(spec.path))
    scale = {"epoch_s": 1_000_000, "epoch_ms": 1000, "epoch_us": 1}.get(spec.format)

    def epoch(doc: Any) -> int | str:
        value = read(doc)
        if type(value) is int or type(value) is float:
            return int(value * scale)  # type: ignore[operator]
        return f"timestamp at {spec.path} is {value!r}, not a number ({spec.format})"

    def iso(doc: Any) -> int | str:
        value = read(doc)
        if not isinstance(value, str):
            return f"timestamp at {spec.path} is {value!r}, not an ISO 8601 text"
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return f"timestamp at {spec.path} is {value!r}, not ISO 8601 (2026-11-24T09:30:00+09:00)"
        if moment.tzinfo is None:
            return f"timestamp {value!r} has no time zone; write Z or an offset such as +09:00"
        return int(moment.timestamp() * 1_000_000)

    return epoch if scale else iso


def _matches(rule: Rule, levels: list[str]) -> dict[str, str] | None:
    pattern = rule.topic.split("/")
    captures: dict[str, str] = {}
    for at, part in enumerate(pattern):
        if part == "#":
            return captures
        if at >= len(levels):
            return None
        if part.startswith("{"):
            captures[part[1:-1]] = levels[at]
        elif part != "+" and part != levels[at]:
            return None
    return captures if len(levels) == len(pattern) else None


class JsonRules:
    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self._topics: dict[str, _Topic | None] = {}

    def _compile(self, topic: str) -> _Topic | None:
        levels = topic.split("/")
        for rule in self.rules:
            captures = _matches(rule, levels)
            if captures is None:
                continue
            signals = tuple(
                _Signal(
                    fill(s.signal, captures),
                    getter(json_path(s.value)),
                    s.unit,
                    getter(json_path(s.unit_path)) if s.unit_path else None,
                    getter(json_path(s.quality_path)) if s.quality_path else None,
                )
                for s in rule.signals
            )
            moment = _moment(rule.timestamp) if rule.timestamp else None
            return _Topic(fill(rule.equipment, captures), signals, moment, f"mqtt:{topic}")
        return None

    def state(self) -> dict[str, Any]:
        return {}

    def restore(self, state: dict[str, Any]) -> None:
        pass

    def topic(self, topic: str) -> _Topic | None:
        try:
            return self._topics[topic]
        except KeyError:
            found = self._compile(topic)
            if len(self._topics) < MAX_TOPICS:
                self._topics[topic] = found
            return found

    def receive(self, topic: str, payload: bytes, arrived: int, readings: Readings, rejects: Rejects) -> None:
        meaning = self.topic(topic)
        if meaning is None:
            rejects.add(arrived, f"mqtt:{topic}", "no rule of the mapping matches this topic", payload)
            return
        try:
            doc = orjson.loads(payload)
        except orjson.JSONDecodeError as exc:
            rejects.add(arrived, meaning.source, f"payload is not JSON: {exc}", payload)
            return
        if meaning.moment is None:
            moment: int | str = arrived
        else:
            moment = meaning.moment(doc)
            if type(moment) is str:
                rejects.add(arrived, meaning.source, moment, payload)
                return
        for s in meaning.signals:
            value = s.value(doc)
            if value is None:
                what = f"{meaning.equipment}/{s.signal}"
                rejects.add(arrived, meaning.source, f"{what}: no value in the payload", payload)
                continue
            unit = s.unit if s.unit_of is None else s.unit_of(doc)
            if not isinstance(unit, str):
                rejects.add(arrived, meaning.source, f"{meaning.equipment}/{s.signal}: no unit in the payload", payload)
                continue
            quality = "good" if s.quality_of is None else s.quality_of(doc)
            if not isinstance(quality, str):
                quality = "good" if quality is None else str(quality)
            at: int = moment  # type: ignore[assignment]  # a reason (str) returned above
            readings.append((meaning.equipment, s.signal, at, value, unit, quality, meaning.source, arrived, payload))
