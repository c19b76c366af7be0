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

from sangsaeng.cli.main import app
from sangsaeng.i18n import catalogs
from sangsaeng.standard.findings import CODES, HINTS, MEANINGS, MESSAGES, Finding, expected_in

CLI = Path(catalogs.__file__).parents[1] / "cli"
HANGUL = re.compile("[\uac00-\ud7a3]")
CLI_KEY = re.compile(r"(?:refusal|catenax|pact|map|stream)(?:\.[a-z_-]+)+")


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


@pytest.mark.parametrize("domain", ["findings", "cli"])
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
