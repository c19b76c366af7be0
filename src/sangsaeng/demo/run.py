"""``make demo``: a hub and a value chain on loopback — an OEM (대한자동차), its tier-1 (한빛정밀) and that one's
tier-2 (성진금속) — from joining the hub to pulled data, told as it happens (``onboarding``, ``chain``, ``telling``)."""

from __future__ import annotations

import json
import random
import shutil
import signal
import time
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console

from sangsaeng.demo import chain, support
from sangsaeng.demo.data import write_inspection_csv
from sangsaeng.demo.onboarding import (
    HUB_REFRESH,
    OEM_CO,
    OPERATOR,
    TIER1_CO,
    TIER2_CO,
    Hub,
    onboard,
    portal_user,
    start,
    start_hub,
    start_tier2,
)
from sangsaeng.demo.telling import Teller
from sangsaeng.demo.valuechain import START, inspections, part_files
from sangsaeng.errors import SangsaengError
from sangsaeng.launch import ConnectorProcess, Node
from sangsaeng.standard.entities import Equipment, Measurement, arrow_schema

PORTAL_USER = "demo"
SEARCHED = "검사"


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


def run_demo(workdir: Path, rows: int, keep_serving: bool, console: Console, korean: bool | None = None) -> int:
    workdir = workdir.resolve()
    if workdir.exists():
        shutil.rmtree(workdir)
    teller = Teller(console, korean)
    teller.rule("title")
    processes: list[ConnectorProcess] = []
    nodes: list[Node] = []
    try:
        teller.say("step.onboarding")
        hub = start_hub(workdir, teller)
        processes.append(hub.process)
        support.stock_directory(hub, teller)
        oem_made = onboard(workdir, OEM_CO, hub, teller)
        tier1_made = onboard(workdir, TIER1_CO, hub, teller)
        tier2 = start_tier2(workdir, hub, teller)
        nodes.append(tier2)
        processes.append(tier2.process)
        for made in (oem_made, tier1_made):
            nodes.append(start(made))
            processes.append(nodes[-1].process)
        tier1, oem = nodes[2], nodes[1]
        passwords = {n.id: portal_user(n.init.settings, PORTAL_USER, "steward") for n in nodes}
        teller.say("step.running", count=len({p.pid() for p in processes}), refresh=f"{HUB_REFRESH:g}")
        return _trade(workdir, rows, hub, oem, tier1, tier2, passwords, keep_serving, processes, teller)
    except SangsaengError as exc:
        teller.say("failed", message=exc.message)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave a connector running
        for node in nodes:
            node.client.close()
        for process in reversed(processes):
            process.stop()


def _trade(
    workdir: Path,
    rows: int,
    hub: Hub,
    oem: Node,
    tier1: Node,
    tier2: Node,
    passwords: dict[str, str],
    keep_serving: bool,
    processes: list[ConnectorProcess],
    teller: Teller,
) -> int:
    hub_id = hub.info.id
    teller.say("step.publish")
    tier2_dataset = chain.publish_tier2(tier2, tier1.id, hub_id, max(rows // 5, 20), workdir, teller)
    published = chain.publish_tier1(tier1, oem.id, hub_id, rows, workdir, teller)
    teller.say("step.search")
    crawled = hub.call("POST", "/hub/catalog/crawl")
    teller.say("search.crawled", indexed=len(crawled["indexed"]), failed=len(crawled["failed"]))
    hits = chain.search(oem.init.settings, SEARCHED, teller)
    if not hits:
        teller.say("search.none", words=SEARCHED)
        return 1
    teller.say("step.pull")
    from_tier2 = chain.pull(tier1, tier2.id, tier2_dataset["id"], workdir / "tier1-files" / "from-tier2.arrows", teller)
    teller.say(
        "pull.tier1",
        rows=f"{from_tier2.table.num_rows:,}",
        ms=f"{from_tier2.millis:.0f}",
        agreement=from_tier2.agreement,
    )
    dataset = published.datasets["quality_result"]
    from_tier1 = chain.pull(oem, tier1.id, dataset["id"], workdir / "oem-files" / "incoming-inspection.arrows", teller)
    table = from_tier1.table
    teller.say(
        "pull.oem",
        ms=f"{from_tier1.millis:.0f}",
        agreement=from_tier1.agreement,
        rows=f"{table.num_rows:,}",
        shown=len(table.column_names),
        columns=len(dataset["columns"]),
        withheld=", ".join(chain.WITHHELD),
        units=", ".join(sorted(set(table.column("unit").to_pylist()))),
    )
    teller.say("pull.failed", failed=table.column("passed").to_pylist().count(False))
    agreement_file = workdir / "oem-files" / "agreement.json"
    export = oem.client.get(f"/agreements/{from_tier1.agreement}/export")
    agreement_file.write_text(json.dumps(export, indent=2, ensure_ascii=False), "utf-8")
    teller.say("step.support")
    assessment = support.support(hub, oem, tier1, tier2, teller)
    kept = ([from_tier2.file], [from_tier1.file, agreement_file])
    _where(hub, oem, tier1, tier2, passwords, published, *kept, assessment, teller)
    if keep_serving:
        teller.say("serving")
        try:
            while all(p.process is not None and p.process.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            teller.say("stopping")
    return 0


def _where(
    hub: Hub,
    oem: Node,
    tier1: Node,
    tier2: Node,
    passwords: dict[str, str],
    published: chain.Published,
    tier1_kept: list[Path],
    oem_kept: list[Path],
    assessment: str,
    teller: Teller,
) -> None:
    teller.rule("where")
    url = hub.info.url
    teller.plain(f"[hub] {hub.info.name}  ({hub.info.id})")
    pages = ("apply", "review", "members", "search", "dashboard")
    teller.say("where.hub.portal", url=f"{url}/portal/hub/", pages=", ".join(pages))
    for page in pages:
        teller.plain(f"  page        {url}/portal/hub/{page}")
    teller.plain(f"  sign in as  {OPERATOR} / {hub.operator}   (role admin, {url}/portal/hub/signin)")
    teller.plain(f"  API docs    {url}/docs")
    teller.plain(f"  API key     {hub.init.api_key}   (header X-API-Key)")
    teller.plain(f"  data dir    {hub.init.settings.data_dir}")
    files = published.files
    for company, node, kept in (
        (OEM_CO, oem, oem_kept),
        (TIER1_CO, tier1, [*(files.paths[e] for e in chain.INGESTED), *tier1_kept]),
        (TIER2_CO, tier2, []),
    ):
        settings = node.init.settings
        teller.plain(f"[{company.tier}] {company.name}  ({node.id})")
        teller.plain(f"  portal      {settings.public_url}/portal/")
        teller.plain(f"  sign in as  {PORTAL_USER} / {passwords[node.id]}   (role steward)")
        teller.plain(f"  API docs    {settings.public_url}/docs")
        teller.plain(f"  API key     {node.init.api_key}   (header X-API-Key)")
        teller.plain(f"  data dir    {settings.data_dir}")
        for path in kept:
            teller.plain(f"  file        {path}")
    portal = f"{tier2.init.settings.public_url}/portal/support/assessment"
    teller.say("where.support", name=TIER2_CO.name)
    for page in (portal, f"{portal}/{assessment}", f"{url}/portal/hub/dashboard"):
        teller.plain(f"  page        {page}")
