"""A pulled file is kept only when whole: no cut-off Arrow stream or Parquet file passes for a complete one."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.client import whole
from sangsaeng.dataplane.serve import ARROW, PARQUET, Grant, stream
from sangsaeng.datasets.local import LocalDatasets


def body(media_type: str, rows: int) -> bytes:
    """What the data plane sends for a small table, as it sends it."""
    table = pa.table(
        {
            "n": pa.array(range(rows), pa.int64()),
            "v": pa.array([-1 if i % 3 else 0 for i in range(rows)], pa.int32()),  # bytes like an end marker
            "s": pa.array([f"lot-{i}]" for i in range(rows)]),
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.parquet"
        pq.write_table(table, path, row_group_size=max(1, rows // 3))
        grant = Grant(LocalDatasets(Path(folder)), ["t.parquet"], pq.read_schema(path), ["n", "v", "s"], ())
        return b"".join(bytes(chunk) for chunk in stream(grant, media_type, batch_rows=16))


BODIES = {(m, rows): body(m, rows) for m in (ARROW, PARQUET) for rows in (0, 5, 200)}


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(sorted(BODIES)), cut=st.floats(0, 1, exclude_max=True))
def test_no_strict_prefix_of_an_arrow_stream_or_parquet_file_is_whole(kind: tuple[str, int], cut: float) -> None:
    data = BODIES[kind]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pulled"
        path.write_bytes(data[: int(len(data) * cut)])
        assert not whole(path, kind[0])
        path.write_bytes(data)
        assert whole(path, kind[0])


def test_text_bodies_are_judged_by_how_they_end(tmp_path: Path) -> None:
    path = tmp_path / "pulled"
    for text, media_type, expected in [
        (b'[{"a":1},{"a":2}]', "application/json", True),
        (b'[{"a":1},{"a"', "application/json", False),
        (b"a,b\n1,2\n", "text/csv", True),
        (b"a,b\n1,", "text/csv", False),
        (b'{"a":1}\n', "application/x-ndjson", True),
        (b"", "application/x-ndjson", True),
    ]:
        path.write_bytes(text)
        assert whole(path, media_type) is expected, text
