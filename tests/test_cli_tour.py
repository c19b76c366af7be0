"""The README's tour, command by command, against two connectors running as processes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sangsaeng.cli.main import app
from sangsaeng.demo.data import write_inspection_csv
from sangsaeng.demo.valuechain import generate
from sangsaeng.launch import running

pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("processes")]
runner = CliRunner()
URN = re.compile(r"urn:uuid:[0-9a-f-]{36}")


def sangsaeng(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_the_tour_from_publishing_to_a_verified_agreement(tmp_path: Path) -> None:
    with running(tmp_path, ["supplier", "oem"]) as nodes:
        supplier, oem = (str(nodes[n].init.settings.data_dir) for n in ("supplier", "oem"))
        source = write_inspection_csv(tmp_path / "inspections.csv", 300)

        added = sangsaeng("dataset", "add", str(source), "--title", "Incoming inspection", "--data-dir", supplier)
        dataset_id = URN.findall(added)[0]
        assert "300 rows" in added
        policy = {
            "permission": [
                {
                    "action": "use",
                    "constraint": [
                        {"leftOperand": "participant", "operator": "eq", "rightOperand": nodes["oem"].id},
                        {"leftOperand": "purpose", "operator": "eq", "rightOperand": "quality-analysis"},
                        {
                            "leftOperand": "fields",
                            "operator": "isAnyOf",
                            "rightOperand": ["lot_no", "part_no", "measured", "result"],
                        },
                    ],
                }
            ]
        }
        offered = sangsaeng("offer", "create", dataset_id, "--policy", json.dumps(policy), "--data-dir", supplier)
        offer_id = URN.findall(offered)[0]
        listed = sangsaeng("dataset", "list", "--data-dir", supplier).replace(" │ ", "").replace("│", "")
        assert dataset_id in listed.replace(" ", "")

        catalog = sangsaeng("catalog", nodes["supplier"].id, "--json", "--data-dir", oem)
        assert dataset_id in catalog and offer_id in catalog

        agreed = sangsaeng(
            "negotiate", nodes["supplier"].id, dataset_id, offer_id, "--purpose", "quality-analysis", "--data-dir", oem
        )
        agreement_id = URN.findall(agreed)[0]

        out = tmp_path / "pulled.parquet"
        pulled = sangsaeng("transfer", agreement_id, "--out", str(out), "--data-dir", oem)
        assert "parquet" in pulled
        table = pq.read_table(out)
        assert table.column_names == ["lot_no", "part_no", "measured", "result"] and table.num_rows == 300

        export = tmp_path / "agreement.json"
        sangsaeng("agreement", "export", agreement_id, "--out", str(export), "--data-dir", oem)
        verified = sangsaeng("agreement", "verify", str(export), "--directory", str(tmp_path / "directory.json"))
        assert "✓ valid" in verified


def test_a_refused_negotiation_says_why(tmp_path: Path) -> None:
    with running(tmp_path, ["supplier", "oem"]) as nodes:
        supplier, oem = (str(nodes[n].init.settings.data_dir) for n in ("supplier", "oem"))
        source = write_inspection_csv(tmp_path / "inspections.csv", 10)
        dataset_id = URN.findall(sangsaeng("dataset", "add", str(source), "--title", "t", "--data-dir", supplier))[0]
        policy = {
            "permission": [
                {
                    "action": "use",
                    "constraint": [{"leftOperand": "purpose", "operator": "eq", "rightOperand": "recall"}],
                }
            ]
        }
        offer_id = URN.findall(
            sangsaeng("offer", "create", dataset_id, "--policy", json.dumps(policy), "--data-dir", supplier)
        )[0]
        result = runner.invoke(
            app,
            ["negotiate", nodes["supplier"].id, dataset_id, offer_id, "--purpose", "benchmarking", "--data-dir", oem],
            env={"COLUMNS": "200"},
        )
        assert result.exit_code == 2
        assert "TERMINATED" in result.output and "purpose eq recall" in " ".join(result.output.split())


def test_an_sme_export_becomes_a_standard_dataset_in_one_command(tmp_path: Path) -> None:
    with running(tmp_path, ["supplier"]) as nodes:
        supplier = str(nodes["supplier"].init.settings.data_dir)
        files = generate(tmp_path / "files", errors=True)
        export, mapping = files.paths["quality_result"], tmp_path / "mapping.yaml"
        sangsaeng("map", "suggest", str(export), "--entity", "quality_result", "--out", str(mapping))

        refused = runner.invoke(
            app,
            [
                "dataset",
                "ingest",
                str(export),
                "--mapping",
                str(mapping),
                "--title",
                "검사",
                "--ko",
                "--data-dir",
                supplier,
            ],
            env={"COLUMNS": "200"},
        )
        assert refused.exit_code == 2, refused.output
        said = " ".join(refused.output.split())
        assert "data-rejected" in said and "nothing was written" in said
        for row, field, code in files.injected["quality_result"]:
            assert f"{code}:" in said and f"row {row}: {field}:" in said
        assert "검사" not in sangsaeng("dataset", "list", "--data-dir", supplier)  # nothing was registered

        rejected = tmp_path / "left-out.csv"
        accepted = sangsaeng(
            "dataset",
            "ingest",
            str(export),
            "--mapping",
            str(mapping),
            "--title",
            "검사",
            "--accept-partial",
            "--rejected-out",
            str(rejected),
            "--data-dir",
            supplier,
        )
        bad_rows = {row for row, _, _ in files.injected["quality_result"]}
        assert f"{files.rows['quality_result'] - len(bad_rows)} rows" in accepted and "(quality_result)" in accepted
        assert f"{len(bad_rows)} rows left out" in accepted
        lines = rejected.read_text("utf-8").splitlines()
        assert len(lines) == 1 + len(bad_rows) and "problems" in lines[0]
        dataset_id = URN.findall(accepted)[0]

        again = sangsaeng(
            "dataset",
            "ingest",
            str(export),
            "--mapping",
            str(mapping),
            "--id",
            dataset_id,
            "--accept-partial",
            "--data-dir",
            supplier,
        )
        assert "ingested through this mapping before" in again and "version 1" in again


def test_templates_credentials_explain_and_rights_from_the_command_line(tmp_path: Path) -> None:
    with running(tmp_path, ["supplier", "oem", "rival", "hub"]) as nodes:
        supplier, oem, hub = (str(nodes[n].init.settings.data_dir) for n in ("supplier", "oem", "hub"))
        source = write_inspection_csv(tmp_path / "inspections.csv", 50)
        dataset_id = URN.findall(sangsaeng("dataset", "add", str(source), "--title", "검사", "--data-dir", supplier))[0]
        listed = sangsaeng("offer", "templates", "--data-dir", supplier)
        assert "quality-to-customer" in listed and "--param customer=" in listed
        made = sangsaeng(
            "offer",
            "create",
            dataset_id,
            "--template",
            "quality-to-customer",
            "--param",
            f"customer={nodes['oem'].id}",
            "--data-dir",
            supplier,
        )
        offer_id = URN.findall(made)[0]

        allowed = runner.invoke(
            app,
            [
                "policy",
                "explain",
                "--offer",
                offer_id,
                "--consumer",
                nodes["oem"].id,
                "--purpose",
                "quality-analysis",
                "--data-dir",
                supplier,
            ],
            env={"COLUMNS": "200"},
        )
        assert (
            allowed.exit_code == 0
            and "✓ allowed" in allowed.output
            and "duty: delete within 365 days" in allowed.output
        )
        denied = runner.invoke(
            app,
            [
                "policy",
                "explain",
                "--offer",
                offer_id,
                "--consumer",
                nodes["rival"].id,
                "--purpose",
                "recall",
                "--data-dir",
                supplier,
            ],
            env={"COLUMNS": "200"},
        )
        assert (
            denied.exit_code == 1
            and "✗ not allowed" in denied.output
            and "purpose eq quality-analysis" in denied.output
        )

        token = runner.invoke(
            app, ["credential", "issue", "--subject", nodes["oem"].id, "--attr", "tier=tier1", "--data-dir", hub]
        ).output.strip()
        assert "tier=tier1" in sangsaeng("credential", "add", token, "--data-dir", oem)

        negotiated = sangsaeng(
            "negotiate", nodes["supplier"].id, dataset_id, offer_id, "--purpose", "quality-analysis", "--data-dir", oem
        )
        agreement_id = URN.findall(negotiated)[0]
        summary = tmp_path / "summary.csv"
        summary.write_text("part_no,failures\nBRK-1,3\n", "utf-8")
        derived = sangsaeng(
            "dataset",
            "derive",
            str(summary),
            "--source",
            agreement_id,
            "--title",
            "failures",
            "--operation",
            "aggregate",
            "--data-dir",
            oem,
        )
        derived_id = URN.findall(derived)[0]
        shown = sangsaeng("rights", "show", derived_id, "--data-dir", oem)
        assert f"agreement {agreement_id}" in shown and "redistribution eq false" in shown
        refused = runner.invoke(
            app,
            [
                "offer",
                "create",
                derived_id,
                "--template",
                "quality-to-customer",
                "--param",
                f"customer={nodes['rival'].id}",
                "--data-dir",
                oem,
            ],
            env={"COLUMNS": "200"},
        )
        assert refused.exit_code == 2 and "redistribution eq false" in " ".join(refused.output.split())
        given = sangsaeng("rights", "show", dataset_id, "--data-dir", supplier)
        assert f"received by: {nodes['oem'].id} under {agreement_id}" in given

        # The same exchange, as each side's tamper-evident log has it.
        assert "✓ valid" in sangsaeng("audit", "verify", "--data-dir", supplier)
        evidence = tmp_path / "evidence.json"
        sangsaeng("audit", "evidence", "--agreement", agreement_id, "--out", str(evidence), "--data-dir", supplier)
        directory = str(tmp_path / "directory.json")
        checked = sangsaeng("audit", "verify-bundle", str(evidence), "--directory", directory)
        assert "✓ valid" in checked and "signed by both parties" in checked
        raw = bytearray(evidence.read_bytes())
        raw[len(raw) // 2] ^= 0x01
        evidence.write_bytes(bytes(raw))
        broken = runner.invoke(app, ["audit", "verify-bundle", str(evidence), "--directory", directory])
        assert broken.exit_code == 1 and "✗" in broken.output
        assert "extends all" in sangsaeng("audit", "check-peer", nodes["supplier"].id, "--data-dir", oem)
