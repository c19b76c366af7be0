"""The tables of experts, programs, success cases and requests for an expert (migration ``s0003``), and their
records on one transaction of the hub connector's store (``records_of(tx)``). Values in and out are the pure
core's (``support/experts/model.py``); a case is searched by plain ``LIKE`` over its pre-split words
(``support/experts/search.py``), the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa

from sangsaeng.hub.members.ksic import Named
from sangsaeng.store.ports import Tx
from sangsaeng.store.sql import SqlTx
from sangsaeng.store.sql.common import Connection, Rows
from sangsaeng.store.tables import UtcDateTime
from sangsaeng.support.experts.model import (
    Availability,
    Case,
    CaseFacts,
    Contact,
    Eligibility,
    Expert,
    ExpertFacts,
    ExpertRequest,
    Funding,
    Program,
    ProgramFacts,
    Result,
)
from sangsaeng.support.experts.search import Needle, Searchable
from sangsaeng.support.store.meta import metadata

Id = sa.String(255)

experts = sa.Table(
    "support_experts",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("organisation", sa.Text, nullable=False),
    sa.Column("sectors", sa.JSON, nullable=False),
    sa.Column("regions", sa.JSON, nullable=False),
    sa.Column("skills", sa.JSON, nullable=False),
    sa.Column("languages", sa.JSON, nullable=False),
    sa.Column("availability", sa.String(16), nullable=False),
    sa.Column("busy_until", sa.Date, nullable=True),
    sa.Column("contact", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("retired_at", UtcDateTime, nullable=True),
)

programs = sa.Table(
    "support_programs",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("name_ko", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("agency", sa.JSON, nullable=False),
    sa.Column("sizes", sa.JSON, nullable=False),
    sa.Column("sectors", sa.JSON, nullable=False),
    sa.Column("regions", sa.JSON, nullable=False),
    sa.Column("min_level", sa.Integer, nullable=False),
    sa.Column("max_level", sa.Integer, nullable=False),
    sa.Column("amount_krw", sa.BigInteger, nullable=True),
    sa.Column("share_percent", sa.Integer, nullable=True),
    sa.Column("cap_krw", sa.BigInteger, nullable=True),
    sa.Column("deadline", sa.Date, nullable=True),
    sa.Column("link", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("retired_at", UtcDateTime, nullable=True),
)

cases = sa.Table(
    "support_cases",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("owner", Id, nullable=False, index=True),
    sa.Column("publisher", sa.Text, nullable=False),
    sa.Column("company", sa.Text, nullable=True),
    sa.Column("title", sa.JSON, nullable=False),
    sa.Column("sector", sa.String(16), nullable=False, index=True),
    sa.Column("level_before", sa.Integer, nullable=False),
    sa.Column("level_after", sa.Integer, nullable=False),
    sa.Column("problem", sa.JSON, nullable=False),
    sa.Column("done", sa.JSON, nullable=False),
    sa.Column("results", sa.JSON, nullable=False),
    sa.Column("technologies", sa.JSON, nullable=False),
    sa.Column("contact", sa.JSON, nullable=False),
    sa.Column("languages", sa.String(32), nullable=False),  # " en ko ": a language is found as " ko "
    sa.Column("search_grams", sa.Text, nullable=False),
    sa.Column("search_syllables", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("published_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

requests = sa.Table(
    "support_expert_requests",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("expert_id", Id, nullable=False, index=True),
    sa.Column("participant_id", Id, nullable=False, index=True),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("requested_at", UtcDateTime, nullable=False),
    sa.Column("decided_at", UtcDateTime, nullable=True),
    sa.Column("done_at", UtcDateTime, nullable=True),
)


# ---- values ↔ rows -------------------------------------------------------------------------------------------
def _contact(value: Contact) -> dict[str, str | None]:
    return {"name": value.name, "email": value.email, "phone": value.phone}


def _expert_row(item: Expert) -> dict[str, Any]:
    f = item.facts
    return {
        "id": item.id,
        "name": f.name,
        "organisation": f.organisation,
        "sectors": list(f.sectors),
        "regions": list(f.regions),
        "skills": list(f.skills),
        "languages": list(f.languages),
        "availability": f.availability.state,
        "busy_until": f.availability.until,
        "contact": _contact(f.contact),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "retired_at": item.retired_at,
    }


def _expert(row: Any) -> Expert:
    r = row._mapping
    facts = ExpertFacts(
        name=r["name"],
        organisation=r["organisation"],
        sectors=tuple(r["sectors"]),
        regions=tuple(r["regions"]),
        skills=tuple(r["skills"]),
        languages=tuple(r["languages"]),
        availability=Availability(r["availability"], r["busy_until"]),
        contact=Contact(**r["contact"]),
    )
    return Expert(r["id"], facts, r["created_at"], r["updated_at"], r["retired_at"])


def _program_row(item: Program) -> dict[str, Any]:
    f, rule = item.facts, item.facts.eligibility
    return {
        "id": item.id,
        "name_ko": f.name.ko,
        "name_en": f.name.en,
        "agency": {"ko": f.agency.ko, "en": f.agency.en},
        "sizes": list(rule.sizes),
        "sectors": list(rule.sectors),
        "regions": list(rule.regions),
        "min_level": rule.min_level,
        "max_level": rule.max_level,
        "amount_krw": f.funding.amount_krw,
        "share_percent": f.funding.share_percent,
        "cap_krw": f.funding.cap_krw,
        "deadline": f.deadline,
        "link": f.link,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "retired_at": item.retired_at,
    }


def _program(row: Any) -> Program:
    r = row._mapping
    facts = ProgramFacts(
        name=Named(r["name_ko"], r["name_en"]),
        agency=Named(r["agency"]["ko"], r["agency"]["en"]),
        eligibility=Eligibility(
            tuple(r["sizes"]), tuple(r["sectors"]), tuple(r["regions"]), r["min_level"], r["max_level"]
        ),
        funding=Funding(r["amount_krw"], r["share_percent"], r["cap_krw"]),
        deadline=r["deadline"],
        link=r["link"],
    )
    return Program(r["id"], facts, r["created_at"], r["updated_at"], r["retired_at"])


def _case_row(item: Case, words: Searchable) -> dict[str, Any]:
    f = item.facts
    return {
        "id": item.id,
        "owner": item.owner,
        "publisher": item.publisher,
        "company": f.company,
        "title": dict(f.title),
        "sector": f.sector,
        "level_before": f.level_before,
        "level_after": f.level_after,
        "problem": dict(f.problem),
        "done": dict(f.done),
        "results": [
            {"metric": dict(x.metric), "before": x.before, "after": x.after, "unit": x.unit} for x in f.results
        ],
        "technologies": list(f.technologies),
        "contact": _contact(f.contact),
        "languages": f" {' '.join(f.languages)} ",
        "search_grams": words.grams,
        "search_syllables": words.syllables,
        "state": item.state,
        "published_at": item.published_at,
        "updated_at": item.updated_at,
    }


def _case(row: Any) -> Case:
    r = row._mapping
    facts = CaseFacts(
        title=r["title"],
        company=r["company"],
        sector=r["sector"],
        level_before=r["level_before"],
        level_after=r["level_after"],
        problem=r["problem"],
        done=r["done"],
        results=tuple(Result(x["metric"], float(x["before"]), float(x["after"]), x["unit"]) for x in r["results"]),
        technologies=tuple(r["technologies"]),
        contact=Contact(**r["contact"]),
    )
    return Case(r["id"], r["owner"], r["publisher"], facts, r["state"], r["published_at"], r["updated_at"])


def _request_row(item: ExpertRequest) -> dict[str, Any]:
    return {name: getattr(item, name) for name in (c.name for c in requests.columns)}


def _request(row: Any) -> ExpertRequest:
    return ExpertRequest(**row._mapping)


# ---- the records ---------------------------------------------------------------------------------------------
class ExpertsRecords(Rows):
    __slots__ = ()

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)

    async def _first(self, statement: Any, for_update: bool = False) -> Any:
        if for_update and self.lock_rows:
            statement = statement.with_for_update()
        return (await self.conn.execute(statement)).first()

    async def _update(self, table: sa.Table, row: dict[str, Any]) -> None:
        await self.conn.execute(table.update().where(table.c.id == row["id"]).values(**row))

    # ---- experts -----------------------------------------------------------------------------------------
    async def add_expert(self, item: Expert) -> None:
        await self.conn.execute(experts.insert().values(**_expert_row(item)))

    async def save_expert(self, item: Expert) -> None:
        await self._update(experts, _expert_row(item))

    async def expert(self, expert_id: str, for_update: bool = False) -> Expert | None:
        row = await self._first(sa.select(experts).where(experts.c.id == expert_id), for_update)
        return None if row is None else _expert(row)

    async def experts(self, retired: bool = False, limit: int | None = None, offset: int = 0) -> list[Expert]:
        """Experts by name (then id); the retired ones too with ``retired``."""
        statement = sa.select(experts).order_by(experts.c.name, experts.c.id).limit(limit).offset(offset)
        if not retired:
            statement = statement.where(experts.c.retired_at.is_(None))
        return [_expert(row) for row in await self.conn.execute(statement)]

    # ---- programs ----------------------------------------------------------------------------------------
    async def add_program(self, item: Program) -> None:
        await self.conn.execute(programs.insert().values(**_program_row(item)))

    async def save_program(self, item: Program) -> None:
        await self._update(programs, _program_row(item))

    async def program(self, program_id: str, for_update: bool = False) -> Program | None:
        row = await self._first(sa.select(programs).where(programs.c.id == program_id), for_update)
        return None if row is None else _program(row)

    async def programs(self, retired: bool = False, limit: int | None = None, offset: int = 0) -> list[Program]:
        """Programs by Korean name (then id); the retired ones too with ``retired``."""
        statement = sa.select(programs).order_by(programs.c.name_ko, programs.c.id).limit(limit).offset(offset)
        if not retired:
            statement = statement.where(programs.c.retired_at.is_(None))
        return [_program(row) for row in await self.conn.execute(statement)]

    # ---- cases -------------------------------------------------------------------------------------------
    async def add_case(self, item: Case, words: Searchable) -> None:
        await self.conn.execute(cases.insert().values(**_case_row(item, words)))

    async def save_case(self, item: Case, words: Searchable) -> None:
        await self._update(cases, _case_row(item, words))

    async def case(self, case_id: str, for_update: bool = False) -> Case | None:
        row = await self._first(sa.select(cases).where(cases.c.id == case_id), for_update)
        return None if row is None else _case(row)

    async def cases_of(self, owner: str) -> list[Case]:
        """A member's cases, published and withdrawn, newest first."""
        statement = sa.select(cases).where(cases.c.owner == owner).order_by(cases.c.published_at.desc(), cases.c.id)
        return [_case(row) for row in await self.conn.execute(statement)]

    async def search_cases(
        self,
        needles: Sequence[Needle],
        sector: str | None = None,
        level: int | None = None,
        language: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[Case]:
        """Published cases holding every needle, newest first. ``sector``: a KSIC code the case's lies within or
        that lies within the case's (C29 finds C2912 and C); ``level``: the level the company started from;
        ``language``: one its text is written in."""
        columns = {"grams": cases.c.search_grams, "syllables": cases.c.search_syllables}
        statement = sa.select(cases).where(cases.c.state == "published")
        for needle in needles:
            statement = statement.where(columns[needle.column].contains(needle.text, autoescape=True))
        if sector is not None:
            statement = statement.where(
                sa.or_(
                    cases.c.sector.startswith(sector, autoescape=True), sa.literal(sector).startswith(cases.c.sector)
                )
            )
        if level is not None:
            statement = statement.where(cases.c.level_before == level)
        if language is not None:
            statement = statement.where(cases.c.languages.contains(f" {language} ", autoescape=True))
        statement = statement.order_by(cases.c.published_at.desc(), cases.c.id).limit(limit).offset(offset)
        return [_case(row) for row in await self.conn.execute(statement)]

    # ---- requests for an expert --------------------------------------------------------------------------
    async def add_request(self, item: ExpertRequest) -> None:
        await self.conn.execute(requests.insert().values(**_request_row(item)))

    async def save_request(self, item: ExpertRequest) -> None:
        await self._update(requests, _request_row(item))

    async def request(self, request_id: str, for_update: bool = False) -> ExpertRequest | None:
        row = await self._first(sa.select(requests).where(requests.c.id == request_id), for_update)
        return None if row is None else _request(row)

    async def requests(
        self,
        participant_id: str | None = None,
        states: Sequence[str] | None = None,
        expert_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ExpertRequest]:
        """Requests newest first: of one member, of some states, for one expert, or all."""
        statement = sa.select(requests)
        if participant_id is not None:
            statement = statement.where(requests.c.participant_id == participant_id)
        if states is not None:
            statement = statement.where(requests.c.state.in_(states))
        if expert_id is not None:
            statement = statement.where(requests.c.expert_id == expert_id)
        statement = statement.order_by(requests.c.requested_at.desc(), requests.c.id).limit(limit).offset(offset)
        return [_request(row) for row in await self.conn.execute(statement)]


def records_of(tx: Tx) -> ExpertsRecords:
    return ExpertsRecords(cast(SqlTx, tx).conn)
