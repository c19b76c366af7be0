"""Python client of a connector's management API (what the CLI and the demo use, and what scripts can use).

from sangsaeng.client import Client
with Client("http://127.0.0.1:8181", api_key="…") as oem:
    catalog = oem.catalog("urn:sangsaeng:participant:supplier")
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ARROW_EOS = b"\xff\xff\xff\xff\x00\x00\x00\x00"  # an Arrow IPC stream's end: continuation marker, length 0


class ApiError(Exception):
    def __init__(self, status: int, error: dict[str, Any]) -> None:
        self.status = status
        self.error = error
        where = f" (at {error['position']})" if error.get("position") else ""
        hint = f"\n  hint: {error['hint']}" if error.get("hint") else ""
        super().__init__(f"{error.get('code', 'error')}: {error.get('message', '')}{where}{hint}")


def megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB" if size >= 100_000 else f"{size:,} bytes"


class PullCutOff(Exception):
    """A pull that ended before the data was whole. Nothing of it was kept; the message says so in a sentence."""

    def __init__(self, received: int, cause: str, attempts: int = 1, refused: str | None = None) -> None:
        self.received = received
        self.cause = cause
        self.attempts = attempts
        self.refused = refused
        tries = f" (try {attempts})" if attempts > 1 else ""
        then = (
            f" Another try was refused: {refused.rstrip('.')}."
            if refused
            else " Run the command again to pull it anew."
        )
        super().__init__(f"The pull was cut off after {megabytes(received)}{tries} ({cause}); nothing was kept.{then}")


def _refusal(exc: ApiError) -> str:
    """The refusal in words: the relay quotes the provider's answer, whose own message says it best."""
    message = str(exc.error.get("message", exc))
    quoted = re.search(r'"message"\s*:\s*"([^"]+)"', message)
    return f"the provider answered that {quoted.group(1)}" if quoted else message


class _CutOff(Exception):
    def __init__(self, received: int, cause: str) -> None:
        super().__init__(cause)
        self.received = received
        self.cause = cause


@dataclass
class Pulled:
    path: Path
    bytes: int
    attempts: int  # each one a use of the agreement


def whole(path: Path, media_type: str) -> bool:
    """Does the file hold a complete body of this type? Arrow: every message framed whole and the end-of-stream
    marker last; Parquet: its footer; JSON: the closing bracket; CSV and JSON lines: a line break last.

    Arrow and Parquet are read through their structure (memory-mapped: no data is copied); the text formats are
    judged by their last bytes, and rely on the stream having ended cleanly, which the caller checks first.
    """
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - 8))
        tail = handle.read()
    if "arrow" in media_type:
        if not tail.endswith(ARROW_EOS):
            return False
        import pyarrow as pa

        try:
            with pa.memory_map(str(path)) as source, pa.ipc.open_stream(source) as reader:
                for _ in reader:
                    pass
                return bool(source.tell() == size)
        except (pa.ArrowInvalid, OSError):
            return False
    if "parquet" in media_type:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            pq.read_metadata(path)
        except (pa.ArrowInvalid, OSError):
            return False
        return True
    if media_type == "application/json":
        return tail.rstrip().endswith(b"]")
    return size == 0 or tail.endswith(b"\n")


