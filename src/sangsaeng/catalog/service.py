"""Datasets, offers and the DSP catalog (DCAT with ODRL offers in ``hasPolicy``, DSP 2025-1 § 2)."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

import anyio
import httpx
import orjson

from sangsaeng.catalog import rights
from sangsaeng.catalog.files import StoredFile, describe, is_stream, rejected_key, store_version, version_key
from sangsaeng.connector import Connector, new_pid
from sangsaeng.dsp import catalog as dsp
from sangsaeng.dsp.catalog import CatalogRequest, DataService, Distribution
from sangsaeng.encoding.strict import read_json
from sangsaeng.errors import Conflict, InvalidInput, NotFound, PeerError
from sangsaeng.identity.directory import UnsafeAddress, under
from sangsaeng.policy import templates
from sangsaeng.policy.access import Attributes, Audience, offer_audience, parse_access_policy
from sangsaeng.policy.model import parse_policy
from sangsaeng.standard.entities import ENTITIES, SCHEMA_BASE
from sangsaeng.store.records import CatalogEntry, Dataset, DatasetVersion, Offer, Source

if TYPE_CHECKING:
    from sangsaeng.standard.findings import Report
    from sangsaeng.standard.ingest import IngestResult
    from sangsaeng.standard.mapping import Mapping

RULE_KEYS = ("permission", "prohibition", "obligation")
_Rendered = tuple[bytes, Audience]  # an offer as the catalog shows it, and who sees it


class CatalogService:
    OFFERS_KEPT = 100_000

    def __init__(self, connector: Connector) -> None:
        self.c = connector
        # The catalog rendered at one revision, with each offer's audience; used only while the revision in the
        # database is the one it was rendered at, whichever process changed the catalog. Each caller's answer
        # is filtered from it (who sees what), so pages and totals count what that caller sees.
        self._kept: _Revision | None = None
        # Offers never change once published: their rendered form and audience are kept across revisions.
        self._offers: dict[str, _Rendered] = {}
        self._distribution = b'],"distribution":' + orjson.dumps([Distribution(self.service_id).body()]) + b"}"
        envelope = dsp.Catalog(
            f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, self.c.participant_id)}",
            self.c.participant_id,
            DataService(self.service_id, self.c.protocol_url),
        )
        self._envelope = orjson.dumps(envelope.body())

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
        stored = await anyio.to_thread.run_sync(store_version, source, self.c.datasets, target_id, version, fmt)
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

        The version appears whole or not at all: with more errors than ``max_errors`` (and no ``accept_partial``)
        nothing is registered and the dataset is ``None``; with no row to keep (every row set aside, or none read)
        it is refused (``ingest.NothingKept``, an ``InvalidInput``) rather than made empty. A file already ingested
        through the same mapping as the dataset's latest version adds no version (``result.unchanged``)."""
        from sangsaeng.digest import sha256_file
        from sangsaeng.standard.ingest import IngestResult, ingest, origin
        from sangsaeng.standard.validation import Report
        from sangsaeng.standard.workbook import Limits

        existing, version = await self._next_version(dataset_id, title)
        source_hash = await anyio.to_thread.run_sync(sha256_file, source)
        made_from = origin(source_hash, mapping.to_yaml())
        if existing is not None and existing.latest is not None and existing.latest.origin == made_from:
            latest = existing.latest
            return existing, IngestResult(Report(), True, Path(latest.path), latest.rows, 0, None, True, made_from)
        target_id = dataset_id or new_pid()
        key = version_key(target_id, version)
        # Written whole in the store's staging folder (the rows set aside beside it), then put into the store.
        output = self.c.datasets.staging() / f"{uuid.uuid4().hex}.parquet"
        try:
            result = await anyio.to_thread.run_sync(
                lambda: ingest(
                    source,
                    mapping,
                    output,
                    max_errors=max_errors,
                    accept_partial=accept_partial,
                    sheet=sheet,
                    source_sha256=source_hash,
                    limits=Limits.of(self.c.settings),
                )
            )
            if not result.written:
                return None, result
            stored = await anyio.to_thread.run_sync(self._put_ingested, output, key, result.rejected)
        finally:
            output.unlink(missing_ok=True)
            output.with_name(output.stem + ".rejected.csv").unlink(missing_ok=True)
        dataset = await self._record_version(
            existing, target_id, title, description, version, stored, entity=mapping.entity, origin=made_from
        )
        return dataset, result

    async def check_file(self, source: Path, mapping: Mapping, *, sheet: str | None = None) -> Report:
        """Every problem of a factory file read through a mapping, within this connector's upload limits; writes
        nothing. The report is read a page at a time (``Report.page``)."""
        from sangsaeng.standard.company import Company
        from sangsaeng.standard.ingest import check_file
        from sangsaeng.standard.workbook import Limits

        settings = self.c.settings
        limits, company = Limits.of(settings), Company.of(settings.participant_id, settings.name, settings.public_url)
        return await anyio.to_thread.run_sync(lambda: check_file(source, mapping, sheet, limits, company))

    async def _next_version(self, dataset_id: str | None, title: str | None) -> tuple[Dataset | None, int]:
        async with self.c.store.begin() as tx:
            existing = await tx.datasets.get(dataset_id) if dataset_id else None
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
                await tx.catalog.bump_revision()
                if existing is None:
                    await tx.datasets.add(
                        Dataset(
                            id=target_id,
                            title=title or "",
                            description=description,
                            created_at=now,
                            co_generators=co_generators,
                        )
                    )
                    await tx.datasets.add_sources(sources or [])
                await tx.datasets.add_version(
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
                dataset = await tx.datasets.get(target_id)
        except Conflict as exc:  # another request took this dataset id or version number meanwhile
            await self._discard(stored)
            raise Conflict(
                f"dataset {target_id} was changed by another request at the same moment",
                hint="send the request again",
            ) from exc
        except BaseException:
            await self._discard(stored)
            raise
        assert dataset is not None
        return dataset

    def stream_dataset_id(self, name: str) -> str:
        """The id of the dataset stream ``name`` lands in: the same at every registration."""
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.c.participant_id}/streams/{name}')}"

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
        dataset_id = self.stream_dataset_id(name)
        async with self.c.store.begin() as tx:
            existing = await tx.datasets.get(dataset_id)
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
                again = await tx.datasets.get(dataset_id)
            if again is None:
                raise
            return again, False
        return dataset, True

    def _put_ingested(self, output: Path, key: str, rejected: Path | None) -> StoredFile:
        """An ingest's file (and the rows it set aside) into the dataset store: both, or neither."""
        stored = describe(output, key)
        if rejected is not None:
            self.c.datasets.put(rejected, rejected_key(key))
        try:
            self.c.datasets.put(output, key)
        except BaseException:
            self.c.datasets.delete(rejected_key(key))
            raise
        return stored

    async def _discard(self, stored: StoredFile) -> None:
        """Remove a version's files that the database did not take (a stream's parts belong to its ingester)."""
        if is_stream(stored.relative_path):
            return

        def remove() -> None:
            self.c.datasets.delete(stored.relative_path)
            self.c.datasets.delete(rejected_key(stored.relative_path))

        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(remove)

    async def create_offer(
        self,
        dataset_id: str,
        policy: dict[str, Any] | None,
        offer_id: str | None = None,
        *,
        template: str | None = None,
        parameters: dict[str, Any] | None = None,
        access_policy: dict[str, Any] | None = None,
    ) -> Offer:
        """Publish an offer: a policy, or a named template filled in. A dataset made from received data is offered
        only as far as its sources' agreements allow. ``access_policy`` says who sees the offer in the catalog
        (``participant`` and credential attributes only); without one, whoever the policy could grant it to."""
        if (policy is None) == (template is None):
            raise InvalidInput("give either a policy or a template", position="policy")
        if template is not None:
            # A template's audience follows from its own participants (quality-to-customer: that customer only).
            policy = templates.template(template).policy(parameters or {})
        if not isinstance(policy, dict):
            raise InvalidInput("the policy must be a JSON object", position="policy")
        if "target" in policy:
            raise InvalidInput(
                "an offer names no target: it is published for the dataset it belongs to", position="policy.target"
            )
        parsed = parse_policy(policy, where="policy", purposes=self.c.purposes)
        if access_policy is not None:
            if not isinstance(access_policy, dict):
                raise InvalidInput("the access policy must be a JSON object", position="accessPolicy")
            parse_access_policy(access_policy, where="accessPolicy")
            access_policy = {k: v for k, v in access_policy.items() if k in RULE_KEYS}
        offer = Offer(
            id=offer_id or policy.get("@id") or new_pid(),
            dataset_id=dataset_id,
            policy={"@type": "Offer", **{k: v for k, v in policy.items() if k in RULE_KEYS or k == "profile"}},
            created_at=self.c.now(),
            access_policy=access_policy,
        )
        async with self.c.store.begin() as tx:
            dataset = await tx.datasets.get(dataset_id)
            if dataset is None:
                raise NotFound(f"no dataset {dataset_id}", position="datasetId")
            await rights.check_offer(self.c, tx, dataset, parsed)
            if await tx.offers.get(offer.id) is not None:
                raise Conflict(f"an offer {offer.id} exists already", position="id")
            await tx.offers.add(offer)
            await tx.catalog.bump_revision()
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
        stored = await anyio.to_thread.run_sync(store_version, source, self.c.datasets, dataset_id, 1, fmt)
        made = [dataclasses.replace(s, dataset_id=dataset_id) for s in sources]
        return await self._record_version(
            None, dataset_id, title, description, 1, stored, sources=made, co_generators=co_generators
        )

    # ---- protocol --------------------------------------------------------------------------------
    def _offer(self, offer_id: str, policy: dict[str, Any], access_policy: dict[str, Any] | None) -> _Rendered:
        """An offer as the catalog shows it, and who sees it; worked out once (offers never change) and kept."""
        found = self._offers.get(offer_id)
        if found is None:
            rendered = orjson.dumps(dsp.offer(offer_id, policy))
            found = (rendered, offer_audience(policy, access_policy, self.c.purposes))
            if len(self._offers) >= self.OFFERS_KEPT:
                self._offers.pop(next(iter(self._offers)))
            self._offers[offer_id] = found
        return found

    def visible_to(self, offer: Offer) -> dict[str, Any]:
        """Who sees the offer in the catalog, for people and the API."""
        return self._offer(offer.id, offer.policy, offer.access_policy)[1].describe()

    def sees(self, offer: Offer, caller: str, attributes: Attributes) -> bool:
        """May the caller see this offer (and so ask for it)?"""
        return self._offer(offer.id, offer.policy, offer.access_policy)[1].sees(caller, attributes)

    def _entry(self, e: CatalogEntry) -> _Entry:
        head = dsp.Dataset(e.dataset_id, e.title, e.description, conforms_to(e.entity), e.listed_at_hub).head()
        offers = [self._offer(offer_id, policy, access) for offer_id, policy, access in e.offers]
        return _Entry(orjson.dumps(head)[:-1] + b',"hasPolicy":[', self._distribution, offers)

    async def _current(self) -> _Revision:
        """The catalog as of the revision in the database: every offered dataset rendered, with who sees what."""
        async with self.c.store.begin() as tx:
            revision = await tx.catalog.revision()
            if self._kept is not None and self._kept.revision == revision:
                return self._kept
            entries = await tx.catalog.entries()
        kept = _Revision(revision, [self._entry(e) for e in entries])
        self._kept = kept
        return kept

    async def catalog(
        self, body: Any, offset: int, limit: int, caller: str, attributes: Attributes
    ) -> tuple[bytes, int]:
        """A page of the catalog as the caller may see it (JSON), and how many datasets the caller sees in all."""
        CatalogRequest.read(body)  # no filters in our profile: one is refused, not ignored
        current = await self._current()
        # Where every offer is for everyone, every caller gets the same answer: one entry serves them all.
        viewer = (
            None if current.open else (caller, tuple(sorted((k, tuple(sorted(v))) for k, v in attributes.items() if v)))
        )
        page = current.pages.get((viewer, offset, limit))
        if page is not None:
            return page
        seen = current.seen.get(viewer)
        if seen is None:
            seen = [d for d in (e.shown_to(caller, attributes) for e in current.entries) if d is not None]
            current.keep(current.seen, viewer, seen)
        datasets = seen[offset : offset + limit]
        rendered = self._envelope[:-1] + (b',"dataset":[' + b",".join(datasets) + b"]}" if datasets else b"}")
        page = (rendered, len(seen))
        current.keep(current.pages, (viewer, offset, limit), page)
        return page

    async def dataset(self, dataset_id: str, caller: str, attributes: Attributes) -> dict[str, Any]:
        """One dataset with the offers the caller may see; unknown and hidden are answered alike."""
        async with self.c.store.begin() as tx:
            dataset = await tx.datasets.get(dataset_id)
            offers = (await tx.offers.for_datasets([dataset_id]))[dataset_id] if dataset else []
        shown = [o for o in offers if self.sees(o, caller, attributes)]
        if dataset is None or not shown:
            raise NotFound("no such dataset")
        listed = [dsp.offer(o.id, o.policy) for o in shown]
        entity = dataset.latest.entity if dataset.latest else None
        described = dsp.Dataset(
            dataset.id, dataset.title, dataset.description, conforms_to(entity), dataset.listed_at_hub
        )
        return described.body(listed, Distribution(self.service_id))

    async def tag(self, caller: str, attributes: Attributes, offset: int, limit: int) -> str:
        """The catalog page's entity tag: the same while the catalog's revision and what this caller sees are, so
        a caller that asks again with ``If-None-Match`` (the hub's crawl) is answered in a few bytes."""
        current = await self._current()
        viewer = sorted((k, sorted(v)) for k, v in attributes.items() if v)
        seen = orjson.dumps([self._envelope.decode(), current.revision, caller, viewer, offset, limit])
        return f'"{hashlib.sha256(seen).hexdigest()[:32]}"'


