"""Sparkplug B seq numbers: messages the broker delivers out of order are reordered, not lost; a real drop is one
gap per missing message, across the 255 → 0 wrap too; every reading lands exactly once. Pure: the host alone."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sangsaeng.streams import sparkplug as spb
from sangsaeng.streams.mapping import Reorder, Sparkplug
from sangsaeng.streams.readings import Readings, Rejects
from sangsaeng.streams.sequence import MOST_MESSAGES, Sequence, Window

GROUP, NODE = "G", "edge1"
T0 = 1_800_000_000_000_000  # µs: when the test's messages arrive (one µs apart)
MS0 = T0 // 1000  # ms: the first reading's timestamp


def host(seconds: float = 60.0, messages: int = MOST_MESSAGES) -> spb.Host:
    return spb.Host(Sparkplug(reorder=Reorder(seconds=seconds, messages=messages)))


def birth(seq: int, bd_seq: int = 7) -> bytes:
    return spb.encode(
        [
            {"name": "bdSeq", "datatype": spb.INT64, "value": bd_seq},
            {"name": "Temp", "alias": 1, "datatype": spb.DOUBLE, "value": -1.0, "properties": {"engUnit": "°C"}},
        ],
        seq=seq,
        timestamp=MS0 - 1,
    )


def data(seq: int, i: int) -> bytes:
    """The i-th data message: its reading's value is i, at MS0 + i."""
    return spb.encode([{"alias": 1, "datatype": spb.DOUBLE, "value": float(i), "timestamp": MS0 + i}], seq=seq)


def death(bd_seq: int, timestamp: int | None = None) -> bytes:
    return spb.encode([{"name": "bdSeq", "datatype": spb.INT64, "value": bd_seq}], timestamp=timestamp)


class Feed:
    """A host and what it turned messages into."""

    def __init__(self, h: spb.Host) -> None:
        self.host, self.readings, self.rejects, self.at = h, Readings(), Rejects(), T0

    def send(self, kind: str, payload: bytes, at: int | None = None) -> None:
        self.at = at if at is not None else self.at + 1
        self.host.receive(f"spBv1.0/{GROUP}/{kind}/{NODE}", payload, self.at, self.readings, self.rejects)

    def values(self, quality: str = "good") -> list[float]:
        return [r[3] for r in self.readings.rows if r[5] == quality and r[3] >= 0]

    def counts(self) -> dict[str, int]:
        return self.host.counts()


def arrival(count: int, jitter: list[int]) -> list[int]:
    """An order in which message i is overtaken by no message more than max(jitter) later than it."""
    return sorted(range(count), key=lambda i: (i + jitter[i], i))


@st.composite
def within_window(draw: Any) -> tuple[int, int, list[int]]:
    window = draw(st.integers(0, MOST_MESSAGES))
    count = draw(st.integers(1, 700))  # up to nearly three turns of the seq circle
    jitter = draw(st.lists(st.integers(0, window), min_size=count, max_size=count))
    return window, draw(st.integers(0, 255)), arrival(count, jitter)


@settings(max_examples=200, deadline=None)
@given(within_window())
@example((3, 250, [0, 3, 1, 2, 4, 5, 6, 7, 9, 8]))  # reordered across 255 → 0
def test_any_order_within_the_window_loses_nothing_and_lands_each_reading_once(
    case: tuple[int, int, list[int]],
) -> None:
    window, start, order = case
    feed = Feed(host(messages=window))
    feed.send("NBIRTH", birth(start))
    for i in order:
        feed.send("NDATA", data((start + 1 + i) % 256, i))
    feed.host.tick(T0 + 10**12)  # long after: whatever is still missing would be lost now
    overtaken = sum(1 for k, i in enumerate(order) if any(j > i for j in order[:k]))
    assert feed.counts() == {"reordered": overtaken, "gaps": 0, "late": 0, "stale_deaths": 0}
    assert sorted(feed.values()) == list(range(len(order)))  # each reading once, all good
    assert feed.host.gaps == [] and feed.host.rebirths == []
    assert len(feed.rejects) == 0


@st.composite
def with_drops(draw: Any) -> tuple[int, int, list[int], set[int]]:
    window = draw(st.integers(1, 64))
    count = draw(st.integers(2, 600))
    dropped: set[int] = set()
    i = draw(st.integers(0, 5))
    while i < count - 1:  # the last message always comes: a drop at the end cannot be seen
        run = draw(st.integers(1, 20))
        dropped.update(range(i, min(i + run, count - 1)))
        i += run + draw(st.integers(1, 60))
    jitter = draw(st.lists(st.integers(0, window), min_size=count, max_size=count))
    order = [i for i in arrival(count, jitter) if i not in dropped]
    return window, draw(st.integers(0, 255)), order, dropped


