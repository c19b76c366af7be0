"""README.md's "A short tour", run as written: every command of its ``sh`` blocks, with bash, in a fresh directory.

The commands are read from the README each time, so the test fails as soon as the README says something that no
longer runs. Only three things are changed, each one the README itself leaves open:

- the placeholders DATASET_ID, OFFER_ID and AGREEMENT_ID become the ids the earlier commands printed;
- the ports 8181 and 8182 become free loopback ports, everywhere in the tour at once (a CI machine may have 8181
  taken), so ``init --port`` and the URLs it writes into ``directory.json`` stay consistent;
- ``serve … &`` lines are started as processes of this test, waited for until they answer, and stopped at the end.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from sangsaeng.demo.run import run_demo, write_examples
from sangsaeng.launch import ConnectorProcess, free_port
from sangsaeng.portal.auth import password_matches
from sangsaeng.settings import Settings
from sangsaeng.store.sql import SqlStore
from tests.demo_support_told import check_support_told

pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("processes")]
ROOT = Path(__file__).resolve().parent.parent
URN = re.compile(r"urn:uuid:[0-9a-f-]{36}")
# Lines of the tour this test does not run, and why. Everything else runs.
SKIPPED = {
    # needs an MQTT broker and a stream mapping file the tour does not make; tests/test_streams_mqtt.py runs it
    ".venv/bin/sangsaeng stream mqtt": "needs a broker",
    # names a factory's OPC UA server (10.0.0.5), not loopback; tests/test_opcua_browse.py runs it
    ".venv/bin/sangsaeng stream browse": "needs an OPC UA server",
}
# Which command prints the id that a placeholder of a later command stands for.
PLACEHOLDERS = {"dataset add": "DATASET_ID", "offer create": "OFFER_ID", "negotiate": "AGREEMENT_ID"}


def tour_commands(readme: str, title: str = "A short tour") -> list[str]:
    """Every shell command in a section's ``sh`` blocks, continuation lines and multi-line quotes joined."""
    section = readme.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    commands: list[str] = []
    for block in re.findall(r"^```sh\n(.*?)^```", section, flags=re.S | re.M):
        pending = ""
        for line in block.splitlines():
            pending = f"{pending}\n{line}" if pending else line
            if pending.endswith("\\") or not _complete(pending):
                continue
            commands.append(pending)
            pending = ""
        assert not pending, f"an unfinished command in the README's tour: {pending!r}"
    return commands


def _complete(command: str) -> bool:
    try:
        shlex.split(command, comments=True)
    except ValueError:  # an open quote: the command goes on on the next line
        return False
    return True


def test_every_command_of_the_readme_tour_runs_as_written(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    ports = {"8181": str(free_port()), "8182": str(free_port())}
    for fixed, free in ports.items():
        readme = readme.replace(fixed, free)
    commands = tour_commands(readme)
    assert len(commands) >= 15, "the tour lost its commands, or this test no longer finds them"
    (tmp_path / ".venv").symlink_to(sys.prefix)  # the checkout's environment, as `make env` leaves it
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANGSAENG_")} | {"COLUMNS": "200"}
    port_of = dict(re.findall(r"--data-dir (\S+) --port (\d+)", readme))
    ids: dict[str, str] = {}
    servers: list[ConnectorProcess] = []
    outputs: dict[str, str] = {}
    try:
        for command in commands:
            if any(command.startswith(prefix) for prefix in SKIPPED):
                continue
            for placeholder, value in ids.items():
                command = re.sub(rf"\b{placeholder}\b", value, command)
            assert not re.search(r"\b(DATASET|OFFER|AGREEMENT)_ID\b", command), f"no id yet for: {command}"
            if command.rstrip().endswith("&"):
                servers.append(_serve(command.rstrip()[:-1], tmp_path, env, port_of))
                continue
            done = subprocess.run(
                ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
            )
            assert done.returncode == 0, f"{command}\nexit {done.returncode}\n{done.stdout}\n{done.stderr}"
            outputs[command] = said = " ".join(done.stdout.split())
            for words, placeholder in PLACEHOLDERS.items():
                if f" {words} " in command and (found := URN.findall(said)):
                    ids[placeholder] = found[0]
    finally:
        for server in servers:
            server.stop()

    assert set(ids) == set(PLACEHOLDERS.values())
    verified = next(out for cmd, out in outputs.items() if "agreement verify" in cmd)
    assert "✓ valid" in verified
    assert (tmp_path / "line2.aasx").stat().st_size > 0 and (tmp_path / "quality.parquet").stat().st_size > 0
    # What the tour wrote in the checkout is ignored by git.
    written = sorted(p.name + "/" * p.is_dir() for p in tmp_path.iterdir() if p.name not in {".venv", "examples"})
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=ROOT,
        input="\n".join(written),
        capture_output=True,
        text=True,
    ).stdout.split()
    assert sorted(ignored) == written, f"written by the tour but not in .gitignore: {set(written) - set(ignored)}"


