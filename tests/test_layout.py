"""How a sheet is laid out, decided from its first rows, and the rows and columns that are not records — the pure
rules of ``standard.layout`` and their vectorised form in ``standard.reshape``."""

from __future__ import annotations

from random import Random

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.errors import InvalidInput
from sangsaeng.standard import layout
from sangsaeng.standard.layout import (
    LayoutGuess,
    Reading,
    Unpivot,
    WideGroup,
    column_letter,
    detect,
    header_names,
    is_blank_row,
    is_note_row,
    is_total_row,
    join_headers,
    name_columns,
    proposed_unpivot,
    split_unit,
)
from sangsaeng.standard.reshape import LINE, Shaper, not_records, unpivot

Row = list[str | None]

INSPECTION: list[Row] = [
    ["2026년 3월 수입검사 성적서", None, None, None, None, None, None],
    [None] * 7,
    ["업체: 성진금속", None, None, None, "작성: 김민준", None, None],
    ["로트번호", "품번", "검사일자", "측정값", None, None, "판정"],
    [None, None, None, "X1", "X2", "X3", None],
    ["L2603-01", "SJ-100", "2026.03.02", "25.012", "25.020", "24.998", "합격"],
    ["L2603-02", "SJ-100", "2026.03.02", "25.011", "25.031", "24.990", "합격"],
    ["합 계", None, None, None, None, None, None],
    ["※ 측정 온도 20 ℃", None, None, None, None, None, None],
]


def test_the_header_is_found_under_the_titles_and_its_merged_top_row_joins_the_row_under_it() -> None:
    guess = detect(INSPECTION)
    assert (guess.header_row, guess.header_rows) == (4, 2)
    assert guess.titles == ["2026년 3월 수입검사 성적서", "업체: 성진금속 작성: 김민준"]
    assert header_names(INSPECTION, 4, 2) == [
        "로트번호",
        "품번",
        "검사일자",
        "측정값 X1",
        "측정값 X2",
        "측정값 X3",
        "판정",
    ]
    assert guess.wide == WideGroup(
        ["측정값 X1", "측정값 X2", "측정값 X3"], "characteristics", ["X1", "X2", "X3"], [None, None, None]
    )
    assert proposed_unpivot(guess.wide, ["로트번호", "품번"]) == Unpivot(
        ("측정값 X1", "측정값 X2", "측정값 X3"), "시료", "측정값"
    )
    assert guess.confidence > 0.5


def test_a_row_of_units_under_the_names_is_the_second_header_row() -> None:
    grid: list[Row] = [
        ["로트", "외경", "내경", "경도", "판정"],
        [None, "mm", "(mm)", "HRC", None],
        ["L1", "25.01", "20.00", "45", "OK"],
        ["L2", "25.02", "20.01", "46", "OK"],
    ]
    guess = detect(grid)
    assert (guess.header_row, guess.header_rows) == (1, 2)
    assert header_names(grid, 1, 2) == ["로트", "외경 (mm)", "내경 (mm)", "경도 (HRC)", "판정"]
    assert guess.wide == WideGroup(
        ["외경 (mm)", "내경 (mm)", "경도 (HRC)"], "characteristics", ["외경", "내경", "경도"], ["mm", "mm", "HRC"]
    )
    assert proposed_unpivot(guess.wide) == Unpivot(
        ("외경 (mm)", "내경 (mm)", "경도 (HRC)"), "검사항목", "측정값", "단위"
    )


def test_a_plain_export_has_its_header_on_row_one() -> None:
    grid: list[Row] = [["로트번호", "품번", "검사항목", "측정값", "단위"], ["L1", "SJ-1", "외경", "25.01", "mm"]]
    assert detect(grid) == LayoutGuess(1, 1, [], None, 1.0)


@pytest.mark.parametrize(
    ("headers", "kind", "names", "units"),
    [
        (["구분", "1월", "2월", "3월", "4월", "합계"], "months", ["1월", "2월", "3월", "4월"], [None] * 4),
        (["구분", "Jan", "Feb", "March"], "months", ["Jan", "Feb", "March"], [None] * 3),
        (["구분", "2026-01", "2026.02", "2026년 3월"], "months", ["2026-01", "2026.02", "2026년 3월"], [None] * 3),
        (
            ["구분", "2026-01-01", "2026-02-01", "2026-03-01"],
            "months",
            ["2026-01-01", "2026-02-01", "2026-03-01"],
            [None] * 3,
        ),
        (
            ["사업장", "전기(kWh)", "LNG(Nm³)", "경유(L)", "비고"],
            "carriers",
            ["전기", "LNG", "경유"],
            ["kWh", "Nm3", "L"],
        ),
        (
            ["월", "전력 사용량", "도시가스", "스팀(ton)"],
            "carriers",
            ["전력 사용량", "도시가스", "스팀"],
            [None, None, "ton"],
        ),
        (["설비", "1일", "2일", "3일"], "dates", ["1일", "2일", "3일"], [None] * 3),
    ],
)
def test_wide_groups_are_recognised_by_their_headers(
    headers: list[str], kind: str, names: list[str], units: list[str | None]
) -> None:
    grid: list[Row] = [["2026년 에너지 사용 현황"], list(headers)]
    grid += [["창원"] + ["1,234"] * (len(headers) - 1) for _ in range(3)]
    guess = detect(grid)
    assert guess.header_row == 2 and guess.wide is not None
    assert (guess.wide.kind, guess.wide.names, guess.wide.units) == (kind, names, units)
    assert len(guess.wide.columns) == len(names)


