"""Experts, support programs, matches, requests for an expert and success cases, as use cases
(``docs/support/experts.md``). The operator (the hub's API key) keeps the directories and moves requests on; an
active member reads them, gets its matches, asks for an expert and publishes its own cases. A member reads and
writes only its own requests and cases: another's is answered exactly as an unknown id is."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from sangsaeng.connector import Connector
from sangsaeng.errors import Conflict, Forbidden, NotFound
from sangsaeng.hub.members.ksic import read_ksic
from sangsaeng.hub.members.states import state_word
from sangsaeng.hub.store.access import records_of as hub_records_of
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.i18n.refusals import refusal, refused_as
from sangsaeng.roles import Principal, require
from sangsaeng.support.experts import fields, matching, requests
from sangsaeng.support.experts.matching import ExpertMatch, Ineligible, Needs, ProgramMatch
from sangsaeng.support.experts.model import Case, Expert, ExpertRequest, Program
from sangsaeng.support.experts.read import read_case, read_expert, read_message, read_note, read_program
from sangsaeng.support.experts.search import needles, searchable
from sangsaeng.support.profile import Profile
from sangsaeng.support.service.assessment import maturity_of
from sangsaeng.support.service.member_profile import profile_of
from sangsaeng.support.store.experts import ExpertsRecords, records_of

Caller = MemberRecord | Principal  # an active member, or the operator (``roles.API_KEY``)
MAINTAIN = "hub.review"  # the operator's action: the hub's directories are its to keep, as its members are


@dataclass(frozen=True)
class RequestSeen:
    """A request with the names it is shown by: the expert's and the member's."""

    request: ExpertRequest
    expert: Expert | None
    member: str | None


Entry = TypeVar("Entry", Expert, Program)


@dataclass(frozen=True)
class Listing(Generic[Entry]):
    """One of the operator's directories: how its entries' facts are read, an entry made, and the store's calls."""

    noun: str
    read: Callable[[Any], Any]
    make: Callable[[str, Any, datetime, datetime], Entry]
    get: Callable[[ExpertsRecords, str, bool], Awaitable[Entry | None]]
    add: Callable[[ExpertsRecords, Entry], Awaitable[None]]
    save: Callable[[ExpertsRecords, Entry], Awaitable[None]]
    page: Callable[[ExpertsRecords, bool, int, int], Awaitable[list[Entry]]]


EXPERTS: Listing[Expert] = Listing(
    "expert",
    read_expert,
    Expert,
    ExpertsRecords.expert,
    ExpertsRecords.add_expert,
    ExpertsRecords.save_expert,
    ExpertsRecords.experts,
)
PROGRAMS: Listing[Program] = Listing(
    "program",
    read_program,
    Program,
    ExpertsRecords.program,
    ExpertsRecords.add_program,
    ExpertsRecords.save_program,
    ExpertsRecords.programs,
)


def _unknown(noun: str, given: str) -> NotFound:
    return refused_as(NotFound, "experts", f"{noun}.unknown", extra={noun: given}, id=given)


def _new_id() -> str:
    return str(uuid.uuid4())


