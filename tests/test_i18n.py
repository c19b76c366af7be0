"""One i18n system: the portal, what a check of a file reports and the command line speak from the same gettext
catalogs (``sangsaeng/i18n/locale``, one per domain), every key in Korean and English with the same placeholders."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from sangsaeng import errors
from sangsaeng.cli.main import app
from sangsaeng.errors import Forbidden, InvalidInput, SangsaengError, UnitMismatch, UnknownUnit
from sangsaeng.i18n import catalogs
from sangsaeng.i18n.refusals import SNAKE
from sangsaeng.roles import Principal, require
from sangsaeng.standard.catenax import release, rules
from sangsaeng.standard.catenax.requirements import enforce_field
from sangsaeng.standard.excel import DEFAULT, excel_source
from sangsaeng.standard.findings import CODES, HINTS, MEANINGS, MESSAGES, Finding, expected_in
from sangsaeng.standard.input_errors import said_of
from sangsaeng.standard.labels import field_label
from sangsaeng.standard.layout import Reading
from sangsaeng.standard.mapping import load_mapping
from sangsaeng.standard.pact import requirements as pact_requirements
from sangsaeng.standard.pact.read import read_pact
from sangsaeng.standard.reshape import Shaper
from sangsaeng.standard.sources import open_source
from sangsaeng.standard.suggest import suggest
from sangsaeng.standard.suggest.proposal import REASON_KEYS, REASONS
from sangsaeng.standard.units import convert, recognize, unknown_hint
from tests.test_pact import footprint as complete_footprint

CLI = Path(catalogs.__file__).parents[1] / "cli"
HANGUL = re.compile("[\uac00-\ud7a3]")
CLI_KEY = re.compile(r"(?:refusal|catenax|pact|map|stream|hub|dataset)(?:\.[a-z_-]+)+")


def placeholders(text: str) -> set[tuple[str, str | None, str]]:
    """The values a text names: (name, conversion, format) of each ``{…}``."""
    return {(name, conv, spec or "") for _, name, spec, conv in string.Formatter().parse(text) if name is not None}


def test_the_placeholder_check_sees_a_missing_or_changed_placeholder() -> None:
    assert placeholders("{field}: {value!r} ({expected})") == placeholders("{field}: {value!r}은(는) {expected}")
    assert placeholders("{field}: {value!r}") != placeholders("{field}: {value}")
    assert placeholders("{name} is not a Parquet file: {problem}") != placeholders(
        "{name}은(는) Parquet 파일이 아닙니다"
    )
    assert placeholders("{count:,} rows") != placeholders("{count} rows")


@pytest.mark.parametrize("domain", catalogs.DOMAINS)
def test_every_key_is_in_korean_and_english_with_the_same_placeholders(domain: str) -> None:
    korean, english = catalogs.entries("ko", domain), catalogs.entries("en", domain)
    assert sorted(set(korean) ^ set(english)) == []
    assert {k: (korean[k], english[k]) for k in english if placeholders(korean[k]) != placeholders(english[k])} == {}


@pytest.mark.parametrize("domain", ["findings", "cli", "standard"])
def test_the_korean_of_findings_and_the_command_line_is_korean(domain: str) -> None:
    korean = catalogs.entries("ko", domain)
    assert [key for key, text in korean.items() if not HANGUL.search(text)] == []


def test_every_finding_says_what_it_found_how_to_fix_it_and_what_it_means_in_both_languages() -> None:
    keys = {*MESSAGES.values(), *HINTS.values(), *MEANINGS.values(), "reference.field", "reference.expected"}
    assert set(MESSAGES) == set(HINTS) == set(MEANINGS) == set(CODES)
    for language in catalogs.LANGUAGES:
        assert sorted(keys - set(catalogs.entries(language, "findings"))) == [], language


def test_what_a_check_expected_reads_in_korean_whole_or_by_its_beginning() -> None:
    assert expected_in("a whole number", "ko") == "정수"
    assert expected_in("a column named 측정값", "ko") == "열 이름 측정값"
    assert expected_in("unique; first seen in row 12", "ko") == "중복 불가; 처음 나온 행 12"
    assert expected_in("mm", "ko") == "mm"  # units, codes and formats read the same in both
    assert expected_in("a whole number", "en") == "a whole number"


@given(
    code=st.sampled_from(CODES),
    field=st.sampled_from(["value", "lot_no", "declared_unit", "inspected_at"]),
    value=st.none() | st.text(max_size=20),
    expected=st.sampled_from(["a number", "a column named 로트", "N/A", "{x}", "did you mean: kg"]),
)
def test_a_finding_names_the_same_field_and_value_in_both_languages(
    code: str, field: str, value: str | None, expected: str
) -> None:
    finding = Finding(code, 3, field, value, expected)
    template = catalogs.entries("en", "findings")[MESSAGES[code]]
    for text in (finding.text("ko"), finding.text("en"), finding.hint_text("ko"), finding.hint_text("en")):
        assert text
    for language in catalogs.LANGUAGES:
        said = finding.text(language)
        if "{field}" in template:
            assert field in said
        if "{value!r}" in template or "{found}" in template:
            assert value is None or repr(value) in said


def keys_the_command_line_uses() -> set[str]:
    """Every catalog key written in the command line's modules, and the refusals ``_said`` names (catenax.…)."""
    found: set[str] = set()
    for module in CLI.glob("*.py"):
        tree = ast.parse(module.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CLI_KEY.fullmatch(node.value):
                found.add(node.value)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_said":
                first = node.args[0]
                assert isinstance(first, ast.Constant) and isinstance(first.value, str)
                found.add(f"catenax.{first.value}")
    return found


def test_every_key_the_command_line_uses_is_in_both_catalogs_and_none_is_left_over() -> None:
    used = keys_the_command_line_uses()
    assert {"stream.seq.late", "map.summary", "catenax.not-json", "pact.read", "refusal.hint"} <= used
    for language in catalogs.LANGUAGES:
        assert sorted(used - set(catalogs.entries(language, "cli"))) == [], language
    hints = {f"{key}.hint" for key in used}
    assert sorted(set(catalogs.entries("en", "cli")) - used - hints) == []


def test_the_command_line_refuses_in_the_catalogs_words(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    runner = CliRunner()
    for flag, said in (("--ko", "내보내기로 만든 폴더를 주세요"), ("--en", "give the folder an export made")):
        result = runner.invoke(
            app, ["catenax", "import", str(empty), "--out", str(tmp_path / "o"), flag], env={"COLUMNS": "200"}
        )
        assert result.exit_code == 2
        assert said in " ".join(result.output.split())
        assert catalogs.text("cli", "catenax.no-json", flag[2:], path=empty) in " ".join(result.output.split())


# ---- standard data: refusals and notes of sheets, mappings, Catena-X, PACT and AAS ----------------------------------

SRC = Path(catalogs.__file__).parents[1]
STANDARD = SRC / "standard"
# Data, not messages: the Korean header words, units, names and labels the system reads or writes.
VOCABULARIES = {
    STANDARD / "labels.py",
    STANDARD / "units.py",
    STANDARD / "entities.py",
    STANDARD / "suggest" / "words.py",
    STANDARD / "aas" / "names.py",
    SRC / "hub" / "members" / "ksic.py",  # KSIC's sections and divisions, named as the classification names them
    SRC / "hub" / "members" / "regions.py",  # the 17 regions and the size classes, by their Korean names
}
KOREAN_KEYS = {"message_ko", "hint_ko", "messageKo", "hintKo"}
STANDARD_KEY = re.compile(r"(?:word|reshape|sheet|file|ingest|catenax|pact|aas|suggest|unit|mapping)(?:\.[a-z0-9-]+)+")
# Calls that once took a sentence in each language as positional arguments: the proposal's notes and reasons.
SAID_POSITIONALLY = {"note", "Note", "Reason"}


def _has_hangul(node: ast.AST | None) -> bool:
    """Whether an expression writes Hangul itself: a literal, or the literal parts of an f-string."""
    return node is not None and any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and HANGUL.search(n.value) for n in ast.walk(node)
    )


def _called(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)


def korean_written_inline(source: str) -> list[int]:
    """The lines where a Korean message is written in Python: ``{"message_ko": "…"}`` (or hint_ko, messageKo,
    hintKo), ``ko="…"``, or a positional argument of ``note(…)``/``Note(…)``/``Reason(…)``, with Hangul in the
    literal."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in KOREAN_KEYS and _has_hangul(value):
                    lines.append(node.lineno)
        if isinstance(node, ast.Call):
            lines += [node.lineno for k in node.keywords if k.arg == "ko" and _has_hangul(k.value)]
            if _called(node) in SAID_POSITIONALLY and any(_has_hangul(a) for a in node.args):
                lines.append(node.lineno)
        if isinstance(node, ast.Assign) and _has_hangul(node.value):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            lines += [node.lineno for name in names if name in KOREAN_KEYS or name in {"message_ko", "hint_ko"}]
    return lines


def test_the_inline_scan_sees_korean_written_in_python() -> None:
    assert korean_written_inline('raise E("x", details={"message_ko": f"{a}가 없습니다"})') == [1]
    assert korean_written_inline('e = E("x", details={"hintKo": "확인하세요"})') == [1]
    assert korean_written_inline('missing("f", v, ko="빈칸입니다")') == [1]
    assert korean_written_inline('message_ko = f"{name}에 행이 없습니다"') == [1]
    assert korean_written_inline('refusal("sheet.empty", where=where)') == []
    assert korean_written_inline('details={"message_ko": said_ko}') == []
    assert korean_written_inline('draft.note(f"{name}: no year", f"{name}: 연도가 없습니다", name)') == [1]
    assert korean_written_inline('Reason("exact", "header matched", "머리글이 일치")') == [1]
    assert korean_written_inline('Note("x", f"{a}입니다")') == [1]
    assert korean_written_inline('draft.note("suggest.time-only", name, field=name, column="측정일")') == []


def test_no_korean_message_is_written_inline_outside_the_vocabularies() -> None:
    found = {
        str(path.relative_to(SRC)): lines
        for path in sorted(SRC.rglob("*.py"))
        if path not in VOCABULARIES and (lines := korean_written_inline(path.read_text("utf-8")))
    }
    assert found == {}


def keys_standard_data_uses() -> set[str]:
    """Every key of the ``standard`` catalog written in standard data's modules."""
    found: set[str] = set()
    for module in STANDARD.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and STANDARD_KEY.fullmatch(node.value):
                found.add(node.value)
    return found


def test_every_key_standard_data_uses_is_in_both_catalogs_and_none_is_left_over() -> None:
    used = keys_standard_data_uses()
    assert {"reshape.unknown-column", "catenax.required", "pact.exempted-without-reason", "word.or"} <= used
    for language in catalogs.LANGUAGES:
        assert sorted(used - set(catalogs.entries(language, "standard"))) == [], language
    hints = {f"{key}.hint" for key in used}
    assert sorted(set(catalogs.entries("en", "standard")) - used - hints) == []


def test_the_korean_of_standard_data_is_korean() -> None:
    korean = catalogs.entries("ko", "standard")
    assert [key for key, text in korean.items() if not HANGUL.search(text)] == []


def _both(refused: pytest.ExceptionInfo[SangsaengError], shape: tuple[str, str] = SNAKE) -> tuple[str, str]:
    error = refused.value
    return error.message + " " + (error.hint or ""), error.details[shape[0]] + " " + error.details.get(shape[1], "")


def test_a_column_the_header_lacks_is_named_with_the_columns_there_are_in_both_languages() -> None:
    with pytest.raises(InvalidInput) as refused:
        Shaper(["품번", "외경(mm)"], Reading(fill_down=("두께",)), "견적.csv")
    english, korean = _both(refused)
    for said in (english, korean):
        assert "견적.csv" in said and "fill_down" in said and "'두께'" in said and "품번, 외경(mm)" in said
    assert HANGUL.search(korean.replace("두께", "").replace("품번", "").replace("외경", ""))
    assert "the header does not have" in english and refused.value.position == "fill_down"


def test_an_empty_sheet_and_an_empty_file_are_refused_by_name_in_both_languages(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as refused:
        excel_source(tmp_path / "월간.xlsx", "3월", [], Reading(), DEFAULT)
    english, korean = _both(refused)
    assert "월간.xlsx, sheet '3월'" in english and "월간.xlsx, sheet '3월'" in korean
    assert "empty" in english and "비어 있습니다" in korean
    (tmp_path / "빈.csv").write_bytes(b"")
    with pytest.raises(InvalidInput) as refused:
        open_source(tmp_path / "빈.csv")
    english, korean = _both(refused)
    assert "빈.csv is empty" in english and "빈.csv 파일이 비어 있습니다" in korean


@pytest.mark.parametrize("aspect", ["SerialPart", "SingleLevelBomAsBuilt"])
def test_a_field_a_catenax_release_requires_is_named_with_its_label_in_both_languages(aspect: str) -> None:
    of = release(aspect)
    rule = next(r for r in rules(of) if r.required and r.form is not None)
    with pytest.raises(InvalidInput) as refused:
        enforce_field(of, rule.entity, rule.field, None)
    english, korean = _both(refused)
    for said, language in ((english, "en"), (korean, "ko")):
        assert str(of) in said and rule.field in said and rule.path in said
        assert field_label(rule.entity, rule.field, language) in said
        assert getattr(rule.form, language) in said  # how to give it: the form its value must have
    assert refused.value.details["release"] == of.urn and refused.value.position == rule.field


def test_an_exemption_without_its_reason_is_refused_with_the_share_in_both_languages() -> None:
    footprint = complete_footprint(exempted_emissions_percent=2.5, exempted_emissions_description="")
    problem = next(p for p in pact_requirements(footprint, "2.2") if p.field == "exempted_emissions_description")
    for said in (problem.en, problem.ko):
        assert "2.5" in said and "exemptedEmissionsDescription" in said
    assert "reason" in problem.en and "이유" in problem.ko


# ---- who may do what ----------------------------------------------------------------------------------------------


def test_a_role_refused_an_action_is_told_so_by_the_roles_name_in_both_languages() -> None:
    with pytest.raises(Forbidden) as refused:
        require(Principal("미나", "viewer", "portal"), "dataset.add")
    english, korean = _both(refused)
    assert "dataset.add" in english and "dataset.add" in korean
    assert catalogs.text("messages", "role.viewer", "en") in english and "열람자" in korean
    assert "administrator" in english and "관리자" in korean
    assert refused.value.details["role"] == "viewer" and refused.value.details["action"] == "dataset.add"


# ---- a proposed mapping: its notes and reasons ----------------------------------------------------------------------


def test_a_proposals_notes_and_reasons_say_the_same_facts_in_both_languages() -> None:
    proposal = suggest(
        "quality_result",
        ["검사일", "로트", "측정값(mm)", "판정"],
        {"검사일": ["3/2", "3/3"], "로트": ["A1", "A2"], "측정값(mm)": ["1,5", "2,5"], "판정": ["합격", "보류"]},
    )
    notes = {n.key: n for n in proposal.notes}
    assert {"suggest.year.missing", "suggest.truth.unknown", "suggest.unsure"} <= set(notes)
    for note in notes.values():
        assert note.key and HANGUL.search(note.ko) and note.en != note.ko
    for facts, key in (
        (("검사일", "3/2", "inspected_at"), "suggest.year.missing"),
        (("보류", "판정"), "suggest.truth.unknown"),
    ):
        for said in (notes[key].en, notes[key].ko):
            assert all(fact in said for fact in facts), (key, said)
    unsure, reason = notes["suggest.unsure"], proposal.reasons["inspected_at"]
    assert f"{proposal.confidence['inspected_at']:.2f}" in unsure.en and reason.en in unsure.en
    assert f"{proposal.confidence['inspected_at']:.2f}" in unsure.ko and reason.ko in unsure.ko
    assert reason.en == catalogs.text("standard", f"suggest.reason.{reason.code}", "en") and HANGUL.search(reason.ko)


def test_every_reason_a_proposal_gives_has_words_in_both_languages() -> None:
    for code in REASONS:
        for language in catalogs.LANGUAGES:
            assert REASONS[code].text(language) != REASON_KEYS[code], (code, language)


# ---- units --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "facts"), [("kgg", ("'kgg'", "kg")), ("", ()), ("zzqq", ("'zzqq'",)), ("x" * 70, ("70", "64"))]
)
def test_an_unknown_unit_is_refused_with_the_same_facts_in_both_languages(written: str, facts: tuple[str, ...]) -> None:
    with pytest.raises(UnknownUnit) as refused:
        recognize(written)
    english, korean = _both(refused)
    assert refused.value.hint and HANGUL.search(korean)
    for fact in facts:
        assert fact in english and fact in korean


def test_units_of_different_things_are_refused_in_both_languages() -> None:
    with pytest.raises(UnitMismatch) as refused:
        convert(1.0, "kg", "kWh")
    english, korean = _both(refused)
    assert "'kg'" in korean and "'kWh'" in korean and "different things" in english and "kgCO2e" in korean
    assert unknown_hint("kgg", "ko").startswith("혹시") and unknown_hint("kgg").startswith("did you mean")


# ---- a mapping document -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "at", "facts", "korean"),
    [
        ("entity: nothing\nfields: {}", "entity", ("'nothing'", "energy_record"), "알 수 없는 엔터티"),
        ("entity: energy_record\ntimezone: Mars/Base\nfields: {}", "timezone", ("'Mars/Base'",), "시간대"),
        ("entity: energy_record\nfields: {colour: {column: 색}}", "fields", ("colour",), "필드가 없습니다"),
        ("entity: energy_record\nfields: {amount: {column: 양, value: 3}}", "fields.amount", ("'column'",), "하나만"),
        ("entity: energy_record\nfields: {consumer: {column: 설비, minus: 예비}}", "fields", ("consumer",), "숫자"),
        ("entity: energy_record\nfields: {amount: {row: 3}}", "fields.amount.row", (), "매핑을 읽을 수 없습니다"),
    ],
)
def test_a_mapping_is_refused_where_it_is_wrong_with_the_same_facts_in_both_languages(
    document: str, at: str, facts: tuple[str, ...], korean: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        load_mapping(document, source="매핑.yaml")
    english, said_ko = _both(refused)
    assert refused.value.position == at and korean in said_ko and "Value error" not in english
    for fact in ("매핑.yaml", *facts):
        assert fact in english and fact in said_ko, fact


# ---- no refusal in standard data is written in English only --------------------------------------------------------

ERRORS = {name for name, value in vars(errors).items() if isinstance(value, type) and issubclass(value, SangsaengError)}
# Raised, but never read by a person: each with why.
NOT_READ = {
    ("entities.py", "TypeError"): "a programming error (a model given a type it cannot hold), never a refusal",
    ("entities.py", "ValueError"): "inside a pydantic validator, said again by the mapping's refusal",
    ("findings.py", "ValueError"): "an unknown finding code: a programming error",
    ("validation.py", "ValueError"): "a programming error in how a check is called",
    ("pact/decimals.py", "ValueError"): "caught by its callers, which refuse in the catalog's words",
    ("pact/decimals.py", "AssertionError"): "an internal invariant",
}


def english_only_refusals(source: str) -> list[tuple[int, str]]:
    """(line, error) of each ``raise X(…)``/``return X(…)`` making an error (a ``SangsaengError`` or any ``…Error``)
    without a ``details`` dict holding ``message_ko``; ``refusal(…)``/``Problem(…)`` calls are not such makings."""
    found = []
    for node in ast.walk(ast.parse(source)):
        made = node.value if isinstance(node, ast.Return) else node.exc if isinstance(node, ast.Raise) else None
        if not isinstance(made, ast.Call) or (name := _called(made)) is None:
            continue
        if name not in ERRORS and not name.endswith("Error"):
            continue
        details = next((k.value for k in made.keywords if k.arg == "details"), None)
        said = isinstance(details, ast.Dict) and any(
            isinstance(k, ast.Constant) and k.value in KOREAN_KEYS for k in details.keys
        )
        if not said:
            found.append((made.lineno, name))
    return found


def test_the_english_only_scan_sees_an_english_only_refusal() -> None:
    assert english_only_refusals('raise InvalidInput(f"{name} is empty", hint="x")') == [(1, "InvalidInput")]
    assert english_only_refusals('return InvalidInput("bad")') == [(1, "InvalidInput")]
    assert english_only_refusals('raise ValueError(f"{p!r} has %x")') == [(1, "ValueError")]
    assert english_only_refusals('raise InvalidInput(m, details={"message_ko": ko})') == []
    assert english_only_refusals('raise refusal("file.empty", name=n)') == []
    assert english_only_refusals('raise Problem("mapping.date.twice", pattern=p)') == []
    assert english_only_refusals("raise") == []


def test_no_refusal_of_standard_data_is_in_english_only() -> None:
    found = {
        (str(path.relative_to(STANDARD)), name): line
        for path in sorted(STANDARD.rglob("*.py"))
        for line, name in english_only_refusals(path.read_text("utf-8"))
    }
    assert sorted(set(found) - set(NOT_READ)) == []
    assert sorted(set(NOT_READ) - set(found)) == []  # an allowance no longer needed goes


# ---- what a mapping's date format, prefix and pydantic's own complaints say --------------------------------------


@pytest.mark.parametrize(
    ("document", "facts", "korean"),
    [
        ("fields: {amount: {column: 양}}", ("entity",), "꼭 있어야 하는데 없습니다"),
        ("entity: energy_record\nfields: {amount: {column: 3.5}}", ("fields.amount.column", "3.5"), "텍스트여야"),
        ("entity: energy_record\nfields: []", ("fields", "[]"), "키와 값"),
        ("- 1\n- 2", ("[1, 2]",), "매핑의 최상위"),
        ("entity: energy_record\nfields: {at: {column: 일, format: '%Y-%q'}}", ("'%Y-%q'", "%q"), "읽지 않습니다"),
        ("entity: energy_record\nfields: {at: {column: 일, format: '03/04/2026'}}", ("'03/04/2026'",), "월/일인지"),
        ("entity: energy_record\nfields: {consumer: {column: 설비, prefix: 'urn:x'}}", ("'urn:x'",), "URN"),
    ],
)
def test_a_mappings_format_prefix_and_shape_are_refused_in_both_languages(
    document: str, facts: tuple[str, ...], korean: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        load_mapping(document, source="매핑.yaml")
    english, said_ko = _both(refused)
    assert korean in said_ko and "Input should" not in said_ko and "cannot" not in said_ko, said_ko
    for fact in ("매핑.yaml", *facts):
        assert fact in english and fact in said_ko, fact


def test_a_pydantic_complaint_without_words_of_its_own_keeps_its_english_behind_korean() -> None:
    said = said_of(
        {"type": "string_too_long", "loc": ("fields", "x"), "msg": "String should have at most 3", "input": "abcd"}
    )
    assert said.say("en") == "fields.x: String should have at most 3"
    assert said.say("ko").startswith("fields.x: 값이 맞지 않습니다") and "String should have at most 3" in said.say(
        "ko"
    )


def test_a_pact_document_is_refused_property_by_property_in_both_languages() -> None:
    document = {"specVersion": "2.3.0", "id": "not-a-uuid", "pcf": {}}
    with pytest.raises(InvalidInput) as refused:
        read_pact(document)
    english, said_ko = _both(refused)
    assert "is required and missing" in english and "필수인데 없습니다" in said_ko
    listing = refused.value.details["problems"]
    assert listing and all(HANGUL.search(p["message_ko"]) and p["position"] in said_ko for p in listing)
