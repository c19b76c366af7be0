"""The benchmarks' use cases (issue 18 § 4): a member agrees to the aggregates-only terms, contributes its
indicators, reads its own values and its position; the operator releases a period's benchmarks within the privacy
budget; members and the operator read what was published. No use case returns another member's value: the only
values that leave are the caller's own and the published cells' noisy statistics."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sangsaeng.connector import Connector
from sangsaeng.errors import Conflict, Forbidden
from sangsaeng.hub.store.access import records_of as hub_records_of
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.i18n.refusals import refusal, refused_as
from sangsaeng.roles import Principal, require
from sangsaeng.settings import Settings
from sangsaeng.support.disclosure import budget
from sangsaeng.support.disclosure.cells import Cell, sector_of
from sangsaeng.support.disclosure.contributions import read_batch, read_period
from sangsaeng.support.disclosure.indicators import Catalogue, catalogue
from sangsaeng.support.disclosure.noise import Mechanisms, OpenDP
from sangsaeng.support.disclosure.position import band_of, finest
from sangsaeng.support.disclosure.release import Outcome, Privacy, cost_by_indicator, publish
from sangsaeng.support.disclosure.rules import Rules
from sangsaeng.support.disclosure.tally import Contributions
from sangsaeng.support.service.benchmark_views import (
    DOMAIN,
    band_view,
    cell_view,
    contribution_view,
    published_view,
    said,
    when,
)
from sangsaeng.support.store.benchmarks import (
    AgreementRecord,
    CellRecord,
    ContributionRecord,
    LedgerRecord,
    ReleaseRecord,
    records_of,
)

TERMS = "2026.1"  # the version of the aggregates-only terms; a new version asks every member to agree again
_PAGE = 1000


def rules_of(settings: Settings) -> Rules:
    return Rules(
        k=settings.benchmark_min_contributors,
        n=settings.benchmark_dominance_n,
        dominance=settings.benchmark_dominance_percent,
        p=settings.benchmark_p_percent,
    )


def privacy_of(settings: Settings) -> Privacy:
    return Privacy(epsilon=settings.benchmark_epsilon, budget=settings.benchmark_budget)


def place_of(member: MemberRecord) -> tuple[str, str]:
    """A member's sector and region in the benchmarks, from its facts as the hub keeps them now."""
    return sector_of(member.company["ksic"]), str(member.company["region"])