def test_every_command_of_run_a_hub_runs_as_written(tmp_path: Path) -> None:
    """The README's "Run a hub", as the tour is run: a hub and a company's connector as processes, the application
    made with the connector's key, approved by the operator from the id ``hub members`` printed, then a crawl."""
    readme = (ROOT / "README.md").read_text("utf-8")
    ports = {"9000": str(free_port()), "8181": str(free_port())}
    for fixed, free in ports.items():
        readme = readme.replace(fixed, free)
    commands = tour_commands(readme, "Run a hub")
    assert len(commands) >= 8, "the section lost its commands, or this test no longer finds them"
    (tmp_path / ".venv").symlink_to(sys.prefix)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANGSAENG_")} | {"COLUMNS": "200"}
    port_of = {}  # each initialised folder's port, whichever order the init line gives them in
    for command in commands:
        if " init " in command:
            folder, port = re.search(r"--data-dir (\S+)", command), re.search(r"--port (\d+)", command)
            assert folder is not None and port is not None, command
            port_of[folder[1]] = port[1]
    servers: list[ConnectorProcess] = []
    application = ""
    try:
        for command in commands:
            command = command.replace("APPLICATION_ID", application or "APPLICATION_ID")
            assert "APPLICATION_ID" not in command, f"no application id yet for: {command}"
            if command.rstrip().endswith("&"):
                servers.append(_serve(command.rstrip()[:-1], tmp_path, env, port_of))
                continue
            done = subprocess.run(
                ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
            )
            assert done.returncode == 0, f"{command}\nexit {done.returncode}\n{done.stdout}\n{done.stderr}"
            if " hub members " in command:
                application = URN.findall(done.stdout)[0]  # each line starts with the application's id
            if " hub approve " in command:
                assert application in done.stdout
        # The approved company is in the hub's signed directory, active.
        listed = subprocess.run(
            ["bash", "-c", ".venv/bin/sangsaeng hub members --data-dir hub --en"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "approved" in listed.stdout and "한빛정밀" in listed.stdout, listed.stdout + listed.stderr
    finally:
        for server in servers:
            server.stop()
    written = sorted(p.name + "/" * p.is_dir() for p in tmp_path.iterdir() if p.name != ".venv")
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=ROOT,
        input="\n".join(written),
        capture_output=True,
        text=True,
    ).stdout.split()
    assert sorted(ignored) == written, f"written by the section but not in .gitignore: {set(written) - set(ignored)}"


def _serve(command: str, cwd: Path, env: dict[str, str], port_of: dict[str, str]) -> ConnectorProcess:
    """Start a README ``serve`` line as it stands, and wait until the connector answers on its port."""
    data_dir = re.search(r"--data-dir (\S+)", command)
    assert data_dir is not None and data_dir[1] in port_of, f"which connector does this serve? {command}"
    server = ConnectorProcess(cwd / data_dir[1], int(port_of[data_dir[1]]))  # logs into its data dir
    with server.log_path.open("ab") as log:
        server.process = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() ends it and nothing else
        )
    server.wait_ready(30)
    return server


