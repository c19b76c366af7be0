"""The next steps for one company: every rule whose ``done_when`` does not hold (the company does not do it yet)
and whose ``when`` holds, in order of priority (the rule file's order among equals), the first three of them, each
with every condition checked and what it saw — nothing is chosen that the trace does not show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sangsaeng.support.plan.conditions import Check, check
from sangsaeng.support.plan.facts import Situation
from sangsaeng.support.plan.rules import Rule, Rulebook

STEPS: Final = 3


@dataclass(frozen=True)
class Step:
    rule: Rule
    rank: int  # 1, 2, 3
    trace: tuple[Check, ...]  # the rule's ``when``, each of which held
    done: tuple[Check, ...]  # its ``done_when``, not all of which held: the company does not do it yet


@dataclass(frozen=True)
class Plan:
    rulebook: Rulebook
    steps: tuple[Step, ...]
    later: tuple[str, ...]  # rules that fit too, after the first three (by id, in order)
    done: tuple[str, ...]  # rules whose step the company takes already


def plan_of(situation: Situation, rulebook: Rulebook) -> Plan:
    fitting: list[tuple[Rule, tuple[Check, ...], tuple[Check, ...]]] = []
    done: list[str] = []
    for rule in rulebook.rules:
        done_checks = tuple(check(c, situation) for c in rule.done_when)
        if all(c.held for c in done_checks):
            done.append(rule.id)
            continue
        trace = tuple(check(c, situation) for c in rule.when)
        if all(c.held for c in trace):
            fitting.append((rule, trace, done_checks))
    fitting.sort(key=lambda found: found[0].priority)  # stable: the file's order among equal priorities
    steps = tuple(Step(rule, i + 1, trace, not_yet) for i, (rule, trace, not_yet) in enumerate(fitting[:STEPS]))
    return Plan(rulebook, steps, tuple(rule.id for rule, _, _ in fitting[STEPS:]), tuple(done))
