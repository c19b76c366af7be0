"""Our ODRL 2.2 profile: parse a policy as DSP carries it, and refuse what the evaluator does not understand.

Every problem of a policy is found and listed at once, each with the JSON path of the offending part and a
message a person reads: an unknown operand, operator, action or combinator; a right operand of the wrong type;
a restriction where it cannot mean one thing (inside ``or``/``xone``); a set of constraints that can never hold
together; rules carrying a ``target``. Nothing unknown is ever ignored (see ``POLICY.md``). Parsing returns an
immutable ``Policy`` that ``decide`` evaluates without further checks.
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
ATTRIBUTES = ("role", "tier", "sector", "region", "size", "membership")  # taken only from signed credentials

SCALAR = frozenset({"eq", "neq", "isAnyOf", "isNoneOf", "isPartOf"})
ORDER = frozenset({"lt", "lteq", "gt", "gteq"})
# left operand → operators it accepts.
OPERATORS: dict[str, frozenset[str]] = {
    "participant": SCALAR,
    "recipient": SCALAR,
    "purpose": SCALAR,
    **{a: SCALAR | {"isAllOf"} for a in ATTRIBUTES},
    "dateTime": ORDER,
    "elapsedTime": frozenset({"lt", "lteq"}),
    "count": frozenset({"lt", "lteq"}),
    # restrictions: they shape what is delivered (or which operations are allowed), they never deny a read
    "fields": frozenset({"isAnyOf", "isPartOf"}),
    "mask": frozenset({"eq", "isAnyOf", "isAllOf"}),
    "rowScope": frozenset({"eq"}),
    "aggregateOnly": frozenset({"eq"}),
    "minGroupSize": frozenset({"eq", "gteq"}),
    "redistribution": frozenset({"eq"}),
    "derivation": frozenset({"eq"}),
}
RESTRICTIONS = frozenset(
    {"fields", "mask", "rowScope", "aggregateOnly", "minGroupSize", "redistribution", "derivation"}
)
LIST_OPERATORS = frozenset({"isAnyOf", "isNoneOf", "isPartOf", "isAllOf"})
ROW_SCOPE = re.compile(r"^\s*(?P<field>[^=\s]+)\s*(?:=\s*\$(?P<source>[A-Za-z]+)\s*)?$")

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


@dataclass(frozen=True)
class Atomic:
    left: str
    operator: str
    right: Any  # normalised: datetime, timedelta, int, bool, str, tuple[str, ...] or RowScope
    path: str

    def describe(self) -> str:
        right = self.right
        if isinstance(right, tuple):
            shown = "[" + ", ".join(right) + "]"
        elif isinstance(right, datetime):
            shown = right.isoformat()
        elif isinstance(right, bool):
            shown = "true" if right else "false"
        elif isinstance(right, timedelta):
            seconds = int(right.total_seconds())
            days, rest = divmod(seconds, 86400)
            shown = f"P{days}D" if not rest else f"P{days}DT{rest}S"
        else:
            shown = str(right)
        return f"{self.left} {self.operator} {shown}"


@dataclass(frozen=True)
class RowScope:
    """Rows whose ``field`` equals the consumer's id (``source`` = consumer) or one of its credential attributes."""

    field: str
    source: str = "consumer"

    def __str__(self) -> str:
        return f"{self.field} = ${self.source}"


@dataclass(frozen=True)
class Logical:
    kind: LogicalKind
    items: tuple[Constraint, ...]
    path: str


Constraint = Atomic | Logical


@dataclass(frozen=True)
class Duty:
    """What the consumer must do: ``delete`` by a deadline (after the agreement, or at a moment), ``notify`` the
    provider of each use, ``attribute`` the source."""

    action: str
    within: timedelta | None
    by: datetime | None
    path: str

    def describe(self) -> str:
        if self.within is not None:
            return f"{self.action} within {self.within.days} days of the agreement"
        if self.by is not None:
            return f"{self.action} by {self.by.isoformat()}"
        return self.action


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    action: str
    constraints: tuple[Constraint, ...]
    path: str
    duties: tuple[Duty, ...] = ()


