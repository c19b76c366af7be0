"""Programs taken up, as use cases (``docs/support/uptake.md``): an active member says what became of a support
program it was matched to — applied, granted, declined, withdrawn — and reads its own; the operator's figures
count members per program and state. A retired program is unknown to a member, as it is everywhere else; a
member's take-ups are its own (the routes have no way to name another's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sangsaeng.connector import Connector
from sangsaeng.errors import NotFound
from sangsaeng.hub.members.ksic import Named
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.i18n.refusals import refused_as
from sangsaeng.roles import Principal, require
from sangsaeng.support.experts.model import Program
from sangsaeng.support.service.experts import MAINTAIN, ExpertsService
from sangsaeng.support.store.experts import records_of as experts_records_of
from sangsaeng.support.store.uptake import records_of
from sangsaeng.support.uptake.model import STATES, Uptake, moved, read_uptake


@dataclass(frozen=True)
class Taken:
    """A take-up with the program it is of (its names; retired or not)."""

    uptake: Uptake
    program: Program | None


@dataclass(frozen=True)
class ProgramUptake:
    """One program's members by take-up state, in ``STATES`` order."""

    program_id: str
    name: Named
    counts: tuple[int, ...]

    def of(self, state: str) -> int:
        return self.counts[STATES.index(state)]


class UptakeService:
    def __init__(self, connector: Connector) -> None:
        self.c = connector
        self.zone = ZoneInfo(connector.settings.timezone)

    async def take_up(self, member: MemberRecord, program_id: str, body: Any) -> Taken:
        """The member's word on a listed program: its state now (and a note); each new state kept with when."""
        ExpertsService.active(member)
        state, note = read_uptake(body)
        async with self.c.store.begin() as tx:
            program = await experts_records_of(tx).program(program_id, for_update=True)  # its changes take turns
            if program is None or program.retired_at is not None:
                raise refused_as(NotFound, "experts", "program.unknown", extra={"program": program_id}, id=program_id)
            records = records_of(tx)
            found = await records.get(member.participant_id, program_id)
            changed = moved(found, member.participant_id, program_id, state, note, self.c.now())
            if changed != found:
                await records.put(changed)
        return Taken(changed, program)

    async def mine(self, member: MemberRecord) -> list[Taken]:
        """The member's own take-ups, the latest changed first, each with its program."""
        ExpertsService.active(member)
        async with self.c.store.begin() as tx:
            programs = experts_records_of(tx)
            return [
                Taken(u, await programs.program(u.program_id)) for u in await records_of(tx).of(member.participant_id)
            ]

    async def by_program(self, principal: Principal) -> tuple[ProgramUptake, ...]:
        """Per program listed or taken up: its members applied, granted, declined and withdrawn (the operator)."""
        require(principal, MAINTAIN)
        async with self.c.store.begin() as tx:
            found = await records_of(tx).by_program()
        return tuple(ProgramUptake(pid, name, tuple(c.get(s, 0) for s in STATES)) for pid, name, c in found)
