"""The upload flow in-process (portal.onboarding): a hard factory file from upload to an offered dataset, the
words a person declares remembered for the company's next file, every problem paged and filtered, no empty
dataset, and the same roles and CSRF rules as the other portal pages. Forms are posted as a browser would post
them: every field the page holds, with what the page selected, and only the person's choices changed."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.portal.readings import date_readings, unit_choices, year_in
from tests.helpers import Dataspace
from tests.test_portal import csrf_of, session, used_ids

pytestmark = pytest.mark.anyio
MONTHS = [f"{m}월" for m in range(1, 13)]
HARD_TITLE = "2026년 창원공장 에너지 사용 실적"


# ---- the files ------------------------------------------------------------------------------------------------
def hard_energy_workbook() -> bytes:
    """A hand-kept energy sheet: three title rows, a two-row header (carrier above unit), one column per carrier
    with a row per month ("1월" …), markers for months not read, a total row, a carrier nobody declared
    (온수) and one mistyped number. A guide sheet follows the data."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "에너지실적"
    sheet.append([HARD_TITLE])
    sheet.append(["작성: 설비보전팀 · 검침일 기준"])
    sheet.append(["※ 검침하지 못한 달은 '-' 또는 '측정불가'로 적음"])
    sheet.append(["월", "전력", "도시가스", "스팀", "온수"])
    sheet.append([None, "kWh", "MJ", "Gcal", "Gcal"])
    for month in range(1, 13):
        gas: Any = 41_000 + month * 100
        steam: Any = round(10 + month / 10, 1)
        if month == 8:
            gas = "-"
        if month == 2:
            steam = "측정불가"
        power: Any = f"{120_000 + month * 1000:,}"  # written with thousands separators, as text
        if month == 5:
            power = "#REF!"  # a broken formula: a problem, not a number
        sheet.append([f"{month}월", power, gas, steam, round(3 + month / 10, 1)])
    sheet.append(["합계", "1,518,000", 500_000, 150.0, 45.0])
    guide = book.create_sheet("작성요령")
    guide.append(["검침값을 월별로 적습니다."])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def inspection_workbook(
    lots: range, *, bad_numbers: int = 0, bad_dates: int = 0, markers: int = 0, words: bool = True
) -> bytes:
    """An inspection export: a title row, then 로트번호/검사항목/검사일자/측정값/단위/판정. With ``words``, every
    other diameter is in "파이" (a shop word for mm the system does not know) and every tenth 판정 says 보류 (on
    hold), which no code means. The first ``bad_numbers`` values are words, the next ``bad_dates`` dates are no
    dates, and the next ``markers`` dates say "-" (no value: a note, the row is kept)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "검사성적서"
    sheet.append(["2026년 3월 수입검사 성적서"])
    sheet.append(["로트번호", "검사항목", "검사일자", "측정값", "단위", "판정"])
    for index, lot in enumerate(lots):
        value: Any = 25.0 + (index % 7) / 1000
        day: Any = f"2026.03.{index % 28 + 1:02d}"
        if index < bad_numbers:
            value = "재측정"  # "measure again": words where a number belongs
        elif index < bad_numbers + bad_dates:
            day = "2026.13.45"
        elif index < bad_numbers + bad_dates + markers:
            day = "-"
        unit = "파이" if words and index % 2 else "mm"
        verdict = "보류" if words and index % 10 == 9 else "합격"
        sheet.append([f"L{lot:04d}", "외경", day, value, unit, verdict])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- posting forms as a browser does --------------------------------------------------------------------------
class _Forms(HTMLParser):
    """Every form of a page with what a browser would send unchanged: inputs' values, checked boxes, each
    select's selected option (else its first)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append([])
        elif tag == "input" and a.get("name") and self.forms:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.forms[-1].append((str(a["name"]), a.get("value") or "on"))
            elif kind not in ("submit", "file"):
                self.forms[-1].append((str(a["name"]), a.get("value") or ""))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value") or "", "selected" in a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None and self._options and self.forms:
            chosen = next((v for v, s in self._options if s), self._options[0][0])
            self.forms[-1].append((self._select, chosen))
            self._select = None


