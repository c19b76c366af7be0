"""A token bucket per member for unsolicited protocol messages (requests that create a process or cost us work
without our asking). Pure: the caller passes the time, so tests move a clock instead of sleeping.

Each member's bucket holds at most ``burst`` tokens and refills at ``rate`` tokens a second; a message takes one.
Buckets live in memory, per connector process: several processes behind one address each allow the full rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float
    refusing: bool = False  # refused since the last message let through: the burst's refusal was noted


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # whole seconds until a message would be let through again
    first_refusal: bool = False  # the first refusal since the member was last let through (note it once)


class TokenBuckets:
    def __init__(self, rate: float, burst: int, members_kept: int = 10_000) -> None:
        self.rate = rate
        self.burst = burst
        self.members_kept = members_kept
        self._buckets: dict[str, _Bucket] = {}

    def take(self, member: str, now: float) -> Verdict:
        """Let one message of ``member`` through at ``now`` (seconds), or say how long it must wait."""
        if self.rate <= 0:
            return Verdict(True)
        bucket = self._buckets.get(member)
        if bucket is None:
            if len(self._buckets) >= self.members_kept:  # a full bucket is what a forgotten member gets back
                self._buckets.pop(next(iter(self._buckets)))
            bucket = self._buckets[member] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + max(now - bucket.at, 0.0) * self.rate)
        bucket.at = max(now, bucket.at)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.refusing = False
            return Verdict(True)
        first = not bucket.refusing
        bucket.refusing = True
        return Verdict(False, max(1, math.ceil((1.0 - bucket.tokens) / self.rate)), first)
