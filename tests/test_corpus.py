"""The corpus: real-looking factory files (tests/corpus/README.md), each read through the mapping a person confirms
— and, where its layout explains itself, through the mapping the tool suggests — must give exactly what its case
says the file means: rows, rows kept and set aside, every problem at the line a person sees, the notes, and a
handful of canonical records."""

from __future__ import annotations

import filecmp
from pathlib import Path
from typing import Any

import pytest

from tests.corpus.judge import CORPUS, checked, differences, load_case, mapping_of, read

CASES = sorted((CORPUS / "cases").glob("*.yaml"))
DOCUMENTS = {path: load_case(path) for path in CASES}


def _id(path: Path) -> str:
    return str(DOCUMENTS[path]["file"]).removeprefix("files/")


SUGGESTED = [path for path in CASES if DOCUMENTS[path]["suggest_without_edits"]]


def _entity_key(entity: str) -> tuple[str, ...]:
    from sangsaeng.standard.entities import ENTITIES

    return tuple(ENTITIES[entity].key)


@pytest.mark.parametrize("case_path", CASES, ids=_id)
def test_the_confirmed_mapping_reads_the_file_as_its_case_says(case_path: Path, tmp_path: Path) -> None:
    case = DOCUMENTS[case_path]
    mapping = mapping_of(case["mapping"])
    outcome = read(CORPUS / case["file"], mapping, case["sheet"], tmp_path)
    said = differences(outcome, case["expect"], _entity_key(case["entity"]))
    assert not said, f"{case['file']}:\n  " + "\n  ".join(said)
    preview = checked(CORPUS / case["file"], mapping, case["sheet"])
    shown = (preview.rows, preview.kept, preview.set_aside, sorted(preview.problems, key=str), preview.notes)
    assert shown == (outcome.rows, outcome.kept, outcome.set_aside, sorted(outcome.problems, key=str), outcome.notes)


def _opened(path: Path, sheet: str | None) -> tuple[Any, Any]:
    """The source and the guess of its layout, however ``open_detected`` hands them over."""
    from sangsaeng.standard.sources import open_detected

    opened = open_detected(path, sheet=sheet) if sheet else open_detected(path)
    if isinstance(opened, tuple):
        source, guess = opened
        return source, guess
    return getattr(opened, "source", opened), getattr(opened, "guess", None) or opened.layout


@pytest.mark.parametrize("case_path", SUGGESTED, ids=_id)
def test_the_suggested_mapping_reads_the_file_the_same_way(case_path: Path, tmp_path: Path) -> None:
    from sangsaeng.standard.company import Company
    from sangsaeng.standard.suggest import suggest

    case = DOCUMENTS[case_path]
    path = CORPUS / case["file"]
    source, guess = _opened(path, case["sheet"])
    # What the connector knows of its company (a footprint's company and the prefix of its part numbers), when the
    # case says: the settings of the connector the file is uploaded to, not an edit of the suggestion.
    company = Company.of(**case["company"]) if case.get("company") else None
    proposal = suggest(case["entity"], source.headers, source.sample(), guess=guess, company=company)
    assert not proposal.missing, f"{case['file']}: the suggestion could not place {proposal.missing}"
    outcome = read(path, proposal.mapping, case["sheet"], tmp_path)
    said = differences(outcome, case["expect"], _entity_key(case["entity"]))
    assert not said, f"{case['file']}, suggested mapping:\n{proposal.mapping.to_yaml()}\n  " + "\n  ".join(said)


def test_the_corpus_spans_sectors_systems_and_layouts() -> None:
    files = sorted(p.name for p in (CORPUS / "files").iterdir())
    named = sorted(_id(path) for path in CASES)
    assert files == named, "every file has exactly one case"
    assert len(files) >= 25
    sectors = {DOCUMENTS[path]["sector"] for path in CASES}
    assert len(sectors) >= 5, sectors
    entities = {DOCUMENTS[path]["entity"] for path in CASES}
    assert entities >= {"quality_result", "energy_record", "production_run", "measurement", "part_type",
                        "part_instance", "bom_link", "demand_forecast", "product_footprint"}  # fmt: skip
    suffixes = {Path(f).suffix for f in files}
    assert suffixes >= {".xlsx", ".csv", ".txt"}
    sizeable = [path for path in CASES if DOCUMENTS[path]["expect"]["rows"] >= 2000]
    assert 4 <= len(sizeable) <= 10
    assert all((CORPUS / "files" / f).stat().st_size <= 3_000_000 for f in files)
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert all(f"`{f}`" in readme for f in files), "the README names every file"


def test_make_writes_the_committed_corpus_again_byte_for_byte(tmp_path: Path) -> None:
    from tests.corpus.make import write_corpus

    write_corpus(tmp_path)
    for folder in ("files", "cases"):
        committed = sorted(p.name for p in (CORPUS / folder).iterdir())
        assert sorted(p.name for p in (tmp_path / folder).iterdir()) == committed
        _, mismatch, errors = filecmp.cmpfiles(CORPUS / folder, tmp_path / folder, committed, shallow=False)
        assert not mismatch and not errors, f"make.py no longer writes {folder}/{mismatch + errors}"
    assert (tmp_path / "README.md").read_bytes() == (CORPUS / "README.md").read_bytes()