def form_of(html: str, marker: str = 'name="title"') -> list[tuple[str, str]]:
    """The form of the page that holds ``marker`` (the review page's main form by default)."""
    parser = _Forms()
    parser.feed(html)
    pieces = html.split("<form")[1:]
    for fields, piece in zip(parser.forms, pieces, strict=True):
        if marker in piece.split("</form>")[0]:
            return fields
    raise AssertionError(f"no form with {marker}")


def changed(fields: list[tuple[str, str]], **choices: str) -> dict[str, list[str]]:
    """The form with some fields set (names with dots written with __ as keyword arguments), as httpx posts
    it: every value of a name (the ticked boxes of a list) under that name."""
    wanted = {k.replace("__", "."): v for k, v in choices.items()}
    posted: dict[str, list[str]] = {}
    for name, value in fields:
        if name not in wanted:
            posted.setdefault(name, []).append(value)
    for name, value in wanted.items():
        posted[name] = [value]
    return posted


def option_named(html: str, text: str) -> str:
    """The select (name) and option (value) whose shown text contains ``text``: what a person picks by reading."""
    for select in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        for option in re.finditer(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(2)):
            if text in option.group(2):
                return f"{select.group(1)}={option.group(1)}"
    raise AssertionError(f"no option showing {text!r}")


