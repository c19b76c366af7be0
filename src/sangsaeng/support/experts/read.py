"""The documents the API takes, read whole (``docs/support/experts.md``): an expert and a support program (the
operator's), a success case (a member's), a request for an expert and a step on it. KSIC codes, regions and sizes
are read as the hub reads a company's (``sangsaeng.hub.members``)."""

from __future__ import annotations

from typing import Any, Final

from sangsaeng.hub.members.ksic import read_ksic
from sangsaeng.hub.members.regions import REGIONS, read_region, read_size
from sangsaeng.i18n.refusals import refusal
from sangsaeng.support.experts import fields as f
from sangsaeng.support.experts.model import (
    LEVELS,
    Availability,
    CaseFacts,
    Eligibility,
    ExpertFacts,
    Funding,
    ProgramFacts,
    Result,
)

EXPERT: Final = ("name", "organisation", "sectors", "regions", "skills", "languages", "availability", "contact")
PROGRAM: Final = ("name", "agency", "eligibility", "funding", "deadline", "link")
ELIGIBILITY: Final = ("sizes", "sectors", "regions", "minLevel", "maxLevel")
CASE: Final = (
    "title", "company", "sector", "levelBefore", "levelAfter", "problem", "done", "results", "technologies", "contact",
)  # fmt: skip
MAX_RESULTS: Final = 10
MAX_MESSAGE: Final = 2000


def expert_sector(value: Any, at: str) -> str:
    """A KSIC code of a division or finer: an expert knows an industry, not a whole section."""
    code = read_ksic(value, at)
    if len(code) < 3:
        raise refusal(f.DOMAIN, "sector.division", at=at, given=code)
    return code


def availability(value: Any, at: str) -> Availability:
    """``{"state": "available"}``, ``{"state": "busy"}`` or ``{"state": "busy", "until": "2027-01-15"}``."""
    entry = f.document(value, at, ("state", "until"), ("state",))
    state, until = entry["state"], entry.get("until")
    if state not in ("available", "busy"):
        raise refusal(f.DOMAIN, "availability.state", at=f"{at}.state", given=str(state)[:40])
    if state == "available" and until is not None:
        raise refusal(f.DOMAIN, "availability.until", at=f"{at}.until")
    return Availability(state, None if until is None else f.day(until, f"{at}.until"))


def read_expert(body: Any) -> ExpertFacts:
    entry = f.document(body, "$", EXPERT, EXPERT)
    return ExpertFacts(
        name=f.text(entry["name"], "name"),
        organisation=f.text(entry["organisation"], "organisation"),
        sectors=f.listed(entry["sectors"], "sectors", expert_sector),
        regions=f.listed(entry["regions"], "regions", read_region, most=len(REGIONS)),
        skills=f.listed(entry["skills"], "skills", f.skill),
        languages=f.listed(entry["languages"], "languages", f.language),
        availability=availability(entry["availability"], "availability"),
        contact=f.contact(entry["contact"], "contact"),
    )


def eligibility(value: Any, at: str) -> Eligibility:
    """Who may apply; a field left out is "any" (every size, sector, region or level)."""
    entry = f.document({} if value is None else value, at, ELIGIBILITY)
    low = LEVELS[0] if entry.get("minLevel") is None else f.level(entry["minLevel"], f"{at}.minLevel")
    high = LEVELS[-1] if entry.get("maxLevel") is None else f.level(entry["maxLevel"], f"{at}.maxLevel")
    f.levels_in_order(low, high, f"{at}.maxLevel")
    return Eligibility(
        sizes=f.listed(entry.get("sizes"), f"{at}.sizes", read_size, least=0, most=3),
        sectors=f.listed(entry.get("sectors"), f"{at}.sectors", read_ksic, least=0),
        regions=f.listed(entry.get("regions"), f"{at}.regions", read_region, least=0, most=len(REGIONS)),
        min_level=low,
        max_level=high,
    )


def funding(value: Any, at: str) -> Funding:
    """``{"amountKrw": 50000000}``, or ``{"sharePercent": 50}`` with an optional ``"capKrw"``."""
    entry = f.document(value, at, ("amountKrw", "sharePercent", "capKrw"))
    amount, share, cap = entry.get("amountKrw"), entry.get("sharePercent"), entry.get("capKrw")
    if (amount is None) == (share is None) or (amount is not None and cap is not None):
        raise refusal(f.DOMAIN, "funding.shape", at=at)
    if amount is not None:
        return Funding(amount_krw=f.whole(amount, f"{at}.amountKrw", 1, f.MAX_KRW))
    return Funding(
        share_percent=f.whole(share, f"{at}.sharePercent", 1, 100),
        cap_krw=None if cap is None else f.whole(cap, f"{at}.capKrw", 1, f.MAX_KRW),
    )


def read_program(body: Any) -> ProgramFacts:
    entry = f.document(body, "$", PROGRAM, ("name", "agency", "funding", "link"))
    deadline = entry.get("deadline")
    return ProgramFacts(
        name=f.named(entry["name"], "name"),
        agency=f.named(entry["agency"], "agency"),
        eligibility=eligibility(entry.get("eligibility"), "eligibility"),
        funding=funding(entry["funding"], "funding"),
        deadline=None if deadline is None else f.day(deadline, "deadline"),
        link=f.link(entry["link"], "link"),
    )


def result(value: Any, at: str, languages: tuple[str, ...]) -> Result:
    entry = f.document(value, at, ("metric", "before", "after", "unit"), ("metric", "before", "after", "unit"))
    return Result(
        metric=f.texts(entry["metric"], f"{at}.metric", f.MAX_NAME, languages),
        before=f.number(entry["before"], f"{at}.before"),
        after=f.number(entry["after"], f"{at}.after"),
        unit=f.text(entry["unit"], f"{at}.unit", 20),
    )


def read_case(body: Any) -> CaseFacts:
    """A success case; its title's languages are the case's, and every other text must be in the same ones."""
    entry = f.document(body, "$", CASE, tuple(k for k in CASE if k not in ("company", "technologies")))
    title = f.texts(entry["title"], "title", f.MAX_NAME)
    languages = tuple(sorted(title))
    before, after = f.level(entry["levelBefore"], "levelBefore"), f.level(entry["levelAfter"], "levelAfter")
    f.levels_in_order(before, after, "levelAfter")
    return CaseFacts(
        title=title,
        company=f.optional_text(entry.get("company"), "company"),
        sector=read_ksic(entry["sector"], "sector"),
        level_before=before,
        level_after=after,
        problem=f.texts(entry["problem"], "problem", languages=languages),
        done=f.texts(entry["done"], "done", languages=languages),
        results=f.listed(
            entry["results"], "results", lambda v, at: result(v, at, languages), most=MAX_RESULTS, unique=False
        ),
        technologies=f.listed(entry.get("technologies"), "technologies", lambda v, at: f.text(v, at, 60), least=0),
        contact=f.contact(entry["contact"], "contact"),
    )


def read_message(body: Any) -> str:
    """A request for an expert: ``{"message": …}`` — what the company needs, in its own words."""
    entry = f.document(body, "$", ("message",), ("message",))
    return f.text(entry["message"], "message", MAX_MESSAGE)


def read_note(body: Any) -> str | None:
    """The operator's word on a step (``{"note": …}``), or none."""
    entry = f.document({} if body is None else body, "$", ("note",))
    return f.optional_text(entry.get("note"), "note", MAX_MESSAGE)
