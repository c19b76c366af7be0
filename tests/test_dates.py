"""Dates as factory files write them: a pattern from an example, Korean styles, ISO text and Excel serials, local
times in the mapping's zone, and never an impossible day rolled over to another."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.standard.dates import (
    EXAMPLES,
    compile_pattern,
    fast_moments,
    pattern_of,
    read_days,
    read_moments,
    to_utc,
)

SEOUL = ZoneInfo("Asia/Seoul")


def seoul(*parts: int) -> datetime:
    """A Seoul wall-clock time as the UTC instant it is stored as."""
    return datetime(*parts, tzinfo=SEOUL).astimezone(UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("example", "pattern"),
    [
        ("2026.03.02", "%Y.%m.%d"),
        ("2026. 3. 2.", "%Y. %m. %d."),
        ("26-3-2", "%y-%m-%d"),
        ("2026/3/2", "%Y/%m/%d"),
        ("2026-03-02", "%Y-%m-%d"),
        ("2026년 3월 2일", "%Y년 %m월 %d일"),
        ("2026년 3월 2일 (월)", "%Y년 %m월 %d일 (%a)"),
        ("2026년 3월 2일 월요일", "%Y년 %m월 %d일 %a"),
        ("3월분", "%m월분"),
        ("3월", "%m월"),
        ("2026-03", "%Y-%m"),
        ("2026.03", "%Y.%m"),
        ("20260302", "%Y%m%d"),
        ("260302", "%y%m%d"),
        ("202603", "%Y%m"),
        ("03/02", "%m/%d"),
        ("2026-03-02 14:30", "%Y-%m-%d %H:%M"),
        ("2026-03-02T14:30:15", "%Y-%m-%dT%H:%M:%S"),
        ("2026.03.02 오후 3:00", "%Y.%m.%d %p %I:%M"),
        ("오전 9시", "%p %I시"),
        ("14시 30분", "%H시 %M분"),
        ("3:00 PM", "%I:%M %p"),
        ("02-Mar-2026", "%d-%b-%Y"),
        ("Mar 2, 2026", "%b %d, %Y"),
        ("25/03/2026", "%d/%m/%Y"),
        ("03/25/2026", "%m/%d/%Y"),
        ("２０２６．０３．０２", "%Y.%m.%d"),  # full width, as typed on a Korean keyboard
    ],
)
def test_an_example_becomes_the_pattern_that_reads_it(example: str, pattern: str) -> None:
    assert pattern_of(example) == pattern


@pytest.mark.parametrize(
    ("example", "words"),
    [
        ("03/02/2026", "month/day or day/month"),
        ("hello", "cannot find a date"),
        ("2026-02-30", "not a real date"),
        ("1234567", "cannot tell the date"),
        ("", "empty"),
    ],
)
def test_an_example_that_is_no_date_or_is_ambiguous_says_what_to_write(example: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        pattern_of(example)


@pytest.mark.parametrize(
    ("pattern", "words"),
    [("%Y-%m-%d %c", "%c, which is not read"), ("%I:%M", "without %p"), ("%Y-%m-%Y", "twice"), ("at noon", "no date")],
)
def test_a_pattern_that_cannot_be_read_is_refused(pattern: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        compile_pattern(pattern)


def read(cells: list[str | None], example: str | None, **options: object) -> list[datetime | None]:
    rule = None if example is None else compile_pattern(example if "%" in example else pattern_of(example))
    return read_moments(pa.array(cells, pa.string()), rule, "Asia/Seoul", **options).to_pylist()  # type: ignore[arg-type]


def test_korean_styles_read_as_the_day_they_name_in_seoul() -> None:
    cells = ["2026.03.02", "2026. 3. 2.", "2026. 3. 2", "2026.3.2(월)", "2026/03/02", "2026-3-2", " 2026 . 03 . 02 "]
    assert read(cells, "2026.03.02") == [seoul(2026, 3, 2)] * len(cells)
    assert read(["2026년 3월 2일 (월)", "2026년3월2일", "2026년 12월 31일 (목)"], "2026년 3월 2일 (월)") == [
        seoul(2026, 3, 2),
        seoul(2026, 3, 2),
        seoul(2026, 12, 31),
    ]
    assert read(["26-3-2", "99-12-31", "00-01-01"], "26-3-2") == [
        seoul(2026, 3, 2),
        seoul(2099, 12, 31),
        seoul(2000, 1, 1),
    ]
    assert read(["20260302", "20261231"], "20260302") == [seoul(2026, 3, 2), seoul(2026, 12, 31)]


def test_morning_and_afternoon_read_as_a_person_means_them() -> None:
    cells = ["2026.03.02 오후 3:00", "2026.03.02 오전 9:05", "2026.03.02 오전 12:30", "2026.03.02 오후 12:30"]
    assert read(cells, "2026.03.02 오후 3:00") == [
        seoul(2026, 3, 2, 15),
        seoul(2026, 3, 2, 9, 5),
        seoul(2026, 3, 2, 0, 30),
        seoul(2026, 3, 2, 12, 30),
    ]
    assert read(["2026-03-02 3:00 PM", "2026-03-02 11:59 am"], "%Y-%m-%d %I:%M %p") == [
        seoul(2026, 3, 2, 15),
        seoul(2026, 3, 2, 11, 59),
    ]
    assert read(["2026.03.02 오후 13:00", "2026.03.02 오전 0:30"], "2026.03.02 오후 3:00") == [None, None]


def test_impossible_days_and_times_are_not_read_never_rolled_over() -> None:
    cells = ["2026.02.29", "2028.02.29", "2026.02.30", "2026.04.31", "2026.13.01", "2026.00.10", "2026.01.00"]
    assert read(cells, "2026.03.02") == [None, seoul(2028, 2, 29), None, None, None, None, None]
    assert read(["2026-03-02 25:00", "2026-03-02 14:60", "2026-03-02 14:30:61"], "%Y-%m-%d %H:%M") == [None] * 3


def test_twenty_four_hundred_is_the_end_of_its_day() -> None:
    assert read(["2026-03-02 24:00", "2026-03-02 24:01"], "%Y-%m-%d %H:%M") == [seoul(2026, 3, 3), None]


def test_cells_the_format_does_not_read_are_tried_as_iso_text_and_excel_serials() -> None:
    cells = ["2026-03-02 00:00:00", "2026-03-02", "46083", "46083.604166666664", "46083.5", "2026-03-02T14:30:00"]
    assert read(cells, "3월분", year=2026) == [
        seoul(2026, 3, 2),
        seoul(2026, 3, 2),
        seoul(2026, 3, 2),  # Excel's serial of 2026-03-02
        seoul(2026, 3, 2, 14, 30),
        seoul(2026, 3, 2, 12),
        seoul(2026, 3, 2, 14, 30),
    ]
    assert read(["19999", "80000", "46083.5.1", "4608", "46083,5"], "2026.03.02") == [None] * 5


def test_a_cell_that_gives_its_offset_is_that_instant() -> None:
    cells = ["2026-03-02T05:30:00Z", "2026-03-02 14:30+09:00", "2026-03-02 06:30:00.000000+0100"]
    assert read(cells, None) == [datetime(2026, 3, 2, 5, 30, tzinfo=UTC)] * 3


def test_fractions_of_a_second_are_kept() -> None:
    assert read(["2026-03-02 14:30:15.25", "2026-03-02 14:30:15,5"], None) == [
        seoul(2026, 3, 2, 14, 30, 15, 250_000),
        seoul(2026, 3, 2, 14, 30, 15, 500_000),
    ]


def test_a_cell_naming_a_month_or_day_is_its_start_or_with_end_the_next_ones_start() -> None:
    months = ["3월분", "12월분", "2026-03", "2026-03-02", "46083", "2026-03-02 14:30"]
    assert read(months, "3월분", year=2026) == [
        seoul(2026, 3, 1),
        seoul(2026, 12, 1),
        seoul(2026, 3, 1),
        seoul(2026, 3, 2),
        seoul(2026, 3, 2),
        seoul(2026, 3, 2, 14, 30),
    ]
    assert read(months, "3월분", year=2026, end=True) == [
        seoul(2026, 4, 1),
        seoul(2027, 1, 1),
        seoul(2026, 4, 1),
        seoul(2026, 3, 3),
        seoul(2026, 3, 3),
        seoul(2026, 3, 2, 14, 30),  # a moment is itself
    ]
    assert read(["2026"], "%Y", end=True) == [seoul(2027, 1, 1)]


def test_days_read_as_dates_and_with_end_as_the_last_day_of_their_period() -> None:
    rule = compile_pattern(pattern_of("3월분"))
    cells = pa.array(["2월분", "3월분", "2028-02", "2026-03-02 00:00:00"])
    assert read_days(cells, rule, year=2028).to_pylist() == [
        date(2028, 2, 1),
        date(2028, 3, 1),
        date(2028, 2, 1),
        date(2026, 3, 2),
    ]
    assert read_days(cells, rule, year=2028, end=True).to_pylist() == [
        date(2028, 2, 29),
        date(2028, 3, 31),
        date(2028, 2, 29),
        date(2026, 3, 2),
    ]


def test_english_month_names_are_read() -> None:
    assert read(["02-Mar-2026", "2-march-2026", "15-DEC-2026"], "02-Mar-2026") == [
        seoul(2026, 3, 2),
        seoul(2026, 3, 2),
        seoul(2026, 12, 15),
    ]


def test_every_offered_example_reads_itself() -> None:
    for example in EXAMPLES:
        rule = compile_pattern(pattern_of(example))
        year = None if rule.has_year else 2026
        assert read_moments(pa.array([example]), rule, "Asia/Seoul", year=year)[0].is_valid, example


def test_the_fast_path_is_taken_only_for_iso_patterns() -> None:
    cells = pa.array(["2026-03-02 14:30", "2026-03-02 15:00"])
    assert fast_moments(cells, compile_pattern("%Y-%m-%d %H:%M"), "Asia/Seoul") is not None
    assert fast_moments(cells, None, "Asia/Seoul") is not None
    assert fast_moments(cells, compile_pattern("%Y-%d-%m %H:%M"), "Asia/Seoul") is None  # day before month
    assert fast_moments(pa.array(["2026-03-02 14:30", "x"]), None, "Asia/Seoul") is None


# ---- properties -----------------------------------------------------------------------------------------
def _styles(day: date) -> list[tuple[str, str]]:
    """(the cell, the example a person gives) for each Korean style."""
    weekday = "월화수목금토일"[day.weekday()]
    y, m, d = day.year, day.month, day.day
    return [
        (f"{y}.{m:02}.{d:02}", "2026.03.02"),
        (f"{y}. {m}. {d}.", "2026. 3. 2."),
        (f"{y % 100:02}-{m}-{d}", "26-3-2"),
        (f"{y}/{m}/{d}", "2026/3/2"),
        (f"{y}년 {m}월 {d}일", "2026년 3월 2일"),
        (f"{y}년 {m}월 {d}일 ({weekday})", "2026년 3월 2일 (월)"),
        (f"{y}{m:02}{d:02}", "20260302"),
        (f"{y}-{m:02}-{d:02}", "2026-03-02"),
        (f"{y}.{m:02}.{d:02} 오전 12:00", "2026.03.02 오후 3:00"),
    ]


@settings(max_examples=200, deadline=None)
@given(day=st.dates(date(2000, 1, 1), date(2099, 12, 31)), style=st.integers(0, 8))
def test_any_valid_date_in_any_korean_style_reads_back_as_that_date(day: date, style: int) -> None:
    cell, example = _styles(day)[style]
    rule = compile_pattern(pattern_of(example))
    assert read_days(pa.array([cell]), rule).to_pylist() == [day]
    assert read_moments(pa.array([cell]), rule, "Asia/Seoul").to_pylist() == [seoul(day.year, day.month, day.day)]


EXCEL_EPOCH = datetime(1899, 12, 30)


@settings(max_examples=200, deadline=None)
@given(moment=st.datetimes(datetime(1954, 10, 3), datetime(2119, 1, 9)).map(lambda m: m.replace(microsecond=0)))
def test_an_excel_serial_reads_back_as_the_moment_it_was_made_from(moment: datetime) -> None:
    serial = (moment - EXCEL_EPOCH) / timedelta(days=1)  # how Excel stores a date and time
    [read_back] = read_moments(pa.array([repr(serial)]), None, "UTC").to_pylist()
    assert read_back == moment.replace(tzinfo=UTC)
    whole_days = str((moment.date() - EXCEL_EPOCH.date()).days)
    assert read_days(pa.array([whole_days]), None).to_pylist() == [moment.date()]


@settings(max_examples=100, deadline=None)
@given(
    # (until 2037: past it Arrow's time zone data has no daylight saving time, Python's has)
    moments=st.lists(st.datetimes(datetime(1970, 1, 1), datetime(2036, 1, 1)), min_size=1, max_size=30),
    zone=st.sampled_from(["Asia/Seoul", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]),
    spread=st.sampled_from([timedelta(0), timedelta(hours=1), timedelta(days=40), timedelta(days=400)]),
)
def test_local_times_become_the_instants_the_time_zone_database_says(
    moments: list[datetime], zone: str, spread: timedelta
) -> None:
    local = pa.array([m + spread * i for i, m in enumerate(sorted(moments))], pa.timestamp("us"))
    expected = pc.assume_timezone(local, zone, ambiguous="earliest", nonexistent="earliest")
    assert to_utc(local, zone).to_pylist() == expected.to_pylist()
