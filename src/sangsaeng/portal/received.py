"""The portal's received data: each agreement's copy kept here, shown, charted and downloaded from the dataset
store. Viewing never asks the provider and never counts a use; the one button that does is the refresh (a POST,
through ``svc.received.refresh``). The old transfer pages lead to the agreement's page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from sangsaeng.dataplane.pull import Unreachable
from sangsaeng.errors import Forbidden, InvalidInput, NotFound, PeerError, SangsaengError
from sangsaeng.portal.i18n import Words
from sangsaeng.portal.names import Names
from sangsaeng.portal.pages import NotAllowed, UserDep, acting, checked_form, names_for, refused_as, render, words
from sangsaeng.portal.paths import url
from sangsaeng.portal.summary import Summary, summarize
from sangsaeng.received.landing import CutOff, NotArrow
from sangsaeng.received.reading import excel_limit
from sangsaeng.received.service import UnsafeDataAddress
from sangsaeng.roles import require
from sangsaeng.services import ServicesDep
from sangsaeng.standard.labels import entity_of
from sangsaeng.store.records import Agreement, User

router = APIRouter(include_in_schema=False)  # under /portal (portal/exchange.py)
PREVIEW_ROWS = 50
FORMATS = ("csv", "xlsx", "parquet")


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
    names = await names_for(request, user, agreements=seen.agreements)
    agreements = [a for a in seen.agreements if a.consumer == c.participant_id]
    copies = {r.agreement_id: r for r in await svc.received.list(acting(user), 0, 500)}
    w = words(request)
    terms = {a.id: _terms(svc, a, w, names) for a in agreements}
    return render(request, "received.html", user, agreements=agreements, copies=copies, terms=terms, names=names)


async def _agreement(svc: ServicesDep, user: User, agreement_id: str) -> Agreement:
    with refused_as("stage"):
        a = await svc.agreements.get(acting(user), agreement_id)
    if a.consumer != svc.connector.participant_id:
        raise NotAllowed("stage")
    return a


async def _page(
    request: Request, svc: ServicesDep, user: UserDep, agreement_id: str, status: int = 200, **said: Any
) -> Response:
    """The agreement's copy as kept here: who sent it and when, its first rows, a chart; or that there is none."""
    agreement = await _agreement(svc, user, agreement_id)
    names = await names_for(request, user, agreements=[agreement])
    w = words(request)
    with refused_as("stage"):
        copy = await svc.received.copy(acting(user), agreement_id)
    shown: dict[str, Any] = {}
    if copy is not None:
        with refused_as("stage"):
            table = await svc.received.rows(acting(user), agreement_id, 0, PREVIEW_ROWS)
            sample = await svc.received.chart(acting(user), agreement_id)
        entity = copy.entity or entity_of(table.column_names)
        shown = {
            "entity": entity,
            "columns": table.column_names,
            "preview": table.to_pylist(),
            "chart": _chart(sample, w, entity) if sample is not None else None,
        }
    return render(
        request,
        "received_copy.html",
        user,
        status=status,
        agreement=agreement,
        copy=copy,
        terms=_terms(svc, agreement, w, names),
        may_refresh=acting(user).may("data.refresh"),
        names=names,
        **shown,
        **said,
    )