@dataclass(frozen=True)
class Policy:
    id: str | None
    rules: tuple[Rule, ...]

    def of_kind(self, kind: RuleKind) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)

    @property
    def obligations(self) -> tuple[Duty, ...]:
        """The policy's own obligations (duties whatever permission applies)."""
        return tuple(Duty(r.action, *duty_deadline(r.constraints), r.path) for r in self.of_kind("obligation"))

    @property
    def duties(self) -> tuple[Duty, ...]:
        """Every duty: the obligations and the duties of permissions."""
        return self.obligations + tuple(d for r in self.of_kind("permission") for d in r.duties)


def flat(constraints: tuple[Constraint, ...]) -> list[Atomic]:
    """The atomic constraints that must all hold: top level and inside 'and' (what a rule restricts)."""
    found: list[Atomic] = []
    for c in constraints:
        if isinstance(c, Atomic):
            found.append(c)
        elif c.kind in ("and", "andSequence"):
            found.extend(flat(c.items))
    return found


def duty_deadline(constraints: tuple[Constraint, ...]) -> tuple[timedelta | None, datetime | None]:
    within = next((c.right for c in constraints if isinstance(c, Atomic) and c.left == "elapsedTime"), None)
    by = next((c.right for c in constraints if isinstance(c, Atomic) and c.left == "dateTime"), None)
    return within, by


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
    if isinstance(term, dict) and "@value" in term:
        term = term["@value"]
    if isinstance(term, str):
        for prefix in ("odrl:", "http://www.w3.org/ns/odrl/2/", "sangsaeng:"):
            if term.startswith(prefix):
                return term[len(prefix) :]
    return term


