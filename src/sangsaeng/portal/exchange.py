"""The portal's exchange pages: partners' catalogs and requests (consumer), the requests inbox and agreements
(provider), received data with a preview, downloads and a chart."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from sangsaeng.catalog.service import fetch_catalog
from sangsaeng.errors import SangsaengError
from sangsaeng.policy import duties
from sangsaeng.policy.model import parse_policy
from sangsaeng.portal.pages import NotAllowed, UserDep, checked_form, publisher, render, words
from sangsaeng.portal.summary import summarize
from sangsaeng.transfer import machine as tm
from sangsaeng.web.deps import ServicesDep

router = APIRouter(prefix="/portal", include_in_schema=False)
PLOTLY = Path(str(__import__("plotly").__file__)).parent / "package_data" / "plotly.min.js"
PREVIEW_ROWS = 50


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
    try:
        catalog = await fetch_catalog(svc.connector, partner_id)
    except (SangsaengError, httpx.HTTPError):
        return render(request, "catalog.html", user, partner=partner_id, datasets=[], unreachable=True)
    datasets = []
    for d in catalog.get("dataset", []):
        offers = []
        for offer in d.get("hasPolicy", []):
            try:
                summary = summarize(parse_policy(offer, where="offer", purposes=svc.connector.purposes), w)
            except SangsaengError:
                continue  # terms this connector cannot read are not offered for a request
            offers.append({"id": offer["@id"], "summary": summary})
        datasets.append({"id": d["@id"], "title": d.get("title", d["@id"]), "offers": offers})
    return render(
        request, "catalog.html", user, partner=partner_id, datasets=datasets, purposes=sorted(svc.connector.purposes)
    )


@router.post("/partners/{partner_id}/request")
async def request_offer(partner_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    publisher(user)
    form = await checked_form(request)
    purpose = str(form.get("purpose", "")) or None
    if purpose is not None and purpose not in svc.connector.purposes:
        raise NotAllowed("purpose")
    try:
        catalog = await fetch_catalog(svc.connector, partner_id)
    except (SangsaengError, httpx.HTTPError):
        raise NotAllowed("stage") from None
    wanted = str(form.get("offer", ""))
    for d in catalog.get("dataset", []):
        for offer in d.get("hasPolicy", []):
            if offer.get("@id") == wanted:
                n = await svc.negotiations.start(partner_id, d["@id"], offer, purpose)
                return RedirectResponse(f"/portal/negotiations/{n.id}", status_code=303)
    raise NotAllowed("stage")


@router.get("/negotiations/{negotiation_id}")
async def negotiation(negotiation_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    async with svc.connector.store.begin() as tx:
        n = await tx.get_negotiation(negotiation_id)
    if n is None:
        raise NotAllowed("stage")
    settled = n.state in ("FINALIZED", "TERMINATED")
    return render(request, "negotiation.html", user, n=n, live=not settled)


# ---- provider: requests and agreements -----------------------------------------------------------------------
@router.get("/requests")
async def requests(request: Request, svc: ServicesDep, user: UserDep) -> Response:
    c = svc.connector
    async with c.store.begin() as tx:
        negotiations = await tx.list_negotiations(0, 500)
        agreements = await tx.list_agreements(0, 500)
    waiting = [n for n in negotiations if n.role == "provider" and n.state == "REQUESTED" and not n.agreement_id]
    w = words(request)
    shown = []
    for a in agreements:
        if a.provider != c.participant_id:
            continue
        compiled = c.policies.compiled(a.id, a.body)
        shown.append(
            {
                "a": a,
                "signed": a.provider_signature is not None and a.consumer_signature is not None,
                "duties": duties.status(compiled.policy.duties, a.created_at, c.now(), a.fulfilled or {}),
                "summary": summarize(compiled.policy, w),
            }
        )
    offers = {n.id: summarize(parse_policy(n.offer, where="offer", purposes=c.purposes), w) for n in waiting}
    return render(request, "requests.html", user, waiting=waiting, offers=offers, agreements=shown)


@router.post("/requests/{negotiation_id}")
async def decide_request(negotiation_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    publisher(user)
    form = await checked_form(request)
    try:
        if form.get("action") == "approve":
            await svc.negotiations.approve(negotiation_id)
        else:
            await svc.negotiations.terminate(negotiation_id, str(form.get("reason", "")).strip() or "declined")
    except SangsaengError:
        raise NotAllowed("stage") from None
    svc.connector.audit.note(
        "management", action=f"negotiation.{form.get('action')}", process=negotiation_id, user=user.name
    )
    return RedirectResponse("/portal/requests", status_code=303)


@router.post("/agreements/{agreement_id}/terminate")
async def end_agreement(agreement_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    publisher(user)
    form = await checked_form(request)
    async with svc.connector.store.begin() as tx:
        agreement = await tx.get_agreement(agreement_id, for_update=True)
        if agreement is None or agreement.provider != svc.connector.participant_id:
            raise NotAllowed("stage")
        if agreement.terminated_at is None:
            agreement.terminated_at = svc.connector.now()
            await tx.save_agreement(agreement)
    svc.connector.audit.note(
        "agreement.terminate",
        agreement=agreement_id,
        counterparty=agreement.consumer,
        reason=str(form.get("reason", "")),
    )
    return RedirectResponse("/portal/requests", status_code=303)


# ---- consumer: received data ---------------------------------------------------------------------------------
@router.get("/data")
async def received(request: Request, svc: ServicesDep, user: UserDep) -> Response:
    c = svc.connector
    async with c.store.begin() as tx:
        agreements = [a for a in await tx.list_agreements(0, 500) if a.consumer == c.participant_id]
        transfers = await tx.list_transfers(0, 500)
    latest: dict[str, Any] = {}
    for t in transfers:
        if t.role == tm.CONSUMER:
            latest.setdefault(t.agreement_id, t)
    return render(request, "received.html", user, agreements=agreements, transfers=latest)


@router.post("/data/{agreement_id}")
async def get_data(agreement_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    await checked_form(request)
    try:
        t = await svc.transfers.start(agreement_id)
    except SangsaengError:
        raise NotAllowed("stage") from None
    return RedirectResponse(f"/portal/transfers/{t.id}", status_code=303)


async def _pull(svc: ServicesDep, transfer_id: str) -> pa.Table | str:
    """The transfer's data as a table (through our own management relay), or the provider's refusal."""
    c = svc.connector
    async with c.store.begin() as tx:
        t = await tx.get_transfer(transfer_id)
    if t is None or t.role != tm.CONSUMER:
        raise NotAllowed("stage")
    if t.state != tm.STARTED or not t.data_endpoint or not t.data_token:
        return t.state
    response = await c.peer.http.get(
        t.data_endpoint,
        headers={"Authorization": f"Bearer {t.data_token}", "Accept": "application/vnd.apache.arrow.stream"},
    )
    if response.status_code != 200:
        try:
            return str(response.json()["error"]["message"])
        except (ValueError, KeyError, TypeError):
            return f"HTTP {response.status_code}"
    with pa.ipc.open_stream(response.content) as reader:
        return reader.read_all()


@router.get("/transfers/{transfer_id}")
async def transfer_page(transfer_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    table = await _pull(svc, transfer_id)
    if isinstance(table, str):
        waiting = table in ("REQUESTED", "INITIAL")
        return render(
            request, "transfer.html", user, transfer_id=transfer_id, waiting=waiting, refused=None if waiting else table
        )
    preview = table.slice(0, PREVIEW_ROWS).to_pylist()
    return render(
        request,
        "transfer.html",
        user,
        transfer_id=transfer_id,
        columns=table.column_names,
        preview=preview,
        rows=table.num_rows,
        chart=_chart(table),
    )


def _chart(table: pa.Table) -> dict[str, Any] | None:
    """Numeric fields over the first time column, for plotly.js (at most 2,000 points a series)."""
    times = [f.name for f in table.schema if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type)]
    numbers = [f.name for f in table.schema if pa.types.is_floating(f.type) or pa.types.is_integer(f.type)]
    if not times or not numbers:
        return None
    step = max(1, table.num_rows // 2000)
    sample = table.take(list(range(0, table.num_rows, step))).sort_by(times[0])
    x = [v.isoformat() if v is not None else None for v in sample.column(times[0]).to_pylist()]
    return {
        "data": [
            {"x": x, "y": sample.column(n).to_pylist(), "name": n, "type": "scatter", "mode": "lines"}
            for n in numbers[:4]
        ]
    }


@router.get("/transfers/{transfer_id}/download")
async def download(transfer_id: str, svc: ServicesDep, user: UserDep, format: str = "csv") -> Response:
    table = await _pull(svc, transfer_id)
    if isinstance(table, str):
        raise NotAllowed("stage")
    out = io.BytesIO()
    if format == "parquet":
        pq.write_table(table, out)
        media, suffix = "application/vnd.apache.parquet", "parquet"
    elif format == "xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("data")
        sheet.append(table.column_names)
        for row in table.to_pylist():
            sheet.append([v.replace(tzinfo=None) if hasattr(v, "tzinfo") and v.tzinfo else v for v in row.values()])
        book.save(out)
        media, suffix = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    else:
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, out)
        media, suffix = "text/csv", "csv"
    return Response(
        out.getvalue(), media_type=media, headers={"Content-Disposition": f'attachment; filename="data.{suffix}"'}
    )
