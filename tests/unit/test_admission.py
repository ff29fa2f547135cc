"""Admission (app/api/admission.py): which writes are gated, and which figure refuses them."""

from __future__ import annotations

import pytest

from app.api.admission import Limits, Pressure, calm, gated, overloaded, second_oldest
from app.api.admission_gate import GATED_FIELDS, _gated_root_fields
from app.api.schema import schema
from app.api.system_state import DISPATCHER
from app.domain import carts
from app.domain import order_commands as oc
from app.domain.values import Address, Coordinates, Line
from workers.dispatcher import NAME

LIMITS = Limits(max_lag_events=100, max_queued_jobs=10, max_in_flight=4, max_write_age_ms=300, retry_after_seconds=1)


@pytest.mark.parametrize(
    ("pressure", "in_flight", "age", "reason"),
    [
        (Pressure(), 1, 0.0, None),
        (Pressure(lag_events=100, queued_jobs=10), 4, 300.0, None),  # at every limit: still admitted
        (Pressure(), 5, 0.0, "in_flight"),
        (Pressure(), 1, 300.5, "write_age"),
        (Pressure(lag_events=101), 1, 0.0, "lag"),
        (Pressure(queued_jobs=11), 1, 0.0, "jobs"),
        (Pressure(lag_events=101, queued_jobs=11), 5, 301.0, "in_flight"),  # what the process knows best is named
    ],
)
def test_a_figure_over_its_limit_refuses(pressure: Pressure, in_flight: int, age: float, reason: str | None) -> None:
    assert overloaded(LIMITS, pressure, in_flight, age) == reason


def test_a_limit_of_zero_turns_its_check_off() -> None:
    off = Limits(max_lag_events=0, max_queued_jobs=0, max_in_flight=0, max_write_age_ms=0, retry_after_seconds=1)
    assert overloaded(off, Pressure(lag_events=10**9, queued_jobs=10**9), 10**6, 10.0**9) is None


@pytest.mark.parametrize(
    ("pressure", "expected"),
    [
        (Pressure(), True),
        (Pressure(lag_events=24, queued_jobs=2), True),  # each under a quarter of its limit
        (Pressure(lag_events=25), False),  # a quarter of the lag limit: sample at the full rate
        (Pressure(queued_jobs=3), False),  # 3 of 10 jobs: over a quarter
    ],
)
def test_the_sampler_slows_down_only_while_every_figure_is_far_below_its_limit(
    pressure: Pressure, expected: bool
) -> None:
    assert calm(LIMITS, pressure) is expected
    off = Limits(max_lag_events=0, max_queued_jobs=0, max_in_flight=4, max_write_age_ms=300, retry_after_seconds=1)
    assert calm(off, pressure)  # a check that is off never keeps the sampler busy


def test_writes_that_start_sourcing_are_gated_and_a_cart_already_held_is_not() -> None:
    lines, home = (Line("TEE", 1),), Address(coordinates=Coordinates(40.7, -74.0))
    assert gated(oc.PlaceOrder(order_id="o", customer_id="c", lines=lines, ship_to=home))
    assert gated(carts.ReserveCart(cart_id="k", customer_id="c", lines=lines, ship_to=home))
    assert not gated(oc.PlaceOrder(order_id="o", customer_id="c", lines=lines, ship_to=home, reservation_id="k"))
    assert not gated(oc.CancelOrder(order_id="o"))


def test_the_dispatchers_checkpoint_is_the_one_the_api_watches() -> None:
    assert DISPATCHER == NAME


def test_one_slow_write_is_not_congestion_and_two_are() -> None:
    assert second_oldest([], 10.0) == 10.0
    assert second_oldest([1.0], 10.0) == 10.0  # one write, however old: age 0
    assert second_oldest([1.0, 4.0, 9.0], 10.0) == 4.0  # in admission order


def test_an_operation_is_answered_from_a_kept_refusal_only_if_every_root_field_is_a_gated_write() -> None:
    place = "placeOrder(input: $i) { userErrors { code } }"
    assert _gated_root_fields(f"mutation P($i: PlaceOrderInput!) {{ {place} }}", "P") == 1
    assert _gated_root_fields(f"mutation($i: PlaceOrderInput!) {{ a: {place} b: {place} }}", None) == 2
    assert (
        _gated_root_fields(f"mutation($i: PlaceOrderInput!) {{ {place} cancelOrder {{ order {{ id }} }} }}", None) == 0
    )
    assert _gated_root_fields("{ locations { code } }", None) == 0
    assert _gated_root_fields("mutation A { placeOrder } mutation B { reserveCart }", None) == 0  # which one?
    assert _gated_root_fields("mutation {", None) == 0


def test_the_gated_fields_are_mutations_of_the_schema() -> None:
    mutation = schema._schema.mutation_type
    assert mutation is not None and set(mutation.fields) >= GATED_FIELDS