class _Reader:
    def __init__(self, problems: _Problems, purposes: frozenset[str]) -> None:
        self.problems = problems
        self.purposes = purposes

    def right(self, left: str, operator: str, value: Any, path: str) -> Any:
        value = _strip(value)
        add = self.problems.add
        if operator in LIST_OPERATORS:
            items = value if isinstance(value, list) else [value]
            if not items or not all(isinstance(v, str) and v for v in items):
                add(path, f"'{operator}' needs a list of non-empty strings")
                return ()
            if left == "purpose":
                self._purposes(items, path)
            return tuple(dict.fromkeys(items))
        if left in ("aggregateOnly", "redistribution", "derivation"):
            flag = value if isinstance(value, bool) else {"true": True, "false": False}.get(str(value).lower())
            if flag is None:
                add(path, f"{left} takes true or false, not {value!r}")
            return flag
        if isinstance(value, list):
            add(path, f"'{operator}' compares with one value; use isAnyOf for a list")
            return None
        if not isinstance(value, str | int) or isinstance(value, bool):
            add(path, "expected a single value (a string)")
            return None
        text = str(value)
        if left == "dateTime":
            moment = parse_instant(text)
            if moment is None:
                add(path, f"{text!r} is not an ISO 8601 date-time, e.g. 2026-12-31T23:59:59Z")
            return moment
        if left == "elapsedTime":
            duration = parse_duration(text)
            if duration is None:
                add(path, f"{text!r} is not an ISO 8601 duration, e.g. P90D")
            return duration
        if left in ("count", "minGroupSize"):
            smallest = 2 if left == "minGroupSize" else 1
            if not text.isdigit() or int(text) < smallest:
                what = "a group size of at least 2" if left == "minGroupSize" else "a positive whole number of uses"
                add(path, f"{text!r} is not {what}")
                return None
            return int(text)
        if left == "rowScope":
            match = ROW_SCOPE.match(text)
            source = (match.group("source") or "consumer") if match else ""
            if match is None or source not in ("consumer", *ATTRIBUTES):
                add(path, f"{text!r} is not a row scope; write FIELD = $consumer (or $tier, $region …)")
                return None
            return RowScope(match.group("field"), source)
        if left == "purpose":
            self._purposes([text], path)
        if left == "mask":
            return (text,)
        return text

    def _purposes(self, values: list[str], path: str) -> None:
        unknown = [v for v in values if v not in self.purposes]
        if unknown:
            self.problems.add(path, f"unknown purpose {', '.join(unknown)}; known: {', '.join(sorted(self.purposes))}")

    def constraint(self, raw: Any, path: str, restrictions_allowed: bool) -> Constraint | None:
        add = self.problems.add
        if not isinstance(raw, dict):
            add(path, "a constraint must be an object")
            return None
        combinators: tuple[LogicalKind, ...] = ("and", "or", "xone", "andSequence")
        logical = [k for k in combinators if k in raw]
        if logical:
            kind = logical[0]
            if len(logical) > 1:
                add(path, "a logical constraint has exactly one of and / or / xone / andSequence")
            unknown = set(raw) - {*combinators, "@type", "@id"}
            if unknown:
                add(path, f"unknown key {', '.join(sorted(unknown))} in a logical constraint")
            members = raw[kind]
            if not isinstance(members, list) or not members:
                add(f"{path}.{kind}", "expected a non-empty list of constraints")
                return None
            inner_allowed = restrictions_allowed and kind in ("and", "andSequence")
            items = [self.constraint(m, f"{path}.{kind}[{i}]", inner_allowed) for i, m in enumerate(members)]
            return Logical(kind, tuple(i for i in items if i is not None), path)
        missing = [key for key in ("leftOperand", "operator", "rightOperand") if key not in raw]
        for key in missing:
            add(path, f"missing '{key}'")
        unknown = set(raw) - {"leftOperand", "operator", "rightOperand", "@type", "@id", "unit", "dataType"}
        if unknown:
            add(path, f"unknown key {', '.join(sorted(unknown))} in a constraint; refused rather than ignored")
        if missing:
            return None
        left = _strip(raw["leftOperand"])
        operator = _strip(raw["operator"])
        if not isinstance(left, str) or left not in OPERATORS:
            add(
                f"{path}.leftOperand",
                f"unknown left operand {left!r}; this connector understands {', '.join(sorted(OPERATORS))}",
            )
            return None
        if operator not in OPERATORS[left]:
            add(
                f"{path}.operator",
                f"operator {operator!r} is not supported with {left!r}; "
                f"use one of {', '.join(sorted(OPERATORS[left]))}",
            )
            return None
        if left in RESTRICTIONS and not restrictions_allowed:
            add(
                f"{path}.leftOperand",
                f"{left!r} restricts what is delivered: put it directly in the rule's constraints or in an 'and', "
                "where it means one thing, not in 'or' / 'xone' or a prohibition",
            )
            return None
        right = self.right(left, operator, raw["rightOperand"], f"{path}.rightOperand")
        return Atomic(left, operator, right, path)

    def duty(self, raw: Any, path: str) -> Duty | None:
        if not isinstance(raw, dict):
            self.problems.add(path, "a duty must be an object")
            return None
        rule = self.rule("obligation", raw, path)
        return None if rule is None else Duty(rule.action, *duty_deadline(rule.constraints), path)

    def rule(self, kind: RuleKind, raw: Any, path: str) -> Rule | None:
        add = self.problems.add
        if not isinstance(raw, dict):
            add(path, "a rule must be an object")
            return None
        if "target" in raw:
            add(f"{path}.target", "rules must not carry a target: the policy's target applies (DSP 2025-1)")
        unknown = set(raw) - {"action", "constraint", "duty", "target", "@type", "@id", "assigner", "assignee"}
        if unknown:
            add(path, f"unknown key {', '.join(sorted(unknown))} in a rule; refused rather than ignored")
        action = _strip(raw.get("action"))
        if isinstance(action, dict):  # {"action": {"rdf:value": …, "refinement": …}} is not in our profile
            add(f"{path}.action", "refined actions are not supported; use a plain action such as 'use'")
            return None
        known = DUTIES if kind == "obligation" else ACTIONS
        if action not in known:
            add(f"{path}.action", f"unknown action {action!r}; use one of {', '.join(sorted(known))}")
            return None
        raw_constraints = raw.get("constraint", [])
        if isinstance(raw_constraints, dict):
            raw_constraints = [raw_constraints]
        if not isinstance(raw_constraints, list):
            add(f"{path}.constraint", "expected a list of constraints")
            return None
        restrictions_allowed = kind == "permission"
        constraints = tuple(
            c
            for c in (
                self.constraint(raw, f"{path}.constraint[{i}]", restrictions_allowed)
                for i, raw in enumerate(raw_constraints)
            )
            if c is not None
        )
        if kind == "obligation":
            self._deadline_only(constraints, action, path)
        duties: list[Duty] = []
        if "duty" in raw:
            if kind != "permission":
                add(f"{path}.duty", "only a permission carries duties")
            else:
                entries = raw["duty"] if isinstance(raw["duty"], list) else [raw["duty"]]
                for i, entry in enumerate(entries):
                    duty = self.duty(entry, f"{path}.duty[{i}]")
                    if duty is not None:
                        duties.append(duty)
        rule = Rule(kind, action, constraints, path, tuple(duties))
        if kind != "obligation":
            _contradictions(rule, self.problems)
        return rule

    def _deadline_only(self, constraints: tuple[Constraint, ...], action: str, path: str) -> None:
        for c in constraints:
            ok = isinstance(c, Atomic) and (
                (c.left == "elapsedTime" and action == "delete") or (c.left == "dateTime" and action == "delete")
            )
            if not ok:
                self.problems.add(
                    c.path,
                    "a duty's only constraint is when to delete: elapsedTime (after the agreement) or dateTime",
                )


