"""The ``sangsaeng`` command: every command explains itself; agreements verify offline; the demo runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from sangsaeng.cli.main import app
from sangsaeng.demo.run import run_demo
from tests.demo_support_told import check_support_told
from tests.helpers import SAMPLE_CSV, Dataspace, negotiate, offer_policy, publish

runner = CliRunner()


def words(text: str) -> str:
    """Rich wraps lines to the terminal; compare words, not line breaks."""
    return " ".join(text.split())


COMMANDS = [
    [],
    ["init"],
    ["serve"],
    ["dataset", "add"],
    ["dataset", "list"],
    ["dataset", "ingest"],
    ["map", "suggest"],
    ["map", "check"],
    ["map", "ingest"],
    ["aas", "export"],
    ["offer", "templates"],
    ["policy", "explain"],
    ["rights", "show"],
    ["dataset", "derive"],
    ["credential", "issue"],
    ["credential", "add"],
    ["user", "add"],
    ["user", "unlock"],
    ["user", "password"],
    ["audit", "verify"],
    ["audit", "evidence"],
    ["audit", "verify-bundle"],
    ["audit", "check-peer"],
    ["offer", "create"],
    ["catalog"],
    ["negotiate"],
    ["transfer"],
    ["agreement", "export"],
    ["agreement", "verify"],
    ["demo"],
    ["pact", "export"],
    ["pact", "import"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "sangsaeng")
def test_every_command_explains_itself(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "Usage" in words(result.output)
    description = result.output.split("Usage", 1)[1].split("\n", 3)[-1].strip()
    assert len(description) > 20, result.output


def test_init_refuses_to_overwrite_a_connector(tmp_path: Path) -> None:
    args = ["init", "--participant-id", "urn:x:a", "--name", "A", "--data-dir", str(tmp_path / "a")]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "already holds a connector" in words(again.output)


def test_commands_against_a_connector_that_is_not_running_say_so(tmp_path: Path) -> None:
    runner.invoke(
        app, ["init", "--participant-id", "urn:x:a", "--name", "A", "--data-dir", str(tmp_path), "--port", "1"]
    )
    result = runner.invoke(app, ["dataset", "list", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "not running" in words(result.output)


@pytest.mark.anyio
async def test_agreement_verify_accepts_the_export_and_rejects_any_change(two: Dataspace, tmp_path: Path) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id, offer_id = await publish(supplier, SAMPLE_CSV, offer_policy(oem.id, count="5"))
    final = await negotiate(oem, supplier, dataset_id, offer_id)
    export = (await oem.api.get(f"/api/agreements/{final['agreementId']}/export")).json()
    good = tmp_path / "agreement.json"
    good.write_text(json.dumps(export))
    ok = runner.invoke(app, ["agreement", "verify", str(good), "--directory", str(two.directory)])
    assert ok.exit_code == 0, ok.output
    assert "valid" in words(ok.output)

    export["agreement"]["permission"][0]["constraint"][1]["rightOperand"] = "500"
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(export))
    refused = runner.invoke(app, ["agreement", "verify", str(bad), "--directory", str(two.directory)])
    assert refused.exit_code == 1
    assert "does not match" in words(refused.output)

    export["signatures"] = export["signatures"][:1]
    export["agreement"]["permission"][0]["constraint"][1]["rightOperand"] = "5"
    half = tmp_path / "half.json"
    half.write_text(json.dumps(export))
    unsigned = runner.invoke(app, ["agreement", "verify", str(half), "--directory", str(two.directory)])
    assert unsigned.exit_code == 1 and "no signature by the consumer" in words(unsigned.output)


@pytest.mark.processes
@pytest.mark.xdist_group("processes")
def test_the_demo_runs_publish_to_pull(tmp_path: Path) -> None:
    console = Console(record=True, width=200)
    assert run_demo(tmp_path / "demo", rows=500, keep_serving=False, console=console, korean=False) == 0
    text = console.export_text()
    assert "검색 결과" not in text and "A search for '검사' finds" in text  # --en: English only
    assert "FINALIZED" in text and "4 rows set aside with reasons" in text  # the generator plants 4 errors
    assert "496 rows, 10 of 14 columns" in text and "canonical units (meter)" in text
    assert "standard energy_record: 48 rows" in text and "standard production_run: 40 rows" in text
    assert (tmp_path / "demo" / "oem-files" / "incoming-inspection.arrows").stat().st_size > 0
    check_support_told(text, korean=False)


def test_an_unknown_setting_is_refused_with_where_it_came_from(tmp_path: Path) -> None:
    (tmp_path / "connector.toml").write_text('participant_id = "urn:x:a"\nprot = 8181\n')
    result = runner.invoke(app, ["serve", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "prot: Extra inputs are not permitted" in words(result.output)
    assert "connector.toml" in words(result.output)
