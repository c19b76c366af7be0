"""Management API (``/api``): what a company's own people and tools use. Needs the connector's API key."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import StreamingResponse

from sangsaeng.catalog import rights
from sangsaeng.catalog.files import detect_format, rejected_key
from sangsaeng.catalog.service import fetch_catalog, fetch_dataset
from sangsaeng.errors import DataRejected, InvalidInput, NotFound
from sangsaeng.identity import credentials
from sangsaeng.identity.keys import public_jwk
from sangsaeng.policy import templates
from sangsaeng.policy.decide import RequestContext, decide
from sangsaeng.policy.model import parse_policy
from sangsaeng.roles import API_KEY
from sangsaeng.store.records import Agreement
from sangsaeng.web.deps import ServicesDep, api_key
from sangsaeng.web.limits import MAX_POSITION
from sangsaeng.web.schemas import (
    AgreementOut,
    CatalogIn,
    CredentialIn,
    DatasetChangeIn,
    DatasetOut,
    DutyIn,
    ExplainIn,
    ExplainOut,
    Identity,
    IngestOut,
    NegotiationIn,
    NegotiationOut,
    OfferIn,
    OfferOut,
    ReasonIn,
)

router = APIRouter(prefix="/api", dependencies=[Depends(api_key)], tags=["management"])
Offset = Annotated[int, Query(ge=0, le=MAX_POSITION)]
Limit = Annotated[int, Query(ge=1, le=1000)]
MAX_UPLOAD = 64 << 30


@router.get("/identity")
async def identity(svc: ServicesDep) -> Identity:
    c = svc.connector
    return Identity(
        participant_id=c.participant_id,
        name=c.settings.name,
        protocol_endpoint=c.protocol_url,
        public_key=public_jwk(c.key.public_key()),
    )


# ---- credentials ---------------------------------------------------------------------------------
@router.get("/credentials", summary="The signed credentials this connector presents to providers")
async def list_credentials(svc: ServicesDep) -> list[dict[str, Any]]:
    c = svc.connector
    shown = []
    for token in c.wallet.tokens():
        try:
            credential = credentials.read(token, c.directory.key_of, c.now())
        except ValueError as exc:
            shown.append({"valid": False, "problem": str(exc)})
            continue
        shown.append(
            {
                "valid": True,
                "issuer": credential.issuer,
                "attributes": {k: list(v) for k, v in credential.attributes.items()},
                "expiresAt": credential.expires_at.isoformat(),
            }
        )
    return shown


@router.post("/credentials", status_code=201, summary="Keep a signed credential issued to this connector")
async def add_credential(body: CredentialIn, svc: ServicesDep) -> dict[str, Any]:
    credential = svc.intake.add_credential(API_KEY, body.token)
    return {"issuer": credential.issuer, "attributes": {k: list(v) for k, v in credential.attributes.items()}}


# ---- datasets -----------------------------------------------------------------------------------
async def _spool(request: Request) -> Path:
    """Write the request body to a temporary file as it arrives (never the whole upload in memory)."""
    handle = tempfile.NamedTemporaryFile(prefix="sangsaeng-upload-", delete=False)
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_UPLOAD:
                raise InvalidInput("the upload is larger than 64 GiB")
            await anyio.to_thread.run_sync(handle.write, chunk)
    except BaseException:
        handle.close()
        Path(handle.name).unlink(missing_ok=True)
        raise
    handle.close()
    if size == 0:
        Path(handle.name).unlink(missing_ok=True)
        raise InvalidInput("the request body is empty", hint="send the CSV or Parquet file as the body")
    return Path(handle.name)


async def _register(
    request: Request,
    svc: ServicesDep,
    filename: str,
    dataset_id: str | None,
    title: str | None,
    description: str,
    co_generators: tuple[str, ...] = (),
) -> DatasetOut:
    fmt = detect_format(filename, request.headers.get("content-type"))
    svc.intake.begin(API_KEY)  # refused before the body is read, not after
    spooled = await _spool(request)
    try:
        source = spooled.with_suffix(Path(filename).suffix or ".bin")
        spooled.rename(source)
        dataset = await svc.intake.add_version(
            API_KEY,
            source,
            fmt,
            dataset_id=dataset_id,
            title=title,
            description=description,
            co_generators=co_generators,
        )
    finally:
        spooled.unlink(missing_ok=True)
        spooled.with_suffix(Path(filename).suffix or ".bin").unlink(missing_ok=True)
    return DatasetOut.of(dataset)


@router.post("/datasets", status_code=201, summary="Register a CSV or Parquet file (the body) as a new dataset")
async def add_dataset(
    request: Request,
    svc: ServicesDep,
    title: Annotated[str, Query(min_length=1, max_length=500)],
    filename: Annotated[str, Query(description="Original file name; its suffix tells the format")] = "data.csv",
    description: str = "",
    id: Annotated[str | None, Query(description="Dataset id; a urn:uuid is generated when absent")] = None,
    co_generators: Annotated[
        list[str], Query(alias="coGenerators", description="Participants who generated the data with us")
    ] = [],  # noqa: B006
) -> DatasetOut:
    if id is not None and await svc.offers.find_dataset(API_KEY, id) is not None:
        raise InvalidInput(f"dataset {id} exists; add a version with POST /api/datasets/{{id}}/versions")
    return await _register(request, svc, filename, id, title, description, tuple(co_generators))


@router.post("/datasets/{dataset_id}/versions", status_code=201, summary="Add a new version of a dataset")
async def add_version(
    dataset_id: str,
    request: Request,
    svc: ServicesDep,
    filename: str = "data.csv",
) -> DatasetOut:
    await svc.offers.dataset(API_KEY, dataset_id)
    return await _register(request, svc, filename, dataset_id, None, "")


@router.post(
    "/ingest",
    status_code=201,
    summary="Read a factory file (CSV, Excel, JSON lines, Parquet) through a mapping into a dataset of standard data",
    responses={
        400: {"description": "Not readable, or no row to keep: nothing was written (`details` has the counts)"},
        422: {"description": "More errors than allowed: nothing was written; `details.report` says which"},
    },
)
async def ingest_dataset(
    svc: ServicesDep,
    file: Annotated[UploadFile, File(description="The source file; its name's suffix tells the format")],
    mapping: Annotated[str, Form(description="The mapping document, YAML or JSON (see `sangsaeng map suggest`)")],
    title: Annotated[str | None, Form(max_length=500, description="Title of a new dataset")] = None,
    id: Annotated[str | None, Form(description="Add a version to this dataset (or create it with this id)")] = None,
    description: Annotated[str, Form()] = "",
    max_errors: Annotated[int, Form(ge=0, alias="maxErrors", description="Problems tolerated")] = 0,
    accept_partial: Annotated[
        bool, Form(alias="acceptPartial", description="Keep the good rows; the others are kept apart with reasons")
    ] = False,
    sheet: Annotated[str | None, Form(description="Excel: the sheet to read (default: the first)")] = None,
) -> IngestOut:
    from sangsaeng.standard.mapping import load_mapping

    rules = load_mapping(mapping, source="the mapping")
    with tempfile.TemporaryDirectory(prefix="sangsaeng-ingest-") as folder:
        source = await _received(file, Path(folder))
        dataset, result = await svc.intake.ingest(
            API_KEY,
            source,
            rules,
            dataset_id=id,
            title=title,
            description=description,
            max_errors=max_errors,
            accept_partial=accept_partial,
            sheet=sheet,
        )
    report = result.report.to_dict()
    if dataset is None:
        raise DataRejected(
            f"nothing was written: {result.report.errors} problem(s) in {result.report.rows} rows "
            f"({result.report.rows_set_aside} rows would be set aside), {max_errors} allowed",
            position="file",
            hint="fix the file or the mapping, raise maxErrors, or send acceptPartial=true to keep the good rows",
            details={"report": report},
        )
    return IngestOut(
        dataset=DatasetOut.of(dataset),
        unchanged=result.unchanged,
        rows_written=result.rows_written,
        rows_rejected=result.rows_rejected,
        report=report,
    )


async def _received(file: UploadFile, folder: Path) -> Path:
    """An uploaded factory file, written to ``folder`` (empty, of this request alone) under a name whose suffix
    tells its format."""
    from sangsaeng.standard.sources import SUFFIXES

    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(
            f"cannot tell the format of {file.filename!r}",
            position="file",
            hint=f"send the file with its name ending in one of {', '.join(sorted(SUFFIXES))}",
        )
    # Kept under the name it was sent with (what messages and the data's lineage name), when that is a plain name.
    name = Path(file.filename or "").name
    plain = name not in ("", ".", "..") and len(name.encode()) <= 200 and not any(c in name for c in "\x00\\:")
    source = folder / (name if plain else f"source{suffix}")
    async with await anyio.open_file(source, "wb") as out:
        while chunk := await file.read(1 << 20):
            await out.write(chunk)
    return source


@router.post(
    "/ingest/check",
    summary="Read a factory file through a mapping and list its problems, a page at a time; writes nothing",
    description="Counts of rows read, kept and set aside, errors and notes, and one page of the findings (each "
    "with its record, sheet row, field, source column, code, severity, message and hint in English and Korean). "
    "Filter by `code`, `field` or `severity` and page with `offset` and `limit`.",
)
async def check_ingest(
    svc: ServicesDep,
    file: Annotated[UploadFile, File(description="The source file; its name's suffix tells the format")],
    mapping: Annotated[str, Form(description="The mapping document, YAML or JSON (see `sangsaeng map suggest`)")],
    sheet: Annotated[str | None, Form(description="Excel: the sheet to read (default: the first)")] = None,
    offset: Annotated[int, Form(ge=0, le=MAX_POSITION, description="Findings to skip")] = 0,
    limit: Annotated[int, Form(ge=1, le=1000, description="Findings to return")] = 100,
    code: Annotated[str | None, Form(description="Only findings of this code, e.g. type-error")] = None,
    field: Annotated[str | None, Form(description="Only findings about this field, e.g. value")] = None,
    severity: Annotated[
        Literal["error", "note"] | None, Form(description="Only errors (they set rows aside) or only notes")
    ] = None,
) -> dict[str, Any]:
    from sangsaeng.standard.mapping import load_mapping

    rules = load_mapping(mapping, source="the mapping")
    with tempfile.TemporaryDirectory(prefix="sangsaeng-check-") as folder:
        source = await _received(file, Path(folder))
        report = await svc.intake.check(API_KEY, source, rules, sheet=sheet)
    try:
        shown = report.to_dict(limit, offset, code, field, severity)
        shown["matching"] = report.count(code, field, severity)
        return shown
    finally:
        report.close()


@router.get(
    "/datasets/{dataset_id}/rejected",
    summary="The rows the latest ingest of a dataset left out, with their problems (CSV)",
    response_class=StreamingResponse,
)
async def rejected_rows(dataset_id: str, svc: ServicesDep) -> StreamingResponse:
    dataset = await svc.offers.dataset(API_KEY, dataset_id)
    if dataset.latest is None:
        raise NotFound(f"no dataset {dataset_id}")
    store, key = svc.connector.datasets, rejected_key(dataset.latest.path)
    size = await anyio.to_thread.run_sync(store.size, key)
    if size is None:
        raise NotFound(f"version {dataset.latest.version} of {dataset_id} left no row out")
    name = f"rejected-v{dataset.latest.version}.csv"
    return StreamingResponse(
        store.chunks(key),  # read in a worker thread, a MiB at a time
        media_type="text/csv",
        headers={"Content-Length": str(size), "Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/datasets/derived",
    status_code=201,
    summary="Register a dataset made from received data (the body, CSV or Parquet): it inherits its sources' terms",
)
async def add_derived(
    request: Request,
    svc: ServicesDep,
    title: Annotated[str, Query(min_length=1, max_length=500)],
    sources: Annotated[list[str], Query(description="The agreements the data was obtained under")],
    operation: Annotated[str, Query(description="copy, aggregate, join or derive")] = "derive",
    filename: Annotated[str, Query(description="Original file name; its suffix tells the format")] = "data.csv",
    description: str = "",
) -> DatasetOut:
    fmt = detect_format(filename, request.headers.get("content-type"))
    spooled = await _spool(request)
    try:
        dataset = await svc.intake.derive(
            API_KEY, spooled, fmt, title=title, agreements=sources, operation=operation, description=description
        )
    finally:
        spooled.unlink(missing_ok=True)
    return DatasetOut.of(dataset)


@router.get("/datasets/{dataset_id}/rights", summary="Who generated a dataset, what it was made from, who received it")
async def dataset_rights(dataset_id: str, svc: ServicesDep) -> dict[str, Any]:
    return await rights.record(svc.connector, dataset_id)


@router.get("/datasets")
async def list_datasets(svc: ServicesDep, offset: Offset = 0, limit: Limit = 100) -> list[DatasetOut]:
    found = await svc.offers.datasets(API_KEY, offset, limit)
    return [DatasetOut.of(d, svc.connector.settings.streams_dir) for d in found]


@router.get("/datasets/{dataset_id}")
async def get_dataset(dataset_id: str, svc: ServicesDep) -> DatasetOut:
    dataset = await svc.offers.dataset(API_KEY, dataset_id)
    return DatasetOut.of(dataset, svc.connector.settings.streams_dir)


@router.patch("/datasets/{dataset_id}", summary="Change what a dataset says of itself: whether the hub lists it")
async def change_dataset(dataset_id: str, body: DatasetChangeIn, svc: ServicesDep) -> DatasetOut:
    dataset = await svc.offers.list_at_hub(API_KEY, dataset_id, body.listed_at_hub)
    return DatasetOut.of(dataset, svc.connector.settings.streams_dir)


# ---- offers -------------------------------------------------------------------------------------
@router.post("/offers", status_code=201, summary="Publish an offer (an ODRL policy) for a dataset")
async def create_offer(body: OfferIn, svc: ServicesDep) -> OfferOut:
    offer = await svc.offers.publish(
        API_KEY,
        body.dataset_id,
        body.policy,
        body.id,
        template=body.template,
        parameters=body.parameters,
        access_policy=body.access_policy,
    )
    return OfferOut.of(offer, svc.catalog.visible_to(offer))


@router.get("/templates", summary="Named offers for everyday sharing, and the parameters each needs")
async def list_templates() -> list[dict[str, Any]]:
    return [t.describe() for t in templates.TEMPLATES.values()]


@router.post(
    "/policy/explain",
    summary="Would this participant, with these credentials, for this purpose, be allowed — and why (or why not)?",
)
async def explain(body: ExplainIn, svc: ServicesDep) -> ExplainOut:
    c = svc.connector
    raw, agreed_at, uses = await svc.offers.terms(API_KEY, body.offer_id, body.agreement_id, body.policy, body.uses)
    policy = parse_policy(raw, where="policy", purposes=c.purposes)
    context = RequestContext(
        consumer=body.consumer,
        now=body.at or c.now(),
        operation=body.operation,
        purpose=body.purpose,
        agreed_at=agreed_at,
        uses=uses,
        attributes={k: frozenset(v) for k, v in body.attributes.items()},
        fields=frozenset(body.fields) if body.fields is not None else None,
    )
    decision = decide(policy, context)
    r = decision.restrictions
    asked = body.fields
    delivered = None if asked is None else [f for f in asked if r.allowed_fields is None or f in r.allowed_fields]
    return ExplainOut(
        permit=decision.permit,
        reasons=list(decision.reasons),
        delivered_fields=delivered if decision.permit else [],
        withheld_fields=[f for f in asked or [] if delivered is not None and f not in delivered],
        masked_fields=sorted(r.masked),
        rows=None if r.rows is None else [{"field": f, "value": v} for f, v in r.rows],
        aggregate_only=r.aggregate_only,
        min_group_size=r.min_group_size,
        duties=[d.describe() for d in decision.duties],
    )


@router.get("/offers")
async def list_offers(svc: ServicesDep) -> list[OfferOut]:
    offers = await svc.offers.offers(API_KEY)
    return [OfferOut.of(o, svc.catalog.visible_to(o)) for o in offers]


@router.get("/offers/{offer_id}")
async def get_offer(offer_id: str, svc: ServicesDep) -> OfferOut:
    offer = await svc.offers.offer(API_KEY, offer_id)
    return OfferOut.of(offer, svc.catalog.visible_to(offer))


# ---- catalog of a peer --------------------------------------------------------------------------
@router.post("/catalog", summary="Ask another connector for its catalog")
async def peer_catalog(body: CatalogIn, svc: ServicesDep) -> dict[str, Any]:
    return await fetch_catalog(svc.connector, body.peer)


# ---- negotiations -------------------------------------------------------------------------------
@router.post("/negotiations", status_code=201, summary="Start negotiating an offer of another connector")
async def start_negotiation(body: NegotiationIn, svc: ServicesDep) -> NegotiationOut:
    offer = body.offer
    if offer is None:
        if body.offer_id is None:
            raise InvalidInput("give the offerId (or the offer) to negotiate", position="offerId")
        dataset = await fetch_dataset(svc.connector, body.peer, body.dataset_id)
        offer = next((o for o in dataset.get("hasPolicy", []) if o.get("@id") == body.offer_id), None)
        if offer is None:
            raise NotFound(f"{body.peer} lists no offer {body.offer_id} for {body.dataset_id}", position="offerId")
    n = await svc.exchange.start_negotiation(API_KEY, body.peer, body.dataset_id, offer, body.purpose)
    return NegotiationOut.of(n)


@router.get("/negotiations")
async def list_negotiations(svc: ServicesDep, offset: Offset = 0, limit: Limit = 100) -> list[NegotiationOut]:
    return [NegotiationOut.of(n) for n in await svc.exchange.list_negotiations(API_KEY, offset, limit)]


@router.get("/negotiations/{negotiation_id}")
async def get_negotiation(negotiation_id: str, svc: ServicesDep) -> NegotiationOut:
    return NegotiationOut.of(await svc.exchange.negotiation(API_KEY, negotiation_id))


@router.post(
    "/negotiations/{negotiation_id}/approve",
    summary="As provider, agree to a request waiting for approval (auto_agree off): sign and send the agreement",
)
async def approve_negotiation(negotiation_id: str, svc: ServicesDep) -> NegotiationOut:
    return NegotiationOut.of(await svc.exchange.approve(API_KEY, negotiation_id))


@router.post("/negotiations/{negotiation_id}/terminate")
async def terminate_negotiation(negotiation_id: str, body: ReasonIn, svc: ServicesDep) -> NegotiationOut:
    return NegotiationOut.of(await svc.exchange.end_negotiation(API_KEY, negotiation_id, body.reason))


# ---- agreements ---------------------------------------------------------------------------------
def _out(svc: ServicesDep, a: Agreement) -> AgreementOut:
    """An agreement with its duties: when due and whether overdue (the same on both sides)."""
    return AgreementOut.of(a, svc.agreements.duties(a))


@router.get("/agreements")
async def list_agreements(svc: ServicesDep, offset: Offset = 0, limit: Limit = 100) -> list[AgreementOut]:
    return [_out(svc, a) for a in await svc.agreements.listed(API_KEY, offset, limit)]


@router.get("/agreements/{agreement_id}")
async def get_agreement(agreement_id: str, svc: ServicesDep) -> AgreementOut:
    return _out(svc, await svc.agreements.get(API_KEY, agreement_id))


@router.post(
    "/agreements/{agreement_id}/duties/fulfil",
    summary="As consumer, record that a duty of the agreement is done (e.g. the data deleted)",
)
async def fulfil_duty(agreement_id: str, body: DutyIn, svc: ServicesDep) -> AgreementOut:
    return _out(svc, await svc.agreements.fulfil(API_KEY, agreement_id, body.duty))


@router.get("/agreements/{agreement_id}/export", summary="The agreement with both signatures, for offline checks")
async def export_agreement(agreement_id: str, svc: ServicesDep) -> dict[str, Any]:
    a = await svc.agreements.get(API_KEY, agreement_id)
    signatures = [s for s in (a.provider_signature, a.consumer_signature) if s]
    return {"agreement": a.body, "signatures": signatures}


@router.post("/agreements/{agreement_id}/terminate", summary="End an agreement: no further access under it")
async def terminate_agreement(agreement_id: str, svc: ServicesDep) -> AgreementOut:
    return _out(svc, await svc.agreements.terminate(API_KEY, agreement_id))
