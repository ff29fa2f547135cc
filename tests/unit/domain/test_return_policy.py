"""The return policy: versions, their validation, and how a return is judged and refunded by the version it was
requested under."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import msgspec
import pytest

from app.domain import EVENTS_BY_NAME, return_policy, returns
from app.domain.errors import DomainError
from app.domain.events import Event
from app.domain.return_events import ReturnLine, ReturnRequested
from app.domain.return_policy import (
    DEFAULT_POLICY,
    ConditionFee,
    DefineReturnPolicy,
    ReturnPolicies,
    ReturnPolicyDefined,
    policy_in_force,
    policy_version,
    restocking_fee_percent,
)
from app.domain.returns import RequestReturn
from app.domain.values import ItemCondition
from tests.unit.domain.support import NOW, given
from tests.unit.domain.test_returns_locations import delivered_order

DAMAGED, RESELLABLE = ItemCondition.DAMAGED, ItemCondition.RESELLABLE


def fee(condition: ItemCondition, percent: str) -> ConditionFee:
    return ConditionFee(condition=condition, percent=Decimal(percent))


STRICT = DefineReturnPolicy(
    window_days=14, non_returnable_skus=("B", "B", "GIFT"), restocking_fees=(fee(DAMAGED, "12.5"),), reason="peak"
)


def defined(*commands: DefineReturnPolicy) -> ReturnPolicies | None:
    state: ReturnPolicies | None = None
    for command in commands:
        state = given(return_policy.evolve, state, return_policy.decide(state, command, NOW))
    return state


def refused(state: ReturnPolicies | None, command: DefineReturnPolicy) -> list[tuple[str, tuple[str, ...] | None]]:
    with pytest.raises(DomainError) as caught:
        return_policy.decide(state, command, NOW)
    return [(reason.code, reason.field) for reason in caught.value.reasons]


def test_until_one_is_defined_the_default_applies_30_days_no_fees_all_returnable() -> None:
    assert policy_in_force(None) == DEFAULT_POLICY
    assert (DEFAULT_POLICY.version, DEFAULT_POLICY.window_days) == (0, 30)
    assert DEFAULT_POLICY.non_returnable_skus == () and restocking_fee_percent(DEFAULT_POLICY, DAMAGED) == 0


def test_each_definition_is_the_next_version_in_normal_form() -> None:
    assert return_policy.decide(None, STRICT, NOW) == [
        ReturnPolicyDefined(
            version=1,
            window_days=14,
            non_returnable_skus=("B", "GIFT"),
            restocking_fees=(fee(DAMAGED, "12.50"),),
            reason="peak",
            defined_at=NOW,
        )
    ]
    state = defined(STRICT, DefineReturnPolicy(window_days=60, expected_version=1))
    assert policy_in_force(state).version == 2 and policy_in_force(state).window_days == 60
    assert policy_version(state, 1).window_days == 14 and policy_version(state, 0) == DEFAULT_POLICY


def test_the_terms_in_force_defined_again_change_nothing() -> None:
    state = defined(STRICT)
    same = DefineReturnPolicy(
        window_days=14, non_returnable_skus=("GIFT", "B"), restocking_fees=(fee(DAMAGED, "12.50"),), reason="again"
    )
    assert return_policy.decide(state, same, NOW) == []
    assert return_policy.decide(None, DefineReturnPolicy(window_days=30), NOW) == []  # the default's terms


def test_a_definition_on_a_stale_version_is_a_conflict() -> None:
    state = defined(STRICT)
    assert refused(state, DefineReturnPolicy(window_days=7, expected_version=0)) == [("CONFLICT", ("expectedVersion",))]
    assert return_policy.decide(state, DefineReturnPolicy(window_days=7, expected_version=1), NOW)


def test_every_problem_with_the_terms_is_named_at_its_field() -> None:
    bad = DefineReturnPolicy(
        window_days=-1,
        non_returnable_skus=(" ",),
        restocking_fees=(fee(DAMAGED, "100.01"), fee(RESELLABLE, "1.005"), fee(DAMAGED, "5")),
    )
    assert refused(None, bad) == [
        ("INVALID_INPUT", ("windowDays",)),
        ("INVALID_INPUT", ("nonReturnableSkus", "0")),
        ("INVALID_INPUT", ("restockingFees", "0", "percent")),
        ("INVALID_INPUT", ("restockingFees", "1", "percent")),
        ("INVALID_INPUT", ("restockingFees", "2", "condition")),
    ]
    for percent in ("-0.01", "NaN", "Infinity"):
        assert refused(None, DefineReturnPolicy(window_days=1, restocking_fees=(fee(DAMAGED, percent),))) == [
            ("INVALID_INPUT", ("restockingFees", "0", "percent"))
        ]
    assert refused(None, DefineReturnPolicy(window_days=3651)) == [("INVALID_INPUT", ("windowDays",))]
    edges = DefineReturnPolicy(window_days=0, restocking_fees=(fee(DAMAGED, "100"), fee(RESELLABLE, "0.10")))
    assert policy_in_force(defined(edges)).restocking_fees == (fee(RESELLABLE, "0.10"), fee(DAMAGED, "100.00"))


def test_fees_round_trip_exactly_through_the_event() -> None:
    [event] = return_policy.decide(None, STRICT, NOW)
    decoded = msgspec.json.decode(msgspec.json.encode(event), type=ReturnPolicyDefined)
    assert decoded == event and decoded.restocking_fees[0].percent == Decimal("12.50")
    assert b'"12.50"' in msgspec.json.encode(event)  # a string, never a float
    assert EVENTS_BY_NAME["ReturnPolicyDefined"] is ReturnPolicyDefined  # registered with the codec


REQUEST = RequestReturn(return_id="r1", order_id="o1", lines=(ReturnLine(sku="A", quantity=1),))


def request(command: RequestReturn, days_after_delivery: float, policy: return_policy.ReturnPolicy) -> list[Event]:
    return returns.decide(
        None, command, NOW + timedelta(days=days_after_delivery), order=delivered_order(), policy=policy
    )


def test_a_request_is_judged_by_the_window_of_the_policy_in_force_and_records_its_version() -> None:
    strict = policy_in_force(defined(STRICT))
    [requested] = request(REQUEST, 14, strict)
    assert isinstance(requested, ReturnRequested) and requested.policy_version == 1
    with pytest.raises(DomainError) as closed:
        request(REQUEST, 14.001, strict)
    assert (closed.value.code, closed.value.field) == ("RETURN_WINDOW_CLOSED", ("orderId",))
    assert request(REQUEST, 29, DEFAULT_POLICY) == [
        ReturnRequested(return_id="r1", order_id="o1", lines=REQUEST.lines, requested_at=NOW + timedelta(days=29))
    ]  # version 0, the default


def test_a_non_returnable_sku_is_refused_at_its_line() -> None:
    strict = policy_in_force(defined(STRICT))
    both = RequestReturn(
        return_id="r1", order_id="o1", lines=(ReturnLine(sku="A", quantity=1), ReturnLine(sku="B", quantity=1))
    )
    with pytest.raises(DomainError) as caught:
        request(both, 1, strict)
    assert (caught.value.code, caught.value.field) == ("NOT_RETURNABLE", ("lines", "1", "sku"))
    assert request(both, 1, DEFAULT_POLICY)  # returnable under the default


def test_old_requests_without_a_version_decode_as_the_default() -> None:
    old = b'{"return_id":"r1","order_id":"o1","lines":[{"sku":"A","quantity":1}],"requested_at":"2025-03-01T12:00:00Z"}'
    event = msgspec.json.decode(old, type=ReturnRequested)
    assert event.policy_version == 0
    state = returns.evolve(None, event)
    assert state is not None and state.policy_version == 0


def test_the_fee_comes_from_the_version_the_return_was_requested_under() -> None:
    state = defined(
        STRICT, DefineReturnPolicy(window_days=30, restocking_fees=(fee(DAMAGED, "40"), fee(RESELLABLE, "5")))
    )
    [requested] = request(REQUEST, 1, policy_version(state, 1))
    ret = returns.evolve(None, requested)
    assert ret is not None and ret.policy_version == 1
    recorded = policy_version(state, ret.policy_version)
    assert restocking_fee_percent(recorded, DAMAGED) == Decimal("12.50")
    assert restocking_fee_percent(recorded, RESELLABLE) == 0  # the version in force (2) would withhold 5
    assert restocking_fee_percent(policy_in_force(state), RESELLABLE) == Decimal("5.00")
    with pytest.raises(DomainError):
        policy_version(state, 3)
