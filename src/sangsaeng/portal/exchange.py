"""The portal's exchange pages: partners' catalogs and requests (consumer), the requests inbox and agreements
(provider), received data with a preview, downloads and a chart."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import anyio
import httpx
import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from sangsaeng.catalog.service import fetch_catalog
from sangsaeng.dataplane.pull import Refused, Unreachable
from sangsaeng.dsp import transfer as tm
from sangsaeng.errors import SangsaengError
from sangsaeng.policy import duties
from sangsaeng.policy.model import parse_policy
from sangsaeng.portal.i18n import Words
from sangsaeng.portal.names import Names
from sangsaeng.portal.pages import (
    NotAllowed,
    UserDep,
    acting,
    checked_form,
    names_for,
    refused_as,
    render,
    titles_of,
    words,
)
from sangsaeng.portal.paths import url
from sangsaeng.portal.summary import Summary, duty_text, summarize
from sangsaeng.roles import require
from sangsaeng.services import ServicesDep
from sangsaeng.standard import exports
from sangsaeng.standard.labels import entity_of
from sangsaeng.store.records import Transfer, User

router = APIRouter(prefix="/portal", include_in_schema=False)
PLOTLY = Path(str(__import__("plotly").__file__)).parent / "package_data" / "plotly.min.js"
PREVIEW_ROWS = 50  # shown as a table
PREVIEW_ROWS_READ = 100_000  # read for the count and the chart; a local copy of all of it is the CLI's job
PREVIEW_BYTES = 64 << 20
ARROW = "application/vnd.apache.arrow.stream"


@router.get("/static/plotly.min.js")
async def plotly_js() -> Response:
    """The charting library, from its Python package: a factory network reaches no CDN."""
    return FileResponse(PLOTLY, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})


# ---- consumer: partners' catalogs and requests ---------------------------------------------------------------
@router.get("/partners")
async def partners(request: Request, svc: ServicesDep, user: UserDep) -> Response:
    others = [p for p in svc.connector.directory.participants() if p.id != svc.connector.participant_id]
    return render(request, "partners.html", user, partners=others)


@router.get("/partners/{partner_id}")
async def partner_catalog(partner_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    if svc.connector.directory.find(partner_id) is None:
        raise NotAllowed("dataset")
    w = words(request)
    names = await names_for(request, user)
    try:
        catalog = await fetch_catalog(svc.connector, partner_id)
    except (SangsaengError, httpx.HTTPError):
        return render(
            request, "catalog.html", user, partner=partner_id, datasets=[], unreachable=True, names=names, purposes=[]
        )
    await _remember_titles(request, partner_id, catalog)
    datasets = []
    for d in catalog.get("dataset", []):
        offers = []
        for offer in d.get("hasPolicy", []):
            try:
                summary = summarize(parse_policy(offer, where="offer", purposes=svc.connector.purposes), w, names)
            except SangsaengError:
                continue  # terms this connector cannot read are not offered for a request
            offers.append({"id": offer["@id"], "summary": summary})
        title = d.get("title") if isinstance(d.get("title"), str) and d.get("title") else None
        datasets.append({"id": d["@id"], "title": title or names.dataset(d["@id"], partner_id), "offers": offers})
    return render(
        request,
        "catalog.html",
        user,
        partner=partner_id,
        datasets=datasets,
        purposes=sorted(svc.connector.purposes),
        names=names,
    )


async def _remember_titles(request: Request, partner_id: str, catalog: dict[str, Any]) -> None:
    """A partner's dataset titles, kept so that what is requested and received is named after them."""
    titles = {
        str(d["@id"]): d["title"]
        for d in catalog.get("dataset", [])
        if isinstance(d, dict) and isinstance(d.get("@id"), str) and isinstance(d.get("title"), str) and d["title"]
    }
    if titles:
        await anyio.to_thread.run_sync(titles_of(request).remember, partner_id, titles)