class ExpertsService:
    def __init__(self, connector: Connector) -> None:
        self.c = connector
        self.zone = ZoneInfo(connector.settings.timezone)

    def today(self) -> date:
        """Today in the hub's calendar (Korea's by default): deadlines and availability are days there."""
        return self.c.now().astimezone(self.zone).date()

    # ---- who may -----------------------------------------------------------------------------------------
    @staticmethod
    def active(member: MemberRecord) -> MemberRecord:
        """Only an approved member uses support; a suspended one is refused as the catalog search refuses it."""
        if member.state != "approved":
            raise refused_as(
                Forbidden,
                "hub",
                "member.inactive",
                extra={"state": member.state},
                participant=member.participant_id,
                state=state_word(member.state),
            )
        return member

    def _reader(self, who: Caller) -> MemberRecord | None:
        """The member reading (active), or None for the operator."""
        if isinstance(who, MemberRecord):
            return self.active(who)
        require(who, MAINTAIN)
        return None

    def _retired_for(self, who: Caller, retired: bool) -> bool:
        if self._reader(who) is not None and retired:
            raise refused_as(Forbidden, "experts", "retired.operator", at="retired")
        return retired

    # ---- the two directories: experts and programs, kept alike ------------------------------------------------
    async def _add(self, kind: Listing[Entry], who: Principal, body: Any) -> Entry:
        require(who, MAINTAIN)
        now = self.c.now()
        entry = kind.make(_new_id(), kind.read(body), now, now)
        async with self.c.store.begin() as tx:
            await kind.add(records_of(tx), entry)
        return entry

    async def _update(self, kind: Listing[Entry], who: Principal, entry_id: str, body: Any) -> Entry:
        require(who, MAINTAIN)
        facts = kind.read(body)
        async with self.c.store.begin() as tx:
            records = records_of(tx)
            found = await self._found(kind, records, entry_id, for_update=True)
            changed = replace(found, facts=facts, updated_at=self.c.now())
            await kind.save(records, changed)
        return changed

    async def _retire(self, kind: Listing[Entry], who: Principal, entry_id: str) -> Entry:
        """No longer listed nor matched (kept for what names it); retiring twice is once."""
        require(who, MAINTAIN)
        async with self.c.store.begin() as tx:
            records = records_of(tx)
            found = await self._found(kind, records, entry_id, for_update=True)
            if found.retired_at is not None:
                return found
            now = self.c.now()
            changed = replace(found, retired_at=now, updated_at=now)
            await kind.save(records, changed)
        return changed

    async def _one(self, kind: Listing[Entry], who: Caller, entry_id: str) -> Entry:
        member = self._reader(who)
        async with self.c.store.begin() as tx:
            found = await self._found(kind, records_of(tx), entry_id)
        if member is not None and found.retired_at is not None:  # a member sees a retired one as none
            raise _unknown(kind.noun, entry_id)
        return found

    async def _page(self, kind: Listing[Entry], who: Caller, retired: bool, limit: int, offset: int) -> list[Entry]:
        retired = self._retired_for(who, retired)
        async with self.c.store.begin() as tx:
            return await kind.page(records_of(tx), retired, limit, offset)

    @staticmethod
    async def _found(kind: Listing[Entry], records: ExpertsRecords, entry_id: str, for_update: bool = False) -> Entry:
        found = await kind.get(records, entry_id, for_update)
        if found is None:
            raise _unknown(kind.noun, entry_id)
        return found

    async def add_expert(self, who: Principal, body: Any) -> Expert:
        return await self._add(EXPERTS, who, body)

    async def update_expert(self, who: Principal, expert_id: str, body: Any) -> Expert:
        return await self._update(EXPERTS, who, expert_id, body)

    async def retire_expert(self, who: Principal, expert_id: str) -> Expert:
        return await self._retire(EXPERTS, who, expert_id)

    async def expert(self, who: Caller, expert_id: str) -> Expert:
        return await self._one(EXPERTS, who, expert_id)

    async def experts(self, who: Caller, retired: bool = False, limit: int = 100, offset: int = 0) -> list[Expert]:
        return await self._page(EXPERTS, who, retired, limit, offset)

    async def add_program(self, who: Principal, body: Any) -> Program:
        return await self._add(PROGRAMS, who, body)

    async def update_program(self, who: Principal, program_id: str, body: Any) -> Program:
        return await self._update(PROGRAMS, who, program_id, body)

    async def retire_program(self, who: Principal, program_id: str) -> Program:
        return await self._retire(PROGRAMS, who, program_id)

    async def program(self, who: Caller, program_id: str) -> Program:
        return await self._one(PROGRAMS, who, program_id)

    async def programs(self, who: Caller, retired: bool = False, limit: int = 100, offset: int = 0) -> list[Program]:
        return await self._page(PROGRAMS, who, retired, limit, offset)

    # ---- matches -----------------------------------------------------------------------------------------
    @staticmethod
    def needs(skills: list[str], level: int | None, language: str) -> Needs:
        """What a member asks besides its profile, read as the directory reads it (``?skills=…&level=…``)."""
        return Needs(
            skills=fields.listed(skills, "skills", fields.skill, least=0),
            level=None if level is None else fields.level(level, "level"),
            language=fields.language(language, "language"),
        )

    async def match_experts(self, member: MemberRecord, needs: Needs, limit: int = 20) -> list[ExpertMatch]:
        self.active(member)
        async with self.c.store.begin() as tx:
            listed = await records_of(tx).experts()
        return matching.match_experts(await self._profile(member), listed, needs, self.today(), limit)

    async def match_programs(self, member: MemberRecord, needs: Needs) -> tuple[list[ProgramMatch], list[Ineligible]]:
        self.active(member)
        async with self.c.store.begin() as tx:
            listed = await records_of(tx).programs()
        return matching.match_programs(await self._profile(member), listed, needs, self.today())

    async def _profile(self, member: MemberRecord) -> Profile:
        """The member as matching sees it: its facts and its latest self-assessment (a level asked for overrides)."""
        return replace(profile_of(member), maturity=await maturity_of(self.c, member.participant_id))

    # ---- requests for an expert --------------------------------------------------------------------------
    async def request_expert(self, member: MemberRecord, expert_id: str, body: Any) -> RequestSeen:
        """A member asks for an expert; one open request (requested or accepted) per member and expert."""
        self.active(member)
        message = read_message(body)
        async with self.c.store.begin() as tx:
            records = records_of(tx)
            expert = await self._found(EXPERTS, records, expert_id, for_update=True)  # asks for it take turns
            if expert.retired_at is not None:
                raise _unknown("expert", expert_id)
            if await records.requests(member.participant_id, tuple(requests.OPEN), expert_id):
                raise refused_as(
                    Conflict, "experts", "request.open", extra={"expert": expert_id}, expert=expert.facts.name
                )
            made = ExpertRequest(_new_id(), expert_id, member.participant_id, message, "requested", None, self.c.now())
            await records.add_request(made)
        return RequestSeen(made, expert, member.name)

    async def requests(
        self, who: Caller, state: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[RequestSeen]:
        """A member's own requests, or (the operator) everyone's; newest first, of one state or all."""
        member = self._reader(who)
        if state is not None and state not in requests.STATES:
            raise refusal("experts", "request.state", at="state", given=state[:20], known=", ".join(requests.STATES))
        states = None if state is None else (state,)
        async with self.c.store.begin() as tx:
            records = records_of(tx)
            found = await records.requests(member.participant_id if member else None, states, None, limit, offset)
            return [await self._seen(tx, records, r) for r in found]

    async def request(self, who: Caller, request_id: str) -> RequestSeen:
        member = self._reader(who)
        async with self.c.store.begin() as tx:
            records = records_of(tx)
            found = await records.request(request_id)
            if found is None or (member is not None and found.participant_id != member.participant_id):
                raise _unknown("request", request_id)
            return await self._seen(tx, records, found)

    async def step_request(self, who: Principal, request_id: str, action: str, body: Any) -> RequestSeen:
        """The operator accepts or declines a request, or marks an accepted one done (``{"note": …}`` optional)."""
        require(who, MAINTAIN)
        note = read_note(body)
        async with self.c.store.begin() as tx:
            records = records_of(tx)
            found = await records.request(request_id, for_update=True)
            if found is None:
                raise _unknown("request", request_id)
            changed = requests.step(found, action, note, self.c.now())
            await records.save_request(changed)
            return await self._seen(tx, records, changed)

    async def _seen(self, tx: Any, records: ExpertsRecords, item: ExpertRequest) -> RequestSeen:
        member = await hub_records_of(tx).by_participant(item.participant_id)
        return RequestSeen(item, await records.expert(item.expert_id), member.name if member else None)

    # ---- success cases -----------------------------------------------------------------------------------
    async def publish(self, member: MemberRecord, body: Any) -> Case:
        self.active(member)
        facts = read_case(body)
        now = self.c.now()
        case = Case(_new_id(), member.participant_id, member.name, facts, "published", now, now)
        async with self.c.store.begin() as tx:
            await records_of(tx).add_case(case, searchable(facts, case.company))
        return case

    async def edit(self, member: MemberRecord, case_id: str, body: Any) -> Case:
        """The member's own published case, replaced whole."""
        self.active(member)
        facts = read_case(body)
        async with self.c.store.begin() as tx:
            records = records_of(tx)
            found = await self._own_case(records, member, case_id)
            if found.state != "published":
                raise refused_as(Conflict, "experts", "case.withdrawn", extra={"case": case_id})
            changed = replace(found, facts=facts, publisher=member.name, updated_at=self.c.now())
            await records.save_case(changed, searchable(facts, changed.company))
        return changed

    async def withdraw(self, who: Caller, case_id: str) -> Case:
        """A member withdraws its own case, the operator any; withdrawing twice is once."""
        member = self._reader(who)
        async with self.c.store.begin() as tx:
            records = records_of(tx)
            if member is not None:
                found = await self._own_case(records, member, case_id)
            elif (found_any := await records.case(case_id, for_update=True)) is None:
                raise _unknown("case", case_id)
            else:
                found = found_any
            if found.state == "withdrawn":
                return found
            changed = replace(found, state="withdrawn", updated_at=self.c.now())
            await records.save_case(changed, searchable(changed.facts, changed.company))
        return changed

    async def case(self, who: Caller, case_id: str) -> Case:
        """A published case for any reader; a withdrawn one only for its owner and the operator."""
        member = self._reader(who)
        async with self.c.store.begin() as tx:
            found = await records_of(tx).case(case_id)
        if found is None or (
            found.state != "published" and member is not None and found.owner != member.participant_id
        ):
            raise _unknown("case", case_id)
        return found

    async def mine(self, member: MemberRecord) -> list[Case]:
        self.active(member)
        async with self.c.store.begin() as tx:
            return await records_of(tx).cases_of(member.participant_id)

    async def search(
        self,
        who: Caller,
        query: str = "",
        sector: str | None = None,
        level: int | None = None,
        language: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[Case]:
        """Published cases holding every word of ``query`` (Korean or English), within the filters, newest first."""
        self._reader(who)
        asked = needles(query)
        code = None if sector is None else read_ksic(sector, "sector")
        wanted = None if level is None else fields.level(level, "level")
        if language is not None and language not in ("ko", "en"):
            raise refusal("experts", "texts.language", at="language", given=language[:20])
        async with self.c.store.begin() as tx:
            return await records_of(tx).search_cases(asked, code, wanted, language, limit, offset)

    async def _own_case(self, records: ExpertsRecords, member: MemberRecord, case_id: str) -> Case:
        found = await records.case(case_id, for_update=True)
        if found is None or found.owner != member.participant_id:
            raise _unknown("case", case_id)
        return found
