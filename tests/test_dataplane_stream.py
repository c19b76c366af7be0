"""The Arrow stream the data plane writes is what Arrow's own stream writer would write, for every schema."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sangsaeng.dataplane.serve import ARROW, Grant, arrow_stream, stream
from sangsaeng.datasets.local import LocalDatasets


def table() -> pa.Table:
    return pa.table(
        {
            "lot": pa.array(["L1", "L2", "L1", None]),
            "site": pa.array(["창원", "울산", "창원", "창원"]).dictionary_encode(),
            "value": pa.array([1.5, None, 3.25, 4.0]),
            "at": pa.array([1, 2, 3, 4], pa.timestamp("us", tz="UTC")),
        }
    )


@pytest.mark.parametrize("columns", [["lot", "value", "at"], ["lot", "site", "value"]], ids=["plain", "dictionary"])
def test_the_arrow_stream_reads_back_as_the_table(columns: list[str]) -> None:
    source = table().select(columns)
    batches = source.to_batches(max_chunksize=2)
    data = b"".join(bytes(chunk) for chunk in arrow_stream(source.schema, iter(batches)))
    assert pa.ipc.open_stream(io.BytesIO(data)).read_all().equals(source)
    reference = pa.BufferOutputStream()
    with pa.ipc.new_stream(reference, source.schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
    assert data == reference.getvalue().to_pybytes()


def test_streaming_a_parquet_file_reads_only_the_permitted_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(table(), path, row_group_size=3)
    grant = Grant(LocalDatasets(tmp_path), ["t.parquet"], pq.read_schema(path), ["value", "lot"], ())
    data = b"".join(bytes(c) for c in stream(grant, ARROW, batch_rows=2))
    got = pa.ipc.open_stream(io.BytesIO(data)).read_all()
    assert got.column_names == ["value", "lot"]
    assert got.column("lot").to_pylist() == ["L1", "L2", "L1", None]


def test_read_ahead_keeps_order_and_raises_what_the_producer_raised() -> None:
    from sangsaeng.dataplane.serve import read_ahead

    assert list(read_ahead(iter(range(100)), depth=3)) == list(range(100))

    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("disk gone")

    seen = []
    with pytest.raises(ValueError, match="disk gone"):
        for item in read_ahead(failing()):
            seen.append(item)
    assert seen == [1]


def test_read_ahead_stops_producing_when_the_reader_goes_away() -> None:
    import threading

    from sangsaeng.dataplane.serve import read_ahead

    produced = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    reader = read_ahead(endless(), depth=2)
    assert [next(reader) for _ in range(5)] == [0, 1, 2, 3, 4]
    reader.close()  # what the server does when the client disconnects
    assert not any(t.name == "data-plane-read-ahead" for t in threading.enumerate())
    assert len(produced) <= 5 + 2 + 1
