"""Datasets, offers and the DSP catalog (DCAT with ODRL offers in ``hasPolicy``, DSP 2025-1 § 2)."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import anyio
import httpx
import orjson
from sqlalchemy.exc import IntegrityError

from sangsaeng.catalog import rights
from sangsaeng.catalog.files import StoredFile, describe, is_stream, store_version, version_path
from sangsaeng.connector import Connector, new_pid
from sangsaeng.dsp.messages import CONTEXT, PULL_FORMAT, message, read
from sangsaeng.errors import Conflict, InvalidInput, InvalidMessage, NotFound, PeerError
from sangsaeng.policy import templates
from sangsaeng.policy.model import parse_policy
from sangsaeng.store.records import CatalogEntry, Dataset, DatasetVersion, Offer, Source

if TYPE_CHECKING:
    from sangsaeng.standard.ingest import IngestResult
    from sangsaeng.standard.mapping import Mapping

RULE_KEYS = ("permission", "prohibition", "obligation")


class CatalogService:
    PAGES_KEPT = 8

    def __init__(self, connector: Connector) -> None:
        self.c = connector
        # Rendered catalog pages: (offset, limit) → (catalog revision, JSON, total). A page is used only while
        # the revision in the database is the one it was rendered at, whichever process changed the catalog.
        self._pages: dict[tuple[int, int], tuple[int, bytes, int]] = {}

    @property
    def service_id(self) -> str:
        return f"{self.c.participant_id}#dsp"

    # ---- datasets and offers (management) --------------------------------------------------------
    async def add_version(
        self,
        source: Path,
        fmt: str,
        *,
        dataset_id: str | None,
        title: str | None,
        description: str = "",
        co_generators: tuple[str, ...] = (),
    ) -> Dataset:
        """Register a file as a new dataset (no id, or an id not yet known) or as the next version of one."""
        existing, version = await self._next_version(dataset_id, title)
        target_id = dataset_id or new_pid()
        stored = await anyio.to_thread.run_sync(
            store_version, source, self.c.settings.datasets_dir, target_id, version, fmt
        )
        return await self._record_version(
            existing, target_id, title, description, version, stored, co_generators=co_generators
        )

    async def ingest_version(
        self,
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
        """Read a factory file through a mapping into a new dataset version of standard data, in one step.

        The version appears whole or not at all: with more problems than ``max_errors`` (and no
        ``accept_partial``) nothing is registered and the dataset is ``None``. A file already ingested through the
        same mapping as the dataset's latest version adds no version (``result.unchanged``)."""
        from sangsaeng.digest import sha256_file
        from sangsaeng.standard.ingest import IngestResult, ingest, origin
        from sangsaeng.standard.validation import Report

        existing, version = await self._next_version(dataset_id, title)
        source_hash = await anyio.to_thread.run_sync(sha256_file, source)
        made_from = origin(source_hash, mapping.to_yaml())
        if existing is not None and existing.latest is not None and existing.latest.origin == made_from:
            latest = existing.latest
            output = self.c.settings.datasets_dir / latest.path
            return existing, IngestResult(Report(), True, output, latest.rows, 0, None, True, made_from)
        target_id = dataset_id or new_pid()
        relative = version_path(target_id, version)
        target = self.c.settings.datasets_dir / relative
        result = await anyio.to_thread.run_sync(
            lambda: ingest(
                source,
                mapping,
                target,
                max_errors=max_errors,
                accept_partial=accept_partial,
                sheet=sheet,
                source_sha256=source_hash,
            )
        )
        if not result.written:
            return None, result
        stored = await anyio.to_thread.run_sync(describe, target, relative)
        dataset = await self._record_version(
            existing, target_id, title, description, version, stored, entity=mapping.entity, origin=made_from
        )
        return dataset, result

    async def _next_version(self, dataset_id: str | None, title: str | None) -> tuple[Dataset | None, int]:
        async with self.c.store.begin() as tx:
            existing = await tx.get_dataset(dataset_id) if dataset_id else None
        if existing is None and not title:
            raise InvalidInput("a new dataset needs a title", position="title")
        return existing, (existing.latest.version + 1) if existing and existing.latest else 1

    async def _record_version(
        self,
        existing: Dataset | None,
        target_id: str,
        title: str | None,
        description: str,
        version: int,
        stored: StoredFile,
        *,
        entity: str | None = None,
        origin: str | None = None,
        sources: list[Source] | None = None,
        co_generators: tuple[str, ...] = (),
    ) -> Dataset:
        now = self.c.now()
        try:
            async with self.c.store.begin() as tx:
                await tx.bump_catalog_revision()
                if existing is None:
                    await tx.add_dataset(
                        Dataset(
                            id=target_id,
                            title=title or "",
                            description=description,
                            created_at=now,
                            co_generators=co_generators,
                        )
                    )
                    await tx.add_sources(sources or [])
                await tx.add_version(
                    DatasetVersion(
                        dataset_id=target_id,
                        version=version,
                        path=stored.relative_path,
                        columns=stored.columns,
                        rows=stored.rows,
                        bytes=stored.bytes,
                        sha256=stored.sha256,
                        created_at=now,
                        entity=entity,
                        origin=origin,
                    )
                )
                dataset = await tx.get_dataset(target_id)
        except IntegrityError as exc:
            self._discard(stored)
            raise Conflict(
                f"dataset {target_id} was changed by another request at the same moment",
                hint="send the request again",
            ) from exc
        except BaseException:
            self._discard(stored)
            raise
        assert dataset is not None
        return dataset

    async def register_stream(self, name: str, title: str, description: str = "") -> tuple[Dataset, bool]:
        """The dataset a machine stream lands in (made on first call; the same one after): its one version is the
        stream's folder, which grows as the stream commits. Offered, it is read as it stands at each transfer."""
        from sangsaeng.catalog.files import STREAMS
        from sangsaeng.standard.entities import Measurement, arrow_schema
        from sangsaeng.streams.mapping import NAME

        if not NAME.match(name):
            raise InvalidInput(
                f"{name!r} is not a stream name",
                position="name",
                hint="1–63 lower-case letters, digits, '.', '_' or '-'",
            )
        dataset_id = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.c.participant_id}/streams/{name}')}"
        async with self.c.store.begin() as tx:
            existing = await tx.get_dataset(dataset_id)
        if existing is not None:
            return existing, False
        columns = [{"name": f.name, "type": str(f.type)} for f in arrow_schema(Measurement)]
        stored = StoredFile(f"{STREAMS}{name}", columns, 0, 0, "")
        try:
            dataset = await self._record_version(
                None, dataset_id, title or name, description, 1, stored, entity=Measurement.entity
            )
        except Conflict:
            async with self.c.store.begin() as tx:
                again = await tx.get_dataset(dataset_id)
            if again is None:
                raise
            return again, False
        return dataset, True

    def _discard(self, stored: StoredFile) -> None:
        if is_stream(stored.relative_path):
            return  # a stream's folder belongs to its ingester
        path = self.c.settings.datasets_dir / stored.relative_path
        path.unlink(missing_ok=True)
        path.with_name(path.stem + ".rejected.csv").unlink(missing_ok=True)

    async def create_offer(
        self,
        dataset_id: str,
        policy: dict[str, Any] | None,
        offer_id: str | None = None,
        *,
        template: str | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> Offer:
        """Publish an offer: a policy, or a named template filled in. A dataset made from received data is offered
        only as far as its sources' agreements allow."""
        if (policy is None) == (template is None):
            raise InvalidInput("give either a policy or a template", position="policy")
        if template is not None:
            policy = templates.template(template).policy(parameters or {})
        if not isinstance(policy, dict):
            raise InvalidInput("the policy must be a JSON object", position="policy")
        if "target" in policy:
            raise InvalidInput(
                "an offer names no target: it is published for the dataset it belongs to", position="policy.target"
            )
        parsed = parse_policy(policy, where="policy", purposes=self.c.purposes)
        offer = Offer(
            id=offer_id or policy.get("@id") or new_pid(),
            dataset_id=dataset_id,
            policy={"@type": "Offer", **{k: v for k, v in policy.items() if k in RULE_KEYS or k == "profile"}},
            created_at=self.c.now(),
        )
        async with self.c.store.begin() as tx:
            dataset = await tx.get_dataset(dataset_id)
            if dataset is None:
                raise NotFound(f"no dataset {dataset_id}", position="datasetId")
            await rights.check_offer(self.c, tx, dataset, parsed)
            if await tx.get_offer(offer.id) is not None:
                raise Conflict(f"an offer {offer.id} exists already", position="id")
            await tx.add_offer(offer)
            await tx.bump_catalog_revision()
        return offer

    async def derive(
        self,
        source: Path,
        fmt: str,
        *,
        title: str,
        agreements: list[str],
        operation: str,
        description: str = "",
        co_generators: tuple[str, ...] = (),
    ) -> Dataset:
        """Register a dataset made from data received under ``agreements`` (a copy, an aggregate, a join …); it
        carries their terms as its lineage. Refused where an agreement does not permit derived data."""
        sources = await rights.sources_for(self.c, agreements, operation)
        dataset_id = new_pid()
        stored = await anyio.to_thread.run_sync(store_version, source, self.c.settings.datasets_dir, dataset_id, 1, fmt)
        made = [dataclasses.replace(s, dataset_id=dataset_id) for s in sources]
        return await self._record_version(
            None, dataset_id, title, description, 1, stored, sources=made, co_generators=co_generators
        )

    # ---- protocol --------------------------------------------------------------------------------
    def _dataset(self, entry_: CatalogEntry) -> dict[str, Any]:
        entry: dict[str, Any] = {"@id": entry_.dataset_id, "@type": "Dataset"}
        if entry_.title:
            entry["title"] = entry_.title
        if entry_.description:
            entry["description"] = entry_.description
        entry["hasPolicy"] = [{**policy, "@id": offer_id, "@type": "Offer"} for offer_id, policy in entry_.offers]
        entry["distribution"] = [{"@type": "Distribution", "format": PULL_FORMAT, "accessService": self.service_id}]
        return entry

    async def catalog(self, body: Any, offset: int, limit: int) -> tuple[bytes, int]:
        """A page of the catalog as JSON, and how many datasets the whole catalog has."""
        msg = read(body, "CatalogRequestMessage")
        filters = msg.get("filter", [])
        if filters not in ([], None):
            raise InvalidMessage("catalog filters are not supported; send an empty filter", position="filter")
        async with self.c.store.begin() as tx:
            revision = await tx.catalog_revision()
            kept = self._pages.get((offset, limit))
            if kept is not None and kept[0] == revision:
                return kept[1], kept[2]
            total = await tx.count_datasets(offered_only=True)
            entries = await tx.catalog_entries(offset, limit)
        catalog = message(
            "Catalog",
            **{"@id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, self.c.participant_id)}"},
            participantId=self.c.participant_id,
            service=[{"@id": self.service_id, "@type": "DataService", "endpointURL": self.c.protocol_url}],
        )
        if entries:
            catalog["dataset"] = [self._dataset(e) for e in entries]
        rendered = orjson.dumps(catalog)
        self._pages = {k: v for k, v in self._pages.items() if v[0] == revision}
        if len(self._pages) < self.PAGES_KEPT:
            self._pages[(offset, limit)] = (revision, rendered, total)
        return rendered, total

    async def dataset(self, dataset_id: str) -> dict[str, Any]:
        async with self.c.store.begin() as tx:
            dataset = await tx.get_dataset(dataset_id)
            offers = (await tx.offers_for([dataset_id]))[dataset_id] if dataset else []
        if dataset is None or not offers:
            raise NotFound("no such dataset")
        entry = CatalogEntry(dataset.id, dataset.title, dataset.description, [(o.id, o.policy) for o in offers])
        return {"@context": CONTEXT, **self._dataset(entry)}


async def fetch_catalog(connector: Connector, peer: str) -> dict[str, Any]:
    """Ask a peer for its whole catalog, following the binding's ``Link: rel="next"`` pages."""
    participant = connector.directory.get(peer)
    url: str | None = f"{participant.endpoint.rstrip('/')}/catalog/request"
    merged: dict[str, Any] | None = None
    pages = 0
    while url and pages < 1000:
        try:
            response = await connector.peer.post(url, peer, message("CatalogRequestMessage", filter=[]))
        except httpx.TransportError as exc:
            raise PeerError(f"{peer} could not be reached: {exc}") from exc
        if response.status_code != 200:
            raise PeerError(f"{peer} refused the catalog request (HTTP {response.status_code}): {response.text[:300]}")
        page = response.json()
        if merged is None:
            merged = page
        else:
            merged.setdefault("dataset", []).extend(page.get("dataset", []))
        url = response.links.get("next", {}).get("url")
        pages += 1
    assert merged is not None
    return merged


async def fetch_dataset(connector: Connector, peer: str, dataset_id: str) -> dict[str, Any]:

    participant = connector.directory.get(peer)
    url = f"{participant.endpoint.rstrip('/')}/catalog/datasets/{quote(dataset_id, safe=':')}"
    try:
        response = await connector.peer.get(url, peer)
    except httpx.TransportError as exc:
        raise PeerError(f"{peer} could not be reached: {exc}") from exc
    if response.status_code == 404:
        raise NotFound(f"{peer} offers no dataset {dataset_id}")
    if response.status_code != 200:
        raise PeerError(f"{peer} refused the dataset request (HTTP {response.status_code})")
    found: dict[str, Any] = response.json()
    return found
