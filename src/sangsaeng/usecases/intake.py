"""Data coming in: a file registered as a dataset (or a new version), a factory file read through a mapping,
data derived from received data, a machine stream's dataset, the words a company declares for its files, and the
credentials issued to this connector. Each decides who may (``dataset.add``, ``credential.add``) and logs what
it changed, whichever door it came through."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sangsaeng.catalog import vocabulary
from sangsaeng.catalog.service import CatalogService
from sangsaeng.connector import Connector
from sangsaeng.errors import ContentTooLarge
from sangsaeng.i18n.refusals import refused_as
from sangsaeng.roles import Principal, require
from sangsaeng.store.records import Dataset, Term

if TYPE_CHECKING:
    from sangsaeng.identity.credentials import Credential
    from sangsaeng.standard.findings import Report
    from sangsaeng.standard.ingest import IngestResult
    from sangsaeng.standard.mapping import Mapping
    from sangsaeng.standard.suggest import Vocabulary


class Intake:
    def __init__(self, connector: Connector, catalog: CatalogService) -> None:
        self.c, self.catalog = connector, catalog

    def _changed(self, who: Principal, action: str, **about: Any) -> None:
        self.c.audit.note("management", action=action, user=who.name, via=who.door, **about)

    async def _room(self, dataset_id: str | None, incoming: int) -> None:
        """Refuse (413) a file that would take this connector past what its host lets it keep (``Connector.quota``:
        a hub caps each connector it hosts): a new dataset beyond the count, or ``incoming`` bytes beyond the total.
        Checked before the file is read; a connector of its own has no cap."""
        quota = self.c.quota
        if quota.max_datasets is None and quota.max_bytes is None:
            return
        async with self.c.store.begin() as tx:
            new = dataset_id is None or await tx.datasets.get(dataset_id) is None
            count, stored = await tx.datasets.count(), await tx.datasets.stored_bytes()
        if new and quota.max_datasets is not None and count >= quota.max_datasets:
            raise refused_as(ContentTooLarge, "hosting", "quota.datasets", count=count, limit=quota.max_datasets)
        if quota.max_bytes is not None and stored + incoming > quota.max_bytes:
            raise refused_as(
                ContentTooLarge, "hosting", "quota.bytes", stored=stored, size=incoming, limit=quota.max_bytes
            )

    @staticmethod
    def begin(who: Principal) -> None:
        """Refuse at once, before a file is even received, a person who may not add data (a flow of several
        pages asks this first; each step that changes something asks again)."""
        require(who, "dataset.add")

    async def add_version(
        self,
        who: Principal,
        source: Path,
        fmt: str,
        *,
        dataset_id: str | None,
        title: str | None,
        description: str = "",
        co_generators: tuple[str, ...] = (),
    ) -> Dataset:
        """A CSV or Parquet file as a new dataset, or as a new version of ``dataset_id``."""
        require(who, "dataset.add")
        await self._room(dataset_id, source.stat().st_size)
        dataset = await self.catalog.add_version(
            source, fmt, dataset_id=dataset_id, title=title, description=description, co_generators=co_generators
        )
        latest = dataset.latest
        self._changed(
            who,
            "dataset.version",
            dataset=dataset.id,
            version=latest.version if latest else None,
            sha256=latest.sha256 if latest else None,
        )
        return dataset

    async def ingest(
        self,
        who: Principal,
        source: Path,
        mapping: Mapping,
        *,
        dataset_id: str | None,
        title: str | None,
        description: str = "",
        max_errors: int = 0,
        accept_partial: bool = False,
        sheet: str | None = None,
    ) -> tuple[Dataset | None, IngestResult]:
        """A factory file read through a mapping into a version of standard data (whole, or nothing written)."""
        require(who, "dataset.add")
        await self._room(dataset_id, source.stat().st_size)
        dataset, result = await self.catalog.ingest_version(
            source,
            mapping,
            dataset_id=dataset_id,
            title=title,
            description=description,
            max_errors=max_errors,
            accept_partial=accept_partial,
            sheet=sheet,
        )
        self._changed(
            who,
            "dataset.ingest",
            dataset=dataset.id if dataset else None,
            version=dataset.latest.version if dataset and dataset.latest else None,
            entity=mapping.entity,
            origin=result.origin,
            written=dataset is not None,
            problems=result.report.errors,
            rows=result.rows_written,
            set_aside=result.rows_rejected,
            rows_set_aside=result.report.rows_set_aside,
        )
        return dataset, result

    async def check(self, who: Principal, source: Path, mapping: Mapping, *, sheet: str | None = None) -> Report:
        """A factory file's problems through a mapping, before adding it; writes nothing."""
        require(who, "dataset.add")
        return await self.catalog.check_file(source, mapping, sheet=sheet)

    async def derive(
        self,
        who: Principal,
        source: Path,
        fmt: str,
        *,
        title: str,
        agreements: list[str],
        operation: str,
        description: str = "",
    ) -> Dataset:
        """A dataset made from received data: it inherits the terms of the agreements it came under."""
        require(who, "dataset.add")
        await self._room(None, source.stat().st_size)
        dataset = await self.catalog.derive(
            source, fmt, title=title, agreements=agreements, operation=operation, description=description
        )
        self._changed(who, "dataset.derive", dataset=dataset.id, sources=agreements, operation=operation)
        return dataset

    async def register_stream(self, who: Principal, name: str, title: str, description: str) -> tuple[Dataset, bool]:
        """The dataset a machine stream lands in (made on first call), to offer like any other."""
        require(who, "dataset.add")
        await self._room(self.catalog.stream_dataset_id(name), 0)
        dataset, created = await self.catalog.register_stream(name, title, description)
        if created:
            self._changed(who, "stream.registered", dataset=dataset.id, stream=name)
        return dataset, created

    # ---- the company's words -----------------------------------------------------------------------------
    async def words(self, who: Principal, entity: str) -> Vocabulary:
        """The words the company declared for files of ``entity`` (units, codes, headers), for a suggestion."""
        require(who, "dataset.add")
        return await vocabulary.remembered(self.c.store, entity)

    async def declare(self, who: Principal, terms: list[Term], *, logged: bool = True) -> None:
        """Remember words for the company's next files; each declared meaning goes to the log (``logged``)."""
        require(who, "dataset.add")
        await vocabulary.declare(self.c.store, *terms)
        for term in terms if logged else ():
            self._changed(
                who,
                "vocabulary.declare",
                term=term.kind,
                field=term.field,
                written=term.written,
                meaning=term.meaning,
            )

    def now(self) -> datetime:
        return self.c.now()

    # ---- credentials -------------------------------------------------------------------------------------
    def add_credential(self, who: Principal, token: str) -> Credential:
        """Keep a signed credential issued to this connector (checked: issuer's signature, subject, expiry)."""
        require(who, "credential.add")
        c = self.c
        credential = c.wallet.add(token, c.directory.key_of, c.participant_id, c.now())
        self._changed(
            who,
            "credential.add",
            issuer=credential.issuer,
            attributes={k: list(v) for k, v in credential.attributes.items()},
        )
        return credential
