"""Who sees an offer: the default drawn from its contract policy, and explicit access policies (pure)."""

from __future__ import annotations

import dataclasses
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from sangsaeng.errors import InvalidPolicy
from sangsaeng.policy.access import audience, default_audience, offer_audience, parse_access_policy, visible_to
from sangsaeng.policy.decide import RequestContext, compile_policy, decide, decide_use
from sangsaeng.policy.model import PURPOSES, parse_policy
from tests.test_policy import CONTEXTS, NOW, PARTIES, POLICIES, c, parsed, permission

A, B, C = "urn:p:a", "urn:p:b", "urn:p:c"
NOBODY: dict[str, frozenset[str]] = {}


def seen_by(raw: dict[str, Any], access: dict[str, Any] | None = None) -> set[str]:
    who = audience(parse_policy(raw), None if access is None else parse_access_policy(access))
    return {p for p in (A, B, C, "urn:p:stranger") if who.sees(p, NOBODY)}


def test_an_offer_for_a_named_partner_is_seen_by_that_partner_only() -> None:
    assert seen_by(permission(c("participant", "eq", A), c("purpose", "eq", "recall"))) == {A}
    assert seen_by(permission(c("participant", "isAnyOf", [A, B]))) == {A, B}


def test_an_offer_without_participant_constraints_is_seen_by_everyone() -> None:
    everyone = default_audience(parse_policy(permission(c("purpose", "eq", "recall"))))
    assert everyone.everyone and everyone.describe() == {"kind": "everyone"}
    assert seen_by(permission(c("tier", "eq", "tier1"))) == {A, B, C, "urn:p:stranger"}


def test_neq_and_isnoneof_hide_the_offer_from_those_they_name_only() -> None:
    assert seen_by(permission(c("participant", "neq", A))) == {B, C, "urn:p:stranger"}
    hidden = default_audience(parse_policy(permission(c("participant", "isNoneOf", [A, B]))))
    assert hidden.describe() == {"kind": "except", "participants": [A, B]}


def test_or_and_xone_hide_only_what_can_never_hold() -> None:
    # A partner branch or a purpose branch: anyone might satisfy the purpose, so everyone sees it.
    either = {"or": [c("participant", "eq", A), c("purpose", "eq", "recall")]}
    assert seen_by(permission(either)) == {A, B, C, "urn:p:stranger"}
    assert seen_by(permission({"or": [c("participant", "eq", A), c("participant", "eq", B)]})) == {A, B}
    # xone of two participant tests: exactly one holds for A and for B, none for others.
    assert seen_by(permission({"xone": [c("participant", "eq", A), c("participant", "isAnyOf", [A, B])]})) == {B}


def test_a_prohibition_hides_only_when_it_surely_holds_for_the_caller() -> None:
    open_to_all = {"permission": [{"action": "use"}]}
    barred = {**open_to_all, "prohibition": [{"action": "use", "constraint": [c("participant", "eq", A)]}]}
    assert seen_by(barred) == {B, C, "urn:p:stranger"}
    maybe = {
        **open_to_all,
        "prohibition": [{"action": "use", "constraint": [c("participant", "eq", A), c("purpose", "eq", "recall")]}],
    }
    assert A in seen_by(maybe)  # A may still ask for another purpose
    only_passing_on = {"permission": [{"action": "distribute", "constraint": [c("participant", "eq", A)]}]}
    assert seen_by(only_passing_on) == set()  # no one could obtain it by a contract request (read or aggregate)


def test_an_access_policy_decides_alone_by_participant_or_credentials() -> None:
    public = {"permission": [{"action": "use"}]}
    assert seen_by(permission(c("participant", "eq", A)), visible_to([B])) == {B}
    assert seen_by(public, visible_to([A, C])) == {A, C}
    tier1 = {"permission": [{"action": "use", "constraint": [c("tier", "eq", "tier1")]}]}
    who = audience(parse_policy(public), parse_access_policy(tier1))
    assert who.describe() == {"kind": "credentials"}
    assert who.sees(A, {"tier": frozenset({"tier1"})}) and not who.sees(A, {"tier": frozenset({"tier2"})})
    assert not who.sees(A, NOBODY)


