"""Sparkplug B ``seq`` numbers of one edge node: which messages came late, and which are lost.

Sparkplug 3.0, "Sparkplug Host Application Message Ordering": messages of an edge node travel on different
topics, so a broker may deliver them in another order than they were sent (Mosquitto, for one, sends a QoS 0
message at once while QoS 1 messages wait for the subscriber's acknowledgements). A host waits a *Reorder
Timeout* for a missing ``seq``; if it has not come by then, the message is lost and the host asks for a rebirth
(tck-id-operational-behavior-host-reordering-start, -rebirth, -success).

This host lands every message as it arrives (a time-series store may, says the same section), so waiting costs
nothing: the window only decides what is *counted*. A missing ``seq`` is a hole; a message that fills its hole
within the window was **reordered**; a hole still open when the window passes is **lost** (one per missing
message). The window closes after ``seconds`` from when the hole was noticed or once ``messages`` later
``seq`` numbers have arrived, whichever is first — the count keeps every hole less than half the 0–255 circle
behind the newest ``seq``, where it cannot be mistaken for one ahead. A message behind the newest that fills
no hole (a repeat, or one later than its window) is **late**: landed, and counted as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEQS = 256
HALF = SEQS // 2  # a seq at most this far behind the newest is behind it; further, it is ahead
MOST_MESSAGES = HALF - 1  # the largest count window seq numbers can tell apart


@dataclass(frozen=True)
class Window:
    seconds: float
    messages: int

    def __post_init__(self) -> None:
        if not 0 <= self.messages <= MOST_MESSAGES or self.seconds < 0:
            raise ValueError(f"a reorder window is 0–{MOST_MESSAGES} messages and 0 or more seconds")

    @property
    def micros(self) -> int:
        return round(self.seconds * 1_000_000)


@dataclass
class Holes:
    """``count`` missing seq numbers from ``first`` on (mod 256), noticed at ``since`` (µs)."""

    first: int
    count: int
    since: int

    def holds(self, seq: int) -> bool:
        return (seq - self.first) % SEQS < self.count


@dataclass(frozen=True)
class Lost:
    """Seq numbers ``first`` … ``first + count - 1`` (mod 256) that did not come within the window."""

    first: int
    count: int
    since: int


@dataclass
class Sequence:
    """What one edge node's session has sent so far, as its seq numbers tell it."""

    newest: int | None = None  # None: nothing yet, or the node died (NDEATH carries no seq)
    holes: list[Holes] = field(default_factory=list)  # oldest first

    def see(self, seq: int, at: int, window: Window) -> tuple[str, list[Lost]]:
        """A message with ``seq`` arrived at ``at`` (µs): ``in order``, ``reordered`` (it filled a hole),
        ``late`` (behind the newest, no hole) or ``ahead`` (it skipped seq numbers, now holes); and what the
        window lost meanwhile."""
        newest = self.newest
        if not self.holes and newest is not None and seq == (newest + 1) % SEQS:  # nearly every message
            self.newest = seq
            return "in order", []
        lost = self.expire(at, window)
        for i, hole in enumerate(self.holes):
            if hole.holds(seq):
                self._fill(i, seq)
                return "reordered", lost
        if self.newest is None:
            self.newest = seq
            return "in order", lost
        ahead = (seq - self.newest) % SEQS
        if ahead == 0 or ahead >= HALF:
            return "late", lost
        if ahead > 1:
            self.holes.append(Holes((self.newest + 1) % SEQS, ahead - 1, at))
        self.newest = seq
        lost += self._expire_behind(window.messages)
        lost += self.expire(at, window)
        return ("ahead" if ahead > 1 else "in order"), lost

    def expire(self, now: int, window: Window) -> list[Lost]:
        """The holes whose time is up at ``now`` (µs)."""
        if not self.holes or min(h.since for h in self.holes) + window.micros > now:
            return []
        gone = [h for h in self.holes if h.since + window.micros <= now]
        self.holes = [h for h in self.holes if h.since + window.micros > now]
        return [Lost(h.first, h.count, h.since) for h in gone]

    def close(self) -> list[Lost]:
        """Every hole, lost: the session is over (a new birth)."""
        gone, self.holes = self.holes, []
        return [Lost(h.first, h.count, h.since) for h in gone]

    def deadline(self, window: Window) -> int | None:
        """When (µs) the oldest hole's time is up."""
        return min(h.since for h in self.holes) + window.micros if self.holes else None

    def _fill(self, i: int, seq: int) -> None:
        hole = self.holes[i]
        before = (seq - hole.first) % SEQS
        after = hole.count - before - 1
        pieces = []
        if before:
            pieces.append(Holes(hole.first, before, hole.since))
        if after:
            pieces.append(Holes((seq + 1) % SEQS, after, hole.since))
        self.holes[i : i + 1] = pieces

    def _expire_behind(self, messages: int) -> list[Lost]:
        """Seq numbers more than ``messages`` behind the newest: lost, however little time has passed."""
        assert self.newest is not None
        lost: list[Lost] = []
        kept: list[Holes] = []
        for hole in self.holes:
            behind = (self.newest - hole.first) % SEQS  # of the hole's first seq
            over = min(hole.count, behind - messages)
            if over > 0:
                lost.append(Lost(hole.first, over, hole.since))
                if over < hole.count:
                    kept.append(Holes((hole.first + over) % SEQS, hole.count - over, hole.since))
            else:
                kept.append(hole)
        self.holes = kept
        return lost

    # ---- saved with the host's state ------------------------------------------------------------------
    def state(self) -> list[Any]:
        return [self.newest, [[h.first, h.count, h.since] for h in self.holes]]

    @classmethod
    def restore(cls, saved: Any) -> Sequence:
        if not isinstance(saved, list):  # a state from before the window: the newest seq alone (or None)
            return cls(newest=saved)
        newest, holes = saved
        return cls(newest=newest, holes=[Holes(int(f), int(c), int(s)) for f, c, s in holes])