@router.get("/data/{agreement_id}")
async def copy_page(agreement_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    return await _page(request, svc, user, agreement_id)


@router.post("/data/{agreement_id}")
async def refresh(agreement_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    """Get the data (again) from the provider: the one page action that asks it, a use of the agreement."""
    await checked_form(request)
    with refused_as("stage"):
        require(acting(user), "data.refresh")
    agreement = await _agreement(svc, user, agreement_id)
    names = await names_for(request, user, agreements=[agreement])
    title = f"{names.dataset(agreement.dataset_id, agreement.provider)} · {names.partner(agreement.provider)}"
    try:
        await svc.received.refresh(acting(user), agreement_id, title)
    except NotFound:
        raise NotAllowed("stage") from None
    except Forbidden as refused:  # the provider's refusal, in its words
        said = str(refused.details.get("said") or refused.message)
        return await _page(request, svc, user, agreement_id, status=403, refused=said)
    except Unreachable:
        return await _page(request, svc, user, agreement_id, status=502, problem="data.unreachable")
    except UnsafeDataAddress:
        return await _page(request, svc, user, agreement_id, status=502, problem="data.unsafe_address")
    except CutOff:
        return await _page(request, svc, user, agreement_id, status=502, problem="data.refresh_cut")
    except NotArrow:
        return await _page(request, svc, user, agreement_id, status=502, problem="data.not_arrow")
    except PeerError as exc:
        return await _page(request, svc, user, agreement_id, status=502, failed=exc.message[:300])
    return RedirectResponse(url(request, f"/portal/data/{_segment(agreement_id)}"), status_code=303)


@router.get("/data/{agreement_id}/download")
async def download(
    agreement_id: str, request: Request, svc: ServicesDep, user: UserDep, format: str = "csv"
) -> Response:
    chosen = format if format in FORMATS else "csv"
    await _agreement(svc, user, agreement_id)
    try:
        got = await svc.received.download(acting(user), agreement_id, chosen)
    except InvalidInput as refused:
        if refused.position != "format":
            raise NotAllowed("stage") from None
        rows = int(refused.details.get("rows", 0))
        return await _page(request, svc, user, agreement_id, status=422, too_many=rows, limit=excel_limit())
    except NotFound:  # nothing received yet
        return RedirectResponse(url(request, f"/portal/data/{_segment(agreement_id)}"), status_code=303)
    except Forbidden:
        raise NotAllowed("role") from None
    return StreamingResponse(
        got.chunks,
        media_type=got.media_type,
        headers={"Content-Disposition": f'attachment; filename="data.{chosen}"'},
    )


# ---- the transfer pages of before: the data is the agreement's copy now ----------------------------------------
@router.get("/transfers/{transfer_id}")
async def transfer_page(transfer_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    with refused_as("stage"):
        t = await svc.exchange.received(acting(user), transfer_id)
    return RedirectResponse(
        url(request, f"/portal/data/{_segment(t.agreement_id)}{_lang(request, '?')}"), status_code=303
    )


@router.get("/transfers/{transfer_id}/download")
async def transfer_download(
    transfer_id: str, request: Request, svc: ServicesDep, user: UserDep, format: str = "csv"
) -> Response:
    with refused_as("stage"):
        t = await svc.exchange.received(acting(user), transfer_id)
    chosen = format if format in FORMATS else "csv"
    where = f"/portal/data/{_segment(t.agreement_id)}/download?format={chosen}{_lang(request, '&')}"
    return RedirectResponse(url(request, where), status_code=303)


def _lang(request: Request, joiner: str) -> str:
    """The reader's language asked for in the address, carried on (only a language the portal speaks)."""
    lang = request.query_params.get("lang")
    return f"{joiner}lang={lang}" if lang in ("ko", "en") else ""


def _segment(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


# ---- the chart ------------------------------------------------------------------------------------------------
def _plain_text(text: str) -> str:
    """A partner's column name as plotly shows it: plotly reads tags in names, so '<a href="https://…">' in a
    column name was a link in our chart's legend; as entities it is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# The chart's time axis in the reader's style (d3 time formats, as plotly reads them).
TIME_AXIS = {"ko": ("%-m월 %-d일 %H:%M", "%Y년 %-m월 %-d일 %H:%M"), "en": ("%-d %b %H:%M", "%-d %b %Y, %H:%M")}


def _chart(sample: pa.Table, w: Words, entity: str | None = None) -> dict[str, Any] | None:
    """The sample's numeric fields over its time column, for plotly.js, each named by its field's name; times in
    the company's zone, as the table beside it shows them."""
    time, *numbers = sample.column_names
    x = [_local(v, w) for v in sample.column(time).to_pylist()]
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
            for n in numbers
        ],
        "layout": {"xaxis": {"tickformat": ticks, "hoverformat": hover}},
    }


def _local(moment: Any, w: Words) -> str | None:
    """A moment as plotly reads it, in the company's zone (plotly shows the wall time an ISO text gives)."""
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(w.zone).replace(tzinfo=None).isoformat()
    return moment.isoformat() if moment is not None else None
