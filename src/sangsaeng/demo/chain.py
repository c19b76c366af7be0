"""What the demo's companies do with their data: publish standard datasets from the files they really have,
offer them to their customer under terms that need the hub's credentials, find them at the hub, and negotiate
and pull them along the chain."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pyarrow as pa

from sangsaeng.client import ApiError, Client
from sangsaeng.demo.telling import Teller
from sangsaeng.demo.valuechain import Files, generate, inspections
from sangsaeng.errors import PeerError
from sangsaeng.hubclient.member import member_headers
from sangsaeng.identity.keys import load_private_key
from sangsaeng.launch import Node
from sangsaeng.settings import Settings
from sangsaeng.standard.sources import open_source
from sangsaeng.standard.suggest import suggest

INGESTED = {
    "quality_result": "Incoming quality inspection, Oct 2026 / 수입검사 결과",
    "energy_record": "Energy use by site and month / 에너지 사용량",
    "production_run": "Production runs / 생산 실적",
}
TIER2_TITLE = "Outgoing inspection of ring SJ-RNG-0730 / 출하검사 결과 (링 SJ-RNG-0730)"
# What the tier-1 keeps to itself: its tier-2's tolerance design and the values as the tier-2 wrote them.
WITHHELD = ["lower_spec_limit", "upper_spec_limit", "raw_value", "raw_unit"]


def _ingest(client: Client, path: Path, entity: str, title: str, teller: Teller) -> dict[str, Any]:
    """The file through the mapping the connector suggests; when some rows are wrong, say which and publish the
    good ones (the others are kept with their reasons)."""
    source = open_source(path)
    mapping = suggest(entity, source.headers, source.sample()).mapping
    try:
        result = client.ingest(path, mapping.to_yaml(), title=title)
    except ApiError as exc:
        report = exc.error["details"]["report"]
        teller.say("ingest.problems", file=path.name, rows=f"{report['rows']:,}", problems=report["errors"])
        for finding in report["findings"][:4]:
            teller.plain(f"     {finding['row']}행 {finding['message_ko']} / {finding['message']}")
        result = client.ingest(path, mapping.to_yaml(), title=title, accept_partial=True)
        teller.say("ingest.partial", kept=f"{result['rowsWritten']:,}", aside=result["rowsRejected"])
    dataset: dict[str, Any] = result["dataset"]
    mapped = ", ".join(f"{f.column}→{name}" for name, f in list(mapping.fields.items())[:4] if f.column)
    teller.say("ingest.done", file=path.name, entity=entity, rows=f"{dataset['rows']:,}", mapped=mapped)
    return dataset


def _c(left: str, operator: str, right: Any) -> dict[str, Any]:
    return {"leftOperand": left, "operator": operator, "rightOperand": right}


def _offer(client: Client, dataset: str, rules: list[dict[str, Any]], customer: str, hub: str) -> dict[str, Any]:
    """An offer to ``customer`` alone; seen in the catalog by the customer and by the hub (which lists it)."""
    policy = {"permission": [{"action": "use", "constraint": rules}]}
    access = {"permission": [{"action": "use", "constraint": [_c("participant", "isAnyOf", [customer, hub])]}]}
    offer: dict[str, Any] = client.post("/offers", {"datasetId": dataset, "policy": policy, "accessPolicy": access})
    return offer


def publish_tier2(tier2: Node, customer: str, hub: str, rows: int, workdir: Path, teller: Teller) -> dict[str, Any]:
    """The tier-2's own inspection export (CP949, Korean headers) as a standard dataset, offered to its tier-1:
    only a member of the hub whose credential says 1차 (tier-1), the named customer, for quality analysis."""
    path = workdir / "tier2-files" / "출하검사.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    inspections(path, rows, random.Random(11), errors=False)
    teller.say("tier2.file", file=path.name)
    dataset = _ingest(tier2.client, path, "quality_result", TIER2_TITLE, teller)
    rules = [
        _c("participant", "eq", customer),
        _c("membership", "eq", hub),
        _c("tier", "eq", "1차"),
        _c("purpose", "eq", "quality-analysis"),
        _c("count", "lteq", "100"),
    ]
    offer = _offer(tier2.client, dataset["id"], rules, customer, hub)
    teller.say("tier2.offer", rows=f"{dataset['rows']:,}", offer=offer["id"])
    return dataset


@dataclass
class Published:
    files: Files
    datasets: dict[str, dict[str, Any]]
    shared: list[str]


def publish_tier1(tier1: Node, customer: str, hub: str, rows: int, workdir: Path, teller: Teller) -> Published:
    """The tier-1's files (its tier-2's export with a few errors, an energy workbook, an MES export) as standard
    datasets; the inspections offered to the OEM without the tolerance columns, to an OEM credential only."""
    files = generate(workdir / "tier1-files", inspections_rows=rows, errors=True)
    teller.say("tier1.files")
    datasets = {e: _ingest(tier1.client, files.paths[e], e, title, teller) for e, title in INGESTED.items()}
    dataset = datasets["quality_result"]
    shared = [c["name"] for c in dataset["columns"] if c["name"] not in WITHHELD]
    rules = [
        _c("participant", "eq", customer),
        _c("membership", "eq", hub),
        _c("tier", "eq", "OEM"),
        _c("purpose", "eq", "quality-analysis"),
        _c("dateTime", "lteq", "2027-12-31T23:59:59Z"),
        _c("count", "lteq", "100"),
        _c("fields", "isAnyOf", shared),
    ]
    offer = _offer(tier1.client, dataset["id"], rules, customer, hub)
    teller.say("tier1.offer", rows=f"{dataset['rows']:,}", offer=offer["id"], withheld=", ".join(WITHHELD))
    return Published(files, datasets, shared)


def search(settings: Settings, words: str, teller: Teller) -> list[dict[str, Any]]:
    """The member's search at its hub, with a token its key signs (as every member request to the hub)."""
    headers = member_headers(settings, load_private_key(settings.key_path), datetime.now(UTC))
    url = f"{settings.hub_url.rstrip('/')}/hub/catalog/search?{urlencode({'q': words})}"
    answer = httpx.get(url, headers=headers, timeout=60)
    if answer.status_code != 200:
        raise PeerError(f"the hub refused the search ({answer.status_code}): {answer.text[:300]}")
    hits: list[dict[str, Any]] = answer.json()["hits"]
    teller.say("search.hits", words=words, count=len(hits))
    for hit in hits:
        provider = hit["provider"]
        teller.say(
            "search.hit",
            provider=provider["name"],
            tier=", ".join(provider["tier"]),
            title=hit["title"],
            offer=hit["offers"][0]["id"] if hit["offers"] else "-",
        )
    return hits


