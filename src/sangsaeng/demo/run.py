"""``make demo``: a supplier and an OEM on loopback, from publishing to pulled data, told as it happens."""

from __future__ import annotations

import json
import shutil
import signal
import time
from pathlib import Path

import pyarrow as pa
from rich.console import Console

from sangsaeng.client import ApiError, Client
from sangsaeng.demo.valuechain import OEM, TIER1, generate
from sangsaeng.launch import ConnectorProcess, free_port
from sangsaeng.setup import init_connector
from sangsaeng.standard.sources import open_source
from sangsaeng.standard.suggest import suggest

SUPPLIER = TIER1
INGESTED = {
    "quality_result": "Incoming quality inspection, Oct 2026 / 수입검사 결과",
    "energy_record": "Energy use by site and month / 에너지 사용량",
    "production_run": "Production runs / 생산 실적",
}
# What the supplier keeps to itself: its tier-2's tolerance design and the values as the tier-2 wrote them.
WITHHELD = ["lower_spec_limit", "upper_spec_limit", "raw_value", "raw_unit"]


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
        files = generate(workdir / "supplier-files", inspections_rows=rows, errors=True)
        console.print(
            "2. The tier-1 supplier has the files SMEs really have: its tier-2's inspection export (CP949, "
            "semicolons, decimal commas, mm and µm), its own energy workbook (kWh and MWh) and MES export (minutes)"
        )
        datasets = {}
        for entity, title in INGESTED.items():
            source = open_source(files.paths[entity])
            mapping = suggest(entity, source.headers, source.sample()).mapping
            try:
                result = supplier.ingest(files.paths[entity], mapping.to_yaml(), title=title)
            except ApiError as exc:
                report = exc.error["details"]["report"]
                console.print(
                    f"   {files.paths[entity].name}: nothing published, {report['errors']} problem(s) found, e.g."
                )
                for finding in report["findings"][:4]:
                    console.print(
                        f"     {finding['row']}행 {finding['message_ko']} / {finding['message']}", soft_wrap=True
                    )
                result = supplier.ingest(files.paths[entity], mapping.to_yaml(), title=title, accept_partial=True)
                console.print(f"   … published the good rows; {result['rowsRejected']} rows set aside with reasons")
            dataset = result["dataset"]
            datasets[entity] = dataset
            mapped = ", ".join(f"{f.column}→{name}" for name, f in list(mapping.fields.items())[:4] if f.column)
            console.print(
                f"   {files.paths[entity].name} → standard {entity}: {dataset['rows']:,} rows ({mapped}, …)",
                soft_wrap=True,
            )
        dataset = datasets["quality_result"]
        shared = [c["name"] for c in dataset["columns"] if c["name"] not in WITHHELD]
        policy = {
            "permission": [
                {
                    "action": "use",
                    "constraint": [
                        {"leftOperand": "participant", "operator": "eq", "rightOperand": OEM},
                        {"leftOperand": "purpose", "operator": "eq", "rightOperand": "quality-analysis"},
                        {"leftOperand": "dateTime", "operator": "lteq", "rightOperand": "2027-12-31T23:59:59Z"},
                        {"leftOperand": "count", "operator": "lteq", "rightOperand": "100"},
                        {"leftOperand": "fields", "operator": "isAnyOf", "rightOperand": shared},
                    ],
                }
            ]
        }
        offer = supplier.create_offer(dataset["id"], policy)
        console.print(
            f"3. The supplier offers the {dataset['rows']:,} standard inspection records {dataset['id']}\n"
            f"   under offer {offer['id']}: only for {OEM}, for quality analysis, until 2027,\n"
            f"   at most 100 pulls, and without the columns {', '.join(WITHHELD)}",
            soft_wrap=True,
        )
        catalog = oem.catalog(SUPPLIER)
        listed = catalog["dataset"][0]
        console.print(
            f"4. The OEM reads the supplier's DSP catalog: {len(catalog['dataset'])} dataset(s), offer "
            f"{listed['hasPolicy'][0]['@id']}"
        )
        started = time.monotonic()
        negotiation = oem.negotiate(SUPPLIER, listed["@id"], listed["hasPolicy"][0]["@id"], "quality-analysis")
        final = oem.wait_negotiation(negotiation["id"])
        if final["state"] != "FINALIZED":
            console.print(f"[red]negotiation ended {final['state']}: {final['reason']}")
            return 1
        console.print(
            f"5. Negotiation {final['state']} in {1000 * (time.monotonic() - started):.0f} ms; "
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
            f"6. The OEM pulls the data as an Arrow stream: {table.num_rows:,} rows, "
            f"{len(table.column_names)} of {len(dataset['columns'])} columns ({', '.join(WITHHELD)} withheld),"
            f" values in canonical units ({', '.join(sorted(set(table.column('unit').to_pylist())))})"
        )
        failed = table.column("passed").to_pylist().count(False)
        console.print(f"   The OEM sees {failed} failed inspections it can now analyse with its own tools.")
        console.rule("Where things are")
        for label, init, kept in (
            ("supplier", supplier_init, [files.paths[e] for e in INGESTED]),
            ("OEM", oem_init, [out, agreement_file]),
        ):
            console.print(f"[bold]{label}[/] {init.participant.name}", soft_wrap=True)
            console.print(f"  API docs    {init.settings.public_url}/docs", soft_wrap=True)
            console.print(f"  API key     {init.api_key}   (header X-API-Key)", soft_wrap=True)
            console.print(f"  data dir    {init.settings.data_dir}", soft_wrap=True)
            for path in kept:
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
