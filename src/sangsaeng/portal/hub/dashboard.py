"""The operator's dashboard on the hub's portal (``/portal/hub/dashboard``, issue 18 § 5): members by sector,
region, size and tier, datasets the catalog lists, activity over months, experts beside members per sector and
requests for an expert — charts where people look, the numbers beside them — and the same tables as an Excel
workbook (``/portal/hub/dashboard.xlsx``). For a signed-in person of the hub's root context; the figures themselves
are the operator's (``hub.review``), so another role is told it may not."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from sangsaeng.errors import Forbidden
from sangsaeng.portal.hub.common import hub_of, operator
from sangsaeng.portal.hub.figures import Table, tables
from sangsaeng.portal.hub.workbook import workbook
from sangsaeng.portal.pages import NotAllowed, acting, render, words
from sangsaeng.services import CONTEXT
from sangsaeng.standard.exports import EXCEL_MEDIA_TYPE
from sangsaeng.store.records import User
from sangsaeng.support.service.dashboard import Dashboard, Figures

router = APIRouter(prefix="/portal/hub", include_in_schema=False)
OperatorDep = Annotated[User, Depends(operator)]


def dashboard_of(request: Request) -> Dashboard:
    hub = hub_of(request)
    found: Dashboard = request.scope[CONTEXT].own(Dashboard, lambda: Dashboard(hub))
    return found


async def _figures(request: Request, user: User) -> Figures:
    try:
        return await dashboard_of(request).figures(acting(user))
    except Forbidden:
        raise NotAllowed("role") from None


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request, user: OperatorDep) -> Response:
    figures = await _figures(request, user)
    w = words(request)
    shown: list[Table] = tables(w, figures)
    return render(
        request,
        "hub_dashboard.html",
        user,
        tables={t.key: t for t in shown},
        at=w.when(figures.at),
    )


@router.get("/dashboard.xlsx")
async def export(request: Request, user: OperatorDep) -> Response:
    figures = await _figures(request, user)
    w = words(request)
    content = await run_in_threadpool(workbook, tables(w, figures))  # CPU-bound: off the event loop
    day = figures.at.astimezone(w.zone).date().isoformat()
    name = f"sangsaeng-hub-dashboard-{day}.xlsx"
    return Response(
        content,
        media_type=EXCEL_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
