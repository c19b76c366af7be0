"""This connector's activity in a month, counted from what it holds and reported to its hub when its settings say
so (``hub_share_activity``): counts and entity ids only (``sangsaeng.activity``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import structlog

from sangsaeng.activity import Report, Tally, month_of
from sangsaeng.connector import Connector
from sangsaeng.hubclient.member import member_headers
from sangsaeng.streams.ingester import MAPPING

log = structlog.get_logger(__name__)

PAGE = 500


async def tally(c: Connector, month: str) -> Report:
    """``month`` (YYYY-MM, in the company's zone) counted page by page: datasets offered now, the agreements and
    exchanges (transfers whose data was made available) that began in it, distinct partners, streams."""
    zone = ZoneInfo(c.settings.timezone)
    counted = Tally(month, zone, c.participant_id)
    offset = 0
    while True:
        async with c.store.begin() as tx:
            datasets = await tx.datasets.page(offset, PAGE, offered_only=True)
        for dataset in datasets:
            counted.offered(dataset.latest.entity if dataset.latest else None)
        if len(datasets) < PAGE:
            break
        offset += PAGE
    for kind in ("agreements", "transfers"):
        offset = 0
        while True:  # newest first: stop at the first page that reaches before the month
            async with c.store.begin() as tx:
                rows = await getattr(tx, kind).page(offset, PAGE)
            for row in rows:
                if kind == "agreements":
                    counted.agreement(row.provider, row.consumer, row.created_at)
                else:
                    counted.transfer(row.role, row.state, row.created_at)
            if len(rows) < PAGE or month_of(rows[-1].created_at, zone) < month:
                break
            offset += PAGE
    streams_dir = c.settings.streams_dir
    counted.streaming(sum(1 for p in streams_dir.iterdir() if (p / MAPPING).exists()) if streams_dir.exists() else 0)
    return counted.report()


def months_to_report(now: datetime, zone: ZoneInfo) -> list[str]:
    """This month, and the last one during the first three days of a month (its last days are then counted)."""
    this = month_of(now, zone)
    local = now.astimezone(zone)
    if local.day <= 3:
        return [month_of(local.replace(day=1) - timedelta(days=1), zone), this]
    return [this]


async def report_to_hub(c: Connector) -> int:
    """Send the months due to the hub (``POST /hub/support/activity``); how many it took. Nothing unless the
    connector is a hub's member that shares its activity."""
    s = c.settings
    if not (s.hub_share_activity and s.hub_url and s.hub_id):
        return 0
    taken = 0
    for month in months_to_report(c.now(), ZoneInfo(s.timezone)):
        report = await tally(c, month)
        answer = await c.peer.http.post(
            s.hub_url.rstrip("/") + "/hub/support/activity",
            json=report.to_dict(),
            headers=member_headers(s, c.key, c.now()),
        )
        if answer.status_code == 200:
            taken += 1
        else:
            log.warning("hub.activity.refused", month=month, status=answer.status_code, body=answer.text[:300])
    return taken