@settings(max_examples=200, deadline=None)
@given(with_drops())
@example((1, 253, [0, 1, 3, 4], {2}))  # seq 0 lost at the wrap
@example((1, 252, [0, 1, 4, 5], {2, 3}))  # seq 255 and 0 lost: one gap of two
def test_a_real_drop_is_one_gap_per_missing_message_also_across_the_wrap(
    case: tuple[int, int, list[int], set[int]],
) -> None:
    window, start, order, dropped = case
    feed = Feed(host(messages=window))
    feed.send("NBIRTH", birth(start))
    for i in order:
        feed.send("NDATA", data((start + 1 + i) % 256, i))
    feed.host.tick(T0 + 10**12)
    assert feed.counts()["gaps"] == len(dropped)
    assert feed.counts()["late"] == 0
    assert sorted(feed.values()) == sorted(order)  # what came lands once; nothing is made up
    lost = {(g.first + k) % 256 for g in feed.host.gaps for k in range(g.lost)}
    assert lost == {(start + 1 + i) % 256 for i in dropped}
    assert sum(g.lost for g in feed.host.gaps) == len(dropped)
    assert feed.host.rebirths == ([(GROUP, NODE)] if dropped else [])  # the spec's rebirth, for real gaps only


def test_a_message_overtaken_by_more_than_the_window_is_lost_first_and_late_when_it_comes() -> None:
    feed = Feed(host(messages=3))
    feed.send("NBIRTH", birth(10))
    for i in (0, 2, 3, 4):  # seq 11, 13, 14, 15: seq 12 overtaken by three
        feed.send("NDATA", data(11 + i, i))
    assert feed.counts()["gaps"] == 0
    feed.send("NDATA", data(16, 5))  # the fourth: seq 12 is out of the window
    assert feed.counts()["gaps"] == 1 and [(g.first, g.lost) for g in feed.host.gaps] == [(12, 1)]
    feed.send("NDATA", data(12, 1))
    assert feed.counts() == {"reordered": 0, "gaps": 1, "late": 1, "stale_deaths": 0}
    assert sorted(feed.values()) == [0, 1, 2, 3, 4, 5]  # it lands all the same


def test_a_hole_is_lost_when_its_time_is_up_even_if_nothing_more_arrives() -> None:
    feed = Feed(host(seconds=2.0))
    feed.send("NBIRTH", birth(0))
    feed.send("NDATA", data(2, 1), at=T0 + 100)  # seq 1 missing since T0 + 100
    assert feed.host.deadline() == T0 + 100 + 2_000_000
    feed.host.tick(T0 + 100 + 1_999_999)
    assert feed.counts()["gaps"] == 0
    feed.host.tick(T0 + 100 + 2_000_000)
    assert feed.counts()["gaps"] == 1 and feed.host.deadline() is None
    assert feed.host.rebirths == [(GROUP, NODE)]


def test_a_zero_window_counts_every_skip_as_lost_at_once() -> None:
    feed = Feed(host(seconds=0))
    feed.send("NBIRTH", birth(0))
    feed.send("NDATA", data(3, 2))
    assert feed.counts()["gaps"] == 2
    feed.send("NDATA", data(1, 0))
    assert feed.counts()["late"] == 1


def test_a_message_sent_before_the_death_but_delivered_after_it_is_good_and_asks_nothing() -> None:
    feed = Feed(host())
    feed.send("NBIRTH", birth(0, bd_seq=4))
    feed.send("NDATA", data(2, 1))  # seq 1 overtaken …
    feed.send("NDEATH", death(4))
    feed.send("NDATA", data(1, 0))  # … and delivered after the death
    assert feed.counts()["reordered"] == 1 and feed.host.rebirths == []
    assert sorted(feed.values()) == [0, 1]
    feed.send("NDATA", data(3, 2))  # sent after the death: the node is dead to us
    assert 2.0 in feed.values("uncertain") and feed.host.rebirths == [(GROUP, NODE)]


def test_a_death_is_dated_when_it_arrives_not_when_its_will_was_registered() -> None:
    feed = Feed(host())
    feed.send("NBIRTH", birth(0, bd_seq=4))
    feed.send("NDATA", data(1, 5))
    registered = MS0 - 3_600_000  # the will's payload: written at connect, an hour before
    feed.send("NDEATH", death(4, timestamp=registered), at=T0 + 42)
    bad = [r for r in feed.readings.rows if r[5] == "bad"]
    assert [(r[2], r[3]) for r in bad] == [(T0 + 42, 5.0)]


def test_the_death_reading_holds_the_newest_value_not_the_last_to_arrive() -> None:
    feed = Feed(host())
    feed.send("NBIRTH", birth(0, bd_seq=4))
    feed.send("NDATA", data(2, 9))  # newer, arrives first
    feed.send("NDATA", data(1, 3))  # older, arrives last
    feed.send("NDEATH", death(4))
    assert [r[3] for r in feed.readings.rows if r[5] == "bad"] == [9.0]


