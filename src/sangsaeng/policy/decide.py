"""The decision: may this access happen, why, with which restrictions, and with which duties. Pure: values in,
values out.

Semantics of our profile (see ``POLICY.md``):
- a permission applies when its action covers the operation and every constraint holds; ``use`` covers every
  operation and ``read`` covers ``aggregate`` too;
- a prohibition whose action covers the operation and whose constraints hold denies, whatever permits;
- restrictions never deny a read: ``fields`` limits the columns delivered, ``mask`` delivers columns as keyed
  hashes, ``rowScope`` keeps the rows that concern the consumer, ``minGroupSize`` the groups of aggregates;
  ``aggregateOnly true`` leaves only the ``aggregate`` operation, ``redistribution false`` rules out
  ``distribute`` and ``derivation false`` rules out ``derive``;
- when several permissions apply, the consumer gets what the most generous of them gives: the union of their
  fields, the fields every one of them masks, rows any of them scopes in, raw rows if any of them allows them;
- ``count`` counts accesses: the current one is use number ``uses + 1``.

Two evaluators share these semantics: ``decide`` walks the policy and says why in words; ``compile_policy``
turns a policy once into closures that decide in about a microsecond (their reasons, when asked for, come from
the walk). Property tests hold the two to the same decisions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sangsaeng.policy.model import (
    ATTRIBUTES,
    Atomic,
    Constraint,
    Duty,
    Policy,
    RowScope,
    Rule,
    flat,
    parse_policy,
)

OPERATIONS = ("read", "aggregate", "derive", "distribute")


@dataclass(frozen=True)
class RequestContext:
    consumer: str
    now: datetime
    operation: str = "read"
    purpose: str | None = None
    agreed_at: datetime | None = None
    uses: int = 0
    attributes: Mapping[str, frozenset[str]] = field(default_factory=dict)  # from verified credentials only
    fields: frozenset[str] | None = None  # the fields asked for (None: all)


@dataclass(frozen=True)
class Restrictions:
    allowed_fields: frozenset[str] | None = None  # None: every field
    masked: frozenset[str] = frozenset()
    rows: tuple[tuple[str, str], ...] | None = None  # (field, value) pairs any of which admits a row; None: all
    aggregate_only: bool = False
    min_group_size: int | None = None

    def apply_to(self, columns: list[str]) -> list[str]:
        if self.allowed_fields is None:
            return list(columns)
        return [c for c in columns if c in self.allowed_fields]


class Decision:
    """permit or deny, the restrictions and duties that follow, and the reasons — written when first read."""

    __slots__ = ("_explain", "_reasons", "duties", "permit", "restrictions")

    def __init__(
        self,
        permit: bool,
        explained: tuple[str, ...] | Callable[[], tuple[str, ...]],
        restrictions: Restrictions | None = None,
        duties: tuple[Duty, ...] = (),
    ) -> None:
        self.permit = permit
        self.restrictions = restrictions if restrictions is not None else NO_RESTRICTIONS
        self.duties = duties
        self._reasons = explained if isinstance(explained, tuple) else None
        self._explain = None if isinstance(explained, tuple) else explained

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why, in words: which rule and constraint held or did not."""
        if self._reasons is None:
            assert self._explain is not None
            self._reasons = self._explain()
        return self._reasons

    def same_as(self, other: Decision) -> bool:
        return (self.permit, self.restrictions, self.duties) == (other.permit, other.restrictions, other.duties)

    def __repr__(self) -> str:
        return f"Decision(permit={self.permit}, restrictions={self.restrictions}, duties={self.duties})"


NO_RESTRICTIONS = Restrictions()


def decide_use(evaluate: Callable[[RequestContext], Decision], ctx: RequestContext) -> Decision:
    """May the consumer use the data at all — read rows or, where only aggregates are allowed, aggregate? Agreeing
    to a request and starting a transfer ask this; every access then asks for its own operation."""
    decision = evaluate(ctx)
    if decision.permit or ctx.operation != "read":
        return decision
    aggregates = evaluate(dataclasses.replace(ctx, operation="aggregate"))
    return aggregates if aggregates.permit else decision


def covers(action: str, operation: str) -> bool:
    return action == "use" or action == operation or (action == "read" and operation == "aggregate")


def _compare(operator: str, actual: Any, expected: Any) -> bool:
    if operator == "eq":
        return bool(actual == expected)
    if operator == "neq":
        return bool(actual != expected)
    if operator in ("isAnyOf", "isPartOf"):
        return actual in expected
    if operator == "isNoneOf":
        return actual not in expected
    if operator == "lt":
        return bool(actual < expected)
    if operator == "lteq":
        return bool(actual <= expected)
    if operator == "gt":
        return bool(actual > expected)
    if operator == "gteq":
        return bool(actual >= expected)
    raise ValueError(f"operator {operator} escaped validation")


