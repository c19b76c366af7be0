"""A hub as a real process: `sangsaeng hub init` and `hub serve`, an application over the network, the operator
deciding with `sangsaeng hub approve|suspend`, and the member's credential checked against the directory."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx

from sangsaeng.hub.documents import signed, status
from sangsaeng.identity import credentials
from sangsaeng.identity.keys import public_key_from_jwk
from sangsaeng.launch import HubProcess, free_port
from tests.helpers import FakeClock
from tests.hub_space import company


def sangsaeng(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "sangsaeng", *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_a_hub_process_admits_and_suspends_a_member(tmp_path: Path) -> None:
    port = free_port()
    data_dir = tmp_path / "hub"
    made = sangsaeng("hub", "init", "--name", "상생 허브", "--port", str(port), "--data-dir", str(data_dir), "--ko")
    assert "운영자 API 키" in made.stdout
    fingerprint = re.search(r"키 지문\s+(\S+)", made.stdout)
    hub = HubProcess(data_dir, port).start()
    try:
        base = hub.url
        found = httpx.get(f"{base}/.well-known/sangsaeng-hub").json()
        assert fingerprint is not None and signed.thumbprint(found["publicKey"]) == fingerprint.group(1)
        clock, member = FakeClock(), company(1)
        applied = httpx.post(f"{base}/hub/applications", json=member.application(found["id"], clock))
        assert applied.status_code == 201, applied.text
        application = applied.json()["id"]

        listed = sangsaeng("hub", "members", "--data-dir", str(data_dir), "--en")
        assert application in listed.stdout and "applied" in listed.stdout
        sangsaeng("hub", "approve", application, "--data-dir", str(data_dir), "--en")

        key = public_key_from_jwk(found["publicKey"])
        directory = signed.read(
            httpx.get(f"{base}/hub/directory").text, key, signed.DIRECTORY, found["id"], clock.now()
        )
        keys = {p["id"]: public_key_from_jwk(p["publicKey"]) for p in directory["participants"]}
        auth = {"Authorization": f"Bearer {member.token(found['id'], clock)}"}
        [token] = httpx.get(f"{base}/hub/members/me/credentials", headers=auth).json()["credentials"]
        credential = credentials.read(token, keys.get, clock.now())
        assert credential.attributes["tier"] == ("1차",) and credential.subject == member.id

        suspended = sangsaeng("hub", "suspend", application, "--reason", "점검", "--data-dir", str(data_dir), "--ko")
        assert "정지됨" in suspended.stdout
        listed_status = signed.read(httpx.get(f"{base}/hub/status").text, key, signed.STATUS, found["id"], clock.now())
        import jwt

        idx = jwt.decode(token, options={"verify_signature": False})["status"]["idx"]
        assert status.is_set(status.decode(listed_status["bits"]), idx)
        again = subprocess.run(
            [
                sys.executable,
                "-m",
                "sangsaeng",
                "hub",
                "suspend",
                application,
                "--reason",
                "x",
                "--data-dir",
                str(data_dir),
                "--ko",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert again.returncode == 2 and "정지됨" in again.stderr
    finally:
        hub.stop()
