"""Joining a hub from the command line: ``sangsaeng init --hub URL`` and ``sangsaeng hub join URL`` show the hub's
name and key fingerprint, then pin its address, id and key and trust its credentials — nothing when the person
declines or the hub cannot be reached."""

from __future__ import annotations

import json
import socket
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from sangsaeng.cli.main import app
from sangsaeng.identity.hub import fingerprint
from sangsaeng.settings import Settings
from tests.hub_documents import TestHub

runner = CliRunner()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def hub() -> Iterator[TestHub]:
    """The stand-in hub, served on a loopback port (the command line reaches it over HTTP)."""
    port = free_port()
    served = TestHub(url=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(served.app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the stand-in hub did not start"
        time.sleep(0.02)
    try:
        yield served
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def config_of(data_dir: Path) -> dict[str, object]:
    return tomllib.loads((data_dir / "connector.toml").read_text("utf-8"))


def test_init_with_a_hub_pins_it_and_trusts_its_credentials(hub: TestHub, tmp_path: Path) -> None:
    data_dir = tmp_path / "acme"
    result = runner.invoke(
        app,
        ["init", "--participant-id", "urn:uuid:acme", "--name", "Acme", "-d", str(data_dir), "--hub", hub.url],
        input="y\n",
        env={"LANG": "ko_KR.UTF-8"},
    )
    assert result.exit_code == 0, result.output
    assert "테스트 허브" in result.output and fingerprint(hub.jwk) in result.output and "키 지문" in result.output
    settings = Settings(data_dir=data_dir)
    assert (settings.hub_url, settings.hub_id) == (hub.url, hub.id)
    assert json.loads(settings.hub_key) == hub.jwk and settings.trusted_issuers == [hub.id]


def test_declining_or_an_unreachable_hub_writes_nothing(hub: TestHub, tmp_path: Path) -> None:
    declined = runner.invoke(
        app,
        ["init", "--participant-id", "urn:uuid:a", "--name", "A", "-d", str(tmp_path / "a"), "--hub", hub.url],
        input="n\n",
        env={"LANG": "en_US.UTF-8"},
    )
    assert declined.exit_code == 2 and "nothing changed" in declined.output
    assert not (tmp_path / "a" / "connector.toml").exists()
    unreachable = runner.invoke(
        app,
        [
            "init",
            "--participant-id",
            "urn:uuid:b",
            "--name",
            "B",
            "-d",
            str(tmp_path / "b"),
            "--hub",
            f"http://127.0.0.1:{free_port()}",
            "--yes",
        ],
    )
    assert unreachable.exit_code == 2 and "could not be reached" in unreachable.output
    assert not (tmp_path / "b" / "connector.toml").exists()


def test_hub_join_pins_the_hub_in_an_existing_connector_and_refuses_another_without_replace(
    hub: TestHub, tmp_path: Path
) -> None:
    data_dir = tmp_path / "acme"
    made = runner.invoke(app, ["init", "--participant-id", "urn:uuid:acme", "--name", "Acme", "-d", str(data_dir)])
    assert made.exit_code == 0, made.output
    before = config_of(data_dir)
    joined = runner.invoke(app, ["hub", "join", hub.url, "-d", str(data_dir), "--yes", "--en"])
    assert joined.exit_code == 0, joined.output
    assert fingerprint(hub.jwk) in joined.output and "now trusts" in joined.output
    after = config_of(data_dir)
    assert {k: after[k] for k in before} == before  # everything else kept as it was
    assert after["hub_id"] == hub.id and after["trusted_issuers"] == [hub.id]

    other = TestHub(url=hub.url)  # the same address now answering with another hub's key
    hub.id, hub.key = other.id, other.key
    refused = runner.invoke(app, ["hub", "join", hub.url, "-d", str(data_dir), "--yes"])
    assert refused.exit_code == 2 and "already trusts" in refused.output
    assert config_of(data_dir) == after
    replaced = runner.invoke(app, ["hub", "join", hub.url, "-d", str(data_dir), "--yes", "--replace"])
    assert replaced.exit_code == 0, replaced.output
    assert config_of(data_dir)["trusted_issuers"] == [other.id]  # the old hub's credentials no longer count
    assert httpx.get(f"{hub.url}/.well-known/sangsaeng-hub").json()["id"] == other.id
