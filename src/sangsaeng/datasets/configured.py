"""The dataset store the settings name (see the package's description)."""

from __future__ import annotations

from pathlib import Path

from sangsaeng.datasets.local import STAGING, LocalDatasets
from sangsaeng.datasets.port import DatasetStore
from sangsaeng.errors import ConfigurationError
from sangsaeng.settings import Settings


def open_store(settings: Settings) -> DatasetStore:
    """The dataset store the settings name; an S3 bucket is checked to be reachable first."""
    where = settings.datasets.strip()
    if not where:
        return _local(settings.datasets_dir)
    if where.startswith("s3://"):
        from sangsaeng.datasets.s3 import S3Datasets, connect

        filesystem = connect(
            settings.datasets_endpoint,
            settings.datasets_region,
            settings.datasets_access_key,
            settings.datasets_secret_key.get_secret_value(),
        )
        store = S3Datasets(where, settings.datasets_dir / STAGING, filesystem)
        store.check()
        return store
    if "://" in where:
        raise ConfigurationError(
            f"datasets = {where!r}: only a folder or an s3:// location can hold datasets",
            hint='leave it empty for datasets/ in the data directory, or write "s3://bucket/prefix"',
        )
    folder = Path(where).expanduser()
    return _local(folder if folder.is_absolute() else settings.data_dir / folder)


def _local(folder: Path) -> LocalDatasets:
    folder.mkdir(parents=True, exist_ok=True)
    return LocalDatasets(folder)