def test_two_columns_of_a_kind_are_not_a_wide_group() -> None:
    assert detect([["로트", "외경(mm)", "내경(mm)", "판정"], ["L1", "25.0", "20.0", "OK"]]).wide is None


def test_joining_two_header_rows() -> None:
    top: Row = ["로트번호", "측정값", None, None, "규격", None, "판정", None]
    bottom: Row = [None, "1", "2", "3", "Min", "Max", "㎜", None]
    assert join_headers(top, bottom) == [
        "로트번호",
        "측정값 1",  # a number under a merged cell is a sub-name, not a unit
        "측정값 2",
        "측정값 3",
        "규격 Min",  # pint reads min as minutes: not a unit under a header
        "규격 Max",
        "판정 (mm)",  # full width read as half width
        "",
    ]


def test_naming_columns() -> None:
    headers = ["ＬＯＴ　번호", "검사\n일자", "", None, "값", "값", "값_2", ""]
    filled = [True, True, True, False, True, True, True, False]
    assert name_columns(headers, filled) == ["LOT 번호", "검사 일자", "C열", None, "값", "값_3", "값_2", None]
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


@pytest.mark.parametrize(
    ("row", "total", "note", "blank"),
    [
        (["합 계", None, "1,234"], True, False, False),
        ([None, "소계", None, "220"], True, False, False),
        (["2026-03-01", "소 계", "220"], True, False, False),
        (["ＴＯＴＡＬ", "9"], True, False, False),
        (["Sub Total", "9"], True, False, False),
        (["L1", "SJ-1", "계"], False, False, False),  # the label is the first or second cell only
        (["합격", "1"], False, False, False),
        (["※ 측정 온도 20 ℃", None, None], False, True, False),
        ([None, "주) 재측정 포함"], False, True, False),
        (["비고: 외주 가공"], False, True, False),
        (["* 표시는 재검"], False, True, False),
        (["※ 주의", "1"], False, False, False),  # a note has one cell
        ([None, ""], False, False, True),
        ([None, " ", ""], False, False, False),  # a CSV cell of spaces counts as written
    ],
)
def test_rows_that_are_not_records(row: Row, total: bool, note: bool, blank: bool) -> None:
    assert (is_total_row(row), is_note_row(row), is_blank_row(row)) == (total, note, blank)


def test_a_unit_is_split_from_a_header_only_when_it_is_one() -> None:
    assert split_unit("전기(kWh)") == ("전기", "kWh")
    assert split_unit("외경 [mm]") == ("외경", "mm")
    assert split_unit("비고(참고)") == ("비고(참고)", None)
    assert split_unit("kWh") == ("kWh", None)
    assert [split_unit(h) for h in ("사이클타임(s)", "계량시간 (sec)", "C/T(초)", "측정값(1)")] == [
        ("사이클타임", "s"),
        ("계량시간", "sec"),
        ("C/T", "초"),
        ("측정값(1)", None),  # a number is no unit
    ]


def test_seconds_under_a_name_are_its_unit_and_a_number_under_it_is_a_sub_name() -> None:
    assert join_headers(["Elapsed", "측정값", None, "규격", None], ["s", "1", "2", "Min", "Max"]) == [
        "Elapsed (s)",
        "측정값 1",
        "측정값 2",
        "규격 Min",
        "규격 Max",
    ]


def test_proposed_names_avoid_the_columns_there_are() -> None:
    wide = WideGroup(["1월", "2월", "3월"], "months", ["1월", "2월", "3월"], [None] * 3)
    assert proposed_unpivot(wide, ["월", "값", "1월"]) == Unpivot(("1월", "2월", "3월"), "월_2", "값_2")


# ---- any grid with title rows on top -------------------------------------------------------------------------