def conforms_to(entity: str | None) -> str:
    """The schema id a dataset of a standard entity conforms to (``standard/entities.py``), or "" for none."""
    model = ENTITIES.get(entity or "")
    return f"{SCHEMA_BASE}:{model.entity}:v{model.schema_version}" if model else ""


@dataclasses.dataclass
class _Entry:
    """One offered dataset, rendered in pieces: the part before its offers, after them, and each offer."""

    head: bytes
    tail: bytes
    offers: list[_Rendered]
    whole: bytes = b""  # the dataset with every offer, when every offer is shown to everyone

    def __post_init__(self) -> None:
        if all(a.everyone for _, a in self.offers):
            self.whole = self.head + b",".join(o for o, _ in self.offers) + self.tail

    def shown_to(self, caller: str, attributes: Attributes) -> bytes | None:
        if self.whole:
            return self.whole
        shown = [o for o, a in self.offers if a.sees(caller, attributes)]
        return self.head + b",".join(shown) + self.tail if shown else None


@dataclasses.dataclass
class _Revision:
    """The catalog at one revision, and what was answered from it: each viewer's datasets, each page."""

    revision: int
    entries: list[_Entry]
    seen: dict[Any, list[bytes]] = dataclasses.field(default_factory=dict)
    pages: dict[Any, tuple[bytes, int]] = dataclasses.field(default_factory=dict)
    open: bool = False  # every offer is shown to everyone
    KEPT: ClassVar[int] = 64

    def __post_init__(self) -> None:
        self.open = all(e.whole for e in self.entries)

    def keep(self, where: dict[Any, Any], key: Any, value: Any) -> None:
        if len(where) >= self.KEPT:
            where.pop(next(iter(where)))
        where[key] = value