async def upload(client: httpx.AsyncClient, name: str, content: bytes, entity: str) -> str:
    form = await client.get("/portal/add")
    answer = await client.post(
        "/portal/add", data={"csrf": csrf_of(form.text), "entity": entity}, files={"file": (name, content)}
    )
    assert answer.status_code == 303, answer.text[:2000]
    return str(answer.headers["location"])


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---- the hard file, from upload to an offer ---------------------------------------------------------------------
async def test_the_hard_energy_file_is_read_declared_published_and_offered_by_picking_only(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    steward = await session(supplier, "park", "steward")
    review_url = await upload(steward, "에너지_2026.xlsx", hard_energy_workbook(), "energy_record")
    page = await steward.get(review_url, params={"lang": "ko"})
    assert page.status_code == 200, page.text[:3000]
    shown = text_of(page.text)
    # What the suggestion understood, in a sentence, and the sheet it chose.
    assert "3행짜리 제목 아래 4–5행에 두 줄 머리글이 있고, 에너지원별 열 4개를 행으로 바꿉니다." in shown, shown[:2000]
    assert '<option value="에너지실적" selected>' in page.text
    assert f'value="{HARD_TITLE}"' in page.text  # the dataset's title, prefilled from the title row
    # The carrier nobody declared is offered with the field's codes, in words.
    assert "온수" in shown and "온수 → 기타" in shown
    # Before it is declared, its twelve months (and the mistyped number) are set aside.
    assert "46행을 읽었습니다: 33행은 게시할 수 있고, 13행은 문제가 있어 제외됩니다." in shown

    pick = option_named(page.text, "온수 → 기타")
    name, value = pick.split("=")
    checked = await steward.post(review_url, data=changed(form_of(page.text), **{name.replace(".", "__"): value}))
    assert checked.status_code == 303
    page = await steward.get(review_url, params={"lang": "ko"})
    shown = text_of(page.text)
    assert "46행 중 45행을 게시하고 1행은 제외합니다." in shown, shown[:3000]
    assert "온수 → 기타" not in shown  # declared: no longer asked
    async with supplier.connector.store.begin() as tx:
        terms = await tx.vocabulary.terms("code")
    assert [(t.field, t.written, t.meaning, t.declared_by) for t in terms] == [
        ("energy_record.carrier", "온수", "other", "park")
    ]

    published = await steward.post(review_url, data=changed(form_of(page.text), action="publish"))
    assert published.status_code == 303 and published.headers["location"].startswith("/portal/offer/")
    offer_page = await steward.get(published.headers["location"], params={"lang": "ko"})
    assert "45행을 게시했습니다" in offer_page.text
    offered = await steward.post(
        published.headers["location"],
        data={"csrf": csrf_of(offer_page.text), "template": "quality-to-customer", "param.customer": oem.id},
    )
    assert offered.status_code == 303
    datasets = (await supplier.api.get("/api/datasets")).json()
    assert [d["title"] for d in datasets] == [HARD_TITLE]
    async with supplier.connector.store.begin() as tx:
        dataset = await tx.datasets.get(datasets[0]["id"])
    assert dataset is not None and dataset.latest is not None and dataset.latest.rows == 45
    stored = supplier.connector.datasets.parquet(dataset.latest.path).read().to_pylist()
    assert len(stored) == 45
    march_gas = next(r for r in stored if r["carrier"] == "lng" and r["period_start"].month == 2)
    assert march_gas["period_start"] == datetime(2026, 2, 28, 15, tzinfo=UTC)  # 1 March, Seoul
    assert march_gas["period_end"] == datetime(2026, 3, 31, 15, tzinfo=UTC)  # the end of March is 1 April
    assert march_gas["raw_value"] == 41_300 and march_gas["raw_unit"] == "MJ"
    assert march_gas["amount"] == pytest.approx(41_300 / 3.6)
    assert {r["carrier"] for r in stored} == {"electricity", "lng", "steam", "other"}
    assert {r["consumer"] for r in stored} == {"창원공장"}
    assert not any(r["carrier"] == "electricity" and r["period_start"].month == 4 for r in stored)  # May: set aside


# ---- choices by picking: a date's reading, a value for the whole file, the wide columns ---------------------------
async def test_a_date_reading_a_constant_and_the_unpivot_are_set_by_picking(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    steward = await session(supplier, "park", "steward")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["로트번호", "검사일자", "측정값", "단위", "판정"])
    for day in range(1, 13):  # every date reads both ways: 2026.03.02 is 2 March or 3 February
        sheet.append([f"L{day}", f"2026.{day:02d}.03", 25.0, "mm", "합격"])
    out = io.BytesIO()
    book.save(out)
    review_url = await upload(steward, "날짜.xlsx", out.getvalue(), "quality_result")
    page = await steward.get(review_url, params={"lang": "ko"})
    assert "2026.01.03 → 2026년 1월 3일" in page.text and "2026.01.03 → 2026년 3월 1일" in page.text
    day_first = option_named(page.text, "2026.01.03 → 2026년 3월 1일")
    name, value = day_first.split("=")
    choices = {name.replace(".", "__"): value, "column__characteristic": "=", "const__characteristic": "외경"}
    assert (await steward.post(review_url, data=changed(form_of(page.text), **choices))).status_code == 303
    page = await steward.get(review_url, params={"lang": "ko"})
    assert "12행을 모두 게시합니다." in text_of(page.text), text_of(page.text)[:3000]
    preview = text_of(page.text).split("표준 데이터로 읽은 처음 몇 행")[1]
    assert "외경" in preview and "2026년 3월 1일" in preview and "2026년 1월 3일" not in preview
    assert "mm" in preview and "0.025" not in preview  # in the unit the file wrote, not the stored metres

    # A wide sheet: the proposed unpivot shown, and taken away again.
    energy = await upload(steward, "에너지.xlsx", hard_energy_workbook(), "energy_record")
    page = await steward.get(energy, params={"lang": "ko"})
    assert re.search(r'name="unpivot.on" checked', page.text)
    flat = [(k, v) for k, v in form_of(page.text) if k not in ("unpivot.on", "unpivot.column")]
    assert (await steward.post(energy, data=changed(flat))).status_code == 303
    page = await steward.get(energy, params={"lang": "ko"})
    assert "한 행이 한 건입니다." in text_of(page.text)
    assert not re.search(r'name="unpivot.on" checked', page.text)
    assert '<option value="전력 (kWh)"' in page.text  # the wide columns are columns again, to map or not
    async with supplier.connector.store.begin() as tx:
        assert await tx.vocabulary.terms() == []  # nothing was declared


# ---- words declared once ----------------------------------------------------------------------------------------
async def test_a_unit_and_a_code_declared_once_are_remembered_for_the_companys_next_file(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    steward = await session(supplier, "park", "steward")
    first = await upload(steward, "3월.xlsx", inspection_workbook(range(1, 21)), "quality_result")
    page = await steward.get(first, params={"lang": "ko"})
    shown = text_of(page.text)
    assert "파이" in shown and "보류" in shown
    unit = option_named(page.text, "파이 → mm")
    code = option_named(page.text, "보류 → 불합격")
    choices = {p.split("=")[0].replace(".", "__"): p.split("=")[1] for p in (unit, code)}
    assert (await steward.post(first, data=changed(form_of(page.text), **choices))).status_code == 303
    page = await steward.get(first, params={"lang": "ko"})
    assert "20행을 모두 게시합니다." in text_of(page.text), text_of(page.text)[:3000]
    async with supplier.connector.store.begin() as tx:
        assert [(t.kind, t.field, t.written, t.meaning) for t in await tx.vocabulary.terms()] == [
            ("code", "quality_result.passed", "보류", "false"),
            ("unit", "", "파이", "mm"),
        ]

    # The next month's file: the same words, read without asking.
    second = await upload(steward, "4월.xlsx", inspection_workbook(range(101, 131)), "quality_result")
    page = await steward.get(second, params={"lang": "ko"})
    shown = text_of(page.text)
    assert "처음 보는 단위와 코드" not in shown
    assert "30행을 모두 게시합니다." in shown, shown[:3000]

    viewer = await session(supplier, "lee", "viewer")
    assert (await viewer.get(second)).status_code == 403


# ---- every problem --------------------------------------------------------------------------------------------
async def test_every_problem_is_listed_paged_and_filtered_with_its_sheet_row(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    steward = await session(supplier, "park", "steward")
    review_url = await upload(
        steward,
        "검사.xlsx",
        inspection_workbook(range(1, 201), bad_numbers=120, bad_dates=7, markers=3, words=False),
        "quality_result",
    )
    problems = f"{review_url}/problems"
    first = await steward.get(problems, params={"lang": "ko"})
    assert first.status_code == 200
    rows = re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td>([^<]*)</td>", first.text)
    assert len(rows) == 50
    assert rows[0] == ("3", "측정값")  # sheet row 3: the title and the header are rows 1 and 2
    assert "127건 중 1–50" in text_of(first.text)
    last = await steward.get(problems, params={"offset": 100, "lang": "ko"})
    assert "127건 중 101–127" in text_of(last.text)
    assert len(re.findall(r"<tr>\s*<td>\d+</td>", last.text)) == 27
    assert "다음" not in text_of(last.text).split("127건 중 101–127")[1]
    dates = await steward.get(problems, params={"code": "bad-date", "lang": "ko"})
    assert [int(r) for r in re.findall(r"<tr>\s*<td>(\d+)</td>", dates.text)] == list(range(123, 130))
    by_field = await steward.get(problems, params={"field": "value", "lang": "en"})
    assert "1–50 of 120" in text_of(by_field.text)
    notes = await steward.get(problems, params={"severity": "note", "lang": "ko"})
    assert "값이 없다고 적힌 칸" in text_of(notes.text)
    ids = used_ids()
    for language in ("ko", "en"):
        for severity in ("error", "note"):
            page = await steward.get(problems, params={"lang": language, "severity": severity})
            shown = set(re.findall(r"[a-z_]+\.[a-z_.-]+", re.sub(r"<[^>]+>", " ", page.text)))
            assert not (shown & ids), (language, severity, shown & ids)
    bogus = await steward.get(problems, params={"code": "<script>", "field": "nope", "offset": -5})
    assert bogus.status_code == 200 and "<script>" not in bogus.text


# ---- never an empty dataset ---------------------------------------------------------------------------------------
async def test_a_file_with_no_good_row_cannot_be_published(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    steward = await session(supplier, "park", "steward")
    every_date_bad = inspection_workbook(range(1, 11), bad_dates=10, words=False)
    review_url = await upload(steward, "불량.xlsx", every_date_bad, "quality_result")
    page = await steward.get(review_url, params={"lang": "ko"})
    assert re.search(r'<button type="submit" name="action" value="publish" disabled>', page.text)
    assert "게시할 수 있는 행이 없습니다" in page.text
    refused = await steward.post(f"{review_url}?lang=ko", data=changed(form_of(page.text), action="publish"))
    assert refused.status_code == 400 and "빈 데이터셋은 만들지 않습니다" in refused.text
    assert (await supplier.api.get("/api/datasets")).json() == []


# ---- roles, tokens, forged forms ------------------------------------------------------------------------------------
async def test_the_flow_keeps_the_portals_roles_and_csrf_and_refuses_forged_choices(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    steward = await session(supplier, "park", "steward")
    review_url = await upload(steward, "검사.xlsx", inspection_workbook(range(1, 6)), "quality_result")
    page = await steward.get(review_url)
    form = form_of(page.text)
    without_token = changed([(k, v) for k, v in form if k != "csrf"])
    assert (await steward.post(review_url, data=without_token)).status_code == 403
    assert (await steward.post(review_url, data=changed(form, csrf="x"))).status_code == 403
    cross_site = await steward.post(review_url, data=changed(form), headers={"sec-fetch-site": "cross-site"})
    assert cross_site.status_code == 403
    for forged in (
        {"column__subject": "no such column"},
        {"const__passed": "maybe", "column__passed": "="},
        {"header__row": "0"},
        {"unpivot__on": "on", "unpivot__column": "no such column"},
        {"code_passed_word__0": "보류", "code_passed_meaning__0": "reinspect"},
        {"unit_word__0": "파이", "unit_meaning__0": "furlong-ish"},
    ):
        refused = await steward.post(review_url, data=changed(form, **forged))
        assert refused.status_code == 403, forged
    assert (await steward.post(review_url, data=changed(form, action="sheet", sheet="nope"))).status_code == 403
    viewer = await session(supplier, "lee", "viewer")
    for path in ("/portal/add", review_url, f"{review_url}/problems"):
        assert (await viewer.get(path)).status_code == 403, path
    assert (
        await viewer.post(review_url, data=changed(form, csrf=csrf_of((await viewer.get("/portal/")).text)))
    ).status_code == 403
    for path in (
        "/portal/add/" + "b" * 24,
        "/portal/add/" + "b" * 24 + "/problems",
        "/portal/add/..%2F..%2Fx/problems",
    ):
        assert (await steward.get(path)).status_code in (403, 404), path
    anonymous = httpx.AsyncClient(transport=httpx.ASGITransport(app=supplier.app), base_url="http://t")
    answer = await anonymous.get(f"{review_url}/problems")
    assert answer.status_code == 303 and answer.headers["location"] == "/portal/login"


async def test_a_workbook_opens_on_the_sheet_that_holds_the_table_and_another_sheet_can_be_read(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    steward = await session(supplier, "park", "steward")
    book = openpyxl.load_workbook(io.BytesIO(inspection_workbook(range(1, 4), words=False)))
    cover = book.create_sheet("표지", 0)  # a cover sheet first: words, no table
    for row in (["수입검사 성적서"], ["작성", "검토", "승인"], ["박지은", "최현우", None]):
        cover.append(row)
    book.create_sheet("빈 시트", 1)
    energy = book.create_sheet("에너지")
    for row in (["월", "전력(kWh)"], ["1월", "100"], ["2월", "120"]):
        energy.append(row)
    out = io.BytesIO()
    book.save(out)
    review_url = await upload(steward, "여러시트.xlsx", out.getvalue(), "quality_result")
    page = await steward.get(review_url, params={"lang": "ko"})
    assert '<option value="검사성적서" selected>' in page.text and "빈 시트 (비어 있음)" in page.text
    assert "3행을 모두 게시합니다." in text_of(page.text)
    sheet_form = form_of(page.text, 'value="sheet"')
    moved = await steward.post(review_url, data=changed(sheet_form, sheet="에너지", action="sheet"))
    assert moved.status_code == 303
    page = await steward.get(review_url, params={"lang": "ko"})
    assert '<option value="에너지" selected>' in page.text and "전력(kWh)" in page.text


# ---- the pure choices -----------------------------------------------------------------------------------------
def test_an_ambiguous_example_offers_both_readings_and_the_other_cells_can_refute_one() -> None:
    both = date_readings(["2026.03.02", "2026.04.05"])
    assert [(r.format, r.moment) for r in both] == [
        ("%Y.%m.%d", datetime(2026, 3, 2)),
        ("%Y.%d.%m", datetime(2026, 2, 3)),
    ]
    assert [r.format for r in date_readings(["2026.03.02", "2026.03.15"])] == ["%Y.%m.%d"]
    assert [r.format for r in date_readings(["03/02/2026", "13/02/2026"])] == ["%d/%m/%Y"]
    assert [r.format for r in date_readings(["2026-03-02 00:00:00"])] == ["%Y-%m-%d %H:%M:%S"]  # ISO: never d-m
    month = date_readings(["3월분", "4월분"])
    assert [(r.format, r.needs_year) for r in month] == [("%m월분", True)]
    assert date_readings(["2026. 3. 2."])[0].format == "%Y. %m. %d."
    assert year_in(["※ 작성요령", "2026년 3월 수입검사 성적서"]) == 2026 and year_in(["검사 성적서"]) is None


def test_an_unknown_unit_is_offered_the_known_units_of_its_fields_quantity() -> None:
    assert unit_choices("TOE", "kilowatt_hour") == [
        ("energy", ["kWh", "MJ", "MWh", "GJ", "Gcal", "Mcal", "kcal", "toe"])
    ]
    free = unit_choices("파이")
    assert {q for q, _ in free} >= {"length", "mass", "hardness (scales)"} and ["mm", "µm", "cm", "m"] == free[
        [q for q, _ in free].index("length")
    ][1]


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=datetime(1990, 1, 1).date(), max_value=datetime(2060, 12, 31).date()),
    st.sampled_from(["%Y.%m.%d", "%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y. %m. %d.", "%Y년 %m월 %d일", "%y-%m-%d"]),
)
def test_the_first_reading_offered_is_the_date_a_korean_file_means(day: Any, pattern: str) -> None:
    written = day.strftime(pattern)
    offered = date_readings([written])
    assert offered and offered[0].moment == datetime(day.year, day.month, day.day)


def test_the_flow_lives_apart_from_the_other_pages() -> None:
    portal = Path(__file__).resolve().parents[1] / "src" / "sangsaeng" / "portal"
    assert '"/add' not in (portal / "pages.py").read_text("utf-8")
    for module in ("onboarding.py", "reviewing.py", "revise.py", "readings.py", "checking.py", "staging.py"):
        assert len((portal / module).read_text("utf-8").splitlines()) < 600, module


@pytest.mark.parametrize(
    ("record", "shown"),
    [
        (
            {"value": 0.029985, "lower_spec_limit": 0.02997, "unit": "meter", "raw_unit": "mm"},
            {"value": 29.985, "lower_spec_limit": 29.97, "unit": "mm"},
        ),
        ({"value": 453.15, "nominal": 453.15, "unit": "kelvin", "raw_unit": "°C"}, {"value": 180.0, "unit": "°C"}),
        ({"value": 45.0, "unit": "HRC", "raw_unit": "HRC"}, {"value": 45.0, "unit": "HRC"}),  # a scale: as it was
        ({"value": 1.0, "unit": "meter", "raw_unit": None}, {"value": 1.0, "unit": "meter"}),  # nothing written
    ],
)
def test_the_preview_speaks_the_units_the_file_wrote(record: dict[str, Any], shown: dict[str, Any]) -> None:
    from sangsaeng.portal.checking import as_written

    out = as_written(record)
    assert {k: out[k] for k in shown} == shown


@pytest.mark.parametrize(
    ("titles", "title"),
    [
        (["공 정 검 사 성 적 서", "품번: BR-4410"], "공정검사성적서"),  # spaced out for the printed form
        (["2026년 3월  수입검사 성적서"], "2026년 3월 수입검사 성적서"),
        (["A B"], "A B"),  # two letters are not a spaced-out word
        ([], "검사"),  # no title: the file's name
    ],
)
def test_the_dataset_title_starts_from_the_sheet_title(titles: list[str], title: str) -> None:
    from sangsaeng.portal.reviewing import dataset_title

    assert dataset_title({"titles": titles}, "검사.xlsx") == title


def test_merged_down_columns_follow_the_layout_a_person_changes() -> None:
    from sangsaeng.portal.revise import prune

    document = {"entity": "quality_result", "fill_down": ["로트", "판정"], "fields": {"subject": {"column": "로트"}}}
    assert prune(document, ["로트", "측정값"])["fill_down"] == ["로트"]  # another header row: 판정 is gone
    assert "fill_down" not in prune(document, ["측정값"])
