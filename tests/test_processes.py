"""Two connectors as real processes on loopback: the path end to end, every format, and crashes."""

from __future__ import annotations

import io
import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from sangsaeng.demo.data import COLUMNS, WITHHELD, inspection_table
from sangsaeng.store.tables import outbox
from tests.processes import Node, two_processes
from tests.state_db import state

pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("processes")]
ALLOWED = [c for c in COLUMNS if c not in WITHHELD]


def policy(consumer: str) -> dict[str, Any]:
    return {
        "permission": [
            {
                "action": "use",
                "constraint": [
                    {"leftOperand": "participant", "operator": "eq", "rightOperand": consumer},
                    {"leftOperand": "fields", "operator": "isAnyOf", "rightOperand": ALLOWED},
                ],
            }
        ]
    }


def publish(supplier: Node, oem: Node, root: Path, rows: int) -> tuple[str, str, pa.Table]:
    source = root / "inspections.csv"
    pacsv.write_csv(inspection_table(rows), source)
    dataset = supplier.client.add_dataset(source, "inspections")
    offer = supplier.client.create_offer(dataset["id"], policy(oem.id))
    expected = pacsv.read_csv(source).select(ALLOWED)  # what the provider parsed, minus the withheld columns
    return dataset["id"], offer["id"], expected


def agree(supplier: Node, oem: Node, dataset_id: str, offer_id: str, timeout: float = 30) -> dict[str, Any]:
    started = oem.client.negotiate(supplier.id, dataset_id, offer_id)
    final = oem.client.wait_negotiation(started["id"], timeout)
    assert final["state"] == "FINALIZED", final
    provider_side = supplier.client.wait_for(
        f"/negotiations/{final['providerPid']}", lambda n: n["state"] == "FINALIZED", timeout
    )
    assert provider_side["agreementId"] == final["agreementId"]
    return final  # type: ignore[no-any-return]


def plain(value: Any) -> Any:
    return value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else value


def rows_of(table: pa.Table) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in row.items()} for row in table.to_pylist()]


def decode(fmt: str, content: bytes) -> list[dict[str, Any]]:
    if fmt == "arrow":
        return rows_of(pa.ipc.open_stream(content).read_all())
    if fmt == "parquet":
        return rows_of(pq.read_table(io.BytesIO(content)))
    if fmt == "csv":
        return rows_of(pacsv.read_csv(io.BytesIO(content)))
    if fmt == "json":
        return [{k: v for k, v in r.items()} for r in json.loads(content)]
    return [json.loads(line) for line in content.decode().splitlines()]


