"""What the plan's API answers (JSON): a want, seen by its asker or by a member it is addressed to, and a plan in
one language with each step's why, effort, gain and trace. Codes come with their names; times in the hub's zone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sangsaeng.support.plan.conditions import Check
from sangsaeng.support.plan.facts import FACTS, Situation
from sangsaeng.support.plan.planning import Plan, Step
from sangsaeng.support.plan.words import effort_words, explained, filled, shown, skill_name
from sangsaeng.support.store.plan import WantRecord


@dataclass(frozen=True)
class Names:
    """Members' names by participant id, and which of them are active members."""

    by_id: dict[str, str]
    active: frozenset[str]

    def name(self, participant_id: str) -> str:
        return self.by_id.get(participant_id, participant_id)


def _named(fact: str, value: str | None) -> dict[str, str] | None:
    if value is None:
        return None
    return {"id": value, "ko": FACTS[fact].name_of(value, "ko"), "en": FACTS[fact].name_of(value, "en")}


def want_view(want: WantRecord, names: Names, zone: str, addressee: str | None = None) -> dict[str, Any]:
    """A want as its asker sees it; for a member it is addressed to (``addressee``), with the asker's name and
    how it reached that member (by its tier, or by its name)."""
    tz = ZoneInfo(zone)
    addressed: dict[str, Any]
    if want.to_members is not None:
        addressed = {"members": [{"id": m, "name": names.name(m)} for m in want.to_members]}
    else:
        addressed = {"chain": want.to_chain, "tier": want.to_tier}
    view: dict[str, Any] = {
        "id": want.id,
        "entity": _named("entities_published", want.entity),
        "from": addressed,
        "why": want.why,
        "template": _named("templates_offered", want.template),
        "state": want.state,
        "createdAt": want.created_at.astimezone(tz).isoformat(),
        "updatedAt": want.updated_at.astimezone(tz).isoformat(),
    }
    if addressee is not None:
        view["asker"] = {"id": want.asker, "name": names.name(want.asker)}
        view["reached"] = "name" if addressee in (want.to_members or ()) else "tier"
        del view["from"]  # whom else it names is the asker's business
    return view


def _check_view(found: Check, language: str) -> dict[str, Any]:
    return {
        "condition": found.condition.text,
        "held": found.held,
        "seen": [
            {
                "fact": s.test.fact.name,
                "value": shown(s.test.fact, s.value, language),
                "known": s.value is not None,
                "held": s.held,
            }
            for s in found.seen
        ],
        "explained": explained(found, language),
    }


def _step_view(step: Step, situation: Situation, language: str) -> dict[str, Any]:
    rule = step.rule
    return {
        "rank": step.rank,
        "id": rule.id,
        "title": filled(rule.title, situation, rule, language),
        "why": filled(rule.why, situation, rule, language),
        "gain": filled(rule.gain, situation, rule, language),
        "effort": {
            "amount": rule.effort.amount,
            "unit": rule.effort.unit,
            "cost": rule.effort.cost,
            "text": effort_words(rule.effort, language),
        },
        "priority": rule.priority,
        "entity": _named("entities_published", rule.subject),
        "template": _named("templates_offered", rule.template),
        "skills": [{"id": s, "name": skill_name(s, language)} for s in rule.skills],
        "trace": [_check_view(c, language) for c in step.trace],
        "notYet": [_check_view(c, language) for c in step.done],
    }


def _fact(name: str, situation: Situation, language: str) -> dict[str, Any]:
    fact = FACTS[name]
    value = fact.read(situation)
    return {"value": shown(fact, value, language), "known": value is not None}


def plan_view(plan: Plan, situation: Situation, language: str, sources: tuple[str, ...]) -> dict[str, Any]:
    p = situation.profile
    titles = {r.id: r for r in plan.rulebook.rules}
    facts = (
        "size", "region", "sector", "tier", "assessed", "level", "datasets_published", "entities_published",
        "templates_offered", "agreements_as_provider", "agreements_as_consumer", "streams", "benchmark_indicators",
        "requested_of_it", "wants_declared",
    )  # fmt: skip
    return {
        "member": {"id": p.participant_id, "name": p.name},
        "language": language,
        "rules": plan.rulebook.name,
        "steps": [_step_view(s, situation, language) for s in plan.steps],
        "later": [{"id": i, "title": filled(titles[i].title, situation, titles[i], language)} for i in plan.later],
        "done": [{"id": i, "title": filled(titles[i].title, situation, titles[i], language)} for i in plan.done],
        "facts": {name: _fact(name, situation, language) for name in facts},
        "asks": [
            {"entity": _named("requested_of_it", a.entity), "asker": a.asker, "why": a.why} for a in situation.asks
        ],
        "sources": list(sources),  # where the hub learnt what the member does: catalog, hosted, report
    }
