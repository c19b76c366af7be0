"""The demo's SME support (issue 18 § 6), after the chain's exchange: the tier-2 takes the self-assessment, the OEM
tells its suppliers what it wants, the tier-2 gets its plan, which names that want, is matched to an expert and asks
for one (``benchmark.py`` then has it see where it stands). Every member call is the member's own, signed with its
key (``hubclient.support.HubSupport``); the operator's carry the hub's API key."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from sangsaeng.demo import benchmark
from sangsaeng.demo import support_data as data
from sangsaeng.demo.asking import Member, Operator
from sangsaeng.demo.onboarding import CHAIN, Hub
from sangsaeng.demo.telling import Teller
from sangsaeng.i18n import catalogs
from sangsaeng.launch import Node
from sangsaeng.settings import Settings

ASSESSMENT = "/hub/support/assessment"
PLAN = "/hub/support/plan"
EXPERTS = "/hub/support/experts"
PROGRAMS = "/hub/support/programs"


def stock_directory(hub: Hub, teller: Teller) -> None:
    """At the hub's set-up, the operator adds experts and a support program to the hub's directories, and says
    which disclosure rules the demo's benchmarks keep."""
    today = datetime.now(ZoneInfo(hub.init.settings.timezone)).date()
    added = [hub.call("POST", EXPERTS, expert) for expert in data.experts(today)]
    teller.say(
        "support.experts.added",
        count=len(added),
        experts=", ".join(f"{e['name']} ({e['organisation']})" for e in added),
    )
    offered = hub.call("POST", PROGRAMS, data.program(today))
    teller.say_each(
        "support.program.added",
        lambda language: {"program": offered["name"][language], "agency": offered["agency"][language]},
    )
    settings = hub.init.settings
    teller.say(
        "support.benchmarks.rules",
        k=settings.benchmark_min_contributors,
        n=settings.benchmark_dominance_n,
        percent=f"{settings.benchmark_dominance_percent:g}",
        p=f"{settings.benchmark_p_percent:g}",
        default=Settings.model_fields["benchmark_min_contributors"].default,
    )


def support(hub: Hub, oem: Node, tier1: Node, tier2: Node, teller: Teller) -> str:
    """The support part, told; the tier-2's completed self-assessment (its id, for the portal's result page)."""
    return asyncio.run(_support(hub, oem, tier1, tier2, teller))


async def _support(hub: Hub, oem: Node, tier1: Node, tier2: Node, teller: Teller) -> str:
    async with httpx.AsyncClient(timeout=60) as http:
        small, customer, middle = Member(tier2, http), Member(oem, http), Member(tier1, http)
        assessment, level = await _assess(small, teller)
        await _want(customer, teller)
        plans = await _plan(small, teller)
        await _match(small, plans, level, teller)
        zone = ZoneInfo(hub.init.settings.timezone)
        figures = [(customer, data.FIGURES["oem"]), (middle, data.FIGURES["tier1"]), (small, data.FIGURES["tier2"])]
        await benchmark.compare(Operator(hub, http), figures, datetime.now(zone), teller)
    return assessment


async def _assess(member: Member, teller: Teller) -> tuple[str, int]:
    """The questionnaire answered whole (the portal saves it a section at a time), completed, and its result read
    in each language: the level and what it means, the radar's 16 bands by building block, what the next level
    needs."""
    teller.say("support.assessment.start", name=member.name, count=len(data.TIER2_ANSWERS))
    started = await member.hub.post(f"{ASSESSMENT}/start")
    await member.hub.put(f"{ASSESSMENT}/{started['id']}/answers", {"answers": data.TIER2_ANSWERS})
    done = await member.hub.post(f"{ASSESSMENT}/{started['id']}/complete")
    read = await member.each(f"{ASSESSMENT}/{done['id']}", teller.languages)
    results = {language: answer["result"] for language, answer in read.items()}
    first = results[teller.languages[0]]
    teller.say_each("support.assessment.level", lambda language: _level(results[language]))
    teller.say("support.assessment.radar", count=len(first["dimensions"]))
    for i in range(len(first["blocks"])):
        teller.say_each("support.assessment.block", partial(_block, results, i))
    if first["level"]["next"] is not None:
        teller.say_each("support.assessment.next", lambda language: _next(results[language]["level"]["next"]))
    return str(done["id"]), int(first["level"]["level"])


def _level(result: Mapping[str, Any]) -> dict[str, Any]:
    level = result["level"]
    return {"level": level["level"], "name": level["name"], "about": level["about"], "overall": result["overall"]}


def _block(results: Mapping[str, Mapping[str, Any]], index: int, language: str) -> dict[str, Any]:
    """A SIRI building block's mean and its dimensions' bands, with each band's name, in ``language``."""
    result = results[language]
    block = result["blocks"][index]
    dimensions = {d["id"]: d for d in result["dimensions"]}
    shown = [dimensions[d] for d in block["dimensions"]]
    return {
        "block": block["name"],
        "mean": block["mean"],
        "dimensions": " · ".join(f"{d['name']} {d['band']} ({d['bandName']})" for d in shown),
    }


