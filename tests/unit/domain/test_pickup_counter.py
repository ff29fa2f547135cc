"""The pickup counter on the order aggregate: ready with a code after the pick, collected with the right code,
wrong codes counted to a lock-out, the half-way reminder once, and the hold's expiry cancelling the lines."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain import orders
from app.domain.errors import InvalidInput, InvalidState
from app.domain.events import Event
from app.domain.order_commands import CompleteOrder, ConfirmPick, DispatchShipment, PackShipment, PickLine
from app.domain.order_events import (
    OrderAllocated,
    OrderCompleted,
    OrderLinesCancelled,
    OrderPlaced,
    PlannedShipment,
    ReservationRef,
    ShipmentPicked,
)
from app.domain.order_state import (
    Order,
    last_delivered_at,
    line_summaries,
    open_reservations,
    order_status,
    returnable_quantities,
    unallocated,
)
from app.domain.pickup_counter import InvalidPickupCode, TooManyAttempts
from app.domain.pickup_events import (
    ConfirmCollection,
    ExpirePickup,
    PickupCodeRejected,
    PickupExpired,
    PickupReminderIssued,
    RemindPickup,
    ShipmentCollected,
    ShipmentReadyForPickup,
)
from app.domain.values import (
    Address,
    Coordinates,
    DeliveryMethod,
    Line,
    OrderStatus,
    PickDeclineReason,
    ServiceLevel,
    ShipmentStatus,
)
from tests.unit.domain.support import NOW, given

CODE = "042917"
HOLD = timedelta(days=5)

PLACED = OrderPlaced(
    order_id="o1",
    customer_id="c1",
    lines=(Line("A", 2), Line("B", 1)),
    ship_to=Address(coordinates=Coordinates(40.7, -74.0)),
    service_level=ServiceLevel.STANDARD,
    priority=0,
    channel="web",
    placed_at=NOW,
    delivery_method=DeliveryMethod.PICKUP,
    pickup_location_code="ST1",
)
ALLOCATED = OrderAllocated(
    order_id="o1",
    shipments=(
        PlannedShipment(
            shipment_id="S1", location_code="ST1", lines=(Line("A", 2), Line("B", 1)), kind=DeliveryMethod.PICKUP
        ),
    ),
    allocated_at=NOW,
)
READY = ShipmentReadyForPickup(order_id="o1", shipment_id="S1", pickup_code=CODE, ready_at=NOW, expires_at=NOW + HOLD)
PICKED = ShipmentPicked(order_id="o1", shipment_id="S1", picked_at=NOW)


def order(*more: Event) -> Order:
    state = given(orders.evolve, None, [PLACED, ALLOCATED, *more])
    assert state is not None
    return state


def full_pick(code: str | None = CODE) -> ConfirmPick:
    return ConfirmPick(
        order_id="o1",
        shipment_id="S1",
        lines=(PickLine(sku="A", picked=2), PickLine(sku="B", picked=1)),
        pickup_code=code,
    )


def collect(code: str) -> ConfirmCollection:
    return ConfirmCollection(order_id="o1", shipment_id="S1", pickup_code=code)


def wrong(n: int, *, at: timedelta = timedelta(0)) -> list[Event]:
    """`n` wrong codes in a row, as decided one after the other."""
    events: list[Event] = []
    for _ in range(n):
        events += orders.decide(order(PICKED, READY, *events), collect("000000"), NOW + at)
    return events


def test_the_pick_of_a_pickup_shipment_makes_it_ready_with_its_code_for_the_stores_hold() -> None:
    events = orders.decide(order(), full_pick(), NOW, pickup_hold=timedelta(days=3))
    assert events == [
        PICKED,
        ShipmentReadyForPickup(
            order_id="o1", shipment_id="S1", pickup_code=CODE, ready_at=NOW, expires_at=NOW + timedelta(days=3)
        ),
    ]
    state = order(*events)
    shipment = state.shipments[0]
    assert (shipment.status, shipment.pickup_code, shipment.picked_at, shipment.expires_at) == (
        ShipmentStatus.READY_FOR_PICKUP,
        CODE,
        NOW,
        NOW + timedelta(days=3),
    )
    assert order_status(state) is OrderStatus.READY_FOR_PICKUP
    assert len(open_reservations(state)) == 2  # still reserved while it waits


FULL_WIDTH = "\uff11\uff12\uff13\uff14\uff15\uff16"  # digits to str.isdigit, not to a keypad


@pytest.mark.parametrize("code", [None, "12345", "1234567", "12a456", FULL_WIDTH])
def test_a_pickup_shipment_needs_a_six_digit_code(code: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        orders.decide(order(), full_pick(code), NOW)
    assert refused.value.field == ("pickupCode",)


def test_a_pickup_shipment_fully_declined_is_not_ready() -> None:
    lines = (
        PickLine(sku="A", picked=0, reason=PickDeclineReason.NOT_FOUND),
        PickLine(sku="B", picked=0, reason=PickDeclineReason.DAMAGED),
    )
    events = orders.decide(order(), ConfirmPick(order_id="o1", shipment_id="S1", lines=lines, pickup_code=CODE), NOW)
    assert [type(e) for e in events] == [ShipmentPicked]


def test_a_short_pick_of_a_pickup_shipment_is_ready_with_what_was_found() -> None:
    lines = (PickLine(sku="A", picked=1, reason=PickDeclineReason.NOT_FOUND), PickLine(sku="B", picked=1))
    events = orders.decide(order(), ConfirmPick(order_id="o1", shipment_id="S1", lines=lines, pickup_code=CODE), NOW)
    assert [type(e) for e in events] == [ShipmentPicked, ShipmentReadyForPickup]
    state = order(*events)
    assert state.shipments[0].lines == (Line("A", 1), Line("B", 1))
    assert unallocated(state) == {"A": 1, "B": 0}  # the declined unit waits to be sourced again


def test_a_pickup_shipment_is_never_packed_nor_dispatched() -> None:
    for command in (
        PackShipment(order_id="o1", shipment_id="S1"),
        DispatchShipment(order_id="o1", shipment_id="S1", carrier="ups", tracking_number="1Z"),
    ):
        for state in (order(), order(PICKED, READY)):
            with pytest.raises(InvalidState):
                orders.decide(state, command, NOW)


def test_the_right_code_collects_and_the_units_leave_the_building() -> None:
    events = orders.decide(order(PICKED, READY), collect(CODE), NOW + timedelta(days=1))
    assert events == [ShipmentCollected(order_id="o1", shipment_id="S1", collected_at=NOW + timedelta(days=1))]
    state = order(PICKED, READY, *events)
    assert state.shipments[0].status is ShipmentStatus.COLLECTED
    assert order_status(state) is OrderStatus.COLLECTED
    assert open_reservations(state) == ()
    assert {s.sku: s.shipped for s in line_summaries(state)} == {"A": 2, "B": 1}
    # A retried request with the right code changes nothing; a wrong one is refused.
    assert orders.decide(state, collect(CODE), NOW + timedelta(days=1)) == []
    with pytest.raises(InvalidState):
        orders.decide(state, collect("999999"), NOW + timedelta(days=1))


def test_a_wrong_code_is_recorded_and_changes_nothing_else() -> None:
    events = orders.decide(order(PICKED, READY), collect("123456"), NOW)
    assert events == [PickupCodeRejected(order_id="o1", shipment_id="S1", rejected_at=NOW, attempts=1)]
    assert "123456" not in repr(events)  # the code tried is not kept
    state = order(PICKED, READY, *events)
    assert state.shipments[0].status is ShipmentStatus.READY_FOR_PICKUP
    assert order_status(state) is OrderStatus.READY_FOR_PICKUP


def test_five_wrong_codes_lock_the_counter_for_fifteen_minutes_even_for_the_right_code() -> None:
    rejected = wrong(5)
    assert [e.attempts for e in rejected if isinstance(e, PickupCodeRejected)] == [1, 2, 3, 4, 5]
    last = rejected[-1]
    assert isinstance(last, PickupCodeRejected) and last.locked_until == NOW + timedelta(minutes=15)
    locked = order(PICKED, READY, *rejected)
    for code in (CODE, "000000"):
        with pytest.raises(TooManyAttempts) as refused:
            orders.decide(locked, collect(code), NOW + timedelta(minutes=14, seconds=59))
        assert refused.value.code == "TOO_MANY_ATTEMPTS" and refused.value.field == ("pickupCode",)
        assert code not in refused.value.message
    # After the lock, the right code collects; a wrong one starts a new count.
    later = NOW + timedelta(minutes=15)
    assert [type(e) for e in orders.decide(locked, collect(CODE), later)] == [ShipmentCollected]
    again = orders.decide(locked, collect("000000"), later)
    assert isinstance(again[0], PickupCodeRejected) and (again[0].attempts, again[0].locked_until) == (1, None)


def test_four_wrong_codes_do_not_lock() -> None:
    state = order(PICKED, READY, *wrong(4))
    assert [type(e) for e in orders.decide(state, collect(CODE), NOW)] == [ShipmentCollected]


def test_the_codes_error_classes_carry_the_contracts_codes() -> None:
    assert InvalidPickupCode.code == "INVALID_PICKUP_CODE"
    assert TooManyAttempts.code == "TOO_MANY_ATTEMPTS"


def test_a_shipment_that_ships_is_not_collected() -> None:
    shipping = OrderAllocated(
        order_id="o1",
        shipments=(PlannedShipment(shipment_id="S1", location_code="DC1", lines=(Line("A", 2), Line("B", 1))),),
        allocated_at=NOW,
    )
    state = given(orders.evolve, None, [PLACED, shipping])
    assert state is not None
    assert orders.decide(state, full_pick(), NOW) == [PICKED]  # no counter for a parcel
    with pytest.raises(InvalidState):
        orders.decide(order(), collect(CODE), NOW)  # PLANNED: not ready yet
    with pytest.raises(InvalidState):
        orders.decide(state, collect(CODE), NOW)


REMIND = RemindPickup(order_id="o1", shipment_id="S1")
EXPIRE = ExpirePickup(order_id="o1", shipment_id="S1")


def test_the_reminder_is_issued_once_from_half_way_through_the_hold() -> None:
    state = order(PICKED, READY)
    assert orders.decide(state, REMIND, NOW + HOLD / 2 - timedelta(seconds=1)) == []
    events = orders.decide(state, REMIND, NOW + HOLD / 2)
    assert events == [
        PickupReminderIssued(order_id="o1", shipment_id="S1", reminded_at=NOW + HOLD / 2, expires_at=NOW + HOLD)
    ]
    assert orders.decide(order(PICKED, READY, *events), REMIND, NOW + HOLD / 2 + timedelta(hours=1)) == []
    assert orders.decide(state, REMIND, NOW + HOLD) == []  # too late: the hold is over
    collected = ShipmentCollected(order_id="o1", shipment_id="S1", collected_at=NOW)
    assert orders.decide(order(PICKED, READY, collected), REMIND, NOW + HOLD / 2) == []


def test_an_uncollected_hold_expires_releases_its_units_and_cancels_its_lines() -> None:
    state = order(PICKED, READY)
    assert orders.decide(state, EXPIRE, NOW + HOLD - timedelta(seconds=1)) == []
    events = orders.decide(state, EXPIRE, NOW + HOLD)
    released = tuple(
        ReservationRef(location_code="ST1", sku=sku, reservation_id="o1/S1", quantity=qty)
        for sku, qty in (("A", 2), ("B", 1))
    )
    assert events == [
        PickupExpired(order_id="o1", shipment_id="S1", expired_at=NOW + HOLD, released=released),
        OrderLinesCancelled(
            order_id="o1", lines=(Line("A", 2), Line("B", 1)), reductions=(), released=(), reason="PICKUP_EXPIRED"
        ),
    ]
    after = order(PICKED, READY, *events)
    assert after.shipments[0].status is ShipmentStatus.EXPIRED
    assert after.shipments[0].lines == (Line("A", 2), Line("B", 1))  # kept for the record
    assert order_status(after) is OrderStatus.CANCELLED
    assert unallocated(after) == {"A": 0, "B": 0}  # nothing waits to be sourced again
    assert open_reservations(after) == ()
    # A duplicate (the next sweep, a redelivered job) does nothing; neither do a collection or a reminder.
    assert orders.decide(after, EXPIRE, NOW + HOLD * 2) == []
    assert orders.decide(after, REMIND, NOW + HOLD) == []
    with pytest.raises(InvalidState):
        orders.decide(after, collect(CODE), NOW + HOLD)


def test_a_collected_or_cancelled_pickup_never_expires() -> None:
    collected = ShipmentCollected(order_id="o1", shipment_id="S1", collected_at=NOW)
    assert orders.decide(order(PICKED, READY, collected), EXPIRE, NOW + HOLD * 2) == []
    assert orders.decide(order(), EXPIRE, NOW + HOLD * 2) == []  # still PLANNED: the pick SLA's business


def test_a_late_customer_collects_until_the_expiry_is_recorded() -> None:
    events = orders.decide(order(PICKED, READY), collect(CODE), NOW + HOLD + timedelta(minutes=1))
    assert [type(e) for e in events] == [ShipmentCollected]


def test_order_status_with_part_ready_and_part_still_to_pick() -> None:
    two = OrderAllocated(
        order_id="o1",
        shipments=(
            PlannedShipment(shipment_id="S1", location_code="ST1", lines=(Line("A", 2),), kind=DeliveryMethod.PICKUP),
            PlannedShipment(shipment_id="S2", location_code="ST1", lines=(Line("B", 1),), kind=DeliveryMethod.PICKUP),
        ),
        allocated_at=NOW,
    )
    state = given(orders.evolve, None, [PLACED, two, PICKED, READY])
    assert state is not None
    assert order_status(state) is OrderStatus.IN_FULFILLMENT
    collected = ShipmentCollected(order_id="o1", shipment_id="S1", collected_at=NOW)
    ready2 = ShipmentReadyForPickup(order_id="o1", shipment_id="S2", pickup_code="111111", ready_at=NOW, expires_at=NOW)
    picked2 = ShipmentPicked(order_id="o1", shipment_id="S2", picked_at=NOW)
    after = given(orders.evolve, None, [PLACED, two, PICKED, READY, collected, picked2, ready2])
    assert after is not None
    assert order_status(after) is OrderStatus.READY_FOR_PICKUP  # collected + ready


def test_collected_goods_can_be_returned_and_the_order_completed() -> None:
    collected = ShipmentCollected(order_id="o1", shipment_id="S1", collected_at=NOW + timedelta(days=1))
    state = order(PICKED, READY, collected)
    assert returnable_quantities(state) == {line.sku: line.quantity for line in state.lines}
    assert last_delivered_at(state) == NOW + timedelta(days=1)  # the return window counts from the collection
    assert [type(e) for e in orders.decide(state, CompleteOrder(order_id="o1"), NOW + timedelta(days=2))] == [
        OrderCompleted
    ]
