"""``make demo``: a supplier and an OEM on loopback, from publishing to pulled data, told as it happens."""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import shutil
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console

from sangsaeng.accounts.passwords import add_user
from sangsaeng.client import ApiError, Client
from sangsaeng.demo.data import write_inspection_csv
from sangsaeng.demo.valuechain import OEM, START, TIER1, generate, inspections, part_files
from sangsaeng.launch import ConnectorProcess, free_port
from sangsaeng.setup import init_connector
from sangsaeng.standard.entities import Equipment, Measurement, arrow_schema
from sangsaeng.standard.sources import open_source
from sangsaeng.standard.suggest import suggest
from sangsaeng.store import migrate
from sangsaeng.store.sql import SqlStore

SUPPLIER = TIER1
INGESTED = {
    "quality_result": "Incoming quality inspection, Oct 2026 / 수입검사 결과",
    "energy_record": "Energy use by site and month / 에너지 사용량",
    "production_run": "Production runs / 생산 실적",
}
# What the supplier keeps to itself: its tier-2's tolerance design and the values as the tier-2 wrote them.
WITHHELD = ["lower_spec_limit", "upper_spec_limit", "raw_value", "raw_unit"]
PORTAL_USER = "demo"


def write_examples(folder: Path) -> list[Path]:
    """The small files the README's tour names, made by the same generators as the demo (``make examples``)."""
    folder.mkdir(parents=True, exist_ok=True)
    inspected = write_inspection_csv(folder / "inspections.csv", 60)
    export = folder / "수입검사.csv"  # a tier-2's CP949 export with Korean headers; clean, so the tour publishes
    inspections(export, 40, random.Random(7), errors=False)
    cnc = Equipment(
        id="urn:sangsaeng:equipment:hanbit-cnc-07",
        site="site:changwon-1",
        isa95_path="Hanbit/Changwon/Machining/Line2/CNC-07",
        manufacturer="DN Solutions",
        model="DNM 5700",
        serial_number="DN-5700-1234",
        year=2019,
    )
    signals = [("spindle_temperature", "degC"), ("spindle_load", "percent"), ("power", "kW")]
    measured = [
        Measurement(
            equipment=cnc.id,
            signal=name,
            timestamp=START + timedelta(seconds=10 * i),
            value=20.0 + i / 4 + k,
            unit=unit,
        ).model_dump()
        for i in range(20)
        for k, (name, unit) in enumerate(signals)
    ]
    equipment, measurements = folder / "equipment.parquet", folder / "measurements.parquet"
    pq.write_table(pa.Table.from_pylist([cnc.model_dump()], schema=arrow_schema(Equipment)), equipment)
    pq.write_table(pa.Table.from_pylist(measured, schema=arrow_schema(Measurement)), measurements)
    return [inspected, export, equipment, measurements, *part_files(folder)]


def _portal_user(state_url: str) -> str:
    """A steward on the supplier's portal with a fresh password, so the demo can be continued in a browser."""
    password = secrets.token_urlsafe(12)
    migrate.upgrade(state_url)

    async def create() -> None:
        store = SqlStore(state_url)
        try:
            await add_user(store, PORTAL_USER, password, "steward", datetime.now(UTC))
        finally:
            await store.close()

    asyncio.run(create())
    return password


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
    password = _portal_user(supplier_init.settings.state_url)
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
                    f"   {files.paths[entity].name}: checked {report['rows']:,} rows and found {report['errors']} "
                    "problem(s) (one per wrong value; a row can have several), so nothing was published yet, e.g.",
                    soft_wrap=True,
                )
                for finding in report["findings"][:4]:
                    console.print(
                        f"     {finding['row']}행 {finding['message_ko']} / {finding['message']}", soft_wrap=True
                    )
                result = supplier.ingest(files.paths[entity], mapping.to_yaml(), title=title, accept_partial=True)
                console.print(
                    f"   … so the good rows were published: {result['rowsWritten']:,} rows kept, "
                    f"{result['rowsRejected']} rows set aside with reasons (the rows with at least one of those "
                    "problems; each is saved with its reasons)",
                    soft_wrap=True,
                )
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
        console.print(
            f"   Of those, {failed} inspections failed (measured outside their spec limits): "
            "the OEM can now analyse them with its own tools.",
            soft_wrap=True,
        )
        console.rule("Where things are")
        for label, init, kept in (
            ("supplier", supplier_init, [files.paths[e] for e in INGESTED]),
            ("OEM", oem_init, [out, agreement_file]),
        ):
            console.print(f"[bold]{label}[/] {init.participant.name}", soft_wrap=True)
            console.print(f"  API docs    {init.settings.public_url}/docs", soft_wrap=True)
            console.print(f"  API key     {init.api_key}   (header X-API-Key)", soft_wrap=True)
            console.print(f"  data dir    {init.settings.data_dir}", soft_wrap=True)
            if init is supplier_init:
                console.print(f"  portal      {init.settings.public_url}/portal/", soft_wrap=True)
                console.print(f"  sign in as  {PORTAL_USER} / {password}   (role steward)", soft_wrap=True)
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
