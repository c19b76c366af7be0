"""The store of datasets: their descriptions, their versions (the files), and their sources (lineage)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sangsaeng.store.records import Dataset, DatasetVersion, Source


class Datasets(Protocol):
    async def add(self, dataset: Dataset) -> None:
        """Keep a new dataset, without versions (``dataset.latest`` is not read). ``Conflict`` when its id is stored
        already."""
        ...

    async def get(self, dataset_id: str) -> Dataset | None:
        """The dataset with its latest version, or None."""
        ...

    async def page(self, offset: int = 0, limit: int = 100, *, offered_only: bool = False) -> list[Dataset]:
        """Oldest first (by creation, then id), each with its latest version; ``offered_only``: those with an offer."""
        ...

    async def count(self, *, offered_only: bool = False) -> int: ...

    async def stored_bytes(self) -> int:
        """The bytes of every version of every dataset, together (what a hosted connector's cap counts)."""
        ...

    async def set_listed_at_hub(self, dataset_id: str, listed: bool) -> bool:
        """Whether the dataspace's hub may list the dataset; False when no such dataset is stored."""
        ...

    async def add_version(self, version: DatasetVersion) -> None:
        """Keep a version; the dataset's latest becomes the highest number kept. ``Conflict`` when the dataset has
        this version number already, or the dataset is not stored."""
        ...

    async def add_sources(self, sources: Sequence[Source]) -> None:
        """Keep what a dataset was made from. ``Conflict`` when a (dataset, position) is stored already, or the
        dataset is not stored."""
        ...

    async def sources_of(self, dataset_id: str) -> list[Source]:
        """A dataset's sources by position (empty for one with none, or an unknown id)."""
        ...