WORDS = st.sampled_from(
    ["로트번호", "품번", "품명", "검사항목", "측정값", "단위", "판정", "설비", "작업자", "비고", "Lot", "Part", "Value"]
)
TITLE = st.sampled_from(["2026년 3월 검사성적서", "업체: 성진금속", "작성자 김민준", "창원공장", "Inspection report"])
DATA = st.one_of(
    st.decimals(min_value=-1000, max_value=100_000, places=3).map(str),
    st.integers(0, 10**6).map(lambda n: f"{n:,}"),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: f"{d.year}.{d.month:02}.{d.day:02}"),
    st.from_regex(r"[A-Z]{1,3}-?[0-9]{2,6}(-[0-9]{1,3})?", fullmatch=True),
)


@st.composite
def sheets(draw: st.DrawFn) -> tuple[int, list[Row]]:
    width = draw(st.integers(2, 9))
    header = draw(st.lists(WORDS, min_size=width, max_size=width, unique=True))
    titles: list[Row] = []
    for _ in range(draw(st.integers(0, 6))):
        cells = draw(st.one_of(st.just([]), st.lists(TITLE, min_size=1, max_size=2)))
        at = draw(st.integers(0, width - len(cells))) if cells else 0
        titles.append([None] * at + list(cells) + [None] * (width - at - len(cells)))
    records = [
        [draw(st.one_of(DATA, DATA, DATA, st.none())) for _ in range(width)] for _ in range(draw(st.integers(1, 12)))
    ]
    for record in records:  # a record has most of its cells
        record[0] = record[0] or draw(DATA)
    return len(titles), titles + [list(header)] + records


@settings(max_examples=200, deadline=None)
@given(sheets())
def test_under_any_number_of_title_rows_the_header_is_the_row_after_them(sheet: tuple[int, list[Row]]) -> None:
    titles, grid = sheet
    guess = detect(grid)
    assert (guess.header_row, guess.header_rows) == (titles + 1, 1)
    assert len(guess.titles) == sum(not is_blank_row(r) for r in grid[:titles])


# ---- the same rules over whole batches -----------------------------------------------------------------------

CELL = st.one_of(
    st.none(),
    st.sampled_from(
        ["", " ", "합계", "합 계", "소계", "평균", "Total", "ＳＵＭ", "계", "합격", "표면조도", "L1", "12.5"]
    ),
    st.sampled_from(["※ 참고", "* 재검", "주) 외주", "비고 없음", "Note: x", "mm", "2026-03-02", "측정불가"]),
)


def _batch(rows: list[Row], width: int) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays(
        [pa.array([r[i] for r in rows], pa.string()) for i in range(width)], names=[f"c{i}" for i in range(width)]
    )


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5).flatmap(lambda w: st.tuples(st.just(w), st.lists(st.lists(CELL, min_size=w, max_size=w)))))
def test_batches_leave_out_exactly_the_rows_the_row_rules_name(shape: tuple[int, list[Row]]) -> None:
    width, rows = shape
    for skip_totals in (True, False):
        expected = [is_blank_row(r) or (skip_totals and is_total_row(r)) or is_note_row(r) for r in rows]
        drop = not_records(_batch(rows, width), skip_totals) if rows else None
        assert (list(drop) if drop is not None else [False] * len(rows)) == expected


def test_a_tidy_batch_is_left_whole() -> None:
    batch = _batch([["L1", "합격", "12.5"], ["L2", "불합격", "12.7"]], 3)
    assert not_records(batch) is None


def test_cells_merged_down_are_filled_across_batches_and_totals_never_fill() -> None:
    shaper = Shaper(["로트", "값"], Reading(fill_down=("로트",)), "t.xlsx")
    first = shaper.shape(_batch([["L1", "1"], [None, "2"], ["소계", "3"]], 2).rename_columns(["로트", "값"]), 5)
    second = shaper.shape(_batch([[None, "4"], ["", "5"], ["L2", "6"]], 2).rename_columns(["로트", "값"]), 8)
    assert first.to_pydict() == {"로트": ["L1", "L1"], "값": ["1", "2"], LINE: [5, 6]}
    assert second.to_pydict() == {"로트": ["L1", "L1", "L2"], "값": ["4", "5", "6"], LINE: [8, 9, 10]}


# ---- unpivot -------------------------------------------------------------------------------------------------