def normal_json(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON carries timestamps as ISO strings with an offset; bring them to the same spelling."""
    return [{k: v.replace("+00:00", "Z") if isinstance(v, str) and "T" in v else v for k, v in r.items()} for r in rows]


def test_two_processes_negotiate_and_pull_every_format(tmp_path: Path) -> None:
    with two_processes(tmp_path) as (supplier, oem, _):
        dataset_id, offer_id, expected = publish(supplier, oem, tmp_path, 3000)
        final = agree(supplier, oem, dataset_id, offer_id)
        want = rows_of(expected)
        media = {
            "arrow": "application/vnd.apache.arrow.stream",
            "parquet": "application/vnd.apache.parquet",
            "csv": "text/csv",
            "json": "application/json",
            "jsonl": "application/x-ndjson",
        }
        for fmt, accept in media.items():
            transfer = oem.client.wait_transfer_ready(oem.client.start_transfer(final["agreementId"])["id"])
            assert transfer["ready"]
            with oem.client.download(transfer["id"], accept) as response:
                content = response.read()
                assert response.headers["content-type"].startswith(accept)
            got = decode(fmt, content)
            if fmt in ("json", "jsonl"):
                assert normal_json(got) == normal_json([dict(r) for r in want]), fmt
            else:
                assert got == want, fmt
            assert set(got[0]) == set(ALLOWED) and not set(WITHHELD) & set(got[0])
            oem.client.complete_transfer(transfer["id"])
            oem.client.wait_for(f"/transfers/{transfer['id']}", lambda t: t["state"] == "COMPLETED")
            supplier.client.wait_for(f"/transfers/{transfer['providerPid']}", lambda t: t["state"] == "COMPLETED")


def failed_attempts(node: Node, process_id: str, at_least: int, timeout: float = 10.0) -> int:
    """Wait until the outbox of ``node`` has tried to send a message of ``process_id`` ``at_least`` times."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with state(node.init.settings) as db:
            attempts = db.execute(sa.select(sa.func.max(outbox.c.attempts)).where(outbox.c.process_id == process_id))
            most = attempts.scalar()
        if most is not None and most >= at_least:
            return int(most)
        time.sleep(0.02)
    raise AssertionError(f"the outbox did not retry {process_id} {at_least} times in {timeout}s")


def test_a_provider_killed_before_the_request_arrives_still_finalizes(tmp_path: Path) -> None:
    with two_processes(tmp_path) as (supplier, oem, _):
        dataset_id, offer_id, _ = publish(supplier, oem, tmp_path, 50)
        supplier.process.kill()
        # The catalog is unreachable now, so the OEM negotiates the offer as it read it earlier.
        offer = {"@id": offer_id, "permission": policy(oem.id)["permission"]}
        negotiation = oem.client.post("/negotiations", {"peer": supplier.id, "datasetId": dataset_id, "offer": offer})
        failed_attempts(oem, negotiation["id"], at_least=2)  # the OEM's outbox retries against a dead port
        assert oem.client.get(f"/negotiations/{negotiation['id']}")["state"] == "INITIAL"
        supplier.process.start()
        final = oem.client.wait_negotiation(negotiation["id"], 30)
        assert final["state"] == "FINALIZED", final


def test_a_provider_killed_mid_negotiation_resumes_from_its_outbox(tmp_path: Path) -> None:
    """The provider has the request and owes the agreement; the OEM is unreachable; kill -9; restart."""
    with two_processes(tmp_path, relay_oem=True) as (supplier, oem, relay):
        assert relay is not None
        dataset_id, offer_id, _ = publish(supplier, oem, tmp_path, 50)
        relay.cut()
        negotiation = oem.client.negotiate(supplier.id, dataset_id, offer_id)
        state = oem.client.wait_for(f"/negotiations/{negotiation['id']}", lambda n: n["state"] == "REQUESTED")
        provider_side = supplier.client.get(f"/negotiations/{state['providerPid']}")
        assert provider_side["state"] == "REQUESTED"  # the agreement is owed, not yet acknowledged
        supplier.process.kill()
        supplier.process.start()
        relay.heal()
        final = oem.client.wait_negotiation(negotiation["id"], 30)
        assert final["state"] == "FINALIZED", final
        supplier.client.wait_for(f"/negotiations/{state['providerPid']}", lambda n: n["state"] == "FINALIZED", 30)


def test_a_provider_killed_before_starting_a_transfer_starts_it_after_restart(tmp_path: Path) -> None:
    with two_processes(tmp_path, relay_oem=True) as (supplier, oem, relay):
        assert relay is not None
        dataset_id, offer_id, expected = publish(supplier, oem, tmp_path, 200)
        final = agree(supplier, oem, dataset_id, offer_id)
        relay.cut()
        transfer = oem.client.start_transfer(final["agreementId"])
        requested = oem.client.wait_for(f"/transfers/{transfer['id']}", lambda t: t["state"] == "REQUESTED")
        assert supplier.client.get(f"/transfers/{requested['providerPid']}")["state"] == "REQUESTED"
        supplier.process.kill()
        supplier.process.start()
        relay.heal()
        assert oem.client.wait_transfer_ready(transfer["id"])["ready"]
        with oem.client.download(transfer["id"]) as response:
            table = pa.ipc.open_stream(response.read()).read_all()
        assert table.num_rows == expected.num_rows
        oem.client.complete_transfer(transfer["id"])
        supplier.client.wait_for(f"/transfers/{requested['providerPid']}", lambda t: t["state"] == "COMPLETED")


def test_a_provider_killed_mid_download_serves_it_again_after_restart(tmp_path: Path) -> None:
    with two_processes(tmp_path, batch_rows=1024) as (supplier, oem, _):
        dataset_id, offer_id, expected = publish(supplier, oem, tmp_path, 60_000)
        final = agree(supplier, oem, dataset_id, offer_id)
        transfer = oem.client.wait_transfer_ready(oem.client.start_transfer(final["agreementId"])["id"])
        received = 0
        with pytest.raises((httpx.HTTPError, httpx.StreamError)):  # noqa: PT012 - the break is the point
            with oem.client.download(transfer["id"], "application/x-ndjson") as response:
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    if received > 64_000:
                        supplier.process.kill()
        assert received > 0
        supplier.process.start()
        with oem.client.download(transfer["id"], "text/csv") as response:
            again = pacsv.read_csv(io.BytesIO(response.read()))
        assert again.num_rows == expected.num_rows
        oem.client.complete_transfer(transfer["id"])
        oem.client.wait_for(f"/transfers/{transfer['id']}", lambda t: t["state"] == "COMPLETED")
        supplier.client.wait_for(f"/transfers/{transfer['providerPid']}", lambda t: t["state"] == "COMPLETED")