@pytest.mark.parametrize(
    ("access", "position"),
    [
        (permission(c("purpose", "eq", "recall")), "accessPolicy.permission[0].constraint[0].leftOperand"),
        (
            permission(c("dateTime", "lt", "2030-01-01T00:00:00Z")),
            "accessPolicy.permission[0].constraint[0].leftOperand",
        ),
        (
            permission({"or": [c("tier", "eq", "t1"), c("recipient", "eq", A)]}),
            "accessPolicy.permission[0].constraint[0].or[1].leftOperand",
        ),
        (permission(action="read"), "accessPolicy.permission[0].action"),
        ({"permission": [{"action": "use", "duty": [{"action": "notify"}]}]}, "accessPolicy.permission[0]"),
        (
            {"permission": [{"action": "use", "constraint": [c("participant", "eq", [A])]}]},
            "accessPolicy.permission[0].constraint[0].rightOperand",
        ),
    ],
)
def test_an_access_policy_asks_only_who_the_caller_is(access: dict[str, Any], position: str) -> None:
    with pytest.raises(InvalidPolicy) as refused:
        parse_access_policy(access)
    assert refused.value.position == position


# ---- properties ----------------------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(raw=POLICIES, context=CONTEXTS)
def test_the_default_never_hides_an_offer_from_someone_who_could_obtain_it(
    raw: dict[str, Any], context: RequestContext
) -> None:
    policy = parsed(raw)
    asked = dataclasses.replace(context, operation="read")  # what a contract request asks
    if decide_use(lambda ctx: decide(policy, ctx), asked).permit:
        assert default_audience(policy).sees(context.consumer, context.attributes)


ACCESS_ATOMS = st.one_of(
    st.builds(lambda o, v: c("participant", o, v), st.sampled_from(["eq", "neq"]), st.sampled_from(PARTIES)),
    st.builds(
        lambda o, v: c("participant", o, v),
        st.sampled_from(["isAnyOf", "isNoneOf"]),
        st.lists(st.sampled_from(PARTIES), min_size=1, max_size=2),
    ),
)
ACCESS_CONSTRAINTS = st.recursive(
    ACCESS_ATOMS,
    lambda inner: st.builds(
        lambda k, items: {k: items}, st.sampled_from(["and", "or", "xone"]), st.lists(inner, min_size=1, max_size=3)
    ),
    max_leaves=5,
)
ACCESS_POLICIES = st.builds(
    lambda permissions, prohibitions: {"permission": permissions, "prohibition": prohibitions},
    st.lists(
        st.builds(lambda cs: {"action": "use", "constraint": cs}, st.lists(ACCESS_CONSTRAINTS, max_size=2)),
        min_size=1,
        max_size=2,
    ),
    st.lists(st.builds(lambda cs: {"action": "use", "constraint": cs}, st.lists(ACCESS_ATOMS, max_size=2)), max_size=1),
)


@settings(max_examples=150, deadline=None)
@given(access=ACCESS_POLICIES, who=st.sampled_from([*PARTIES, "urn:p:not-named"]))
def test_an_access_policy_on_participants_is_read_exactly(access: dict[str, Any], who: str) -> None:
    try:
        parsed_access = parse_access_policy(access)
    except InvalidPolicy:
        return  # contradictory constraints: refused at creation, never evaluated
    decided = decide_use(compile_policy(parsed_access).decide, RequestContext(consumer=who, now=NOW))
    assert audience(parse_policy(permission()), parsed_access).sees(who, NOBODY) == decided.permit


@settings(max_examples=150, deadline=None)
@given(raw=POLICIES)
def test_the_quick_reading_of_a_stored_offer_agrees_with_the_full_one(raw: dict[str, Any]) -> None:
    policy = parsed(raw)
    assert offer_audience(raw, None, PURPOSES) == default_audience(policy)


def test_a_stored_offer_that_no_longer_parses_is_seen_by_no_one() -> None:
    gone = permission(c("participant", "eq", A), c("purpose", "eq", "a-purpose-since-removed"))
    assert not offer_audience(gone, None, PURPOSES).sees(A, NOBODY)