def _next(following: Mapping[str, Any]) -> dict[str, Any]:
    missing = "; ".join(str(m["text"]) for m in following["missing"])
    return {"level": following["level"], "name": following["name"], "missing": missing}


async def _want(member: Member, teller: Teller) -> None:
    """The OEM asks its suppliers of two tiers for their inspection results (a want names one tier)."""
    for tier in data.WANTED_FROM:
        body = {"entity": data.WANTED_ENTITY, "from": {"tier": tier, "chain": CHAIN}, "why": data.WANTED_WHY}
        await member.hub.post(f"{PLAN}/wants", body)
    teller.say("support.want", name=member.name, chain=CHAIN, tiers="·".join(data.WANTED_FROM), why=data.WANTED_WHY)


async def _plan(member: Member, teller: Teller) -> dict[str, dict[str, Any]]:
    """The tier-2's plan: its three steps, each with its effort and why, and what it says of the OEM's want."""
    plans = await member.each(PLAN, teller.languages)
    first = plans[teller.languages[0]]
    teller.say("support.plan", name=member.name, rules=first["rules"], sources=", ".join(first["sources"]))
    for i in range(len(first["steps"])):
        teller.say_each("support.plan.step", partial(_step, plans, i))
        teller.say_each("support.plan.why", partial(_why, plans, i))
    for ask in first["asks"]:
        if ask["entity"]["id"] == data.WANTED_ENTITY:
            _asked(plans, ask, member.name, teller)
    return plans


def _step(plans: Mapping[str, Mapping[str, Any]], index: int, language: str) -> dict[str, Any]:
    step = plans[language]["steps"][index]
    return {"rank": step["rank"], "title": step["title"], "effort": step["effort"]["text"]}


def _why(plans: Mapping[str, Mapping[str, Any]], index: int, language: str) -> dict[str, Any]:
    return {"why": " ".join(str(plans[language]["steps"][index]["why"]).split())}


def _asked(plans: Mapping[str, Mapping[str, Any]], ask: Mapping[str, Any], name: str, teller: Teller) -> None:
    """What the plan makes of a partner's ask: the step that answers it, or that step already done."""

    def answering(language: str, part: str) -> list[Mapping[str, Any]]:
        return [s for s in plans[language][part] if s["id"] == data.ANSWERING]

    first = teller.languages[0]
    key = (
        "support.plan.asked.step"
        if answering(first, "steps")
        else "support.plan.asked.done"
        if answering(first, "done")
        else "support.plan.asked"
    )

    def said(language: str) -> dict[str, Any]:
        step = [*answering(language, "steps"), *answering(language, "done")]
        return {
            "asker": ask["asker"],
            "entity": ask["entity"][language],
            "why": ask["why"],
            "name": name,
            "rank": step[0].get("rank", "") if step else "",
            "step": step[0]["title"] if step else "",
        }

    teller.say_each(key, said)


async def _match(member: Member, plans: Mapping[str, Mapping[str, Any]], level: int, teller: Teller) -> None:
    """Experts matched by the skills the plan's steps need, the best one asked for; the programs its level fits."""
    skills = {
        language: {s["id"]: s["name"] for step in plan["steps"] for s in step["skills"]}
        for language, plan in plans.items()
    }
    needed = list(skills[teller.languages[0]])
    found = (await member.hub.get(f"{EXPERTS}/matches", skills=",".join(needed)))["matches"]
    if not found:
        teller.say("support.experts.none")
        return
    best = found[0]
    teller.say_each(
        "support.experts.matched",
        lambda language: {
            "count": len(found),
            "skills": ", ".join(skills[language].values()),
            "expert": best["expert"]["name"],
            "organisation": best["expert"]["organisation"],
            "points": best["points"],
        },
    )
    for reason in best["reasons"]:
        teller.say_each("support.experts.reason", partial(_reason, reason))
    asked = await member.hub.post(f"{EXPERTS}/{best['expert']['id']}/requests", {"message": data.REQUEST_MESSAGE})
    expert = asked["expert"]["name"]
    teller.say("support.experts.asked", name=member.name, expert=expert, message=asked["message"], state=asked["state"])
    # The level is given: the programs' matching does not read the member's assessment (yet).
    programs = await member.hub.get(f"{PROGRAMS}/matches", level=level)
    for match in programs["matches"]:
        teller.say_each("support.program.matched", partial(_program, match))


def _reason(reason: Mapping[str, Any], language: str) -> dict[str, Any]:
    return {"points": reason["points"], "text": reason["text"][language]}


def _program(match: Mapping[str, Any], language: str) -> dict[str, Any]:
    program = match["program"]
    funding = program["funding"]
    if "sharePercent" in funding:
        key, values = (
            "support.program.share",
            {"share": f"{funding['sharePercent']:g}", "cap": f"{funding['capKrw']:,}"},
        )
    else:
        key, values = "support.program.amount", {"amount": f"{funding['amountKrw']:,}"}
    return {
        "program": program["name"][language],
        "why": ", ".join(r["text"][language] for r in match["reasons"]),
        "funding": catalogs.text("demo", key, language, **values),
    }
