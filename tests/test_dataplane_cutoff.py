"""Pulls cut off between real processes: the provider's log keeps every access, the CLI keeps nothing partial.

A reader that stops reading holds the provider mid-stream (the socket buffers fill and the provider waits), so
the tests can kill the provider, or leave, at a moment they choose rather than race the stream.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow.csv as pacsv
import pytest
import sqlalchemy as sa

from sangsaeng.demo.data import inspection_table
from sangsaeng.store.tables import audit_entries, transfers
from tests.processes import Node, two_processes
from tests.state_db import state
from tests.test_processes import agree, policy

pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("processes")]
ROWS = 100_000  # about 35 MB as JSON lines: more than the loopback buffers between the processes hold
NDJSON = "application/x-ndjson"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node, str, str]]:
    root = tmp_path_factory.mktemp("cutoff")
    with two_processes(root, batch_rows=1024) as (supplier, oem, _):
        source = root / "inspections.csv"
        pacsv.write_csv(inspection_table(ROWS), source)
        dataset = supplier.client.add_dataset(source, "inspections")
        offer = supplier.client.create_offer(dataset["id"], policy(oem.id))
        yield supplier, oem, dataset["id"], offer["id"]


def ready_transfer(pair: tuple[Node, Node, str, str]) -> tuple[str, dict[str, Any]]:
    supplier, oem, dataset_id, offer_id = pair
    if supplier.process.process is None or supplier.process.process.poll() is not None:
        supplier.process.start()  # a test before this one killed it
    agreement = agree(supplier, oem, dataset_id, offer_id)["agreementId"]
    return agreement, oem.client.wait_transfer_ready(oem.client.start_transfer(agreement)["id"])


def direct(oem: Node, transfer_id: str) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    """Open the provider's data plane as any DSP consumer does, with the token from the start message."""
    with state(oem.init.settings) as db:
        endpoint, token = db.execute(
            sa.select(transfers.c.data_endpoint, transfers.c.data_token).where(transfers.c.id == transfer_id)
        ).one()
    parts = urlsplit(endpoint)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", parts.path, headers={"Authorization": f"Bearer {token}", "Accept": NDJSON})
    response = connection.getresponse()
    assert response.status == 200
    return connection, response


def logged(node: Node, agreement_id: str) -> list[dict[str, Any]]:
    """The node's data-access entries about an agreement, read from its state database (it may be dead)."""
    entries = audit_entries.c
    with state(node.init.settings) as db:
        rows = db.execute(
            sa.select(entries.entry)
            .where(entries.agreement_id == agreement_id, entries.kind.like("data.access%"))
            .order_by(entries.index)
        ).all()
    return [json.loads(entry) for (entry,) in rows]


def wait_until(check: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.05)
    return found


def test_a_provider_killed_mid_stream_leaves_the_counted_use_in_its_log(pair: tuple[Node, Node, str, str]) -> None:
    supplier, oem, _, _ = pair
    agreement, transfer = ready_transfer(pair)
    connection, response = direct(oem, transfer["id"])
    assert len(response.read(64_000)) == 64_000  # then stops reading: the provider waits mid-stream
    supplier.process.kill()
    connection.close()
    entries = logged(supplier, agreement)
    assert [e["kind"] for e in entries] == ["data.access.begun"]
    assert entries[0]["use"] == 1 and entries[0]["counterparty"] == oem.id and entries[0]["format"] == NDJSON
    supplier.process.start()
    assert supplier.client.get(f"/agreements/{agreement}")["uses"] == 1  # the use the log shows


def test_a_client_that_leaves_mid_stream_is_logged_as_cut_off(pair: tuple[Node, Node, str, str]) -> None:
    supplier, oem, _, _ = pair
    agreement, transfer = ready_transfer(pair)
    connection, response = direct(oem, transfer["id"])
    received = len(response.read(64_000))
    connection.close()  # the client goes away; the provider sees http.disconnect
    ended = wait_until(lambda: [e for e in logged(supplier, agreement) if e["kind"] == "data.access"])
    assert ended[0]["complete"] is False and ended[0]["cause"] == "the client went away before the end"
    assert received <= ended[0]["bytes"] and 0 < ended[0]["rows"] < ROWS
    assert [e["kind"] for e in logged(supplier, agreement)] == ["data.access.begun", "data.access"]
    # The slot it held came back: the same transfer is served again, whole.
    connection, response = direct(oem, transfer["id"])
    assert response.read().count(b"\n") == ROWS
    connection.close()