def test_the_demo_runs_the_chain_through_the_hub_and_prints_users_that_can_sign_in(tmp_path: Path) -> None:
    """``make demo`` end to end: the hub, three companies joining it, a search at the hub, two pulls along the
    chain, told in Korean and English; every portal user it prints (the hub's operator too) signs in."""
    console = Console(record=True, width=200)
    assert run_demo(tmp_path / "demo", rows=200, keep_serving=False, console=console) == 0
    text = console.export_text()
    assert re.search(r"Hub 상생 허브 Sangsaeng Hub at http://127\.0\.0\.1:\d+, key fingerprint \S+", text), text
    for company, tier in (("대한자동차", "OEM"), ("한빛정밀", "1차")):
        assert (
            f"{company} applies: business registration number" in text and f"{tier} in the chain '대한자동차'" in text
        )
        assert re.search(rf"The operator approves {company} → [1-9]\d* credential\(s\) signed by the hub", text)
    # The tier-2 has no IT: the hub hosts its connector, in the hub's own process, under /c/<name>.
    hosted = re.search(
        r"성진금속 has no IT of its own: the hub hosts its connector at (http://127\.0\.0\.1:\d+/c/\S+/portal/)", text
    )
    assert hosted is not None, text
    assert "허브가 커넥터를 대신 운영합니다" in text
    # The OEM's search at the hub finds both inspection datasets, each by its provider's name and tier.
    found = re.search(r"A search for '검사' finds (\d+) dataset", text)
    assert found is not None and int(found[1]) >= 2, text
    assert "한빛정밀 (1차): Incoming quality inspection" in text and "성진금속 (2차): Outgoing inspection" in text
    assert "'검사' 검색 결과" in text  # and in Korean
    # Pulled along the chain: the tier-2's 40 rows (rows // 5) by the tier-1, the tier-1's good rows by the OEM.
    assert re.search(r"한빛정밀 ← 성진금속: negotiation FINALIZED in \d+ ms .*, 40 inspection rows pulled", text)
    assert re.search(
        r"대한자동차 ← 한빛정밀: negotiation FINALIZED in \d+ ms .*; pulled 196 rows, 10 of 14 columns", text
    )
    # Every count the demo prints says what it counts: problems are values, rows set aside are rows.
    assert re.search(r"found \d+ problem\(s\) \(one per wrong value; a row can have several\)", text)
    assert re.search(r"\d+ rows kept, \d+ rows set aside with reasons \(the rows with at least one", text)
    check_support_told(text, korean=True)  # step 5: the tier-2's assessment, plan, expert and benchmark position
    users = re.findall(r"sign in as\s+(\S+) / (\S+)   \(role (\w+).*?data dir\s+(\S+)", text, re.DOTALL)
    assert [(Path(folder).name, role) for _, _, role, folder in users] == [
        ("hub", "admin"),
        ("oem", "steward"),
        ("tier1", "steward"),
        ("tier2", "steward"),
    ], text

    async def matches(folder: str, name: str, password: str, role: str) -> bool:
        store = SqlStore(Settings(data_dir=Path(folder)).state_url)
        try:
            async with store.begin() as tx:
                user = await tx.users.get(name)
        finally:
            await store.close()
        return user is not None and user.role == role and password_matches(user, password)

    for name, password, role, folder in users:
        assert asyncio.run(matches(folder, name, password, role)), (name, folder)
    assert not asyncio.run(matches(users[0][3], users[0][0], users[1][1], "admin"))  # another's password: no


def test_the_shipped_examples_are_what_the_generators_write(tmp_path: Path) -> None:
    written = write_examples(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in (ROOT / "examples").iterdir())
    for path in written:
        assert path.read_bytes() == (ROOT / "examples" / path.name).read_bytes(), f"run `make examples`: {path.name}"
