"""The pure words of the experts' and programs' pages: won as Koreans and English readers write it, and a match's
reasons said from the hub's data in the reader's language, with the hub's own text when this software cannot."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from sangsaeng.portal.support.krw import won, won_en, won_ko
from sangsaeng.portal.support.reasons import reason_text

UNITS = {"경": 10**16, "조": 10**12, "억": 10**8, "만": 10**4, "": 1}


def read_back(text: str) -> int:
    """A Korean amount read as a person would: each group's digits times its unit."""
    assert text.endswith(" 원"), text
    total = 0
    for part in text.removesuffix(" 원").split(" "):
        found = re.fullmatch(r"([\d,]+)(경|조|억|만)?", part)
        assert found is not None, part
        digits = found.group(1)
        assert re.fullmatch(r"\d{1,3}(,\d{3})*", digits), part  # thousands' commas within a group
        count = int(digits.replace(",", ""))
        assert 0 < count < 10_000 or text == "0 원", part  # a group never reaches the next unit, zero is left out
        total += count * UNITS[found.group(2) or ""]
    return total


def test_examples_read_as_people_write_them() -> None:
    assert won_ko(50_000_000) == "5,000만 원"
    assert won_ko(150_000_000) == "1억 5,000만 원"
    assert won_ko(100_000_000) == "1억 원"
    assert won_ko(1_234) == "1,234 원"
    assert won_ko(0) == "0 원"
    assert won_en(50_000_000) == "KRW 50,000,000"
    assert won(2_000_030_000, "ko") == "20억 3만 원" and won(2_000_030_000, "en") == "KRW 2,000,030,000"


@given(st.integers(min_value=0, max_value=10**20 - 1))
def test_every_amount_reads_back_to_itself_in_korean_and_english(amount: int) -> None:
    assert read_back(won_ko(amount)) == amount
    assert int(won_en(amount).removeprefix("KRW ").replace(",", "")) == amount


def test_a_reason_is_said_from_its_data_with_names_and_days_in_the_readers_language() -> None:
    reason = {"key": "skills", "values": {"skills": ["mes", "erp"]}, "points": 6, "text": {"ko": "x", "en": "x"}}
    assert reason_text(reason, "ko") == "계획에 필요한 기술 보유: 생산관리시스템(MES), 전사적 자원관리(ERP)"
    assert reason_text(reason, "en").endswith(
        "Manufacturing execution systems (MES), Enterprise resource planning (ERP)"
    )
    free = {"key": "available.from", "values": {"date": "2027-01-15"}, "points": 0}
    assert reason_text(free, "ko") == "2027년 1월 15일부터 지원 가능"
    assert reason_text(free, "en") == "free from 15 Jan 2027"


@given(
    key=st.text(min_size=1, max_size=20),
    values=st.dictionaries(st.text(max_size=8), st.one_of(st.integers(), st.text(max_size=8), st.none()), max_size=3),
    hub=st.text(min_size=1, max_size=30),
)
def test_a_reason_this_software_cannot_say_is_the_hubs_text_and_never_an_error(
    key: str, values: dict[str, object], hub: str
) -> None:
    reason = {"key": f"newer.{key}", "values": values, "text": {"ko": hub, "en": hub}}
    assert reason_text(reason, "ko") == hub
    # A known key whose values do not fit its sentence: still the hub's words, not a failed page.
    broken = {"key": "sector.division", "values": values, "text": {"ko": hub, "en": hub}}
    assert isinstance(reason_text(broken, "en"), str)
    assert reason_text("not a reason", "ko") == "—"
