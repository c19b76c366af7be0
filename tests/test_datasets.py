"""The dataset store's contract, held by both adapters: a local folder and an S3 bucket on a real SeaweedFS.

Every adapter must: publish a finished file whole or not at all, read it back streaming (Parquet, datasets), list
the files under a prefix (what a growing stream's recovery walks), tell sizes, delete, and refuse a key that could
step out of its root before any I/O.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sangsaeng.datasets.configured import open_store
from sangsaeng.datasets.local import LocalDatasets
from sangsaeng.datasets.port import DatasetStore, check_key, join
from sangsaeng.datasets.s3 import S3Datasets, connect, parse_url
from sangsaeng.errors import ConfigurationError, InvalidInput
from sangsaeng.settings import Settings
from tests.s3server import S3Server

pytestmark = pytest.mark.xdist_group("s3")


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatasetStore]:
    if request.param == "local":
        yield LocalDatasets(tmp_path / "datasets")
        return
    server: S3Server = request.getfixturevalue("s3_server")
    settings = Settings(data_dir=tmp_path, **server.settings(f"contract-{uuid.uuid4().hex[:12]}"))
    yield open_store(settings)


def staged(store: DatasetStore, data: bytes) -> Path:
    path = store.staging() / f"{uuid.uuid4().hex}.tmp"
    path.write_bytes(data)
    return path


def parquet_file(store: DatasetStore, table: pa.Table) -> Path:
    path = store.staging() / f"{uuid.uuid4().hex}.parquet"
    pq.write_table(table, path, row_group_size=100)
    return path


def test_a_put_file_reads_back_byte_for_byte_and_its_staged_copy_is_gone(store: DatasetStore) -> None:
    data = bytes(range(256)) * 4099  # over a MiB, not a multiple of any chunk size
    local = staged(store, data)
    store.put(local, "ab12/v1-cafe.parquet")
    assert not local.exists()
    assert store.read_bytes("ab12/v1-cafe.parquet") == data
    assert b"".join(store.chunks("ab12/v1-cafe.parquet", 1000)) == data
    assert store.size("ab12/v1-cafe.parquet") == len(data)
    assert store.size("ab12/v1-other.parquet") is None


def test_a_durable_put_is_read_back_the_same(store: DatasetStore) -> None:
    store.put(staged(store, b"part"), "streams/line2/data/date=2026-11-24/part-000000001-0.parquet", durable=True)
    assert store.read_bytes("streams/line2/data/date=2026-11-24/part-000000001-0.parquet") == b"part"


def test_parquet_is_read_streaming_and_as_one_dataset(store: DatasetStore) -> None:
    first = pa.table({"lot": [f"L{i % 3}" for i in range(250)], "value": [float(i) for i in range(250)]})
    second = pa.table({"lot": ["L9"] * 10, "value": [1.0] * 10})
    store.put(parquet_file(store, first), "d/one.parquet")
    store.put(parquet_file(store, second), "d/two.parquet")

    reader = store.parquet("d/one.parquet")
    assert reader.metadata.num_row_groups == 3
    assert [b.num_rows for b in reader.iter_batches(batch_size=100, columns=["value"])] == [100, 100, 50]
    assert store.read_schema("d/two.parquet") == second.schema

    dataset = store.dataset(["d/one.parquet", "d/two.parquet"])
    with duckdb.connect() as connection:
        connection.register("stored", dataset)
        rows = connection.sql("SELECT lot, count(*) FROM stored GROUP BY lot ORDER BY lot").fetchall()
    assert rows == [("L0", 84), ("L1", 83), ("L2", 83), ("L9", 10)]


def test_listing_gives_every_file_under_a_prefix_and_hides_hidden_names_unless_asked(store: DatasetStore) -> None:
    keys = ["s/data/date=2026-11-24/part-1-0.parquet", "s/data/date=2026-11-25/part-2-0.parquet", "s/rejected/r.pq"]
    for key in keys:
        store.put(staged(store, key.encode()), key)
    store.put(staged(store, b"debris"), "s/data/.part-1.tmp")
    store.put(staged(store, b"elsewhere"), "s2/data/x.parquet")

    assert store.files_under("s/data") == keys[:2]
    assert store.files_under("s/data", hidden=True) == ["s/data/.part-1.tmp", *keys[:2]]
    assert store.files_under("s") == keys
    assert store.files_under("nothing/here") == []
    assert set(store.files_under("")) >= {*keys, "s2/data/x.parquet"}


def test_delete_removes_a_file_and_deleting_what_is_not_there_is_no_error(store: DatasetStore) -> None:
    store.put(staged(store, b"x"), "k/v1.parquet")
    store.delete("k/v1.parquet")
    store.delete("k/v1.parquet")
    assert store.size("k/v1.parquet") is None
    assert store.files_under("k") == []
    with pytest.raises(FileNotFoundError):
        store.open("k/v1.parquet")


def test_a_file_is_never_seen_half_written(store: DatasetStore) -> None:
    """While a 24 MiB file is put, a reader polling its key sees nothing, or all of it."""
    data = b"\x07" * (24 << 20)
    local = staged(store, data)
    seen: list[int | None] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.append(store.size("big/v1.parquet"))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        store.put(local, "big/v1.parquet")
    finally:
        done.set()
        watcher.join()
    seen.append(store.size("big/v1.parquet"))
    assert set(seen) <= {None, len(data)} and seen[-1] == len(data)


def test_a_put_that_fails_leaves_nothing(store: DatasetStore) -> None:
    missing = store.staging() / "never-written.parquet"
    with pytest.raises(OSError):
        store.put(missing, "f/v1.parquet")
    assert store.size("f/v1.parquet") is None and store.files_under("f", hidden=True) == []


@pytest.mark.parametrize(
    "key", ["", "/etc/passwd", "../outside", "a/../../b", "a//b", "a/./b", "a/", "a\\b", "a b", "%2e%2e/x", "ä/x"]
)
def test_a_key_that_could_leave_the_root_is_refused_before_any_io(store: DatasetStore, key: str) -> None:
    with pytest.raises(InvalidInput):
        store.size(key)
    with pytest.raises(InvalidInput):
        store.put(staged(store, b"x"), key)


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=4))
def test_an_accepted_key_is_a_plain_relative_path(segments: list[str]) -> None:
    key = "/".join(segments)
    try:
        check_key(key)
    except InvalidInput:
        return
    parts = key.split("/")
    assert not key.startswith("/") and all(p not in ("", ".", "..") for p in parts)
    assert key.isascii() and "\\" not in key and "%" not in key
    assert join(*parts) == key


def test_s3_locations_and_connections_are_checked_when_the_store_opens(s3_server: S3Server, tmp_path: Path) -> None:
    assert parse_url("s3://bucket/a/b/") == ("bucket", "a/b")
    for wrong in ("s3://", "s3:///x", "http://bucket/x", "s3://bucket/x?region=eu"):
        with pytest.raises(ConfigurationError):
            parse_url(wrong)
    settings = {**s3_server.settings("x"), "datasets": "s3://no-such-bucket/x"}
    with pytest.raises(ConfigurationError, match="does not exist"):
        open_store(Settings(data_dir=tmp_path, **settings))
    settings = {**s3_server.settings("x"), "datasets_secret_key": "wrong"}
    with pytest.raises(ConfigurationError, match="cannot reach"):
        open_store(Settings(data_dir=tmp_path, **settings))
    with pytest.raises(ConfigurationError, match="folder or an s3"):
        open_store(Settings(data_dir=tmp_path, datasets="ftp://host/x"))
    folder = open_store(Settings(data_dir=tmp_path, datasets="elsewhere"))
    assert isinstance(folder, LocalDatasets) and folder.root == (tmp_path / "elsewhere").resolve()


def test_the_standard_aws_variables_configure_the_connection(
    s3_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret_key)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    store = S3Datasets(f"s3://{s3_server.bucket}/aws-env", tmp_path / "staging", connect())
    store.check()
    store.put(staged(store, b"from the environment"), "e/v1.parquet")
    assert store.read_bytes("e/v1.parquet") == b"from the environment"