async def fetch_catalog(connector: Connector, peer: str) -> dict[str, Any]:
    """Ask a peer for its whole catalog, following the binding's ``Link: rel="next"`` pages."""
    merged, _ = await fetch_catalog_since(connector, peer, None)
    assert merged is not None
    return merged


async def fetch_catalog_since(
    connector: Connector, peer: str, tag: str | None
) -> tuple[dict[str, Any] | None, str | None]:
    """A peer's whole catalog and the entity tag of its first page; (None, tag) when the peer says its catalog is
    the one ``tag`` named (304 to ``If-None-Match``: the catalog request is a safe query, answered like a GET)."""
    participant = connector.directory.get(peer)
    url: str | None = f"{participant.endpoint.rstrip('/')}/catalog/request"
    merged: dict[str, Any] | None = None
    first_tag: str | None = None
    pages = read = 0
    while url and pages < 1000:
        asked = {"If-None-Match": tag} if tag and pages == 0 else None
        try:
            response = await connector.peer.post(url, peer, CatalogRequest().body(), asked)
        except httpx.TransportError as exc:
            raise PeerError(f"{peer} could not be reached: {exc}") from exc
        if response.status_code == 304 and asked:
            return None, tag
        if pages == 0:
            first_tag = response.headers.get("etag")
        if response.status_code == 429:
            raise _busy(peer, response)
        if response.status_code != 200:
            raise PeerError(f"{peer} refused the catalog request (HTTP {response.status_code}): {response.text[:300]}")
        read += len(response.content)  # each page is bounded, and so are all of them: a peer may link on and on
        if read > connector.settings.max_peer_answer:
            raise PeerError(
                f"{peer}'s catalog is larger than {connector.settings.max_peer_answer:,} bytes in all; it was not read",
                hint="raise the setting max_peer_answer if the provider's catalog is that large",
            )
        page = _answer(connector, peer, response, "catalog")
        if not isinstance(page.get("dataset", []), list):
            raise PeerError(f"{peer} answered a catalog whose 'dataset' is not a list", position="dataset")
        if merged is None:
            merged = page
        else:
            merged.setdefault("dataset", []).extend(page.get("dataset", []))
        url = _next_page(peer, participant.endpoint, response)
        pages += 1
    assert merged is not None
    return merged, first_tag