MEASURE = st.one_of(
    st.decimals(0, 100, places=2).map(str), st.sampled_from([None, "", " ", "-", "N/A", "측정불가", "－"])
)
SPEC = Unpivot(("외경(mm)", "내경(mm)", "경도(HRC)"), "검사항목", "측정값", "단위")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.from_regex(r"L[0-9]{3}", fullmatch=True), MEASURE, MEASURE, MEASURE), max_size=30),
    st.randoms(),
)
def test_unpivot_makes_the_long_table_a_person_would_write(rows: list[tuple[str, ...]], shuffler: Random) -> None:
    """Whatever the order of the wide rows, the long records are those written by hand: one per measured cell,
    none for an empty one or a no-value marker (full width too), each with its lot, verdict and sheet row."""
    order = list(range(len(rows)))
    shuffler.shuffle(order)
    names = ["로트", "외경(mm)", "판정", "내경(mm)", "경도(HRC)"]
    wide = pa.RecordBatch.from_arrays(
        [
            pa.array([rows[i][0] for i in order], pa.string()),
            pa.array([rows[i][1] for i in order], pa.string()),
            pa.array(["OK"] * len(order), pa.string()),
            pa.array([rows[i][2] for i in order], pa.string()),
            pa.array([rows[i][3] for i in order], pa.string()),
            pa.array([10 + i for i in order], pa.int64()),
        ],
        names=[*names, LINE],
    )
    long = unpivot(wide, SPEC)
    assert long.schema.names == ["로트", "검사항목", "측정값", "단위", "판정", LINE]
    by_hand = [
        (lot, name, value, unit, "OK", 10 + index)
        for index, (lot, *values) in enumerate(rows)
        for name, unit, value in zip(["외경", "내경", "경도"], ["mm", "mm", "HRC"], values, strict=True)
        if value is not None and value.strip() not in ("", "-", "N/A", "측정불가", "－")
    ]
    made = [(r["로트"], r["검사항목"], r["측정값"], r["단위"], r["판정"], r[LINE]) for r in long.to_pylist()]
    assert sorted(made) == sorted(by_hand)


def test_unpivot_keeps_the_sheet_order_row_by_row() -> None:
    wide = pa.RecordBatch.from_pydict({"로트": ["L1", "L2"], "1월": ["1", None], "2월": ["2", "3"], LINE: [4, 5]})
    long = unpivot(wide, Unpivot(("1월", "2월"), "월", "값"))
    assert long.to_pydict() == {
        "로트": ["L1", "L1", "L2"],
        "월": ["1월", "2월", "2월"],
        "값": ["1", "2", "3"],
        LINE: [4, 4, 5],
    }
    empty = unpivot(wide.slice(0, 0), Unpivot(("1월", "2월"), "월", "값"))
    assert empty.num_rows == 0 and empty.schema.names == ["로트", "월", "값", LINE]


def test_unpivot_columns_are_found_however_their_spaces_are_written_and_named_when_not() -> None:
    shaper = Shaper(
        ["로트", "외경 (mm)", "내경 (mm)"], Reading(unpivot=Unpivot(("외경(mm)", "내경(MM)"), "항목", "값")), "x.csv"
    )
    assert shaper.headers == ["로트", "항목", "값"]
    with pytest.raises(InvalidInput, match=r"unpivot.columns names the column '외경\(cm\)'") as refused:
        Shaper(["로트", "외경 (mm)"], Reading(unpivot=Unpivot(("외경(cm)",), "항목", "값")), "x.csv")
    assert "외경 (mm)" in (refused.value.hint or "")
    with pytest.raises(InvalidInput, match="already exists"):
        Shaper(["로트", "값", "1월"], Reading(unpivot=Unpivot(("1월",), "월", "값")), "x.csv")


def test_rows_carry_their_own_sheet_rows_when_not_consecutive() -> None:
    shaper = Shaper(["a"], Reading(), "x.csv")
    out = shaper.shape(_batch([["1"], [None], ["2"]], 1).rename_columns(["a"]), np.array([3, 7, 9]))
    assert out.to_pydict() == {"a": ["1", "2"], LINE: [3, 9]}


def test_a_lot_merged_down_over_its_samples_is_found_and_numbers_with_blanks_are_not() -> None:
    grid: list[list[str | None]] = [
        ["열처리 경도 성적서", None, None, None],
        ["로트", "시료", "경도(HRC)", "비고"],
        ["HT-0301", "1", "45.2", None],
        [None, "2", "45.8", None],
        [None, "3", None, None],  # a missing reading: a number column's blank is a missing value
        ["HT-0302", "1", "44.9", "재측정"],
        [None, "2", "45.1", None],
        ["합계", None, "226.0", None],  # not a record
    ]
    guess = layout.detect(grid)
    assert (guess.header_row, guess.header_rows) == (2, 1)
    assert guess.merged_down == ["로트"]
    tidy = [grid[1], *[["HT-0301", str(i), "45.0", None] for i in range(1, 5)]]
    assert layout.detect(tidy).merged_down == []
