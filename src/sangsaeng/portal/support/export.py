"""The company's own support figures as an Excel workbook (``/portal/support/export.xlsx``): what it shares and with
whom, what it received, its smart-factory level over time — the tables of its support page, for the person who
takes them into a report (issue 18 § 5: export to Excel). Names, not ids; times in the company's zone; headings in
the reader's language; numbers as numbers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sangsaeng.portal.hub.figures import Table
from sangsaeng.portal.hub.workbook import workbook
from sangsaeng.portal.names import Names
from sangsaeng.portal.pages import UserDep, acting, names_for, words
from sangsaeng.portal.support.common import HubDep
from sangsaeng.portal.support.overview import READ, Traded, levels_of, no_hub, traded
from sangsaeng.portal.words import Words
from sangsaeng.services import services
from sangsaeng.standard.exports import EXCEL_MEDIA_TYPE

router = APIRouter(prefix="/portal/support", include_in_schema=False)
P = "support.overview.export"


def trade_table(key: str, title: str, rows: list[Traded], names: Names, w: Words) -> Table:
    headers = [w.t(f"{P}.partner"), w.t(f"{P}.dataset"), w.t(f"{P}.agreements"), w.t(f"{P}.live"), w.t(f"{P}.latest")]
    return Table(
        key,
        title,
        headers,
        [
            [names.partner(r.partner), names.dataset(r.dataset, r.provider), r.agreements, r.live, w.when(r.latest)]
            for r in rows
        ],
    )


@router.get("/export.xlsx")
async def export(request: Request, user: UserDep, hub: HubDep) -> Response:
    if hub is None:
        return no_hub(request, user)
    svc = services(request)
    c, w = svc.connector, words(request)
    seen = await svc.views.overview(acting(user), READ)
    names = await names_for(request, user, datasets=seen.datasets, agreements=seen.agreements)
    tables = [
        trade_table("given", w.t(f"{P}.given"), traded(seen.agreements, c.participant_id, True), names, w),
        trade_table("obtained", w.t(f"{P}.obtained"), traded(seen.agreements, c.participant_id, False), names, w),
    ]
    try:  # the hub's part: its levels; the company's own figures go out whether or not the hub answers
        mine = await hub.get("/hub/support/assessment/mine", w.language, lang=w.language)
    except Exception:  # noqa: BLE001 - a hub that refuses or is down leaves its sheet out, said in a note
        mine = None
    levels = levels_of(mine)
    tables.append(
        Table(
            "levels",
            w.t(f"{P}.levels"),
            [w.t(f"{P}.completed"), w.t(f"{P}.level"), w.t(f"{P}.level_name")],
            [[w.when(x.completed), x.level, x.name] for x in levels],
            note=None if mine is not None else w.t(f"{P}.hub_silent"),
        )
    )
    content = await run_in_threadpool(workbook, tables)
    day = c.now().astimezone(w.zone).date().isoformat()
    name = f"sangsaeng-support-{day}.xlsx"
    return Response(
        content,
        media_type=EXCEL_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
