"""``make demo``: a supplier and an OEM on loopback, from publishing to pulled data, told as it happens."""

from __future__ import annotations

import json
import shutil
import signal
import time
from pathlib import Path

import pyarrow as pa
from rich.console import Console

from sangsaeng.client import Client
from sangsaeng.demo.data import COLUMNS, WITHHELD, write_inspection_csv
from sangsaeng.launch import ConnectorProcess, free_port
from sangsaeng.setup import init_connector

SUPPLIER = "urn:sangsaeng:participant:hanbit-precision"
OEM = "urn:sangsaeng:participant:daehan-motors"


def run_demo(workdir: Path, rows: int, keep_serving: bool, console: Console) -> int:
    workdir = workdir.resolve()
    if workdir.exists():
        shutil.rmtree(workdir)
    directory = workdir / "directory.json"
    ports = {"supplier": free_port(), "oem": free_port()}
    console.rule("[bold]Sangsaeng demo: incoming-quality data from a tier-1 supplier to its OEM")
    supplier_init = init_connector(
        workdir / "supplier",
        SUPPLIER,
        "한빛정밀 Hanbit Precision (tier-1)",
        port=ports["supplier"],
        directory=directory,
    )
    oem_init = init_connector(
        workdir / "oem", OEM, "대한모터스 Daehan Motors (OEM)", port=ports["oem"], directory=directory
    )
    console.print(f"1. Two connectors with their own Ed25519 identities; a shared directory at {directory}")
    processes = [
        ConnectorProcess(workdir / "supplier", ports["supplier"]).start(),
        ConnectorProcess(workdir / "oem", ports["oem"]).start(),
    ]
    try:
        supplier = Client(supplier_init.settings.public_url, supplier_init.api_key)
        oem = Client(oem_init.settings.public_url, oem_init.api_key)
        csv_path = write_inspection_csv(workdir / "supplier-files" / "incoming-inspection.csv", rows)
        dataset = supplier.add_dataset(
            csv_path, "Incoming quality inspection, Oct 2026", "수입검사 결과: 부품별 특성치, 규격, 판정"
        )
        policy = {
            "permission": [
                {
                    "action": "use",
                    "constraint": [
                        {"leftOperand": "participant", "operator": "eq", "rightOperand": OEM},
                        {"leftOperand": "purpose", "operator": "eq", "rightOperand": "quality-analysis"},
                        {"leftOperand": "dateTime", "operator": "lteq", "rightOperand": "2027-12-31T23:59:59Z"},
                        {"leftOperand": "count", "operator": "lteq", "rightOperand": "100"},
                        {
                            "leftOperand": "fields",
                            "operator": "isAnyOf",
                            "rightOperand": [c for c in COLUMNS if c not in WITHHELD],
                        },
                    ],
                }
            ]
        }
        offer = supplier.create_offer(dataset["id"], policy)
        console.print(
            f"2. The supplier publishes {dataset['rows']:,} inspection records as {dataset['id']}\n"
            f"   under offer {offer['id']}: only for {OEM}, for quality analysis, until 2027,\n"
            f"   at most 100 pulls, and without the columns {', '.join(WITHHELD)}"
        )
        catalog = oem.catalog(SUPPLIER)
        listed = catalog["dataset"][0]
        console.print(
            f"3. The OEM reads the supplier's DSP catalog: {len(catalog['dataset'])} dataset(s), offer "
            f"{listed['hasPolicy'][0]['@id']}"
        )
        started = time.monotonic()
        negotiation = oem.negotiate(SUPPLIER, listed["@id"], listed["hasPolicy"][0]["@id"], "quality-analysis")
        final = oem.wait_negotiation(negotiation["id"])
        if final["state"] != "FINALIZED":
            console.print(f"[red]negotiation ended {final['state']}: {final['reason']}")
            return 1
        console.print(
            f"4. Negotiation {final['state']} in {1000 * (time.monotonic() - started):.0f} ms; "
            f"agreement {final['agreementId']} signed by both"
        )
        export = oem.get(f"/agreements/{final['agreementId']}/export")
        agreement_file = workdir / "oem-files" / "agreement.json"
        agreement_file.parent.mkdir(parents=True, exist_ok=True)

        agreement_file.write_text(json.dumps(export, indent=2, ensure_ascii=False), "utf-8")
        transfer = oem.start_transfer(final["agreementId"])
        oem.wait_transfer_ready(transfer["id"])
        out = workdir / "oem-files" / "incoming-inspection.arrows"
        with oem.download(transfer["id"]) as response, out.open("wb") as handle:
            for chunk in response.iter_bytes():
                handle.write(chunk)
        oem.complete_transfer(transfer["id"])
        with pa.ipc.open_stream(out.read_bytes()) as reader:
            table = reader.read_all()
        console.print(
            f"5. The OEM pulls the data as an Arrow stream: {table.num_rows:,} rows, "
            f"{len(table.column_names)} of {len(COLUMNS)} columns ({', '.join(WITHHELD)} withheld)"
        )
        failed = sum(1 for r in table.column("result").to_pylist() if r == "FAIL")
        console.print(f"   The OEM sees {failed} failed inspections it can now analyse with its own tools.")
        console.rule("Where things are")
        for label, init, files in (
            ("supplier", supplier_init, [csv_path]),
            ("OEM", oem_init, [out, agreement_file]),
        ):
            console.print(f"[bold]{label}[/] {init.participant.name}", soft_wrap=True)
            console.print(f"  API docs    {init.settings.public_url}/docs", soft_wrap=True)
            console.print(f"  API key     {init.api_key}   (header X-API-Key)", soft_wrap=True)
            console.print(f"  data dir    {init.settings.data_dir}", soft_wrap=True)
            for path in files:
                console.print(f"  file        {path}", soft_wrap=True)
        console.print(
            f"Check the agreement offline: sangsaeng agreement verify {agreement_file} --directory {directory}",
            soft_wrap=True,
        )
        supplier.close()
        oem.close()
        if keep_serving:
            console.print("[bold]Both connectors keep running; Ctrl-C stops them.")
            try:
                while all(p.process is not None and p.process.poll() is None for p in processes):
                    time.sleep(0.5)
            except KeyboardInterrupt:
                console.print("stopping …")
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave a connector running
        for process in processes:
            process.stop()