def _contradictions(rule: Rule, problems: _Problems) -> None:
    """Constraints of one rule that can never hold together are refused: the rule could never apply."""
    atoms = [a for a in flat(rule.constraints) if a.right is not None]
    by_left: dict[str, list[Atomic]] = {}
    for a in atoms:
        by_left.setdefault(a.left, []).append(a)
    for left, group in by_left.items():
        if len(group) < 2 and left != "count":
            continue
        last = group[-1].path
        if left in ("dateTime", "elapsedTime", "count"):
            low = [a for a in group if a.operator in ("gt", "gteq")]
            high = [a for a in group if a.operator in ("lt", "lteq")]
            for lo in low:
                for hi in high:
                    inclusive = lo.operator == "gteq" and hi.operator == "lteq"
                    if lo.right > hi.right or (lo.right == hi.right and not inclusive):
                        problems.add(hi.path, f"'{lo.describe()}' and '{hi.describe()}' can never both hold")
            for a in group:
                if left == "count" and a.operator == "lt" and a.right <= 1:
                    problems.add(a.path, f"'{a.describe()}' allows no use at all")
            continue
        if left in ("participant", "recipient", "purpose"):
            allowed: set[str] | None = None
            banned: set[str] = set()
            for a in group:
                values = set(a.right) if isinstance(a.right, tuple) else {a.right}
                if a.operator in ("eq", "isAnyOf", "isPartOf"):
                    allowed = values if allowed is None else allowed & values
                else:
                    banned |= values
            if allowed is not None and not (allowed - banned):
                problems.add(last, f"the constraints on {left} exclude every value: no one could ever use this")
            continue
        if left in ATTRIBUTES:
            required = {v for a in group if a.operator in ("eq", "isAllOf") for v in _values(a)}
            banned = {v for a in group if a.operator in ("neq", "isNoneOf") for v in _values(a)}
            if required & banned:
                problems.add(last, f"{left} must and must not be {', '.join(sorted(required & banned))}")
            continue
        if left in ("aggregateOnly", "redistribution", "derivation", "minGroupSize", "rowScope"):
            exact = {a.right for a in group if a.operator == "eq"}
            if len(exact) > 1:
                problems.add(last, f"{left} is given {len(exact)} different values in one rule")


def _values(a: Atomic) -> tuple[str, ...]:
    return a.right if isinstance(a.right, tuple) else (a.right,)


def parse_policy(raw: Any, *, where: str = "policy", purposes: frozenset[str] = PURPOSES) -> Policy:
    """Parse and validate an ODRL policy (Offer, Agreement or Set); raise ``InvalidPolicy`` listing every problem.

    ``purposes`` is the vocabulary of purposes this connector accepts (extensible in its settings)."""
    problems = _Problems()
    if not isinstance(raw, dict):
        raise InvalidPolicy("a policy must be a JSON object", position=where)
    reader = _Reader(problems, purposes)
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
            rule = reader.rule(kind, entry, f"{where}.{kind}[{index}]")
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
