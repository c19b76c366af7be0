"""Dataset files in an S3 bucket (AWS, or an S3-compatible store: SeaweedFS, MinIO, Ceph …), through Arrow's
S3 filesystem.

An object is visible only once its upload completed, so ``put`` uploads the finished local file under its final
key and nothing half-written is ever named: keys are named by the catalog or a manifest only after ``put``
returned, and a key is never reused. If an upload fails part-way Arrow may still complete what it sent when it
closes the stream; ``put`` then deletes the key, so what is left is never read and never stays.

Connection: the endpoint, region and keys come from the settings (``datasets_…``) or, left empty, from the standard
AWS variables and files (``AWS_ENDPOINT_URL``, ``AWS_REGION``, ``AWS_ACCESS_KEY_ID`` …, ``~/.aws``).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.fs as pafs

from sangsaeng.datasets.port import DatasetStore, join
from sangsaeng.errors import ConfigurationError

CHUNK = 8 << 20  # bytes read from the local file per write: Arrow uploads parts of this order in the background


def parse_url(url: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` → (bucket, prefix)."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ConfigurationError(
            f"datasets = {url!r} is not an S3 location",
            hint='write it as "s3://bucket" or "s3://bucket/prefix"; the endpoint and keys are settings of their own',
        )
    return parts.netloc, parts.path.strip("/")


def connect(endpoint: str = "", region: str = "", access_key: str = "", secret_key: str = "") -> pafs.S3FileSystem:
    """Arrow's S3 filesystem, from settings where given and the standard AWS environment otherwise."""
    endpoint = endpoint or os.environ.get("AWS_ENDPOINT_URL_S3", "") or os.environ.get("AWS_ENDPOINT_URL", "")
    options: dict[str, object] = {"connect_timeout": 5.0}
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        options.update(endpoint_override=parts.netloc, scheme=parts.scheme)
    region = region or os.environ.get("AWS_REGION", "") or os.environ.get("AWS_DEFAULT_REGION", "")
    options["region"] = region or "us-east-1"  # never left to the SDK: it would ask the instance metadata service
    if access_key:
        options.update(access_key=access_key, secret_key=secret_key)
    return pafs.S3FileSystem(**options)


class S3Datasets(DatasetStore):
    def __init__(self, url: str, staging: Path, filesystem: pafs.FileSystem) -> None:
        bucket, prefix = parse_url(url)
        self.bucket = bucket
        self.base = join(bucket, prefix)
        self.where = f"s3://{self.base}"
        self.filesystem = filesystem
        self._staging = staging

    def check(self) -> None:
        """Refuse to start on a bucket that cannot be reached, rather than fail at the first upload."""
        try:
            info = self.filesystem.get_file_info(self.bucket)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot reach the dataset store {self.where}: {str(exc).splitlines()[0]}",
                hint="check datasets_endpoint, datasets_region and the keys (or the AWS_… variables), and the bucket",
            ) from exc
        if info.type == pafs.FileType.NotFound:
            raise ConfigurationError(
                f"the bucket of the dataset store {self.where} does not exist",
                hint=f"create the bucket {self.bucket!r}, or name another in the setting datasets",
            )

    def staging(self) -> Path:
        self._staging.mkdir(parents=True, exist_ok=True)
        return self._staging

    def put(self, local: Path, key: str, *, durable: bool = False) -> None:
        path = self.path(key)
        size = local.stat().st_size
        try:
            with pa.OSFile(str(local), "rb") as source, self.filesystem.open_output_stream(path) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
            landed = self.filesystem.get_file_info(path)
            if landed.size != size:
                raise OSError(f"{self.where}/{key}: {landed.size} bytes arrived of {size}")
        except BaseException:
            try:
                self.delete(key)
            except OSError:
                pass  # unreachable now: the key is named nowhere, so it is never read
            raise
        local.unlink()
