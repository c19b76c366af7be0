"""A hosted connector leaves with everything it has: exported as one tar (its data directory — datasets, key,
configuration — and its state, audit log included, copied consistently with SQLite's backup API), imported as a
connector of its own, and its new endpoint announced to the hub so that partners follow it through the directory.

The tar holds one folder, ``connector/``; its state is ``connector/state.db``."""

from __future__ import annotations

import json
import tarfile
import tempfile
import tomllib
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO

import httpx

from sangsaeng.errors import Conflict, PeerError
from sangsaeng.i18n.refusals import refusal, refused_as
from sangsaeng.identity import tokens
from sangsaeng.identity.directory import Participant, upsert_participant
from sangsaeng.identity.keys import load_private_key, public_jwk
from sangsaeng.settings import CONFIG_FILE, Settings
from sangsaeng.store import migrate
from sangsaeng.store.sql.backup import copy_sqlite

TOP = "connector"
STATE = "state.db"
# What a hub writes into a hosted connector's configuration that names the hub's process, not the connector.
HOSTED_ONLY = ("state_schema", "database_url")


def export_tar(settings: Settings, out: IO[bytes]) -> None:
    """Everything of the connector of ``settings`` as a tar written to ``out`` (blocking: run it off the loop)."""
    if settings.database_url:
        raise refused_as(
            Conflict, "hosting", "export.postgresql", schema=settings.state_schema, folder=str(settings.data_dir)
        )
    root = settings.data_dir
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / STATE
        copy_sqlite(root / STATE, copy)  # a consistent copy while the connector writes
        with tarfile.open(fileobj=out, mode="w|") as tar:
            for path in sorted(root.rglob("*")):
                relative = path.relative_to(root)
                if relative.parts[0].startswith(STATE) or path.is_symlink():
                    continue
                tar.add(path, arcname=f"{TOP}/{relative.as_posix()}", recursive=False)
            tar.add(copy, arcname=f"{TOP}/{STATE}")


def import_tar(tar_path: Path, data_dir: Path, public_url: str) -> Settings:
    """The connector of the export ``tar_path`` made at ``data_dir``, served from ``public_url``: its id, key,
    datasets, agreements and log as they were; its own SQLite state; the hub it was hosted by still pinned."""
    if (data_dir / CONFIG_FILE).exists():
        raise refused_as(Conflict, "hosting", "import.taken", folder=str(data_dir))
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(tar_path, mode="r:*") as tar:
            members = tar.getmembers()
            for member in members:
                _check(tar_path, member)
            if f"{TOP}/{CONFIG_FILE}" not in {m.name for m in members}:
                raise refusal("hosting", "import.shape", file=str(tar_path))
            for member in members:
                if member.name == TOP:
                    continue
                member.name = member.name.removeprefix(f"{TOP}/")
                tar.extract(member, data_dir, filter="data")
    except tarfile.TarError:
        raise refusal("hosting", "import.shape", file=str(tar_path)) from None
    config = data_dir / CONFIG_FILE
    values = tomllib.loads(config.read_text("utf-8"))
    for name in HOSTED_ONLY:
        values.pop(name, None)
    values["public_url"] = public_url.rstrip("/")
    config.write_text("".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in values.items()), "utf-8")
    config.chmod(0o600)
    settings = Settings(data_dir=data_dir)
    migrate.upgrade(settings.state_url, None)
    key = load_private_key(settings.key_path)
    me = Participant(
        settings.participant_id,
        settings.name,
        public_jwk(key.public_key()),
        settings.protocol_url,
        settings.public_url.rstrip("/") + "/data",
    )
    upsert_participant(settings.directory_path, me)  # its own entry, for a directory file it may fall back to
    return settings


def _check(tar_path: Path, member: tarfile.TarInfo) -> None:
    path = PurePosixPath(member.name)
    inside = path.parts[:1] == (TOP,) and ".." not in path.parts and not path.is_absolute()
    if not inside or not (member.isfile() or member.isdir()):
        raise refusal("hosting", "import.unsafe", file=str(tar_path), member=member.name[:200])


def announce_move(settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
    """Tell the hub this connector's new endpoints (``POST /hub/members/me/endpoint``, signed by its key)."""
    key = load_private_key(settings.key_path)
    token = tokens.issue(key, settings.participant_id, settings.hub_id, datetime.now(UTC))
    body = {"endpoint": settings.protocol_url, "dataEndpoint": settings.public_url.rstrip("/") + "/data"}
    url = settings.hub_url.rstrip("/") + "/hub/members/me/endpoint"
    try:
        with httpx.Client(transport=transport, timeout=30) as http:
            answer = http.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        raise PeerError(f"the hub at {settings.hub_url} could not be reached: {exc}") from None
    if answer.status_code != 200:
        raise PeerError(f"the hub refused the new endpoint: {answer.status_code} {answer.text[:300]}")