def _attribute(operator: str, held: frozenset[str], expected: Any) -> bool:
    """Credential attributes are sets (a company can be in several memberships)."""
    wanted = frozenset(expected) if isinstance(expected, tuple) else frozenset({expected})
    if operator == "eq":
        return bool(wanted <= held)
    if operator == "neq":
        return not (wanted & held)
    if operator == "isAnyOf":
        return bool(wanted & held)
    if operator == "isNoneOf":
        return not (wanted & held)
    if operator == "isAllOf":
        return wanted <= held
    if operator == "isPartOf":
        return bool(held) and held <= wanted
    raise ValueError(f"operator {operator} escaped validation")


def _scope_value(scope: RowScope, ctx: RequestContext) -> list[str]:
    if scope.source == "consumer":
        return [ctx.consumer]
    return sorted(ctx.attributes.get(scope.source, frozenset()))


# ---- the walk: decisions with reasons ------------------------------------------------------------------------
def _atomic(c: Atomic, ctx: RequestContext) -> tuple[bool, str]:
    left = c.left
    if left in ("participant", "recipient"):
        return _compare(c.operator, ctx.consumer, c.right), f"{c.describe()}: consumer is {ctx.consumer}"
    if left == "purpose":
        if ctx.purpose is None:
            return False, f"{c.describe()}: no purpose was declared"
        return _compare(c.operator, ctx.purpose, c.right), f"{c.describe()}: declared purpose is {ctx.purpose}"
    if left in ATTRIBUTES:
        held = ctx.attributes.get(left, frozenset())
        shown = ", ".join(sorted(held)) or "nothing (no verified credential says)"
        return _attribute(c.operator, held, c.right), f"{c.describe()}: credentials say {left} is {shown}"
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
    if left == "redistribution":
        ok = c.right or ctx.operation != "distribute"
        return ok, f"{c.describe()}: " + ("passing the data on is allowed" if c.right else "no passing on")
    if left == "derivation":
        ok = c.right or ctx.operation != "derive"
        return ok, f"{c.describe()}: " + ("derived data may be made" if c.right else "no derived data")
    if left == "aggregateOnly":
        ok = not c.right or ctx.operation != "read"
        return ok, f"{c.describe()}: " + ("only aggregates, no rows" if c.right else "rows allowed")
    if left == "rowScope":
        values = _scope_value(c.right, ctx)
        if not values:
            return False, f"{c.describe()}: no verified credential gives {c.right.source}"
        return True, f"{c.describe()}: only rows where {c.right.field} is {' or '.join(values)}"
    if left in ("fields", "mask", "minGroupSize"):
        return True, f"{c.describe()}: restricts what is delivered"
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


def _rule_holds(rule: Rule, ctx: RequestContext) -> tuple[bool, list[str]]:
    reasons: list[str] = []
    ok = True
    for c in rule.constraints:
        held, why = _holds(c, ctx)
        reasons.extend(why)
        ok = ok and held
    return ok, reasons


@dataclass(frozen=True)
class _Shape:
    """What one permission restricts, read once from its constraints (top level and inside 'and')."""

    fields: frozenset[str] | None
    masked: frozenset[str]
    scopes: tuple[RowScope, ...]
    aggregate_only: bool
    min_group_size: int | None

    @classmethod
    def of(cls, rule: Rule) -> _Shape:
        fields: frozenset[str] | None = None
        masked: set[str] = set()
        scopes: list[RowScope] = []
        aggregate_only, k = False, None
        for c in flat(rule.constraints):
            if c.left == "fields":
                fields = frozenset(c.right) if fields is None else fields & frozenset(c.right)
            elif c.left == "mask":
                masked |= set(c.right)
            elif c.left == "rowScope":
                scopes.append(c.right)
            elif c.left == "aggregateOnly" and c.right:
                aggregate_only = True
            elif c.left == "minGroupSize":
                k = c.right if k is None else max(k, c.right)
        return cls(fields, frozenset(masked), tuple(scopes), aggregate_only, k)