class Client:
    def __init__(self, url: str, api_key: str, *, transport: httpx.BaseTransport | None = None) -> None:
        self.http = httpx.Client(
            base_url=url.rstrip("/") + "/api", headers={"X-API-Key": api_key}, timeout=60.0, transport=transport
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def _check(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            try:
                error = response.json().get("error", {})
            except ValueError:
                error = {"code": "http-error", "message": response.text[:500]}
            raise ApiError(response.status_code, error)
        return response.json() if response.content else None

    def check(self, response: httpx.Response) -> Any:
        """The JSON of a successful answer; an ``ApiError`` for any other."""
        return self._check(response)

    def raise_for(self, response: httpx.Response) -> None:
        if response.status_code >= 400:
            self._check(response)

    def get(self, path: str, **params: Any) -> Any:
        return self._check(self.http.get(path, params=params or None))

    def post(self, path: str, body: Any = None) -> Any:
        return self._check(self.http.post(path, json=body))

    def patch(self, path: str, body: Any) -> Any:
        return self._check(self.http.patch(path, json=body))

    # ---- the tasks people do ---------------------------------------------------------------------
    def identity(self) -> dict[str, Any]:
        found: dict[str, Any] = self.get("/identity")
        return found

    def add_dataset(
        self,
        path: Path,
        title: str,
        description: str = "",
        dataset_id: str | None = None,
        co_generators: list[str] | None = None,
    ) -> Any:
        params: dict[str, Any] = {"title": title, "filename": path.name, "description": description}
        if dataset_id:
            params["id"] = dataset_id
        if co_generators:
            params["coGenerators"] = co_generators
        with path.open("rb") as handle:
            return self._check(self.http.post("/datasets", params=params, content=handle))

    def add_version(self, dataset_id: str, path: Path) -> Any:
        with path.open("rb") as handle:
            return self._check(
                self.http.post(f"/datasets/{dataset_id}/versions", params={"filename": path.name}, content=handle)
            )

    def ingest(
        self,
        path: Path,
        mapping: str,
        *,
        title: str | None = None,
        dataset_id: str | None = None,
        description: str = "",
        max_errors: int = 0,
        accept_partial: bool = False,
        sheet: str | None = None,
    ) -> Any:
        """Read a factory file through a mapping (YAML or JSON text) into a dataset version of standard data."""
        form: dict[str, str] = {
            "mapping": mapping,
            "description": description,
            "maxErrors": str(max_errors),
            "acceptPartial": "true" if accept_partial else "false",
        }
        form.update({k: v for k, v in {"title": title, "id": dataset_id, "sheet": sheet}.items() if v is not None})
        with path.open("rb") as handle:
            response = self.http.post(
                "/ingest",
                data=form,
                files={"file": (path.name, handle)},
                timeout=httpx.Timeout(60.0, read=None),  # a large file takes as long as it takes to check
            )
        return self._check(response)

    def rejected_rows(self, dataset_id: str) -> bytes:
        response = self.http.get(f"/datasets/{dataset_id}/rejected")
        if response.status_code >= 400:
            self._check(response)
        return response.content

    def derive(self, path: Path, title: str, sources: list[str], operation: str = "derive") -> Any:
        """Register data made from received data; it carries the terms of the agreements it was obtained under."""
        params: dict[str, Any] = {"title": title, "sources": sources, "operation": operation, "filename": path.name}
        with path.open("rb") as handle:
            return self._check(self.http.post("/datasets/derived", params=params, content=handle))

    def create_offer(self, dataset_id: str, policy: dict[str, Any], offer_id: str | None = None) -> Any:
        return self.post("/offers", {"datasetId": dataset_id, "policy": policy, "id": offer_id})

    def catalog(self, peer: str) -> Any:
        return self.post("/catalog", {"peer": peer})

    def negotiate(self, peer: str, dataset_id: str, offer_id: str, purpose: str | None = None) -> Any:
        return self.post(
            "/negotiations", {"peer": peer, "datasetId": dataset_id, "offerId": offer_id, "purpose": purpose}
        )

    def wait_for(self, path: str, done: Callable[[Any], bool], timeout: float = 30.0, interval: float = 0.05) -> Any:
        """Poll ``path`` until ``done(result)`` or the deadline passes."""
        deadline = time.monotonic() + timeout
        while True:
            current = self.get(path)
            if done(current):
                return current
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path} did not settle within {timeout:.0f}s; last seen: {current}")
            time.sleep(interval)

    def wait_negotiation(self, negotiation_id: str, timeout: float = 30.0) -> Any:
        return self.wait_for(
            f"/negotiations/{negotiation_id}", lambda n: n["state"] in ("FINALIZED", "TERMINATED"), timeout
        )

    def start_transfer(self, agreement_id: str) -> Any:
        return self.post("/transfers", {"agreementId": agreement_id})

    def wait_transfer_ready(self, transfer_id: str, timeout: float = 30.0) -> Any:
        return self.wait_for(
            f"/transfers/{transfer_id}", lambda t: t["ready"] or t["state"] in ("TERMINATED", "COMPLETED"), timeout
        )

    def pull(
        self,
        transfer_id: str,
        out: Path,
        accept: str,
        *,
        retries: int = 0,
        progress: Callable[[int], None] | None = None,
    ) -> Pulled:
        """Pull a transfer's data into ``out``, whole or not at all.

        The body goes to a hidden name beside ``out`` and is renamed only when it ended cleanly and ends as its
        format ends (Arrow's end-of-stream marker, Parquet's footer, JSON's bracket, a last line break). A pull cut
        off is tried again up to ``retries`` times — each try is a use of the agreement, which the provider refuses
        when the terms allow no more — and otherwise deleted: ``PullCutOff`` says what happened in a sentence.
        """
        temp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.partial")
        last: _CutOff | None = None
        unreachable: ApiError | None = None
        try:
            for attempt in range(1, retries + 2):
                if attempt > 1:
                    time.sleep(min(2.0 ** (attempt - 2), 8.0))  # a provider that restarts needs a moment
                try:
                    size = self._pull_once(transfer_id, temp, accept, progress)
                except _CutOff as cut:
                    temp.unlink(missing_ok=True)
                    last = cut
                    continue
                except ApiError as exc:
                    if exc.status >= 500 and attempt <= retries:
                        unreachable = exc
                        continue  # unreachable or busy: worth another try, if the person allowed one
                    if last is None:
                        raise
                    raise PullCutOff(last.received, last.cause, attempt - 1, _refusal(exc)) from None
                os.replace(temp, out)
                return Pulled(out, size, attempt)
            if last is None:
                assert unreachable is not None
                raise unreachable
            raise PullCutOff(last.received, last.cause, retries + 1)
        finally:
            temp.unlink(missing_ok=True)

    def _pull_once(self, transfer_id: str, temp: Path, accept: str, progress: Callable[[int], None] | None) -> int:
        received = 0
        try:
            with self.download(transfer_id, accept) as response, temp.open("wb") as handle:
                for chunk in response.iter_bytes(1 << 20):
                    handle.write(chunk)
                    received += len(chunk)
                    if progress is not None:
                        progress(received)
        except httpx.RemoteProtocolError:
            raise _CutOff(received, "the provider stopped sending") from None
        except httpx.TimeoutException:
            raise _CutOff(received, "nothing arrived for a minute") from None
        except httpx.TransportError as exc:
            raise _CutOff(received, f"the connection broke: {exc or type(exc).__name__}") from None
        media_type = response.headers.get("content-type", accept).split(";")[0].strip()
        if not whole(temp, media_type):
            raise _CutOff(received, "the data ended before its end marker")
        return received

    @contextmanager
    def download(self, transfer_id: str, accept: str | None = None) -> Iterator[httpx.Response]:
        headers = {"Accept": accept} if accept else {}
        with self.http.stream("GET", f"/transfers/{transfer_id}/data", headers=headers) as response:
            if response.status_code >= 400:
                response.read()
                self._check(response)
            yield response

    def aggregate(self, transfer_id: str, group_by: list[str], measures: list[dict[str, Any]]) -> Any:
        """Aggregates of a transfer's data, for agreements that allow aggregates only (small groups left out)."""
        return self.post(f"/transfers/{transfer_id}/aggregate", {"groupBy": group_by, "measures": measures})

    def complete_transfer(self, transfer_id: str) -> Any:
        return self.post(f"/transfers/{transfer_id}/complete")
