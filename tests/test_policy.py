"""The ODRL profile: what is refused at creation (with the path), and how decisions come out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import assume, given, settings

from sangsaeng.errors import InvalidPolicy
from sangsaeng.policy.decide import RequestContext, _holds, compile_policy, covers, decide
from sangsaeng.policy.model import flat, parse_duration, parse_policy

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OEM = "urn:p:oem"


def permission(*constraints: dict[str, Any], action: str = "use") -> dict[str, Any]:
    return {"permission": [{"action": action, "constraint": list(constraints)}]}


def c(left: str, operator: str, right: Any) -> dict[str, Any]:
    return {"leftOperand": left, "operator": operator, "rightOperand": right}


def ctx(**kwargs: Any) -> RequestContext:
    return RequestContext(**{"consumer": OEM, "now": NOW, **kwargs})


@pytest.mark.parametrize(
    ("policy", "position", "words"),
    [
        (
            permission(c("spatial", "eq", "EU")),
            "policy.permission[0].constraint[0].leftOperand",
            "unknown left operand",
        ),
        (permission(c("purpose", "gt", "recall")), "policy.permission[0].constraint[0].operator", "not supported"),
        (permission(c("purpose", "eq", "fun")), "policy.permission[0].constraint[0].rightOperand", "unknown purpose"),
        (permission(c("dateTime", "lteq", "next year")), "policy.permission[0].constraint[0].rightOperand", "ISO 8601"),
        (permission(c("count", "lteq", "-3")), "policy.permission[0].constraint[0].rightOperand", "positive"),
        (
            permission(c("elapsedTime", "lteq", "90 days")),
            "policy.permission[0].constraint[0].rightOperand",
            "duration",
        ),
        (permission(action="sell"), "policy.permission[0].action", "unknown action"),
        (permission(c("tier", "lt", "tier1")), "policy.permission[0].constraint[0].operator", "not supported"),
        (permission(c("aggregateOnly", "eq", "maybe")), "policy.permission[0].constraint[0].rightOperand", "true or"),
        (permission(c("minGroupSize", "gteq", "1")), "policy.permission[0].constraint[0].rightOperand", "at least 2"),
        (permission(c("rowScope", "eq", "a = b = c")), "policy.permission[0].constraint[0].rightOperand", "row scope"),
        (
            permission(c("rowScope", "eq", "x = $colour")),
            "policy.permission[0].constraint[0].rightOperand",
            "row scope",
        ),
        (permission(c("participant", "eq", ["a", "b"])), "policy.permission[0].constraint[0].rightOperand", "isAnyOf"),
        (
            permission({"or": [c("fields", "isAnyOf", ["a"]), c("purpose", "eq", "recall")]}),
            "policy.permission[0].constraint[0].or[0].leftOperand",
            "restricts what is delivered",
        ),
        (
            {
                "permission": [{"action": "use"}],
                "prohibition": [{"action": "use", "constraint": [c("mask", "eq", "a")]}],
            },
            "policy.prohibition[0].constraint[0].leftOperand",
            "restricts what is delivered",
        ),
        (
            permission(c("dateTime", "gt", "2027-01-01T00:00:00Z"), c("dateTime", "lt", "2026-01-01T00:00:00Z")),
            "policy.permission[0].constraint[1]",
            "can never both hold",
        ),
        (
            permission(c("purpose", "eq", "recall"), c("purpose", "isNoneOf", ["recall", "benchmarking"])),
            "policy.permission[0].constraint[1]",
            "exclude every value",
        ),
        (
            permission(c("participant", "eq", "urn:a"), c("participant", "eq", "urn:b")),
            "policy.permission[0].constraint[1]",
            "exclude every value",
        ),
        (
            permission(c("tier", "eq", "tier1"), c("tier", "isNoneOf", ["tier1"])),
            "policy.permission[0].constraint[1]",
            "must and must not",
        ),
        (permission(c("count", "lt", "1")), "policy.permission[0].constraint[0]", "no use at all"),
        (
            permission(c("aggregateOnly", "eq", True), c("aggregateOnly", "eq", False)),
            "policy.permission[0].constraint[1]",
            "different values",
        ),
        (
            {
                "permission": [
                    {"action": "use", "duty": [{"action": "delete", "constraint": [c("purpose", "eq", "recall")]}]}
                ]
            },
            "policy.permission[0].duty[0].constraint[0]",
            "when to delete",
        ),
        (
            permission({"leftOperand": "purpose", "operator": "eq", "rightOperand": "recall", "unit": "x", "extra": 1}),
            "policy.permission[0].constraint[0]",
            "unknown key extra",
        ),
        ({"permission": [{"action": "use", "target": "urn:d:1"}]}, "policy.permission[0].target", "target"),
        ({"obligation": [{"action": "delete"}]}, "policy", "at least one permission"),
        (
            permission({"leftOperand": "purpose", "operator": "eq"}),
            "policy.permission[0].constraint[0]",
            "rightOperand",
        ),
        (permission({"or": []}), "policy.permission[0].constraint[0].or", "non-empty"),
        (
            permission({"and": [c("purpose", "eq", "recall"), c("colour", "eq", "red")]}),
            "policy.permission[0].constraint[0].and[1].leftOperand",
            "unknown left operand",
        ),
    ],
)
def test_policies_we_cannot_enforce_are_refused_with_the_path(policy: Any, position: str, words: str) -> None:
    with pytest.raises(InvalidPolicy) as caught:
        parse_policy(policy)
    assert caught.value.position == position
    assert words in caught.value.message
    assert caught.value.details["problems"][0]["path"] == position


def test_every_problem_is_listed_not_only_the_first() -> None:
    with pytest.raises(InvalidPolicy) as caught:
        parse_policy(permission(c("spatial", "eq", "EU"), c("purpose", "eq", "fun"), c("count", "eq", "1")))
    assert len(caught.value.details["problems"]) == 3
    assert "and 2 more" in caught.value.message


def test_compact_odrl_iris_are_understood() -> None:
    policy = parse_policy(permission(c("odrl:purpose", "odrl:eq", "recall")))
    assert decide(policy, ctx(purpose="recall")).permit


def test_participant_purpose_time_and_count_decide_with_reasons() -> None:
    policy = parse_policy(
        permission(
            c("participant", "eq", OEM),
            c("purpose", "isAnyOf", ["quality-analysis", "recall"]),
            c("dateTime", "lteq", "2026-12-31T23:59:59Z"),
            c("count", "lteq", "3"),
        )
    )
    assert decide(policy, ctx(purpose="recall", uses=2)).permit
    for denied, words in [
        (ctx(consumer="urn:p:other", purpose="recall"), "consumer is urn:p:other"),
        (ctx(purpose="benchmarking"), "declared purpose is benchmarking"),
        (ctx(purpose=None), "no purpose was declared"),
        (ctx(purpose="recall", now=NOW + timedelta(days=60)), "✗ dateTime lteq"),
        (ctx(purpose="recall", uses=3), "this would be use 4"),
    ]:
        decision = decide(policy, denied)
        assert not decision.permit
        assert any(words in reason for reason in decision.reasons), decision.reasons


def test_elapsed_time_counts_from_the_agreement() -> None:
    policy = parse_policy(permission(c("elapsedTime", "lteq", "P90D")))
    agreed = NOW - timedelta(days=30)
    assert decide(policy, ctx(agreed_at=agreed)).permit
    assert not decide(policy, ctx(agreed_at=NOW - timedelta(days=91))).permit


def test_prohibitions_win_over_permissions() -> None:
    policy = parse_policy(
        {
            "permission": [{"action": "use"}],
            "prohibition": [{"action": "read", "constraint": [c("purpose", "eq", "benchmarking")]}],
        }
    )
    assert decide(policy, ctx(purpose="recall")).permit
    decision = decide(policy, ctx(purpose="benchmarking"))
    assert not decision.permit and "prohibits read" in decision.reasons[0]


def test_fields_restrict_what_is_delivered_and_logical_constraints_combine() -> None:
    policy = parse_policy(
        permission(
            {"or": [c("purpose", "eq", "recall"), c("purpose", "eq", "quality-analysis")]},
            c("fields", "isAnyOf", ["lot_no", "result"]),
        )
    )
    decision = decide(policy, ctx(purpose="recall"))
    assert decision.permit
    assert decision.restrictions.apply_to(["lot_no", "inspector", "result"]) == ["lot_no", "result"]
    xone = parse_policy(permission({"xone": [c("purpose", "eq", "recall"), c("participant", "eq", OEM)]}))
    assert not decide(xone, ctx(purpose="recall")).permit  # both hold: not exactly one
    assert decide(xone, ctx(purpose="benchmarking")).permit


def test_obligations_and_permission_duties_become_duties_of_a_permit() -> None:
    policy = parse_policy(
        {
            "permission": [{"action": "use", "duty": [{"action": "attribute"}]}],
            "obligation": [{"action": "delete", "constraint": [c("elapsedTime", "lteq", "P365D")]}],
        }
    )
    duties = decide(policy, ctx()).duties
    assert [(d.action, d.path) for d in duties] == [
        ("delete", "policy.obligation[0]"),
        ("attribute", "policy.permission[0].duty[0]"),
    ]
    assert duties[0].within == timedelta(days=365) and duties[0].describe() == "delete within 365 days of the agreement"


def test_durations() -> None:
    assert parse_duration("P1Y2M3DT4H5M6S") == timedelta(days=365 + 60 + 3, hours=4, minutes=5, seconds=6)
    assert parse_duration("P2W") == timedelta(days=14)
    assert parse_duration("P") is None and parse_duration("PT") is None and parse_duration("90D") is None


FIELDS = ["lot_no", "part_no", "measured", "result", "inspector", "cost"]


@given(
    allowed=st.lists(st.sampled_from(FIELDS), min_size=1, unique=True),
    second=st.one_of(st.none(), st.lists(st.sampled_from(FIELDS), min_size=1, unique=True)),
    columns=st.lists(st.sampled_from(FIELDS), unique=True),
)
def test_delivered_fields_never_exceed_what_some_permission_allows(
    allowed: list[str], second: list[str] | None, columns: list[str]
) -> None:
    rules = [{"action": "use", "constraint": [c("fields", "isAnyOf", allowed)]}]
    if second is not None:
        rules.append({"action": "use", "constraint": [c("fields", "isAnyOf", second)]})
    decision = decide(parse_policy({"permission": rules}), ctx())
    delivered = decision.restrictions.apply_to(columns)
    assert set(delivered) <= set(allowed) | set(second or [])
    assert delivered == [col for col in columns if col in set(allowed) | set(second or [])]


@given(limit=st.integers(1, 50), uses=st.integers(0, 60))
def test_count_permits_exactly_limit_uses(limit: int, uses: int) -> None:
    policy = parse_policy(permission(c("count", "lteq", str(limit))))
    assert decide(policy, ctx(uses=uses)).permit is (uses < limit)


@given(purpose=st.sampled_from(["quality-analysis", "carbon-accounting", "recall", "demand-planning", "benchmarking"]))
def test_a_matching_prohibition_always_denies(purpose: str) -> None:
    policy = parse_policy(
        {
            "permission": [{"action": "use"}],
            "prohibition": [{"action": "use", "constraint": [c("purpose", "eq", purpose)]}],
        }
    )
    assert not decide(policy, ctx(purpose=purpose)).permit


# ---- the whole profile ---------------------------------------------------------------------------------------
def test_credential_attributes_decide_as_sets() -> None:
    policy = parse_policy(permission(c("tier", "eq", "tier1"), c("membership", "isAllOf", ["kama", "kcci"])))
    both = {"tier": frozenset({"tier1"}), "membership": frozenset({"kama", "kcci", "other"})}
    assert decide(policy, ctx(attributes=both)).permit
    one = {**both, "membership": frozenset({"kama"})}
    decision = decide(policy, ctx(attributes=one))
    assert not decision.permit and any("credentials say membership is kama" in r for r in decision.reasons)
    nothing = decide(policy, ctx())
    assert any("no verified credential says" in r for r in nothing.reasons)


def test_restrictions_are_returned_for_the_data_plane() -> None:
    policy = parse_policy(
        permission(
            c("fields", "isAnyOf", ["lot", "value", "customer"]),
            c("mask", "isAnyOf", ["lot"]),
            c("rowScope", "eq", "customer = $consumer"),
        )
    )
    decision = decide(policy, ctx(fields=frozenset({"lot", "value", "cost"})))
    r = decision.restrictions
    assert decision.permit and r.allowed_fields == {"lot", "value", "customer"} and r.masked == {"lot"}
    assert r.rows == (("customer", OEM),)
    assert any("withheld: cost" in reason for reason in decision.reasons)


def test_aggregate_only_leaves_aggregates_and_redistribution_false_forbids_passing_on() -> None:
    policy = parse_policy(
        permission(c("aggregateOnly", "eq", True), c("minGroupSize", "gteq", "5"), c("redistribution", "eq", False))
    )
    assert not decide(policy, ctx(operation="read")).permit
    aggregate = decide(policy, ctx(operation="aggregate"))
    assert aggregate.permit and aggregate.restrictions.aggregate_only
    assert aggregate.restrictions.min_group_size == 5
    refused = decide(policy, ctx(operation="distribute"))
    assert not refused.permit and any("no passing on" in r for r in refused.reasons)


def test_the_most_generous_permission_that_applies_governs() -> None:
    policy = parse_policy(
        {
            "permission": [
                {
                    "action": "use",
                    "constraint": [c("mask", "isAnyOf", ["lot", "cost"]), c("fields", "isAnyOf", ["lot"])],
                },
                {"action": "use", "constraint": [c("mask", "isAnyOf", ["lot"]), c("purpose", "eq", "recall")]},
            ]
        }
    )
    first_only = decide(policy, ctx(purpose="benchmarking")).restrictions
    assert first_only.allowed_fields == {"lot"} and first_only.masked == {"lot", "cost"}
    both = decide(policy, ctx(purpose="recall")).restrictions
    assert both.allowed_fields is None and both.masked == {"lot"}


# ---- properties over generated policies and contexts ---------------------------------------------------------
PARTIES = ["urn:p:oem", "urn:p:t1", "urn:p:t2"]
PURPOSE_LIST = ["quality-analysis", "recall", "benchmarking"]
MOMENTS = ["2026-01-01T00:00:00Z", "2026-11-23T12:00:00Z", "2027-06-01T00:00:00Z"]
ATOMS = st.one_of(
    st.builds(lambda o, v: c("participant", o, v), st.sampled_from(["eq", "neq"]), st.sampled_from(PARTIES)),
    st.builds(
        lambda o, v: c("participant", o, v),
        st.sampled_from(["isAnyOf", "isNoneOf"]),
        st.lists(st.sampled_from(PARTIES), min_size=1, max_size=2),
    ),
    st.builds(lambda o, v: c("purpose", o, v), st.sampled_from(["eq", "neq"]), st.sampled_from(PURPOSE_LIST)),
    st.builds(
        lambda o, v: c("tier", o, v),
        st.sampled_from(["eq", "neq", "isAnyOf", "isAllOf", "isNoneOf", "isPartOf"]),
        st.sampled_from(["tier1", "tier2"]),
    ),
    st.builds(
        lambda o, v: c("dateTime", o, v), st.sampled_from(["lt", "lteq", "gt", "gteq"]), st.sampled_from(MOMENTS)
    ),
    st.builds(lambda o, v: c("count", o, str(v)), st.sampled_from(["lteq"]), st.integers(1, 4)),
    st.builds(lambda o, v: c("elapsedTime", o, v), st.sampled_from(["lt", "lteq"]), st.sampled_from(["P1D", "P30D"])),
    st.builds(lambda v: c("fields", "isAnyOf", v), st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4)),
    st.builds(lambda v: c("mask", "isAnyOf", v), st.lists(st.sampled_from(FIELDS), min_size=1, max_size=2)),
    st.builds(lambda v: c("aggregateOnly", "eq", v), st.booleans()),
    st.builds(lambda v: c("minGroupSize", "gteq", str(v)), st.integers(2, 9)),
    st.builds(lambda v: c("redistribution", "eq", v), st.booleans()),
    st.builds(lambda v: c("derivation", "eq", v), st.booleans()),
    st.just(c("rowScope", "eq", "customer = $consumer")),
)
DECIDING = [a for a in ["participant", "purpose", "tier", "dateTime", "count", "elapsedTime"]]
CONSTRAINTS = st.recursive(
    ATOMS,
    lambda inner: st.builds(
        lambda k, items: {k: items}, st.sampled_from(["and", "or", "xone"]), st.lists(inner, min_size=1, max_size=3)
    ),
    max_leaves=6,
)
RULES = st.builds(
    lambda action, constraints: {"action": action, "constraint": constraints},
    st.sampled_from(["use", "read", "aggregate", "derive", "distribute"]),
    st.lists(CONSTRAINTS, max_size=4),
)
PROHIBITION_ATOMS = ATOMS.filter(lambda a: a["leftOperand"] in DECIDING)
POLICIES = st.builds(
    lambda permissions, prohibitions: {"permission": permissions, "prohibition": prohibitions},
    st.lists(RULES, min_size=1, max_size=3),
    st.lists(
        st.builds(
            lambda action, cs: {"action": action, "constraint": cs},
            st.sampled_from(["use", "read"]),
            st.lists(PROHIBITION_ATOMS, max_size=2),
        ),
        max_size=2,
    ),
)
CONTEXTS = st.builds(
    lambda consumer, purpose, tier, now, uses, elapsed, operation: ctx(
        consumer=consumer,
        purpose=purpose,
        attributes={"tier": frozenset(tier)},
        now=now,
        uses=uses,
        agreed_at=now - timedelta(days=elapsed),
        operation=operation,
    ),
    st.sampled_from(PARTIES),
    st.one_of(st.none(), st.sampled_from(PURPOSE_LIST)),
    st.sets(st.sampled_from(["tier1", "tier2"])),
    st.sampled_from([NOW, NOW + timedelta(days=200), NOW - timedelta(days=400)]),
    st.integers(0, 5),
    st.integers(0, 40),
    st.sampled_from(["read", "aggregate", "derive", "distribute"]),
)


def parsed(raw: dict[str, Any]) -> Any:
    try:
        return parse_policy(raw)
    except InvalidPolicy:
        assume(False)  # contradictory or misplaced restrictions: refused, never decided


@settings(max_examples=400, deadline=None)
@given(raw=POLICIES, context=CONTEXTS)
def test_the_compiled_and_the_interpreted_evaluator_agree(raw: dict[str, Any], context: RequestContext) -> None:
    policy = parsed(raw)
    walked, compiled = decide(policy, context), compile_policy(policy).decide(context)
    assert walked.same_as(compiled), (walked, compiled)
    assert compiled.reasons == walked.reasons


@settings(max_examples=300, deadline=None)
@given(raw=POLICIES, context=CONTEXTS, extra=ATOMS, which=st.integers(0, 2))
def test_adding_a_constraint_never_widens_access(
    raw: dict[str, Any], context: RequestContext, extra: dict[str, Any], which: int
) -> None:
    before = decide(parsed(raw), context)
    narrowed = {**raw, "permission": [dict(r) for r in raw["permission"]]}
    rule = narrowed["permission"][which % len(narrowed["permission"])]
    rule["constraint"] = [*rule["constraint"], extra]
    after = decide(parsed(narrowed), context)
    if not after.permit:
        return
    assert before.permit
    a, b = after.restrictions, before.restrictions
    assert b.allowed_fields is None or (a.allowed_fields is not None and a.allowed_fields <= b.allowed_fields)
    assert a.masked >= b.masked
    assert b.rows is None or (a.rows is not None and set(a.rows) <= set(b.rows))
    assert a.aggregate_only >= b.aggregate_only
    assert b.min_group_size is None or (a.min_group_size is not None and a.min_group_size >= b.min_group_size)


@settings(max_examples=300, deadline=None)
@given(raw=POLICIES, context=CONTEXTS)
def test_prohibitions_always_win(raw: dict[str, Any], context: RequestContext) -> None:
    policy = parsed(raw)
    applies = any(
        covers(rule.action, context.operation) and all(_holds(c, context)[0] for c in rule.constraints)
        for rule in policy.of_kind("prohibition")
    )
    if applies:
        assert not decide(policy, context).permit
        assert not compile_policy(policy).decide(context).permit


@settings(max_examples=300, deadline=None)
@given(raw=POLICIES, context=CONTEXTS, columns=st.lists(st.sampled_from(FIELDS), unique=True))
def test_a_permit_never_returns_a_field_outside_fields(
    raw: dict[str, Any], context: RequestContext, columns: list[str]
) -> None:
    policy = parsed(raw)
    decision = decide(policy, context)
    if not decision.permit:
        return
    delivered = set(decision.restrictions.apply_to(columns))
    holding = [
        r
        for r in policy.of_kind("permission")
        if covers(r.action, context.operation) and all(_holds(c, context)[0] for c in r.constraints)
    ]
    if all(any(a.left == "fields" for a in flat(r.constraints)) for r in holding):
        allowed = set().union(
            *({f for a in flat(r.constraints) if a.left == "fields" for f in a.right} for r in holding)
        )
        assert delivered <= allowed
