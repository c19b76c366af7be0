"""Shared by the benchmarks: connectors as processes, peak-memory sampling, figures beside baselines."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from sangsaeng.launch import Node, running


@contextmanager
def connectors(root: Path, names: list[str], **settings: object) -> Iterator[dict[str, Node]]:
    with running(root, names, log_level="warning", **settings) as nodes:
        yield nodes


class PeakRss:
    """Samples the resident memory of processes (with their children) every few milliseconds."""

    def __init__(self, pids: dict[str, int], interval: float = 0.02) -> None:
        self.procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.peak = {name: 0 for name in pids}
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self, proc: psutil.Process) -> int:
        total = 0
        try:
            family = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:  # it ended between two samples
            return 0
        for p in family:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, proc in self.procs.items():
                self.peak[name] = max(self.peak[name], self._rss(proc))
            time.sleep(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def report(self) -> str:
        return ", ".join(f"{name} {peak / 2**20:.0f} MB" for name, peak in self.peak.items())


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: float
    baseline_name: str
    ratio: float
    aim: str
    memory: str
    notes: list[str] = field(default_factory=list)

    def show(self) -> str:
        lines = [
            f"## {self.name}",
            f"  figure   {self.value:,.2f} {self.unit}",
            f"  baseline {self.baseline:,.2f} {self.unit}  ({self.baseline_name}, same run)",
            f"  ratio    {self.ratio:.3f}   aim: {self.aim}",
            f"  peak RSS {self.memory}",
        ]
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
