"""A hosted connector leaves with everything it has: exported as one tar (its data directory — datasets, key,
configuration — and its state, audit log included, copied consistently: SQLite's backup API, or PostgreSQL's rows
read in one snapshot into a fresh SQLite file), imported as a connector of its own, and its new endpoint announced to
the hub so that partners follow it through the directory.

The tar holds one folder, ``connector/``; its state is ``connector/state.db``, whichever database held it; datasets
kept in S3 (the tenant's own prefix) are in it under ``connector/datasets/<key>``, where the local store keeps a key.
Its ``connector.toml`` names none of the hub's own places or secrets (its database, its bucket): the import's
connector keeps its state in its own SQLite file and its datasets in its own folder."""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
import tomllib
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO

import httpx

from sangsaeng.datasets.port import DatasetStore
from sangsaeng.errors import Conflict, PeerError
from sangsaeng.i18n.refusals import refusal, refused_as
from sangsaeng.identity import tokens
from sangsaeng.identity.directory import Participant, upsert_participant
from sangsaeng.identity.keys import load_private_key, public_jwk
from sangsaeng.settings import CONFIG_FILE, Settings
from sangsaeng.store import migrate
from sangsaeng.store.snapshot import copy_postgres
from sangsaeng.store.sql.backup import copy_sqlite

TOP = "connector"
STATE = "state.db"
DATASETS = "datasets"  # where the local store keeps keys, under the data directory
# What a hub writes into a hosted connector's configuration that names the hub's process, not the connector: its
# database and schema, its bucket and the keys to it.
HOSTED_ONLY = (
    "state_schema",
    "database_url",
    "datasets",
    "datasets_endpoint",
    "datasets_region",
    "datasets_access_key",
    "datasets_secret_key",
)


def export_tar(settings: Settings, out: IO[bytes], datasets: DatasetStore | None = None) -> None:
    """Everything of the connector of ``settings`` as a tar written to ``out`` (blocking: run it off the loop).
    ``datasets``: its running dataset store, read when its files are not in its data directory (S3)."""
    root = settings.data_dir
    remote = datasets if datasets is not None and settings.datasets.strip() else None
    keys = remote.files_under("") if remote is not None else []
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / STATE
        if settings.database_url:
            copy_postgres(settings.database_url, settings.state_schema or None, copy)  # one snapshot, batched
        else:
            copy_sqlite(root / STATE, copy)  # a consistent copy while the connector writes
        shadowed = {f"{DATASETS}/{key}" for key in keys}  # the store's own copy wins over a local leftover
        with tarfile.open(fileobj=out, mode="w|") as tar:
            for path in sorted(root.rglob("*")):
                relative = path.relative_to(root).as_posix()
                if relative.startswith(STATE) or relative in shadowed or path.is_symlink():
                    continue
                if relative == CONFIG_FILE:
                    _add(tar, f"{TOP}/{CONFIG_FILE}", _own_config(path), path.stat().st_mtime)
                    continue
                tar.add(path, arcname=f"{TOP}/{relative}", recursive=False)
            if remote is not None:
                for key in keys:
                    _add_stored(tar, remote, key)
            tar.add(copy, arcname=f"{TOP}/{STATE}")


def _own_config(path: Path) -> bytes:
    """The connector's configuration without the hub's places and secrets (``HOSTED_ONLY``)."""
    values = {k: v for k, v in tomllib.loads(path.read_text("utf-8")).items() if k not in HOSTED_ONLY}
    return "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in values.items()).encode()


def _add(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(mtime)
    tar.addfile(info, io.BytesIO(data))


def _add_stored(tar: tarfile.TarFile, store: DatasetStore, key: str) -> None:
    """A file of the dataset store streamed into the tar where the local store would keep it."""
    size = store.size(key)
    if size is None:  # removed since it was listed (a stream's compacted part): nothing to take
        return
    info = tarfile.TarInfo(f"{TOP}/{DATASETS}/{key}")
    info.size, info.mode = size, 0o644
    with store.filesystem.open_input_stream(store.path(key)) as handle:
        tar.addfile(info, handle)


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
