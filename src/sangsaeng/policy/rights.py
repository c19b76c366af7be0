"""Rights that follow the data: may data received under an agreement be turned into a new dataset, and may
that dataset be offered to others, and on which terms at most?

A derived dataset inherits the restrictions of its sources. Deriving is refused where a source's agreement does
not permit ``derive``; an offer on the derived dataset is refused where a source's agreement does not permit
``distribute`` (passing on), or where the offer is more permissive than a source allows: a purpose the source
does not allow, a period beyond the source's, rows where the source gave aggregates only (or smaller groups),
a field in the clear that the source masked. Every refusal names the source, its agreement and the clause.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sangsaeng.policy.decide import RequestContext, decide
from sangsaeng.policy.model import Policy, Rule, flat


@dataclass(frozen=True)
class Inherited:
    """One source of a derived dataset, as the rights check needs it."""

    source_dataset_id: str
    provider: str
    agreement_id: str
    policy: Policy
    agreed_at: datetime | None
    purpose: str | None

    def name(self) -> str:
        return f"source {self.source_dataset_id} from {self.provider} (agreement {self.agreement_id})"


def _operation(source: Inherited, me: str, operation: str, now: datetime) -> list[str]:
    context = RequestContext(
        consumer=me, now=now, operation=operation, purpose=source.purpose, agreed_at=source.agreed_at
    )
    decision = decide(source.policy, context)
    if decision.permit:
        return []
    clauses = [r for r in decision.reasons if r.startswith("✗") or "prohibits" in r] or list(decision.reasons[:2])
    verb = {"derive": "making derived data from it", "distribute": "passing it on"}[operation]
    return [f"{source.name()} does not permit {verb}: {'; '.join(clauses)}"]


def may_derive(sources: list[Inherited], me: str, now: datetime) -> list[str]:
    """Problems with making a dataset from these sources (empty: none)."""
    return [problem for s in sources for problem in _operation(s, me, "derive", now)]


def _purposes(rule: Rule, universe: frozenset[str]) -> frozenset[str]:
    allowed, banned = universe, set()
    for a in flat(rule.constraints):
        if a.left != "purpose":
            continue
        values = set(a.right) if isinstance(a.right, tuple) else {a.right}
        if a.operator in ("eq", "isAnyOf", "isPartOf"):
            allowed = allowed & values
        else:
            banned |= values
    return frozenset(allowed - banned)


def end_of(rule: Rule, agreed_at: datetime | None) -> datetime | None:
    """When a permission stops applying: its earliest dateTime bound or its period after the agreement."""
    ends: list[datetime] = []
    for a in flat(rule.constraints):
        if a.left == "dateTime" and a.operator in ("lt", "lteq"):
            ends.append(a.right)
        elif a.left == "elapsedTime" and agreed_at is not None:
            ends.append(agreed_at + a.right)
    return min(ends) if ends else None


def _aggregate(rule: Rule) -> tuple[bool, int]:
    atoms = flat(rule.constraints)
    only = any(a.left == "aggregateOnly" and a.right for a in atoms)
    k = max((a.right for a in atoms if a.left == "minGroupSize"), default=1)
    return only, k


def _masked(rule: Rule) -> set[str]:
    return {f for a in flat(rule.constraints) if a.left == "mask" for f in a.right}


def _fields(rule: Rule) -> set[str] | None:
    found: set[str] | None = None
    for a in flat(rule.constraints):
        if a.left == "fields":
            found = set(a.right) if found is None else found & set(a.right)
    return found


def offer_problems(
    offer: Policy, sources: list[Inherited], me: str, now: datetime, columns: list[str], purposes: frozenset[str]
) -> list[str]:
    """Why an offer on a dataset derived from ``sources`` may not be published (empty: it may)."""
    problems: list[str] = []
    permissions = offer.of_kind("permission")
    for source in sources:
        passed_on = _operation(source, me, "distribute", now)
        if passed_on:
            problems.extend(passed_on)
            continue
        granting = source.policy.of_kind("permission")
        allowed = frozenset().union(*(_purposes(r, purposes) for r in granting))
        ends = [end_of(r, source.agreed_at) for r in granting]
        source_end = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
        aggregate_only = all(_aggregate(r)[0] for r in granting)
        smallest = min((_aggregate(r)[1] for r in granting), default=1)
        masked = set.intersection(*(_masked(r) for r in granting)) if granting else set()
        for rule in permissions:
            wider = sorted(_purposes(rule, purposes) - allowed)
            if wider:
                problems.append(
                    f"{rule.path}: {source.name()} allows the purposes {', '.join(sorted(allowed)) or 'none'}; "
                    f"this offer would also allow {', '.join(wider)}"
                )
            end = end_of(rule, None)
            if source_end is not None and (end is None or end > source_end):
                problems.append(
                    f"{rule.path}: {source.name()} ends on {source_end.isoformat()}; "
                    f"give this offer a dateTime limit no later than that"
                )
            only, k = _aggregate(rule)
            if aggregate_only and (not only or k < smallest):
                problems.append(
                    f"{rule.path}: {source.name()} gives aggregates only, over groups of at least {smallest}; "
                    "this offer must too (aggregateOnly true, minGroupSize at least as large)"
                )
            shown = set(columns) if _fields(rule) is None else set(columns) & (_fields(rule) or set())
            clear = sorted((masked & shown) - _masked(rule))
            if clear:
                problems.append(f"{rule.path}: {source.name()} masks {', '.join(clear)}; this offer must mask them too")
    return problems