@dataclass
class Pulled:
    table: pa.Table
    agreement: str
    file: Path
    millis: float


def pull(consumer: Node, provider: str, dataset: str, out: Path, teller: Teller) -> Pulled:
    """Read the provider's DSP catalog, negotiate its offer on ``dataset``, pull the rows as an Arrow stream."""
    catalog = consumer.client.catalog(provider)
    listed = next(d for d in catalog["dataset"] if d["@id"] == dataset)
    offer = listed["hasPolicy"][0]["@id"]
    started = time.monotonic()
    negotiation = consumer.client.negotiate(provider, dataset, offer, "quality-analysis")
    final = consumer.client.wait_negotiation(negotiation["id"])
    if final["state"] != "FINALIZED":
        raise PeerError(f"the negotiation ended {final['state']}: {final.get('reason')}")
    millis = 1000 * (time.monotonic() - started)
    transfer = consumer.client.start_transfer(final["agreementId"])
    consumer.client.wait_transfer_ready(transfer["id"])
    out.parent.mkdir(parents=True, exist_ok=True)
    with consumer.client.download(transfer["id"]) as response, out.open("wb") as handle:
        for chunk in response.iter_bytes():
            handle.write(chunk)
    consumer.client.complete_transfer(transfer["id"])
    with pa.ipc.open_stream(out.read_bytes()) as reader:
        table = reader.read_all()
    return Pulled(table, final["agreementId"], out, millis)
