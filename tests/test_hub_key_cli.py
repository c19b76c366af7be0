"""A member changes its connector's key from the command line — `sangsaeng hub key next`, `use`, `promote` — against
a hub process, and an agreement it signed with the old key still verifies offline afterwards, from the hub's
directory as the connector keeps it (no directory file)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
from typer.testing import CliRunner

from sangsaeng.cli.main import app
from sangsaeng.hubclient.member import application
from sangsaeng.identity.hub import DIRECTORY_FILE
from sangsaeng.identity.keys import load_private_key, public_jwk
from sangsaeng.launch import HubProcess, free_port
from sangsaeng.negotiation.signing import sign_agreement
from sangsaeng.settings import Settings
from tests.helpers import FakeClock
from tests.hub_space import company

runner = CliRunner()


def cli(*args: str, code: int = 0) -> str:
    done = runner.invoke(app, list(args))
    assert done.exit_code == code, done.output
    return done.output


def test_a_member_changes_its_key_and_what_it_signed_before_still_verifies(tmp_path: Path) -> None:
    port, hub_dir = free_port(), tmp_path / "hub"
    subprocess.run(
        [sys.executable, "-m", "sangsaeng", "hub", "init", "--name", "허브", "--port", str(port), "--data-dir",
         str(hub_dir)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    hub = HubProcess(hub_dir, port).start()
    try:
        data_dir = tmp_path / "acme"
        cli("init", "--participant-id", "urn:uuid:acme", "--name", "Acme", "-d", str(data_dir), "--hub", hub.url, "-y")
        settings = Settings(data_dir=data_dir)
        old = load_private_key(settings.key_path)
        facts = company(1).facts(name="Acme")
        body = application(settings, old, settings.hub_id, facts, datetime.now(UTC))
        applied = httpx.post(f"{hub.url}/hub/applications", json=body)
        assert applied.status_code == 201, applied.text
        partner = company(2)
        other = httpx.post(f"{hub.url}/hub/applications", json=partner.application(settings.hub_id, FakeClock()))
        assert other.status_code == 201, other.text
        for answer in (applied, other):
            cli("hub", "approve", answer.json()["id"], "--data-dir", str(hub_dir), "--en")

        agreement = {
            "@id": "urn:uuid:agreement-1",
            "assigner": settings.participant_id,
            "assignee": partner.id,
            "target": "urn:uuid:dataset",
            "timestamp": datetime.now(UTC).isoformat(),
        }
        signatures = [
            sign_agreement(old, settings.participant_id, agreement),
            sign_agreement(partner.key, partner.id, agreement),
        ]
        exported = tmp_path / "agreement.json"
        exported.write_text(json.dumps({"agreement": agreement, "signatures": signatures}), "utf-8")

        said = cli("hub", "key", "next", "-d", str(data_dir), "--en")
        assert "announced" in said and (data_dir / "key.next.pem").exists()
        cli("hub", "key", "next", "-d", str(data_dir), "--en", code=2)  # one at a time
        cli("hub", "key", "promote", "-d", str(data_dir), "--en", code=2)  # not in use yet
        early = cli("hub", "key", "use", "-d", str(data_dir), "--ko", code=2)
        assert "기다리세요" in early  # partners fetch the directory every hub_refresh seconds
        cli("hub", "key", "use", "-d", str(data_dir), "--en", "--now")
        new = load_private_key(settings.key_path)
        assert public_jwk(new.public_key()) != public_jwk(old.public_key())
        assert [p.name for p in data_dir.glob("key.retired-*.pem")] and not (data_dir / "key.next.pem").exists()
        cli("hub", "key", "promote", "-d", str(data_dir), "--en")

        # The connector keeps the hub's directory as it fetches it; the offline check reads that copy.
        (data_dir / DIRECTORY_FILE).write_text(httpx.get(f"{hub.url}/hub/directory").text, "ascii")
        listed = cli("agreement", "verify", str(exported), "-d", str(data_dir))
        assert "valid" in listed and "✗" not in listed
        forged = {**agreement, "timestamp": datetime.now(UTC).isoformat()}  # dated after the old key retired
        signatures[0] = sign_agreement(old, settings.participant_id, forged)
        exported.write_text(json.dumps({"agreement": forged, "signatures": signatures}), "utf-8")
        refused = cli("agreement", "verify", str(exported), "-d", str(data_dir), code=1)
        assert "not valid" in refused
    finally:
        hub.stop()
