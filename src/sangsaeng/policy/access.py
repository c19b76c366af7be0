"""Who may *see* an offer in the catalog (its access policy), apart from who may *obtain* it (its contract policy).

Dataspaces keep the two apart (EDC's access and contract policies): a catalog that lists every offer with its
terms to every member tells them who supplies whom. An offer may carry an explicit access policy: an ODRL policy
of our profile that speaks only of who the caller is (``participant`` and the credential attributes). Without one,
the offer is shown to whoever its contract policy could grant it to, judged by the participant alone:

- each rule's constraints are evaluated in three values for the caller: ``participant``/``recipient`` constraints
  are true or false for the caller, every other constraint (purpose, time, credentials, restrictions …) is
  *unknown*; ``and`` is false when one part is false, ``or`` true when one part is true, ``xone`` false when two
  parts are true (or all false), unknown otherwise — so ``neq``/``isNoneOf`` hide the offer from those they name
  only, and an ``or`` with a participant branch hides nothing while another branch could hold;
- the offer is visible when, for reading or for aggregates (what a contract request asks), some permission
  covering the operation is not false and no prohibition covering it is surely true for the caller. A permission
  without a participant constraint is therefore visible to all; a prohibition hides only when its constraints are
  all about the participant and hold.

So the default never hides an offer from someone who could obtain it (property-tested), and shows a partner-only
offer to its partners only. Every participant the policy does not name is treated alike, which makes the
answer a finite one: the named participants who see the offer, and whether everyone else does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from sangsaeng.errors import InvalidPolicy
from sangsaeng.policy.decide import CompiledPolicy, RequestContext, compile_policy, covers, decide_use
from sangsaeng.policy.model import ATTRIBUTES, Atomic, Constraint, Policy, Rule, parse_policy

Attributes = Mapping[str, frozenset[str]]  # what verified credentials attest about the caller
WHO = frozenset({"participant", *ATTRIBUTES})  # what an access policy may ask about the caller
IDENTITY = frozenset({"participant", "recipient"})
OBTAINING = ("read", "aggregate")  # a contract request is granted for rows, or for aggregates where only those are
OBTAINING_ACTIONS = frozenset({"use", "read", "aggregate"})  # the actions that cover one of them
_NOT_NAMED = object()  # stands for every participant the policy does not name
_NO_TIME = datetime(2000, 1, 1, tzinfo=UTC)  # access policies speak of no time


@dataclass(frozen=True)
class Audience:
    """Who sees an offer: the named participants who do and whether everyone not named does; or, for an access
    policy that asks for credential attributes, its compiled form (which decides per caller)."""

    named: frozenset[str]  # every participant the policy names
    seeing: frozenset[str]  # those of them who see the offer
    others: bool  # whether every participant not named sees it
    by_credentials: CompiledPolicy | None = None

    @property
    def everyone(self) -> bool:
        return self.by_credentials is None and self.others and self.seeing == self.named

    def sees(self, participant: str, attributes: Attributes) -> bool:
        if self.by_credentials is not None:
            ctx = RequestContext(consumer=participant, now=_NO_TIME, attributes=attributes)
            return decide_use(self.by_credentials.decide, ctx).permit
        if participant in self.named:
            return participant in self.seeing
        return self.others

    def describe(self) -> dict[str, Any]:
        """For people and the API: everyone, only some, everyone but some, or by credentials."""
        if self.by_credentials is not None:
            return {"kind": "credentials"}
        if self.everyone:
            return {"kind": "everyone"}
        if self.others:
            return {"kind": "except", "participants": sorted(self.named - self.seeing)}
        return {"kind": "only", "participants": sorted(self.seeing)}


EVERYONE = Audience(frozenset(), frozenset(), True)
NOBODY = Audience(frozenset(), frozenset(), False)


# ---- three-valued evaluation for one participant -------------------------------------------------------------
def _atom(c: Atomic, who: object) -> bool | None:
    if c.left not in IDENTITY:
        return None
    values = c.right if isinstance(c.right, tuple) else (c.right,)
    named = who in values
    return {"eq": named, "isAnyOf": named, "isPartOf": named, "neq": not named, "isNoneOf": not named}[c.operator]


def _tri(c: Constraint, who: object) -> bool | None:
    if isinstance(c, Atomic):
        return _atom(c, who)
    results = [_tri(item, who) for item in c.items]
    if c.kind in ("and", "andSequence"):
        return _all(results)
    if c.kind == "or":
        return True if True in results else (False if all(r is False for r in results) else None)
    true = results.count(True)
    if true > 1 or (true == 0 and None not in results):
        return False
    return True if true == 1 and None not in results else None


def _all(results: list[bool | None]) -> bool | None:
    if False in results:
        return False
    return True if all(r is True for r in results) else None


def _rule(rule: Rule, who: object) -> bool | None:
    return _all([_tri(c, who) for c in rule.constraints])


def _may_obtain(policy: Policy, who: object) -> bool:
    for operation in OBTAINING:
        barred = any(covers(r.action, operation) and _rule(r, who) is True for r in policy.of_kind("prohibition"))
        if barred:
            continue
        if any(covers(r.action, operation) and _rule(r, who) is not False for r in policy.of_kind("permission")):
            return True
    return False


def _named(policy: Policy) -> frozenset[str]:
    found: set[str] = set()

    def walk(c: Constraint) -> None:
        if isinstance(c, Atomic):
            if c.left in IDENTITY:
                found.update(c.right if isinstance(c.right, tuple) else (c.right,))
        else:
            for item in c.items:
                walk(item)

    for rule in policy.rules:
        for c in rule.constraints:
            walk(c)
    return frozenset(found)


def _partition(policy: Policy) -> Audience:
    named = _named(policy)
    if not named and _may_obtain(policy, _NOT_NAMED):
        return EVERYONE
    seeing = frozenset(p for p in named if _may_obtain(policy, p))
    return Audience(named, seeing, _may_obtain(policy, _NOT_NAMED))


def default_audience(contract: Policy) -> Audience:
    """Who sees an offer that has no access policy: whoever its contract policy could grant it to."""
    return _partition(contract)


# ---- explicit access policies --------------------------------------------------------------------------------
def parse_access_policy(raw: Any, where: str = "accessPolicy") -> Policy:
    """An access policy: permissions and prohibitions on ``use`` about who the caller is, nothing else. Every
    problem is listed with its JSON path, as for any policy."""
    policy = parse_policy(raw, where=where)
    problems: list[dict[str, str]] = []

    def walk(c: Constraint) -> None:
        if isinstance(c, Atomic):
            if c.left not in WHO:
                problems.append(
                    {
                        "path": f"{c.path}.leftOperand",
                        "message": f"an access policy asks only who the caller is ({', '.join(sorted(WHO))}), "
                        f"not {c.left!r}: put it in the offer's policy",
                    }
                )
        else:
            for item in c.items:
                walk(item)

    for rule in policy.rules:
        if rule.kind == "obligation" or rule.duties:
            problems.append({"path": rule.path, "message": "an access policy carries no duties"})
        elif rule.action != "use":
            problems.append(
                {"path": f"{rule.path}.action", "message": "an access policy's rules take the action 'use'"}
            )
        for c in rule.constraints:
            walk(c)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InvalidPolicy(
            first["message"] + more,
            position=first["path"],
            hint="an access policy says who sees the offer in the catalog; what they may do belongs in the policy",
            details={"problems": problems},
        )
    return policy


def audience(contract: Policy, access: Policy | None) -> Audience:
    """Who sees the offer: its access policy when it has one, else the default drawn from its contract policy."""
    if access is None:
        return default_audience(contract)
    asks_credentials = any(
        isinstance(c, Atomic) and c.left in ATTRIBUTES for r in access.rules for c in _atoms(r.constraints)
    )
    if asks_credentials:
        return Audience(_named(access), frozenset(), False, compile_policy(access))
    return _partition(access)  # only participants: the three-valued reading is exact here


def offer_audience(
    policy: Mapping[str, Any], access_policy: Mapping[str, Any] | None, purposes: frozenset[str]
) -> Audience:
    """Who sees an offer, from its stored policies (both were checked when the offer was made). A stored policy
    that no longer parses (a purpose since removed from the settings) could not be obtained: no one sees it."""
    if access_policy is None and _plainly_open(policy):
        return EVERYONE
    try:
        contract = parse_policy(dict(policy), where="policy", purposes=purposes)
        return audience(contract, None if access_policy is None else parse_access_policy(dict(access_policy)))
    except InvalidPolicy:
        return NOBODY


def _plainly_open(policy: Mapping[str, Any]) -> bool:
    """The common case, told without parsing (a catalog of thousands starts cold): no participant anywhere, no
    prohibition, and a permission to use or read — the default shows such an offer to everyone."""
    text = orjson.dumps(policy)
    if b"participant" in text or b"recipient" in text or policy.get("prohibition"):
        return False
    permissions = policy.get("permission")
    rules = permissions if isinstance(permissions, list) else [permissions]
    return any(isinstance(r, dict) and r.get("action") in OBTAINING_ACTIONS for r in rules)


def _atoms(constraints: tuple[Constraint, ...]) -> list[Atomic]:
    found: list[Atomic] = []
    for c in constraints:
        if isinstance(c, Atomic):
            found.append(c)
        else:
            found.extend(_atoms(c.items))
    return found


def visible_to(participants: list[str]) -> dict[str, Any]:
    """The access policy of an offer shown to these participants only (the CLI's ``--visible-to``)."""
    return {
        "permission": [
            {
                "action": "use",
                "constraint": [{"leftOperand": "participant", "operator": "isAnyOf", "rightOperand": participants}],
            }
        ]
    }