@dataclass
class Benchmarks:
    connector: Connector
    active: Callable[
        [MemberRecord], Principal
    ]  # the hub's check that a member is active (``Membership.reader``): 403 for a suspended one
    noise: Mechanisms = field(default_factory=OpenDP)
    indicators: Catalogue = field(default_factory=catalogue)
    rules: Rules = field(init=False)
    privacy: Privacy = field(init=False)
    zone: str = field(init=False)  # the hub's time zone, for the times people read

    def __post_init__(self) -> None:
        settings = self.connector.settings
        self.rules, self.privacy, self.zone = rules_of(settings), privacy_of(settings), settings.timezone

    def _today(self) -> date:
        return self.connector.now().astimezone(ZoneInfo(self.zone)).date()

    # ---- the terms and a member's agreement --------------------------------------------------------
    def terms(self, member: MemberRecord) -> dict[str, Any]:
        self.active(member)
        r, p = self.rules, self.privacy
        text = said("terms.text", version=TERMS, k=r.k, n=r.n, percent=f"{r.dominance:g}", p=f"{r.p:g}",
                    budget=f"{p.budget:g}")  # fmt: skip
        return {
            "version": TERMS,
            "text": text,
            "indicators": [i.to_dict() for i in self.indicators.indicators],
            "catalogue": self.indicators.version,
        }

    async def agreement(self, member: MemberRecord) -> dict[str, Any]:
        self.active(member)
        async with self.connector.store.begin() as tx:
            found = await records_of(tx).agreement(member.participant_id)
        return self._agreement_view(found)

    async def agree(self, member: MemberRecord, body: Any) -> dict[str, Any]:
        self.active(member)
        if not isinstance(body, dict) or set(body) != {"terms"} or not isinstance(body["terms"], str):
            raise refusal(DOMAIN, "agreement.shape", at="terms")
        if body["terms"] != TERMS:
            raise refusal(DOMAIN, "agreement.version", at="terms", given=body["terms"][:32], current=TERMS)
        record = AgreementRecord(member.participant_id, TERMS, self.connector.now())
        async with self.connector.audit.together() as done:
            await records_of(done.tx).agree(record)
            done.record("support.benchmarks.agreed", counterparty=member.participant_id, terms=TERMS)
        return self._agreement_view(record)

    def _agreement_view(self, found: AgreementRecord | None) -> dict[str, Any]:
        if found is None:
            return {"agreed": False, "terms": None, "agreedAt": None, "current": TERMS}
        return {
            "agreed": found.terms == TERMS,
            "terms": found.terms,
            "agreedAt": when(found.agreed_at, self.zone),
            "current": TERMS,
        }

    # ---- a member's contributions ------------------------------------------------------------------
    async def contribute(self, member: MemberRecord, body: Any) -> dict[str, Any]:
        self.active(member)
        batch = read_batch(body, self.indicators, self._today())
        now = self.connector.now()
        records = [
            ContributionRecord(member.participant_id, c.indicator, c.period, c.value, c.given, c.unit, now)
            for c in batch
        ]
        async with self.connector.store.begin() as tx:
            store = records_of(tx)
            agreed = await store.agreement(member.participant_id)
            if agreed is None or agreed.terms != TERMS:
                raise refused_as(Forbidden, DOMAIN, "agreement.missing", current=TERMS)
            await store.contribute(records)
        return {"accepted": len(records), "contributions": [contribution_view(r, self.indicators, self.zone)
                                                            for r in records]}  # fmt: skip

    async def mine(self, member: MemberRecord, period: str | None) -> dict[str, Any]:
        self.active(member)
        if period is not None:
            period = read_period(period, self._today(), "period")
        async with self.connector.store.begin() as tx:
            found = await records_of(tx).mine(member.participant_id, period)
        return {"contributions": [contribution_view(r, self.indicators, self.zone) for r in found]}

    async def position(self, member: MemberRecord, period: str) -> dict[str, Any]:
        """The member's band against its peers, per indicator it contributed for ``period``: from its own value
        and the quartiles its finest published cell released, nothing else."""
        self.active(member)
        period = read_period(period, self._today(), "period")
        sector, region = place_of(member)
        async with self.connector.store.begin() as tx:
            store = records_of(tx)
            own = await store.mine(member.participant_id, period)
            published = await store.current_cells(period)
        cells = {Cell(c.indicator, c.sector, c.region): _outcome(c) for c in published}
        positions = []
        for record in own:
            indicator = self.indicators.get(record.indicator)
            if indicator is None:
                continue
            found = finest(cells, record.indicator, sector, region)
            view: dict[str, Any] = {
                "indicator": {"id": indicator.id, "name": indicator.name.to_dict()},
                "value": record.value,
                "unit": indicator.shown.to_dict(),
                "better": indicator.better,
            }
            if found is None or found.quartiles is None:
                positions.append(view | {"band": None, "reason": said("position.none", period=period)})
                continue
            band = band_of(record.value, found.quartiles, indicator.better)
            q1, q2, q3 = found.quartiles
            positions.append(view | {
                "band": band_view(band),
                "against": cell_view(found.cell, self.indicators) | {"quartiles": {"p25": q1, "p50": q2, "p75": q3}},
            })  # fmt: skip
        return {"period": period, "positions": positions}

    # ---- releases ----------------------------------------------------------------------------------
    async def release(self, who: Principal, body: Any) -> dict[str, Any]:
        """Every cell of the period recomputed, checked and (where it passes) published with noise, for each
        indicator whose budget for the period has room; the others keep their last release."""
        require(who, "hub.review")
        if not isinstance(body, dict) or set(body) != {"period"}:
            raise refusal(DOMAIN, "release.shape", at="period")
        period = read_period(body["period"], self._today(), "period")
        now = self.connector.now()
        async with self.connector.audit.together() as done:
            store = records_of(done.tx)
            given = await store.of_period(period)
            if not given:
                raise refused_as(Conflict, DOMAIN, "release.empty", at="period", period=period)
            already = budget.spent((e.indicator, e.epsilon) for e in await store.ledger_of(period))
            room = {i for i in {g[1] for g in given} if budget.fits(already.get(i, 0.0), self.privacy)}
            if not room:
                raise refused_as(Conflict, DOMAIN, "release.budget", at="period", period=period,
                                 budget=f"{self.privacy.budget:g}", epsilon=f"{self.privacy.epsilon:g}")  # fmt: skip
            places = await self._places(done.tx)
            rows = [(i, *places[p], v) for p, i, v in given if p in places and i in room]
            outcomes = publish(Contributions.of(rows), self.indicators, self.rules, self.privacy, self.noise)
            seq = await store.last_seq(period) + 1
            refused = sorted({g[1] for g in given} - room)
            release = ReleaseRecord(f"urn:uuid:{uuid.uuid4()}", period, seq, now, refused)
            costs = cost_by_indicator(outcomes)
            spent = [LedgerRecord(release.id, i, period, costs.get(i, 0.0), now) for i in sorted(room)]
            await store.add_release(release, [_record(release, o) for o in outcomes], spent)
            done.record("support.benchmarks.released", release=release.id, period=period, seq=seq,
                        spent={e.indicator: e.epsilon for e in spent}, refused=refused)  # fmt: skip
        return {
            "release": release.id,
            "seq": seq,
            "period": period,
            "at": when(now, self.zone),
            "cells": len(outcomes),
            "published": sum(o.published for o in outcomes),
            "released": [{"indicator": e.indicator, "epsilon": e.epsilon} for e in spent],
            "refused": [
                {
                    "indicator": i,
                    "reason": said(
                        "release.refused",
                        period=period,
                        left=f"{budget.left(already.get(i, 0.0), self.privacy):g}",
                        epsilon=f"{self.privacy.epsilon:g}",
                    ),
                }  # fmt: skip
                for i in refused
            ],
        }

    async def _places(self, tx: Any) -> dict[str, tuple[str, str]]:
        """Every active member's sector and region, as the hub keeps its facts now (a suspended member's values
        stay out of releases while it is suspended)."""
        hub = hub_records_of(tx)
        places: dict[str, tuple[str, str]] = {}
        offset = 0
        while True:
            page = await hub.listed(("approved",), limit=_PAGE, offset=offset)
            places.update({m.participant_id: place_of(m) for m in page})
            if len(page) < _PAGE:
                return places
            offset += _PAGE

    async def ledger(self, who: Principal, period: str) -> dict[str, Any]:
        """The budget's ledger of ``period``: per indicator, what each release spent, the sum and what is left."""
        require(who, "hub.review")
        period = read_period(period, self._today(), "period")
        async with self.connector.store.begin() as tx:
            store = records_of(tx)
            entries = await store.ledger_of(period)
            seqs = {r.id: r.seq for r in await store.releases_of(period)}
        totals = budget.spent((e.indicator, e.epsilon) for e in entries)
        return {
            "period": period,
            "budget": self.privacy.budget,
            "perRelease": self.privacy.epsilon,
            "indicators": [
                {
                    "indicator": indicator,
                    "spent": total,
                    "left": budget.left(total, self.privacy),
                    "releases": [
                        {"seq": seqs[e.release_id], "epsilon": e.epsilon, "at": when(e.at, self.zone)}
                        for e in entries
                        if e.indicator == indicator
                    ],  # fmt: skip
                }
                for indicator, total in sorted(totals.items())
            ],
        }

    async def cells(self, reader: MemberRecord | Principal, period: str, indicator: str | None) -> dict[str, Any]:
        """The cells each indicator's latest release of ``period`` published or suppressed (with the reason)."""
        if isinstance(reader, MemberRecord):
            self.active(reader)
        period = read_period(period, self._today(), "period")
        if indicator is not None and self.indicators.get(indicator) is None:
            known = ", ".join(self.indicators.ids)
            raise refusal(DOMAIN, "indicator.unknown", at="indicator", given=indicator[:40], known=known)
        async with self.connector.store.begin() as tx:
            store = records_of(tx)
            found = await store.current_cells(period, indicator)
            releases = {r.id: r for r in await store.releases_of(period)}
        return {
            "period": period,
            "cells": [
                published_view(
                    c, releases[c.release_id].seq, releases[c.release_id].at, self.indicators, self.rules, self.zone
                )  # fmt: skip
                for c in found
            ],
        }


def _record(release: ReleaseRecord, o: Outcome) -> CellRecord:
    band_from, band_to = o.contributors if o.contributors else (None, None)
    q1, q2, q3 = o.quartiles if o.quartiles else (None, None, None)
    c = o.cell
    return CellRecord(release.id, c.indicator, c.sector, c.region, release.period, o.rule, band_from, band_to,
                      q1, q2, q3, o.epsilon)  # fmt: skip


def _outcome(c: CellRecord) -> Outcome:
    published = c.rule is None and c.q1 is not None and c.q2 is not None and c.q3 is not None
    quartiles = (c.q1, c.q2, c.q3) if published else None
    band = (c.band_from, c.band_to) if c.band_from is not None else None
    return Outcome(Cell(c.indicator, c.sector, c.region), c.rule, band, quartiles, c.epsilon)  # type: ignore[arg-type]
