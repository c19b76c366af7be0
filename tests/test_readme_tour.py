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


def test_the_demo_prints_a_portal_user_that_can_sign_in(tmp_path: Path) -> None:
    console = Console(record=True, width=200)
    assert run_demo(tmp_path / "demo", rows=200, keep_serving=False, console=console) == 0
    text = console.export_text()
    signed_in = re.search(r"sign in as\s+(\S+) / (\S+)", text)
    portal = re.search(r"portal\s+(http://127\.0\.0\.1:\d+/portal/)", text)
    assert signed_in is not None and portal is not None, text
    # Every count the demo prints says what it counts: problems are values, rows set aside are rows.
    assert re.search(r"found \d+ problem\(s\) \(one per wrong value; a row can have several\)", text)
    assert re.search(r"\d+ rows kept, \d+ rows set aside with reasons \(the rows with at least one", text)
    settings = Settings(data_dir=tmp_path / "demo" / "supplier")

    async def matches() -> bool:
        store = SqlStore(settings.state_url)
        try:
            async with store.begin() as tx:
                user = await tx.users.get(signed_in[1])
        finally:
            await store.close()
        return user is not None and user.role == "steward" and password_matches(user, signed_in[2])

    assert asyncio.run(matches())


def test_the_shipped_examples_are_what_the_generators_write(tmp_path: Path) -> None:
    written = write_examples(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in (ROOT / "examples").iterdir())
    for path in written:
        assert path.read_bytes() == (ROOT / "examples" / path.name).read_bytes(), f"run `make examples`: {path.name}"