def _combine(shapes: list[_Shape], ctx: RequestContext) -> Restrictions:
    """The most generous of the permissions that apply (see the module's description)."""
    fields: set[str] | None = set()
    masked: frozenset[str] | None = None
    rows: list[tuple[str, str]] | None = []
    for shape in shapes:
        if fields is not None:
            fields = None if shape.fields is None else fields | shape.fields
        masked = shape.masked if masked is None else masked & shape.masked
        if rows is not None:
            if not shape.scopes:
                rows = None
            else:
                for scope in shape.scopes:
                    rows.extend((scope.field, value) for value in _scope_value(scope, ctx))
    sizes = [s.min_group_size for s in shapes]
    return Restrictions(
        allowed_fields=None if fields is None else frozenset(fields),
        masked=masked or frozenset(),
        rows=None if rows is None else tuple(dict.fromkeys(rows)),
        aggregate_only=all(s.aggregate_only for s in shapes),
        min_group_size=None if any(k is None for k in sizes) else min(k for k in sizes if k is not None),
    )


def decide(policy: Policy, ctx: RequestContext) -> Decision:
    """The interpreted evaluator: walks the policy and says why at every step."""
    for rule in policy.of_kind("prohibition"):
        if covers(rule.action, ctx.operation):
            held, why = _rule_holds(rule, ctx)
            if held:
                return Decision(False, (f"{rule.path} prohibits {ctx.operation}", *why))
    reasons: list[str] = []
    shapes: list[_Shape] = []
    duties: list[Duty] = []
    for rule in policy.of_kind("permission"):
        if not covers(rule.action, ctx.operation):
            reasons.append(f"{rule.path} is for '{rule.action}', not '{ctx.operation}'")
            continue
        held, why = _rule_holds(rule, ctx)
        reasons.append(f"{rule.path} {'permits' if held else 'does not permit'} {ctx.operation}")
        reasons.extend(why)
        if held:
            shapes.append(_Shape.of(rule))
            duties.extend(rule.duties)
    if not shapes:
        if not reasons:
            reasons.append(f"no permission covers '{ctx.operation}'")
        return Decision(False, tuple(reasons))
    restrictions = _combine(shapes, ctx)
    reasons.extend(_restriction_words(restrictions, ctx))
    all_duties = policy.obligations + tuple(duties)
    return Decision(True, tuple(reasons), restrictions, all_duties)


def _restriction_words(r: Restrictions, ctx: RequestContext) -> list[str]:
    words: list[str] = []
    if ctx.fields is not None and r.allowed_fields is not None:
        withheld = sorted(ctx.fields - r.allowed_fields)
        if withheld:
            words.append(f"withheld: {', '.join(withheld)} (not among the fields the agreement allows)")
    if r.masked:
        words.append(f"masked with a keyed hash: {', '.join(sorted(r.masked))}")
    if r.rows is not None:
        words.append("only rows where " + " or ".join(f"{f} = {v}" for f, v in r.rows))
    if r.aggregate_only:
        words.append(f"aggregates only, over groups of at least {r.min_group_size or 1} rows")
    elif r.min_group_size:
        words.append(f"aggregates over groups of at least {r.min_group_size} rows")
    return words


# ---- the compiled form -------------------------------------------------------------------------------------
Check = Callable[[RequestContext], bool]
_COMPARE = {"eq": "==", "neq": "!=", "lt": "<", "lteq": "<=", "gt": ">", "gteq": ">=", "isAnyOf": "in"}
_COMPARE |= {"isPartOf": "in", "isNoneOf": "not in"}


def _part(held: frozenset[str], wanted: frozenset[str]) -> bool:
    return bool(held) and held <= wanted


