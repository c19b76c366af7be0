"""The hub's pure core: business registration numbers, KSIC codes, regions, sizes, tiers and contacts read and
refused in both languages, and the application's state machine."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sangsaeng.errors import Conflict, InvalidInput
from sangsaeng.hub.members import states
from sangsaeng.hub.members.brn import check_digit, read_brn, written
from sangsaeng.hub.members.facts import read_company
from sangsaeng.hub.members.ksic import read_ksic
from sangsaeng.hub.members.regions import read_region, read_size

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@given(nine_digits)
def test_a_number_with_its_check_digit_is_accepted_written_either_way(first: str) -> None:
    digits = first + str(check_digit(first))
    assert read_brn(digits) == digits
    assert read_brn(written(digits)) == digits
    # as people also write it: spaces or dots for the dashes, full-width digits from a Korean keyboard
    spaced = f"{digits[:3]} {digits[3:5]} {digits[5:]}"
    assert read_brn(spaced) == read_brn(spaced.replace(" ", ".")) == digits
    assert read_brn(digits.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})) == digits


@given(nine_digits, st.integers(0, 9), st.integers(1, 9))
def test_any_single_digit_changed_is_refused(first: str, position: int, change: int) -> None:
    digits = list(first + str(check_digit(first)))
    digits[position] = str((int(digits[position]) + change) % 10)
    changed = "".join(digits)
    # A change the check cannot see would make another valid number: the check digit must differ.
    if check_digit(changed[:9]) == int(changed[9]):
        pytest.fail(f"{changed} passes though one digit of {first} changed")
    with pytest.raises(InvalidInput) as refused:
        read_brn(changed)
    assert "check digit" in refused.value.message and "검증번호" in refused.value.details["message_ko"]


def test_a_known_number_passes_and_its_neighbour_does_not() -> None:
    # 220-81-62517: a widely published registration number; its last digit is the check.
    assert read_brn("220-81-62517") == "2208162517"
    with pytest.raises(InvalidInput):
        read_brn("220-81-62518")


@pytest.mark.parametrize(
    "bad",
    ["12-345-67890", "123456789", "12345678901", "abc-de-fghij", "", None, 1234567890, "220 81-62517", "٢٢٠٨١٦٢٥١٧"],
)
def test_a_number_of_another_shape_is_refused_saying_how_to_write_it(bad: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_brn(bad)
    error = refused.value
    assert error.position == "company.brn" and "123-45-67890" in (error.hint or "")
    assert "사업자등록번호" in error.details["message_ko"] and "123-45-67890" in error.details["hint_ko"]


@pytest.mark.parametrize(
    ("given", "kept"),
    [("C30", "C30"), ("30", "C30"), ("c3030", "C3030"), ("G", "G"), ("46", "G46"), ("01110", "A01110")],
)
def test_ksic_codes_are_kept_with_their_section(given: str, kept: str) -> None:
    assert read_ksic(given) == kept


@pytest.mark.parametrize(
    ("bad", "key"),
    [("C40", "division"), ("04", "division"), ("G30", "section"), ("Z", "shape"), ("C301234", "shape"), ("3", "shape")],
)
def test_ksic_codes_without_a_division_or_of_another_shape_are_refused(bad: str, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_ksic(bad)
    assert refused.value.details["message_ko"] and refused.value.hint
    if key == "division":
        assert "no division" in refused.value.message and "중분류" in refused.value.details["message_ko"]


def test_regions_and_sizes_are_read_in_either_language() -> None:
    assert read_region("경기도") == read_region("Gyeonggi") == read_region("KR-41") == "KR-41"
    # the short names people write, and names from before a province was renamed
    assert read_region("경남") == read_region("Gyeongnam") == read_region("경상남도") == "KR-48"
    assert read_region("서울") == "KR-11" and read_region("강원도") == "KR-42" and read_region("전라북도") == "KR-45"
    assert read_size("중소기업") == read_size("sme") == "sme"
    assert read_size("대기업") == "large"
    for reader, bad in ((read_region, "Tokyo"), (read_size, "huge")):
        with pytest.raises(InvalidInput) as refused:
            reader(bad)
        assert refused.value.details["hint_ko"]


def company(**changes: Any) -> dict[str, Any]:
    facts = {
        "name": "한빛정밀",
        "brn": "220-81-62517",
        "ksic": ["C30"],
        "region": "경상남도",
        "size": "중소기업",
        "tiers": [{"chain": "현대차", "tier": "1차"}],
        "contact": {"name": "김담당", "email": "kim@hanbit.co.kr", "phone": "055-123-4567"},
    }
    return facts | changes


def test_a_company_is_read_with_its_attributes() -> None:
    read = read_company(company())
    assert read.attributes() == {"tier": ["1차"], "sector": ["C30"], "region": ["KR-48"], "size": ["sme"]}


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("김담당@회사.한국", "김담당@회사.한국"),  # a Korean address, written as Koreans write it (RFC 6531, IDNA)
        ("kim@회사.한국", "kim@회사.한국"),
        (" Kim.Lee+q@Hanbit.CO.KR ", "Kim.Lee+q@hanbit.co.kr"),  # the domain lower-cased, the local part kept
    ],
)
def test_an_email_address_is_read_as_people_write_it(given: str, kept: str) -> None:
    contact = {"name": "김", "email": given, "phone": "055-123-4567"}
    assert read_company(company(contact=contact)).contact.email == kept


@pytest.mark.parametrize("given", ["not-mail", "kim@", "@hanbit.co.kr", "kim@localhost", "kim@@hanbit.co.kr", 3, None])
def test_what_is_not_an_email_address_is_refused_at_its_field(given: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_company(company(contact={"name": "김", "email": given, "phone": "055-123-4567"}))
    assert refused.value.position == "company.contact.email" and refused.value.details["message_ko"]


@pytest.mark.parametrize(
    ("changes", "position"),
    [
        ({"tiers": [{"chain": "현대차", "tier": "tier one"}]}, "company.tiers[0].tier"),
        ({"contact": {"name": "김", "email": "not-mail", "phone": "055-123-4567"}}, "company.contact.email"),
        ({"ksic": ["C30", "C99"]}, "company.ksic[1]"),
        ({"name": ""}, "company.name"),
        ({"tiers": []}, "company.tiers"),
    ],
)
def test_a_wrong_fact_is_refused_where_it_is(changes: dict[str, Any], position: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_company(company(**changes))
    assert refused.value.position == position and refused.value.details["message_ko"]


steps = st.lists(st.sampled_from(list(states.STEPS)), max_size=12)


@given(steps)
def test_the_state_machine_moves_only_along_its_steps(taken: list[states.Step]) -> None:
    state: str = "applied"
    for action in taken:
        start, end = states.STEPS[action]
        if state == start:
            state = states.step(state, action, "urn:app")
            assert state == end
        else:
            with pytest.raises(Conflict) as refused:
                states.step(state, action, "urn:app")
            assert refused.value.status == 409 and refused.value.details["state"] == state
    assert state in states.STATES


def test_a_refused_step_names_the_state_in_words() -> None:
    with pytest.raises(Conflict) as refused:
        states.step("declined", "suspend", "urn:app:1")
    assert "is declined" in refused.value.message and "거절됨" in refused.value.details["message_ko"]
