"""The ODRL profile: what is refused at creation (with the path), and how decisions come out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import given

from sangsaeng.errors import InvalidPolicy
from sangsaeng.policy.decide import RequestContext, decide
from sangsaeng.policy.model import parse_duration, parse_policy

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


def test_obligations_become_duties_of_a_permit() -> None:
    policy = parse_policy({"permission": [{"action": "use"}], "obligation": [{"action": "delete"}]})
    assert decide(policy, ctx()).duties == ("delete (policy.obligation[0])",)


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