@router.post("/partners/{partner_id}/request")
async def request_offer(partner_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    form = await checked_form(request)
    with refused_as("stage"):  # refused before the partner is asked for its catalog; the use case checks again
        require(acting(user), "negotiation.start")
    purpose = str(form.get("purpose", "")) or None
    if purpose is not None and purpose not in svc.connector.purposes:
        raise NotAllowed("purpose")
    try:
        catalog = await fetch_catalog(svc.connector, partner_id)
    except (SangsaengError, httpx.HTTPError):
        raise NotAllowed("stage") from None
    await _remember_titles(request, partner_id, catalog)
    wanted = str(form.get("offer", ""))
    for d in catalog.get("dataset", []):
        for offer in d.get("hasPolicy", []):
            if offer.get("@id") == wanted:
                with refused_as("stage"):
                    n = await svc.exchange.start_negotiation(acting(user), partner_id, d["@id"], offer, purpose)
                return RedirectResponse(url(request, f"/portal/negotiations/{n.id}"), status_code=303)
    raise NotAllowed("stage")


@router.get("/negotiations/{negotiation_id}")
async def negotiation(negotiation_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    with refused_as("stage"):
        n = await svc.exchange.negotiation(acting(user), negotiation_id)
    names = await names_for(request, user)
    settled = n.state in ("FINALIZED", "TERMINATED")
    return render(request, "negotiation.html", user, n=n, live=not settled, names=names)


# ---- provider: requests and agreements -----------------------------------------------------------------------
@router.get("/requests")
async def requests(request: Request, svc: ServicesDep, user: UserDep) -> Response:
    c = svc.connector
    seen = await svc.views.overview(acting(user), 500)
    negotiations, agreements = seen.negotiations, seen.agreements
    names = await names_for(request, user, agreements=agreements)
    waiting = [n for n in negotiations if n.role == "provider" and n.state == "REQUESTED" and not n.agreement_id]
    w = words(request)
    shown = []
    for a in agreements:
        if a.provider != c.participant_id:
            continue
        compiled = c.policies.compiled(a.id, a.body)
        owed = compiled.policy.duties
        shown.append(
            {
                "a": a,
                "signed": a.provider_signature is not None and a.consumer_signature is not None,
                "duties": [
                    {"what": duty_text(duty, w), "state": due["state"]}
                    for duty, due in zip(
                        owed, duties.status(owed, a.created_at, c.now(), a.fulfilled or {}), strict=True
                    )
                ],
                "summary": summarize(compiled.policy, w, names),
            }
        )
    offers = {n.id: summarize(parse_policy(n.offer, where="offer", purposes=c.purposes), w, names) for n in waiting}
    return render(request, "requests.html", user, waiting=waiting, offers=offers, agreements=shown, names=names)


@router.post("/requests/{negotiation_id}")
async def decide_request(negotiation_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    form = await checked_form(request)
    with refused_as("stage"):
        if form.get("action") == "approve":
            await svc.exchange.approve(acting(user), negotiation_id)
        else:
            reason = str(form.get("reason", "")).strip() or "declined"
            await svc.exchange.end_negotiation(acting(user), negotiation_id, reason)
    return RedirectResponse(url(request, "/portal/requests"), status_code=303)


@router.post("/agreements/{agreement_id}/terminate")
async def end_agreement(agreement_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    form = await checked_form(request)
    with refused_as("stage"):
        await svc.agreements.terminate(acting(user), agreement_id, str(form.get("reason", "")))
    return RedirectResponse(url(request, "/portal/requests"), status_code=303)


# ---- consumer: received data ---------------------------------------------------------------------------------
def _terms(svc: ServicesDep, agreement: Any, w: Words, names: Names) -> Summary:
    """An agreement's terms in words; terms a partner wrote that this connector cannot read are said to be so,
    instead of failing the page that lists every agreement."""
    try:
        return summarize(svc.connector.policies.compiled(agreement.id, agreement.body).policy, w, names)
    except SangsaengError:
        return Summary(lines=[w.t("requests.terms_unreadable")])


@router.get("/data")
async def received(request: Request, svc: ServicesDep, user: UserDep) -> Response:
    c = svc.connector
    seen = await svc.views.overview(acting(user), 500)
    every, transfers = seen.agreements, seen.transfers
    names = await names_for(request, user, agreements=every)
    agreements = [a for a in every if a.consumer == c.participant_id]
    w = words(request)
    terms = {a.id: _terms(svc, a, w, names) for a in agreements}
    latest: dict[str, Any] = {}
    for t in transfers:
        if t.role == tm.CONSUMER:
            latest.setdefault(t.agreement_id, t)
    return render(request, "received.html", user, agreements=agreements, transfers=latest, terms=terms, names=names)


@router.post("/data/{agreement_id}")
async def get_data(agreement_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    await checked_form(request)
    with refused_as("stage"):
        t = await svc.exchange.start_transfer(acting(user), agreement_id)
    return RedirectResponse(url(request, f"/portal/transfers/{t.id}"), status_code=303)


@dataclass
class Pulled:
    """What the transfer page can show: a table (maybe only its first part), or why there is none."""

    table: pa.Table | None = None
    state: str | None = None  # the transfer is not started yet
    refused: str | None = None  # the provider's own words
    problem: str | None = None  # a catalog key: what went wrong with the provider's answer
    partial: bool = False  # more data than a preview holds: the table is its first part
    agreement: str | None = None  # the agreement the data is received under


async def _pull(svc: ServicesDep, user: User, transfer_id: str) -> Pulled:
    """The transfer's data for a preview, read from the provider up to ``PREVIEW_BYTES``. What the provider
    sends is untrusted: an answer that is not Arrow, cut off or too large is said so, never a server error."""
    with refused_as("stage"):
        t = await svc.exchange.received(acting(user), transfer_id)
    pulled = await _read(svc, t)
    pulled.agreement = t.agreement_id
    return pulled


async def _read(svc: ServicesDep, t: Transfer) -> Pulled:
    if t.state != tm.STARTED or not t.data_endpoint or not t.data_token:
        return Pulled(state=t.state)
    try:
        head = await svc.pulls.head(t, ARROW, PREVIEW_BYTES)
    except Refused as refused:
        return Pulled(refused=refused.said)
    except Unreachable:
        return Pulled(problem="data.unreachable")
    except SangsaengError:  # the stored address is no longer under the provider's data plane
        return Pulled(problem="data.unsafe_address")
    return _preview(head.content, cut=head.cut, more=head.more)


def _preview(content: bytes, cut: bool, more: bool) -> Pulled:
    """The first batches of an Arrow stream, up to ``PREVIEW_ROWS_READ`` rows."""
    try:
        reader = pa.ipc.open_stream(content)
    except (pa.ArrowException, ValueError, OSError):
        return Pulled(problem="data.cut_off" if cut else "data.not_arrow")
    batches: list[pa.RecordBatch] = []
    rows, damaged = 0, False
    while rows < PREVIEW_ROWS_READ:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except (pa.ArrowException, ValueError, OSError):
            damaged = True
            break
        batches.append(batch)
        rows += batch.num_rows
    else:
        more = True
    if more and batches:
        first = pa.Table.from_batches(batches, schema=reader.schema).slice(0, PREVIEW_ROWS_READ)
        return Pulled(table=first, partial=True)
    if more:
        return Pulled(problem="data.too_large_whole")
    if cut or damaged:  # an incomplete table is not shown as if it were the data
        return Pulled(problem="data.cut_off")
    return Pulled(table=pa.Table.from_batches(batches, schema=reader.schema))


@router.get("/transfers/{transfer_id}")
async def transfer_page(transfer_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    pulled = await _pull(svc, user, transfer_id)
    names = await names_for(request, user)
    table = pulled.table
    if table is None:
        waiting = pulled.state in ("REQUESTED", "INITIAL")
        ended = None if waiting or pulled.problem else (pulled.refused or names.w.word("state.transfer", pulled.state))
        return render(
            request,
            "transfer.html",
            user,
            transfer_id=transfer_id,
            agreement=pulled.agreement,
            waiting=waiting,
            refused=ended,
            problem=pulled.problem,
            names=names,
        )
    entity = (table.schema.metadata or {}).get(b"sangsaeng.entity", b"").decode() or entity_of(table.column_names)
    preview = table.slice(0, PREVIEW_ROWS).to_pylist()
    return render(
        request,
        "transfer.html",
        user,
        transfer_id=transfer_id,
        agreement=pulled.agreement,
        entity=entity,
        columns=table.column_names,
        preview=preview,
        rows=table.num_rows,
        partial=pulled.partial,
        chart=_chart(table, names.w, entity),
        names=names,
    )


def _plain_text(text: str) -> str:
    """A partner's column name as plotly shows it: plotly reads tags in names, so '<a href="https://…">' in a
    column name was a link in our chart's legend; as entities it is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# The chart's time axis in the reader's style (d3 time formats, as plotly reads them).
TIME_AXIS = {"ko": ("%-m월 %-d일 %H:%M", "%Y년 %-m월 %-d일 %H:%M"), "en": ("%-d %b %H:%M", "%-d %b %Y, %H:%M")}


def _chart(table: pa.Table, w: Words, entity: str | None = None) -> dict[str, Any] | None:
    """Numeric fields over the first time column, for plotly.js (at most 2,000 points a series), each named by
    its field's name; times in the company's zone, as the table beside it shows them."""
    times = [f.name for f in table.schema if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type)]
    numbers = [f.name for f in table.schema if pa.types.is_floating(f.type) or pa.types.is_integer(f.type)]
    if not times or not numbers:
        return None
    step = max(1, table.num_rows // 2000)
    sample = table.take(list(range(0, table.num_rows, step))).sort_by(times[0])
    x = [_local(v, w) for v in sample.column(times[0]).to_pylist()]
    ticks, hover = TIME_AXIS.get(w.language, TIME_AXIS["en"])
    return {
        "data": [
            {
                "x": x,
                "y": sample.column(n).to_pylist(),
                "name": _plain_text(w.field(entity, n)),
                "type": "scatter",
                "mode": "lines",
            }
            for n in numbers[:4]
        ],
        "layout": {"xaxis": {"tickformat": ticks, "hoverformat": hover}},
    }


def _local(moment: Any, w: Words) -> str | None:
    """A moment as plotly reads it, in the company's zone (plotly shows the wall time an ISO text gives)."""
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(w.zone).replace(tzinfo=None).isoformat()
    return moment.isoformat() if moment is not None else None


@router.get("/transfers/{transfer_id}/download")
async def download(
    transfer_id: str, request: Request, svc: ServicesDep, user: UserDep, format: str = "csv"
) -> Response:
    pulled = await _pull(svc, user, transfer_id)
    table = pulled.table
    if table is None or pulled.partial:  # a part is not offered as the whole
        return RedirectResponse(url(request, f"/portal/transfers/{transfer_id}"), status_code=303)
    suffix = format if format in ("parquet", "xlsx") else "csv"
    try:  # a worker thread: writing a large workbook takes seconds the connector's other requests are not kept from
        written = await asyncio.to_thread(_export, table, suffix)
    except exports.TooManyRowsForExcel:
        return render(
            request,
            "transfer.html",
            user,
            transfer_id=transfer_id,
            agreement=pulled.agreement,
            problem="data.too_many_rows_for_excel",
            names=await names_for(request, user),
        )
    return StreamingResponse(
        _chunks_of(written),
        media_type=EXPORT_TYPES[suffix],
        headers={"Content-Disposition": f'attachment; filename="data.{suffix}"'},
    )


EXPORT_TYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet", "xlsx": exports.EXCEL_MEDIA_TYPE}


def _export(table: pa.Table, suffix: str) -> IO[bytes]:
    """The table as a file of the asked format, in a temporary file that is gone once closed. CSV and Excel
    are written by ``exports``: text that would start a spreadsheet formula is neutralised."""
    out = tempfile.TemporaryFile()
    try:
        if suffix == "parquet":
            pq.write_table(table, out)
        elif suffix == "xlsx":
            exports.write_xlsx(table.to_batches(max_chunksize=10_000), table.schema, out, rows=table.num_rows)
        else:
            for chunk in exports.csv_chunks(table.to_batches(max_chunksize=10_000), table.schema):
                out.write(chunk)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _chunks_of(file: IO[bytes]) -> Iterator[bytes]:
    with file:  # closed (and so removed) however the download ends
        while chunk := file.read(1 << 20):
            yield chunk
