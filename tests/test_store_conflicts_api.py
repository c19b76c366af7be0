"""A conflict the store finds reaches a caller as 409 in the one error shape, and leaves nothing half-written:
two new versions of one dataset sent at the same moment both read the same latest version, so the store refuses
the second of the same number (``catalog/service.py``)."""

from __future__ import annotations

import anyio
import pytest

from tests.helpers import SAMPLE_CSV, Dataspace, publish
from tests.test_management_api import assert_error_shape

pytestmark = pytest.mark.anyio
ROWS = SAMPLE_CSV.splitlines(keepends=True)


async def test_two_versions_at_once_one_is_a_conflict_and_every_kept_version_has_its_file(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    dataset_id, _ = await publish(supplier, SAMPLE_CSV, {"permission": [{"action": "use"}]})
    refused: list[dict[str, object]] = []
    kept = 1

    async def send(copies: int, answers: list[tuple[int, dict[str, object]]]) -> None:
        body = ROWS[0] + "".join(ROWS[1:]) * copies
        answer = await supplier.api.post(
            f"/api/datasets/{dataset_id}/versions", params={"filename": "v.csv"}, content=body.encode()
        )
        answers.append((answer.status_code, answer.json()))

    for _ in range(20):  # the two requests usually interleave; stop at the first pair that did
        answers: list[tuple[int, dict[str, object]]] = []
        async with anyio.create_task_group() as group:
            group.start_soon(send, 1, answers)
            group.start_soon(send, 2, answers)
        assert sorted(status for status, _ in answers) in ([201, 201], [201, 409]), answers
        kept += sum(status == 201 for status, _ in answers)
        refused += [body for status, body in answers if status == 409]
        if refused:
            break
    assert refused, "twenty pairs never overlapped"
    assert_error_shape(refused[0])
    assert refused[0]["error"]["code"] == "conflict"  # type: ignore[index]
    latest = (await supplier.api.get(f"/api/datasets/{dataset_id}")).json()
    assert latest["version"] == kept
    files = [key for key in supplier.connector.datasets.files_under("", hidden=True) if key.endswith(".parquet")]
    assert len(files) == kept  # the refused request's file is gone, every kept version's is there
