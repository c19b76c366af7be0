"""The decision: may this access happen, why, and with which restrictions. Pure: values in, values out.

Semantics of our profile (see ``POLICY.md``):
- a permission applies when its action covers the operation and every constraint holds;
- a prohibition whose action covers the operation and whose constraints hold denies, whatever permits;
- ``fields`` never denies; it restricts the columns delivered (the union over the permissions that apply);
- ``count`` counts accesses: the current one is use number ``uses + 1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sangsaeng.policy.model import Atomic, Constraint, Logical, Policy, Rule


@dataclass(frozen=True)
class RequestContext:
    consumer: str
    now: datetime
    operation: str = "read"
    purpose: str | None = None
    agreed_at: datetime | None = None
    uses: int = 0


@dataclass(frozen=True)
class Restrictions:
    allowed_fields: frozenset[str] | None = None  # None: every field

    def apply_to(self, columns: list[str]) -> list[str]:
        if self.allowed_fields is None:
            return list(columns)
        return [c for c in columns if c in self.allowed_fields]


@dataclass(frozen=True)
class Decision:
    permit: bool
    reasons: tuple[str, ...]
    restrictions: Restrictions = field(default_factory=Restrictions)
    duties: tuple[str, ...] = ()


def _covers(action: str, operation: str) -> bool:
    return action == "use" or action == operation


def _compare(operator: str, actual: object, expected: object) -> bool:
    if operator == "eq":
        return actual == expected
    if operator == "neq":
        return actual != expected
    if operator == "isAnyOf" or operator == "isPartOf":
        return actual in expected  # type: ignore[operator]
    if operator == "isNoneOf":
        return actual not in expected  # type: ignore[operator]
    if operator == "lt":
        return bool(actual < expected)  # type: ignore[operator]
    if operator == "lteq":
        return bool(actual <= expected)  # type: ignore[operator]
    if operator == "gt":
        return bool(actual > expected)  # type: ignore[operator]
    if operator == "gteq":
        return bool(actual >= expected)  # type: ignore[operator]
    raise ValueError(f"operator {operator} escaped validation")


def _atomic(c: Atomic, ctx: RequestContext) -> tuple[bool, str]:
    left = c.left
    if left in ("participant", "recipient"):
        ok = _compare(c.operator, ctx.consumer, c.right)
        return ok, f"{c.describe()}: consumer is {ctx.consumer}"
    if left == "purpose":
        if ctx.purpose is None:
            return False, f"{c.describe()}: no purpose was declared"
        return _compare(c.operator, ctx.purpose, c.right), f"{c.describe()}: declared purpose is {ctx.purpose}"
    if left == "dateTime":
        return _compare(c.operator, ctx.now, c.right), f"{c.describe()}: now is {ctx.now.isoformat()}"
    if left == "elapsedTime":
        if ctx.agreed_at is None:  # before an agreement exists, no time has elapsed
            return True, f"{c.describe()}: no agreement yet"
        elapsed = ctx.now - ctx.agreed_at
        return _compare(c.operator, elapsed, c.right), f"{c.describe()}: {elapsed} since the agreement"
    if left == "count":
        this_use = ctx.uses + 1
        return _compare(c.operator, this_use, c.right), f"{c.describe()}: this would be use {this_use}"
    if left == "fields":
        return True, f"{c.describe()}: restricts the fields delivered"
    raise ValueError(f"left operand {left} escaped validation")


def _holds(c: Constraint, ctx: RequestContext) -> tuple[bool, list[str]]:
    if isinstance(c, Atomic):
        ok, why = _atomic(c, ctx)
        return ok, [f"{'✓' if ok else '✗'} {why} ({c.path})"]
    results = [_holds(item, ctx) for item in c.items]
    reasons = [r for _, rs in results for r in rs]
    passed = sum(1 for ok, _ in results if ok)
    if c.kind in ("and", "andSequence"):
        return passed == len(results), reasons
    if c.kind == "or":
        return passed >= 1, reasons
    return passed == 1, reasons  # xone


def _fields(constraints: tuple[Constraint, ...]) -> frozenset[str] | None:
    allowed: frozenset[str] | None = None
    for c in constraints:
        found: frozenset[str] | None = None
        if isinstance(c, Atomic) and c.left == "fields":
            found = frozenset(c.right)
        elif isinstance(c, Logical) and c.kind in ("and", "andSequence"):
            found = _fields(c.items)
        if found is not None:
            allowed = found if allowed is None else allowed & found
    return allowed


def _rule_holds(rule: Rule, ctx: RequestContext) -> tuple[bool, list[str]]:
    reasons: list[str] = []
    ok = True
    for c in rule.constraints:
        held, why = _holds(c, ctx)
        reasons.extend(why)
        ok = ok and held
    return ok, reasons


def decide(policy: Policy, ctx: RequestContext) -> Decision:
    for rule in policy.of_kind("prohibition"):
        if _covers(rule.action, ctx.operation):
            held, why = _rule_holds(rule, ctx)
            if held:
                return Decision(False, (f"{rule.path} prohibits {ctx.operation}", *why))
    reasons: list[str] = []
    allowed: set[str] | None = set()
    permitted = False
    for rule in policy.of_kind("permission"):
        if not _covers(rule.action, ctx.operation):
            reasons.append(f"{rule.path} is for '{rule.action}', not '{ctx.operation}'")
            continue
        held, why = _rule_holds(rule, ctx)
        reasons.append(f"{rule.path} {'permits' if held else 'does not permit'} {ctx.operation}")
        reasons.extend(why)
        if held:
            permitted = True
            fields = _fields(rule.constraints)
            if fields is None or allowed is None:
                allowed = None
            else:
                allowed |= fields
    if not permitted:
        if not reasons:
            reasons.append(f"no permission covers '{ctx.operation}'")
        return Decision(False, tuple(reasons))
    duties = tuple(f"{r.action} ({r.path})" for r in policy.of_kind("obligation"))
    restrictions = Restrictions(None if allowed is None else frozenset(allowed))
    return Decision(True, tuple(reasons), restrictions, duties)