def test_deaths_of_no_living_session_are_ignored_counted_and_kept_across_a_restart() -> None:
    feed = Feed(host())
    feed.send("NBIRTH", birth(0, bd_seq=5))
    feed.send("NDEATH", death(4))  # the will of the session before, delivered late
    assert feed.host.nodes[(GROUP, NODE)].alive
    feed.send("NDEATH", death(5))
    feed.send("NDEATH", death(5))  # the will after the node's own NDEATH: the same session, dead already
    assert not any(r[5] == "bad" and r[2] > feed.at - 1 for r in feed.readings.rows)  # no second death marks
    assert feed.counts()["stale_deaths"] == 2
    assert [(d.node, d.bd_seq) for d in feed.host.stale] == [(NODE, 4), (NODE, 5)]
    again = host()
    again.restore(feed.host.state())
    assert again.counts() == feed.counts()


def test_holes_and_counts_survive_a_restart_and_a_batch_decoded_again_counts_nothing_twice() -> None:
    feed = Feed(host())
    feed.send("NBIRTH", birth(0))
    feed.send("NDATA", data(3, 2))  # seq 1 and 2 missing
    saved = feed.host.state()
    again = host()
    again.restore(saved)
    feed.host = again
    feed.send("NDATA", data(1, 0))
    assert again.counts()["reordered"] == 1
    again.restore(saved)  # the batch failed: back to the last commit
    assert again.counts()["reordered"] == 0 and again.gaps == [] and again.rebirths == []
    feed.send("NDATA", data(1, 0))
    again.tick(T0 + 10**12)
    assert again.counts() == {"reordered": 1, "gaps": 1, "late": 0, "stale_deaths": 0}
    assert [(g.first, g.lost) for g in again.gaps] == [(2, 1)]


def test_a_state_saved_before_the_window_is_read() -> None:
    old = {
        f"{GROUP}/{NODE}": {
            "bdSeq": 3,
            "seq": 41,
            "alive": True,
            "aliases": {"1": "Temp"},
            "metrics": {"": {"Temp": [spb.DOUBLE, "°C", 20.5]}},
            "devices": {},
        }
    }
    h = host()
    h.restore(old)
    feed = Feed(h)
    feed.send("NDATA", data(43, 1))
    assert h.nodes[(GROUP, NODE)].seq.holes[0].first == 42
    assert h.counts() == {"reordered": 0, "gaps": 0, "late": 0, "stale_deaths": 0}


def test_a_seq_beyond_255_is_refused_with_the_reason() -> None:
    feed = Feed(host())
    feed.send("NBIRTH", birth(0))
    feed.send("NDATA", data(256, 0))
    assert "seq 256 is no Sparkplug seq number" in feed.rejects.table().column("reason")[0].as_py()


def test_a_new_birth_ends_the_holes_of_the_session_before() -> None:
    feed = Feed(host())
    feed.send("NBIRTH", birth(0))
    feed.send("NDATA", data(3, 2))
    feed.send("NBIRTH", birth(0))
    assert feed.counts()["gaps"] == 2 and feed.host.rebirths == []


@pytest.mark.parametrize(("seconds", "messages"), [(-1, 3), (1, MOST_MESSAGES + 1), (1, -1)])
def test_a_window_seq_numbers_cannot_tell_is_refused(seconds: float, messages: int) -> None:
    with pytest.raises(ValueError, match="reorder window"):
        Window(seconds, messages)
    with pytest.raises(ValueError):
        Reorder(seconds=seconds, messages=messages)


def test_a_sequence_alone_tells_in_order_reordered_late_and_ahead() -> None:
    window, seq = Window(60, 10), Sequence()
    assert seq.see(255, 0, window)[0] == "in order"
    assert seq.see(0, 1, window)[0] == "in order"  # 255 → 0 is the next
    assert seq.see(3, 2, window)[0] == "ahead"
    assert seq.see(2, 3, window)[0] == "reordered"
    assert seq.see(2, 4, window)[0] == "late"  # a repeat
    assert seq.see(200, 5, window)[0] == "late"  # more than half the circle ahead is behind
    assert [(h.first, h.count) for h in seq.holes] == [(1, 1)]


@pytest.mark.parametrize(
    ("reorder", "where"),
    [("{messages: 128}", "sparkplug.reorder.messages"), ("{seconds: -1}", "sparkplug.reorder.seconds")],
)
def test_a_mapping_with_a_window_seq_numbers_cannot_tell_is_refused_saying_where(reorder: str, where: str) -> None:
    from sangsaeng.errors import InvalidInput
    from sangsaeng.streams.mapping import load_stream_mapping

    with pytest.raises(InvalidInput) as raised:
        load_stream_mapping(f"stream: s\nsource: {{sparkplug: {{group: G}}}}\nsparkplug: {{reorder: {reorder}}}")
    assert where in f"{raised.value.position} {raised.value.message}"