def cli_transfer(oem: Node, agreement: str, out: Path, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "sangsaeng", "transfer", agreement, "--out", str(out), *extra]
    env = {**os.environ, "COLUMNS": "200"}
    command += ["--data-dir", str(oem.init.settings.data_dir)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def partial(folder: Path) -> Path | None:
    found = [p for p in folder.iterdir() if p.name.endswith(".partial") and p.stat().st_size > 256_000]
    return found[0] if found else None


def cut_while_paused(
    pair: tuple[Node, Node, str, str], cli: subprocess.Popen[str], folder: Path, restart: bool
) -> None:
    """Pause the command mid-pull (so it cannot finish first), kill the provider, let the command go on."""
    supplier = pair[0]
    wait_until(lambda: partial(folder) or cli.poll() is not None, timeout=60)
    assert cli.poll() is None, cli.communicate()
    os.kill(cli.pid, signal.SIGSTOP)
    try:
        supplier.process.kill()
        if restart:
            supplier.process.start()
    finally:
        os.kill(cli.pid, signal.SIGCONT)


def test_the_cli_deletes_a_cut_off_pull_and_says_so_in_a_sentence(
    pair: tuple[Node, Node, str, str], tmp_path: Path
) -> None:
    _, oem, _, _ = pair
    agreement, _ = ready_transfer(pair)
    out = tmp_path / "inspections.jsonl"
    cli = cli_transfer(oem, agreement, out)
    cut_while_paused(pair, cli, tmp_path, restart=False)
    stdout, stderr = cli.communicate(timeout=60)
    assert cli.returncode == 1, (stdout, stderr)
    said = " ".join(stderr.split())
    assert "Traceback" not in stderr + stdout
    assert said.startswith("The pull was cut off after ") and "MB (the provider stopped sending)" in said
    assert said.endswith("nothing was kept. Run the command again to pull it anew."), said
    assert list(tmp_path.iterdir()) == []  # neither the file nor a partial one


def test_the_cli_pulls_again_when_allowed_and_keeps_only_a_whole_file(
    pair: tuple[Node, Node, str, str], tmp_path: Path
) -> None:
    supplier, oem, _, _ = pair
    agreement, _ = ready_transfer(pair)
    out = tmp_path / "inspections.jsonl"
    cli = cli_transfer(oem, agreement, out, "--retries", "3")
    cut_while_paused(pair, cli, tmp_path, restart=True)
    stdout, stderr = cli.communicate(timeout=120)
    assert cli.returncode == 0, (stdout, stderr)
    assert "2 tries" in " ".join(stdout.split())
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
    assert out.read_bytes().count(b"\n") == ROWS
    kinds = [e["kind"] for e in logged(supplier, agreement)]
    assert kinds == ["data.access.begun", "data.access.begun", "data.access"]  # the first killed with its process


def test_the_cli_does_not_pull_again_beyond_what_the_terms_allow(
    pair: tuple[Node, Node, str, str], tmp_path: Path
) -> None:
    supplier, oem, dataset_id, _ = pair
    if supplier.process.process is None or supplier.process.process.poll() is not None:
        supplier.process.start()
    once = policy(oem.id)
    once["permission"][0]["constraint"].append({"leftOperand": "count", "operator": "lteq", "rightOperand": 1})
    offer = supplier.client.create_offer(dataset_id, once)
    agreement = agree(supplier, oem, dataset_id, offer["id"])["agreementId"]
    out = tmp_path / "inspections.jsonl"
    cli = cli_transfer(oem, agreement, out, "--retries", "3")
    cut_while_paused(pair, cli, tmp_path, restart=True)
    stdout, stderr = cli.communicate(timeout=120)
    assert cli.returncode == 1, (stdout, stderr)
    said = " ".join(stderr.split())
    assert said.startswith("The pull was cut off after ") and "nothing was kept. Another try was refused:" in said
    assert said.endswith("the provider answered that the agreement does not permit this access.")
    assert "Traceback" not in stderr and list(tmp_path.iterdir()) == []
    assert supplier.client.get(f"/agreements/{agreement}")["uses"] == 1  # the one use the terms allowed