def _next_page(peer: str, endpoint: str, response: httpx.Response) -> str | None:
    """The next page a peer's ``Link`` names, followed only under its endpoint in the directory: the request
    carries our signed token, and a provider must not point it at another host, port or path."""
    link = response.links.get("next", {}).get("url")
    if not link:
        return None
    refused = PeerError(
        f"{peer} names a next page of its catalog outside its protocol endpoint: {link[:200]}",
        hint=f"the provider should link pages under {endpoint}",
    )
    try:
        url = response.url.join(link)  # a relative link is relative to the page
        inside = under(str(url.copy_with(query=None, fragment=None)), endpoint)
    except (httpx.InvalidURL, UnsafeAddress):
        raise refused from None
    if inside is None:
        raise refused
    return str(url.copy_with(fragment=None))


async def fetch_dataset(connector: Connector, peer: str, dataset_id: str) -> dict[str, Any]:

    participant = connector.directory.get(peer)
    url = f"{participant.endpoint.rstrip('/')}/catalog/datasets/{quote(dataset_id, safe=':')}"
    try:
        response = await connector.peer.get(url, peer)
    except httpx.TransportError as exc:
        raise PeerError(f"{peer} could not be reached: {exc}") from exc
    if response.status_code == 404:
        raise NotFound(f"{peer} offers no dataset {dataset_id}")
    if response.status_code == 429:
        raise _busy(peer, response)
    if response.status_code != 200:
        raise PeerError(f"{peer} refused the dataset request (HTTP {response.status_code})")
    return _answer(connector, peer, response, "dataset")


def _answer(connector: Connector, peer: str, response: httpx.Response, what: str) -> dict[str, Any]:
    """A peer's answer as a JSON object of the depth and text we accept ourselves; a provider could send any
    bytes, and what we pass on to our own API must encode."""
    try:
        found = read_json(response.content, connector.settings.max_json_depth, PeerError)
    except PeerError as exc:
        raise PeerError(f"{peer} answered a {what} that is not usable: {exc.message}", position=exc.position) from None
    if not isinstance(found, dict):
        raise PeerError(f"{peer} answered a {what} that is not a JSON object")
    return found


def _busy(peer: str, response: httpx.Response) -> PeerError:
    wait = response.headers.get("retry-after", "")
    when = f"in {wait} s" if wait.isdigit() else "later"
    return PeerError(f"{peer} limits how often we may ask; try again {when}", hint="ask again later")
