"""Our ODRL 2.2 profile: parse a policy as DSP carries it, and refuse what the evaluator does not understand.

A policy using an unknown left operand, operator, action or combinator is refused when it is created, with the
JSON path of the offending part (see ``POLICY.md``). Parsing returns an immutable, compiled ``Policy`` that
``decide`` evaluates without further checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sangsaeng.errors import InvalidPolicy

RuleKind = Literal["permission", "prohibition", "obligation"]
LogicalKind = Literal["and", "or", "xone", "andSequence"]

ACTIONS = frozenset({"use", "read", "aggregate", "derive", "distribute"})
DUTIES = frozenset({"delete", "notify", "attribute"})
PURPOSES = frozenset({"quality-analysis", "carbon-accounting", "recall", "demand-planning", "benchmarking"})

# left operand → operators it accepts. ``fields`` restricts instead of deciding.
OPERATORS: dict[str, frozenset[str]] = {
    "participant": frozenset({"eq", "neq", "isAnyOf", "isNoneOf"}),
    "recipient": frozenset({"eq", "neq", "isAnyOf", "isNoneOf"}),
    "purpose": frozenset({"eq", "neq", "isAnyOf", "isNoneOf"}),
    "dateTime": frozenset({"lt", "lteq", "gt", "gteq"}),
    "elapsedTime": frozenset({"lt", "lteq"}),
    "count": frozenset({"lt", "lteq"}),
    "fields": frozenset({"isAnyOf", "isPartOf"}),
}
LIST_OPERATORS = frozenset({"isAnyOf", "isNoneOf", "isPartOf", "isAllOf", "hasPart"})

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


@dataclass(frozen=True)
class Atomic:
    left: str
    operator: str
    right: Any  # normalised: datetime, timedelta, int, str or tuple[str, ...]
    path: str

    def describe(self) -> str:
        right = self.right
        if isinstance(right, tuple):
            shown = "[" + ", ".join(right) + "]"
        elif isinstance(right, datetime):
            shown = right.isoformat()
        else:
            shown = str(right)
        return f"{self.left} {self.operator} {shown}"


@dataclass(frozen=True)
class Logical:
    kind: LogicalKind
    items: tuple[Constraint, ...]
    path: str


Constraint = Atomic | Logical


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    action: str
    constraints: tuple[Constraint, ...]
    path: str


@dataclass(frozen=True)
class Policy:
    id: str | None
    rules: tuple[Rule, ...]

    def of_kind(self, kind: RuleKind) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append({"path": path, "message": message})


def parse_duration(text: str) -> timedelta | None:
    """ISO 8601 duration; a year counts 365 days and a month 30 (ODRL leaves calendars to the profile)."""
    match = _DURATION.match(text)
    if not match:
        return None
    g = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return timedelta(
        days=g["y"] * 365 + g["mo"] * 30 + g["w"] * 7 + g["d"], hours=g["h"], minutes=g["mi"], seconds=g["s"]
    )


def parse_instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _strip(term: Any) -> Any:
    """Accept compact IRIs of ODRL terms (``odrl:eq``) and ``{"@id": …}`` references as the plain term."""
    if isinstance(term, dict) and set(term) == {"@id"}:
        term = term["@id"]
    if isinstance(term, str):
        for prefix in ("odrl:", "http://www.w3.org/ns/odrl/2/"):
            if term.startswith(prefix):
                return term[len(prefix) :]
    return term


def _right(left: str, operator: str, value: Any, path: str, problems: _Problems) -> Any:
    value = _strip(value)
    if operator in LIST_OPERATORS:
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(v, str) and v for v in items):
            problems.add(path, f"'{operator}' needs a list of non-empty strings")
            return ()
        if left == "purpose":
            _check_purposes(items, path, problems)
        return tuple(items)
    if not isinstance(value, str | int) or isinstance(value, bool):
        problems.add(path, "expected a single value (a string)")
        return None
    text = str(value)
    if left == "dateTime":
        moment = parse_instant(text)
        if moment is None:
            problems.add(path, f"{text!r} is not an ISO 8601 date-time, e.g. 2026-12-31T23:59:59Z")
        return moment
    if left == "elapsedTime":
        duration = parse_duration(text)
        if duration is None:
            problems.add(path, f"{text!r} is not an ISO 8601 duration, e.g. P90D")
        return duration
    if left == "count":
        if not text.isdigit() or int(text) < 1:
            problems.add(path, f"{text!r} is not a positive whole number of uses")
            return None
        return int(text)
    if left == "purpose":
        _check_purposes([text], path, problems)
    return text


def _check_purposes(values: list[str], path: str, problems: _Problems) -> None:
    unknown = [v for v in values if v not in PURPOSES]
    if unknown:
        problems.add(path, f"unknown purpose {', '.join(unknown)}; known: {', '.join(sorted(PURPOSES))}")


def _constraint(raw: Any, path: str, problems: _Problems) -> Constraint | None:
    if not isinstance(raw, dict):
        problems.add(path, "a constraint must be an object")
        return None
    combinators: tuple[LogicalKind, ...] = ("and", "or", "xone", "andSequence")
    logical = [k for k in combinators if k in raw]
    if logical:
        kind = logical[0]
        if len(logical) > 1:
            problems.add(path, "a logical constraint has exactly one of and / or / xone / andSequence")
        members = raw[kind]
        if not isinstance(members, list) or not members:
            problems.add(f"{path}.{kind}", "expected a non-empty list of constraints")
            return None
        items = [_constraint(m, f"{path}.{kind}[{i}]", problems) for i, m in enumerate(members)]
        return Logical(kind, tuple(i for i in items if i is not None), path)
    for key in ("leftOperand", "operator", "rightOperand"):
        if key not in raw:
            problems.add(f"{path}", f"missing '{key}'")
    if problems.items and any(p["path"] == path for p in problems.items):
        return None
    left = _strip(raw["leftOperand"])
    operator = _strip(raw["operator"])
    if left not in OPERATORS:
        problems.add(
            f"{path}.leftOperand",
            f"unknown left operand {left!r}; this connector understands {', '.join(sorted(OPERATORS))}",
        )
        return None
    if operator not in OPERATORS[left]:
        problems.add(
            f"{path}.operator",
            f"operator {operator!r} is not supported with {left!r}; use one of {', '.join(sorted(OPERATORS[left]))}",
        )
        return None
    right = _right(left, operator, raw["rightOperand"], f"{path}.rightOperand", problems)
    return Atomic(left, operator, right, path)


def _rule(kind: RuleKind, raw: Any, path: str, problems: _Problems) -> Rule | None:
    if not isinstance(raw, dict):
        problems.add(path, "a rule must be an object")
        return None
    if "target" in raw:
        problems.add(f"{path}.target", "rules must not carry a target: the policy's target applies (DSP 2025-1)")
    action = _strip(raw.get("action"))
    if isinstance(action, dict):  # {"action": {"rdf:value": …, "refinement": …}} is not in our profile
        problems.add(f"{path}.action", "refined actions are not supported; use a plain action such as 'use'")
        return None
    known = DUTIES if kind == "obligation" else ACTIONS
    if action not in known:
        problems.add(f"{path}.action", f"unknown action {action!r}; use one of {', '.join(sorted(known))}")
        return None
    raw_constraints = raw.get("constraint", [])
    if isinstance(raw_constraints, dict):
        raw_constraints = [raw_constraints]
    if not isinstance(raw_constraints, list):
        problems.add(f"{path}.constraint", "expected a list of constraints")
        return None
    constraints = [_constraint(c, f"{path}.constraint[{i}]", problems) for i, c in enumerate(raw_constraints)]
    for extra in ("duty", "remedy", "consequence"):
        if extra in raw:
            problems.add(f"{path}.{extra}", f"'{extra}' is not in this connector's policy profile yet")
    return Rule(kind, action, tuple(c for c in constraints if c is not None), path)


def parse_policy(raw: Any, *, where: str = "policy") -> Policy:
    """Parse and validate an ODRL policy (Offer, Agreement or Set); raise ``InvalidPolicy`` listing every problem."""
    problems = _Problems()
    if not isinstance(raw, dict):
        raise InvalidPolicy("a policy must be a JSON object", position=where)
    rules: list[Rule] = []
    kinds: tuple[RuleKind, ...] = ("permission", "prohibition", "obligation")
    for kind in kinds:
        entries = raw.get(kind, [])
        if isinstance(entries, dict):
            entries = [entries]
        if not isinstance(entries, list):
            problems.add(f"{where}.{kind}", "expected a list of rules")
            continue
        for index, entry in enumerate(entries):
            rule = _rule(kind, entry, f"{where}.{kind}[{index}]", problems)
            if rule is not None:
                rules.append(rule)
    if not raw.get("permission") and not raw.get("prohibition"):
        problems.add(where, "a policy needs at least one permission or prohibition")
    if problems.items:
        first = problems.items[0]
        raise InvalidPolicy(
            f"{first['message']} (and {len(problems.items) - 1} more)" if len(problems.items) > 1 else first["message"],
            position=first["path"],
            hint="see POLICY.md for the operands and operators this connector understands",
            details={"problems": problems.items},
        )
    policy_id = raw.get("@id")
    return Policy(id=policy_id if isinstance(policy_id, str) else None, rules=tuple(rules))