class _Source:
    """Python source for a constraint; every value from the policy is a named constant, never text in the code."""

    def __init__(self) -> None:
        self.constants: dict[str, Any] = {"EMPTY": frozenset(), "_part": _part}

    def constant(self, value: Any) -> str:
        name = f"k{len(self.constants)}"
        self.constants[name] = frozenset(value) if isinstance(value, tuple) else value
        return name

    def atomic(self, c: Atomic) -> str:  # noqa: C901 - one branch per operand, each a line of source
        left, op = c.left, c.operator
        if left in ("participant", "recipient"):
            return f"(ctx.consumer {_COMPARE[op]} {self.constant(c.right)})"
        if left == "purpose":
            return f"(ctx.purpose is not None and ctx.purpose {_COMPARE[op]} {self.constant(c.right)})"
        if left in ATTRIBUTES:
            wanted = self.constant(c.right if isinstance(c.right, tuple) else (c.right,))
            held = f"ctx.attributes.get({self.constant(left)}, EMPTY)"
            return {
                "eq": f"({wanted} <= {held})",
                "isAllOf": f"({wanted} <= {held})",
                "isAnyOf": f"(not {wanted}.isdisjoint({held}))",
                "neq": f"{wanted}.isdisjoint({held})",
                "isNoneOf": f"{wanted}.isdisjoint({held})",
                "isPartOf": f"_part({held}, {wanted})",
            }[op]
        if left == "dateTime":
            return f"(ctx.now {_COMPARE[op]} {self.constant(c.right)})"
        if left == "elapsedTime":
            return f"(ctx.agreed_at is None or ctx.now - ctx.agreed_at {_COMPARE[op]} {self.constant(c.right)})"
        if left == "count":
            return f"(ctx.uses + 1 {_COMPARE[op]} {self.constant(c.right)})"
        if left == "redistribution":
            return "True" if c.right else "(ctx.operation != 'distribute')"
        if left == "derivation":
            return "True" if c.right else "(ctx.operation != 'derive')"
        if left == "aggregateOnly":
            return "(ctx.operation != 'read')" if c.right else "True"
        if left == "rowScope" and c.right.source != "consumer":
            return f"bool(ctx.attributes.get({self.constant(c.right.source)}))"
        return "True"  # fields, mask, minGroupSize, a consumer's row scope: restrictions only

    def of(self, c: Constraint) -> str:
        if isinstance(c, Atomic):
            return self.atomic(c)
        parts = [self.of(item) for item in c.items]
        if c.kind in ("and", "andSequence"):
            return "(" + " and ".join(parts) + ")"
        if c.kind == "or":
            return "(" + " or ".join(parts) + ")"
        return "((" + ") + (".join(f"bool({p})" for p in parts) + ") == 1)"

    def function(self, constraints: tuple[Constraint, ...]) -> Check:
        body = " and ".join(self.of(c) for c in constraints) or "True"
        check: Check = eval(f"lambda ctx: {body}", self.constants)  # noqa: S307 - our own source, constants named
        return check


@dataclass(frozen=True)
class _Permission:
    holds: Check
    shape: _Shape
    duties: tuple[Duty, ...]
    alone: Restrictions | None  # the restrictions when it is the only permission that applies (no row scope)


class CompiledPolicy:
    """A policy turned into Python functions once; ``decide(ctx)`` decides as the walk does."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        source = _Source()
        self.obligations = policy.obligations
        prohibitions = [(r.action, source.function(r.constraints)) for r in policy.of_kind("prohibition")]
        permissions: list[tuple[str, _Permission]] = []
        for rule in policy.of_kind("permission"):
            shape = _Shape.of(rule)
            alone = None if shape.scopes else _combine([shape], _NO_ONE)
            permissions.append((rule.action, _Permission(source.function(rule.constraints), shape, rule.duties, alone)))
        # Which rules concern each operation, sorted out now rather than at every decision.
        self._by_operation = {
            operation: (
                tuple(check for action, check in prohibitions if covers(action, operation)),
                tuple(p for action, p in permissions if covers(action, operation)),
            )
            for operation in OPERATIONS
        }

    def decide(self, ctx: RequestContext) -> Decision:
        prohibitions, permissions = self._by_operation.get(ctx.operation, ((), ()))
        explain = partial(_reasons, self.policy, ctx)
        for holds in prohibitions:
            if holds(ctx):
                return Decision(False, explain)
        found = [p for p in permissions if p.holds(ctx)]
        if not found:
            return Decision(False, explain)
        if len(found) == 1:
            only = found[0]
            restrictions = only.alone or _combine([only.shape], ctx)
            return Decision(True, explain, restrictions, self.obligations + only.duties)
        duties = self.obligations + tuple(d for p in found for d in p.duties)
        return Decision(True, explain, _combine([p.shape for p in found], ctx), duties)


_NO_ONE = RequestContext(consumer="", now=datetime.min)


def _reasons(policy: Policy, ctx: RequestContext) -> tuple[str, ...]:
    return decide(policy, ctx).reasons


def compile_policy(policy: Policy) -> CompiledPolicy:
    """Turn a parsed policy into Python functions, once; ``.decide(ctx)`` then decides as ``decide`` does."""
    return CompiledPolicy(policy)


class PolicyCache:
    """Compiled policies by the id of what carries them (agreements are immutable), the most recent kept."""

    def __init__(self, purposes: frozenset[str], size: int = 4096) -> None:
        self.purposes = purposes
        self.size = size
        self._compiled: dict[str, CompiledPolicy] = {}

    def compiled(self, key: str, body: Mapping[str, Any]) -> CompiledPolicy:
        found = self._compiled.pop(key, None)
        if found is None:
            found = compile_policy(parse_policy(dict(body), where="agreement", purposes=self.purposes))
            if len(self._compiled) >= self.size:
                self._compiled.pop(next(iter(self._compiled)))
        self._compiled[key] = found  # most recent last
        return found
