"""The plan's use cases on the hub: a member declares what it wants of its partners and withdraws it, reads its own
wants and those addressed to it; the hub gathers what it knows a member does (its ``Activity``: what the federated
catalog lists of it, what its partners asked of it, its activity report, and — when the hub hosts its connector —
its agreements and streams; its latest assessment and its benchmark contributions) and answers the member's plan,
or a member's plan to the operator."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, Final

import anyio

from sangsaeng.connector import Connector
from sangsaeng.errors import Conflict, NotFound
from sangsaeng.hub.catalog.model import Entry, template_of
from sangsaeng.hub.hosting.tenancy import Hosting
from sangsaeng.hub.members.states import LISTED
from sangsaeng.hub.service.hub import Hub
from sangsaeng.hub.store.access import records_of
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.i18n.catalogs import LANGUAGES
from sangsaeng.i18n.refusals import refusal, refused_as
from sangsaeng.roles import Principal, require
from sangsaeng.standard.labels import ENTITY_LABELS
from sangsaeng.store.ports import Tx
from sangsaeng.store.records import Dataset
from sangsaeng.streams import status
from sangsaeng.support.plan.facts import Ask, Situation
from sangsaeng.support.plan.planning import plan_of
from sangsaeng.support.plan.rules import Rulebook, current
from sangsaeng.support.plan.wants import read_want
from sangsaeng.support.profile import Activity, Maturity
from sangsaeng.support.service.activity import ActivityReports
from sangsaeng.support.service.assessment import Assessments
from sangsaeng.support.service.member_profile import profile_of
from sangsaeng.support.service.plan_views import Names, plan_view, want_view
from sangsaeng.support.store.benchmarks import records_of as benchmark_records_of
from sangsaeng.support.store.plan import WantRecord, wants_of

MaturityOf = Callable[[str], Awaitable[Maturity | None]]  # participant id → its latest completed assessment
IndicatorsOf = Callable[[str], Awaitable[frozenset[str]]]  # participant id → the indicators it contributes
ReportedOf = Callable[[str], Awaitable[Activity | None]]  # participant id → what its latest activity report says
HostedOf = Callable[[str], Connector | None]  # participant id → its connector, when this hub hosts it
MAX_OPEN: Final = 200  # open wants per member
_PAGE: Final = 1000


def _nobody(participant_id: str) -> Connector | None:
    return None


def hosted_in(hosting: Hosting) -> HostedOf:
    """The connectors ``hosting`` serves, found by participant id."""

    def find(participant_id: str) -> Connector | None:
        return next((c.connector for c in hosting.host.named() if c.connector.participant_id == participant_id), None)

    return find


@dataclass(frozen=True)
class Gathered:
    """What the hub knows of a member for its plan, and where it learnt it: ``catalog`` (what its crawl lists),
    ``hosted`` (the member's connector, hosted here), ``report`` (its latest activity report)."""

    situation: Situation
    sources: tuple[str, ...]


class PlanService:
    def __init__(
        self,
        hub: Hub,
        hosted: HostedOf = _nobody,
        maturity: MaturityOf | None = None,
        indicators: IndicatorsOf | None = None,
        reported: ReportedOf | None = None,
        rulebook: Rulebook | None = None,
    ) -> None:
        self.hub, self.c = hub, hub.connector
        self.hosted = hosted
        # Each reading of another part of support, by default that part's own (others: tests, a later source).
        self.maturity = maturity or Assessments(hub.connector, hub.membership).maturity_of
        self.indicators = indicators or self._contributed  # the benchmarks' contributions in the hub's store
        self.reported = reported or ActivityReports(hub.connector, hub.membership).activity_of
        self.rulebook = rulebook or current()

    # ---- wants -----------------------------------------------------------------------------------------------
    async def want(self, me: MemberRecord, body: Any) -> dict[str, Any]:
        """A want of the member's partners, stored open: ``{"entity", "from": {"tier", "chain"?} | {"members":
        [participant ids]}, "why", "template"?}``."""
        self.hub.membership.reader(me)
        chains = tuple(dict.fromkeys(t["chain"] for t in me.company.get("tiers", ())))
        given = read_want(body, chains)
        now = self.c.now()
        record = WantRecord(
            id=f"urn:uuid:{uuid.uuid4()}",
            asker=me.participant_id,
            entity=given.entity,
            to_chain=given.chain,
            to_tier=given.tier,
            to_members=list(given.members) if given.members is not None else None,
            why=given.why,
            template=given.template,
            state="open",
            created_at=now,
            updated_at=now,
        )
        async with self.c.store.begin() as tx:
            members = records_of(tx)
            for i, named in enumerate(given.members or ()):
                found = await members.by_participant(named)
                if named == me.participant_id:
                    raise refusal("plan", "wants.member-self", at=f"from.members[{i}]")
                if found is None or found.state not in LISTED:
                    raise refusal("plan", "wants.member-unknown", at=f"from.members[{i}]", given=named)
            records = wants_of(tx)
            if await records.open_count(me.participant_id) >= MAX_OPEN:
                raise refused_as(Conflict, "plan", "wants.too-many", most=MAX_OPEN)
            await records.add(record)
            names = await self._names(tx, [record])
        return want_view(record, names, self._zone())

    async def mine(self, me: MemberRecord, state: str | None = None) -> list[dict[str, Any]]:
        """The member's own wants, oldest first: open ones, withdrawn ones, or both (``state`` None)."""
        self.hub.membership.reader(me)
        if state is not None and state not in ("open", "withdrawn"):
            raise refusal("plan", "wants.state", at="state", given=state[:20])
        async with self.c.store.begin() as tx:
            found = await wants_of(tx).of_asker(me.participant_id, (state,) if state else None)
            names = await self._names(tx, found)
        return [want_view(w, names, self._zone()) for w in found]

    async def withdraw(self, me: MemberRecord, want_id: str) -> dict[str, Any]:
        """The member's own want withdrawn (kept, no longer shown to those it was addressed to)."""
        self.hub.membership.reader(me)
        async with self.c.store.begin() as tx:
            records = wants_of(tx)
            found = await records.get(want_id, for_update=True)
            if found is None or found.asker != me.participant_id:
                raise refused_as(NotFound, "plan", "wants.unknown", want=want_id[:80])
            if found.state != "open":
                raise refused_as(Conflict, "plan", "wants.withdrawn", want=want_id[:80])
            found.state, found.updated_at = "withdrawn", self.c.now()
            await records.save(found)
            names = await self._names(tx, [found])
        return want_view(found, names, self._zone())

    async def addressed(self, me: MemberRecord) -> list[dict[str, Any]]:
        """The open wants of active members addressed to this member (by its tier in their chain, or by name),
        each with the asker's name."""
        self.hub.membership.reader(me)
        async with self.c.store.begin() as tx:
            found, names = await self._addressed(tx, me)
        return [want_view(w, names, self._zone(), addressee=me.participant_id) for w in found]

    async def _addressed(self, tx: Tx, me: MemberRecord) -> tuple[list[WantRecord], Names]:
        pairs = list(dict.fromkeys((t["chain"], t["tier"]) for t in me.company.get("tiers", ())))
        found = await wants_of(tx).addressed_to(me.participant_id, pairs)
        names = await self._names(tx, found)
        return [w for w in found if w.asker in names.active], names

    async def _names(self, tx: Tx, found: list[WantRecord]) -> Names:
        """The names of the askers and named members of ``found``, and which askers are active members."""
        members = records_of(tx)
        names, active = {}, set()
        for pid in dict.fromkeys(p for w in found for p in (w.asker, *(w.to_members or ()))):
            member = await members.by_participant(pid)
            if member is not None:
                names[pid] = member.name
                if member.state == "approved":
                    active.add(pid)
        return Names(names, frozenset(active))

    # ---- the plan --------------------------------------------------------------------------------------------
    async def my_plan(self, me: MemberRecord, language: str) -> dict[str, Any]:
        self.hub.membership.reader(me)
        return await self._plan(me, _language(language))

    async def plan_of_member(self, who: Principal, member: str, language: str) -> dict[str, Any]:
        """A member's plan for the operator (an advisor): by participant id or application id."""
        require(who, "read")
        chosen = _language(language)
        async with self.c.store.begin() as tx:
            records = records_of(tx)
            found = await records.by_participant(member) or await records.get(member)
        if found is None or found.state not in LISTED:
            raise refused_as(NotFound, "plan", "member.unknown", member=member[:80])
        return await self._plan(found, chosen)

    async def _plan(self, member: MemberRecord, language: str) -> dict[str, Any]:
        gathered = await self.gather(member)
        plan = plan_of(gathered.situation, self.rulebook)
        return plan_view(plan, gathered.situation, language, sources=gathered.sources)

    async def _contributed(self, participant_id: str) -> frozenset[str]:
        """The indicators the member contributes to the hub's benchmarks (a value kept for any period)."""
        async with self.c.store.begin() as tx:
            return frozenset(c.indicator for c in await benchmark_records_of(tx).mine(participant_id))

    async def gather(self, member: MemberRecord) -> Gathered:
        """Everything the plan decides from for ``member``: its facts, its latest maturity (from the assessment,
        when wired), and its activity as the hub knows it — what the crawl listed of it (offers only a named
        customer may see are not crawled), what its connector's own state says when the hub hosts it, and its
        latest activity report. Sets are joined; of a count, the largest is taken (a report counts one month's
        agreements, a hosted connector's state all live ones): the plan never tells a member to start what any
        source shows it does."""
        pid = member.participant_id
        shared = _listed(self.hub.catalog.index.entries_of(pid))
        sources = ["catalog"] if shared.datasets else []
        async with self.c.store.begin() as tx:
            addressed, names = await self._addressed(tx, member)
            declared = await wants_of(tx).open_count(pid)
        asks = tuple(Ask(w.entity, names.name(w.asker), w.why, w.template) for w in addressed)
        counts = {"datasets": 0, "provider": 0, "consumer": 0, "streams": 0}
        connector = self.hosted(pid)
        if connector is not None:
            own, counts["provider"], counts["consumer"], counts["streams"] = await _hosted_activity(connector, pid)
            shared = shared | own
            sources.append("hosted")
        reported = await self.reported(pid)
        if reported is not None:
            shared = shared | Shared(entities=reported.entities_published & frozenset(ENTITY_LABELS))
            counts["datasets"] = reported.datasets_published
            counts["provider"] = max(counts["provider"], reported.agreements_as_provider)
            counts["consumer"] = max(counts["consumer"], reported.agreements_as_consumer)
            counts["streams"] = max(counts["streams"], reported.streams)
            sources.append("report")
        activity = Activity(
            datasets_published=max(len(shared.datasets), counts["datasets"]),
            entities_published=shared.entities,
            templates_offered=shared.templates,
            agreements_as_provider=counts["provider"],
            agreements_as_consumer=counts["consumer"],
            streams=counts["streams"],
            benchmark_indicators=await self.indicators(pid),
            requested_of_it=frozenset(a.entity for a in asks),
        )
        profile = replace(profile_of(member), maturity=await self.maturity(pid), activity=activity)
        return Gathered(Situation(profile, self.c.now(), asks, declared), tuple(sources))

    def _zone(self) -> str:
        return self.c.settings.timezone


@dataclass(frozen=True)
class Shared:
    """What a member shares: its datasets (by id), the standard entities they hold, the templates of its offers."""

    datasets: frozenset[str] = frozenset()
    entities: frozenset[str] = frozenset()
    templates: frozenset[str] = frozenset()

    def __or__(self, other: Shared) -> Shared:
        return Shared(self.datasets | other.datasets, self.entities | other.entities, self.templates | other.templates)


def _listed(entries: list[Entry]) -> Shared:
    return Shared(
        frozenset(e.dataset_id for e in entries),
        frozenset(e.entity for e in entries if e.entity),
        frozenset(o.template for e in entries for o in e.offers if o.template),
    )


async def _hosted_activity(connector: Connector, pid: str) -> tuple[Shared, int, int, int]:
    """From a hosted member's own state: its offered datasets (with their entities and offer templates), its live
    agreements as provider and as consumer, and its machine streams."""
    as_provider = as_consumer = 0
    datasets: list[Dataset] = []
    async with connector.store.begin() as tx:
        offers = await tx.offers.all()
        offset = 0
        while page := await tx.datasets.page(offset, _PAGE, offered_only=True):
            datasets += page
            offset += _PAGE
        offset = 0
        while agreements := await tx.agreements.page(offset, _PAGE):
            for agreement in agreements:
                if agreement.terminated_at is None:
                    as_provider += agreement.provider == pid
                    as_consumer += agreement.consumer == pid
            offset += _PAGE
    streams = await anyio.to_thread.run_sync(status.all_streams, connector.settings.streams_dir)
    own = Shared(
        frozenset(d.id for d in datasets),
        frozenset(d.latest.entity for d in datasets if d.latest is not None and d.latest.entity),
        frozenset(t for o in offers if (t := template_of(o.policy)) is not None),
    )
    return own, as_provider, as_consumer, len(streams)


def _language(given: str) -> str:
    if given not in LANGUAGES:
        raise refusal("plan", "plan.language", at="lang", given=given[:20])
    return given
