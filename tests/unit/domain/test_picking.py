"""confirmPick on the order aggregate: full picks, short picks with reasons, and what a decline leaves behind."""

from __future__ import annotations

import pytest

from app.domain import orders
from app.domain.errors import DomainError, InvalidInput, InvalidState
from app.domain.events import Event
from app.domain.order_commands import ConfirmPick, PackShipment, PickLine
from app.domain.order_events import (
    OrderAllocated,
    OrderPlaced,
    PickDecline,
    PlannedShipment,
    ReservationRef,
    ShipmentPacked,
    ShipmentPicked,
)
from app.domain.order_state import Order, open_reservations, order_status, unallocated
from app.domain.values import (
    Address,
    Coordinates,
    Line,
    OrderStatus,
    PickDeclineReason,
    ServiceLevel,
    ShipmentStatus,
)
from tests.unit.domain.support import NOW, given

HISTORY: list[Event] = [
    OrderPlaced(
        order_id="o1",
        customer_id="c1",
        lines=(Line("A", 3), Line("B", 1)),
        ship_to=Address(coordinates=Coordinates(40.7, -74.0), postal_code="10001", country="US"),
        service_level=ServiceLevel.STANDARD,
        priority=0,
        channel="web",
        placed_at=NOW,
    ),
    OrderAllocated(
        order_id="o1",
        shipments=(PlannedShipment(shipment_id="S1", location_code="ST1", lines=(Line("A", 3), Line("B", 1))),),
        allocated_at=NOW,
    ),
]


def order(*more: Event) -> Order:
    state = given(orders.evolve, None, [*HISTORY, *more])
    assert state is not None
    return state


def pick(*lines: PickLine) -> ConfirmPick:
    return ConfirmPick(order_id="o1", shipment_id="S1", lines=lines)


def test_a_full_pick_marks_the_shipment_picked_and_declines_nothing() -> None:
    events = orders.decide(order(), pick(PickLine(sku="A", picked=3), PickLine(sku="B", picked=1)), NOW)
    assert events == [ShipmentPicked(order_id="o1", shipment_id="S1", picked_at=NOW)]
    after = order(*events)
    shipment = after.shipments[0]
    assert (shipment.status, shipment.picked_at, shipment.declines) == (ShipmentStatus.PICKED, NOW, ())
    assert order_status(after) is OrderStatus.IN_FULFILLMENT
    assert len(open_reservations(after)) == 2  # picked units stay reserved until they ship
    # Packing goes on from PICKED; a second pick is refused.
    assert orders.decide(after, PackShipment(order_id="o1", shipment_id="S1"), NOW) == [
        ShipmentPacked(order_id="o1", shipment_id="S1", packed_at=NOW)
    ]
    with pytest.raises(InvalidState):
        orders.decide(after, pick(PickLine(sku="A", picked=3), PickLine(sku="B", picked=1)), NOW)


def test_packing_a_planned_shipment_still_works_the_pick_implied() -> None:
    assert orders.decide(order(), PackShipment(order_id="o1", shipment_id="S1"), NOW) == [
        ShipmentPacked(order_id="o1", shipment_id="S1", packed_at=NOW)
    ]


def test_a_short_pick_needs_a_reason() -> None:
    with pytest.raises(InvalidInput) as refused:
        orders.decide(order(), pick(PickLine(sku="A", picked=2), PickLine(sku="B", picked=1)), NOW)
    assert refused.value.field == ("lines", "0", "reason")


@pytest.mark.parametrize(
    "lines",
    [
        (PickLine(sku="A", picked=3),),  # B missing
        (PickLine(sku="A", picked=4), PickLine(sku="B", picked=1)),  # more than planned
        (PickLine(sku="A", picked=-1, reason=PickDeclineReason.OTHER), PickLine(sku="B", picked=1)),
        (PickLine(sku="A", picked=3), PickLine(sku="B", picked=1), PickLine(sku="Z", picked=0)),
        (PickLine(sku="A", picked=3), PickLine(sku="A", picked=3), PickLine(sku="B", picked=1)),
    ],
)
def test_a_pick_lists_every_sku_of_the_shipment_once_within_what_was_planned(lines: tuple[PickLine, ...]) -> None:
    with pytest.raises(DomainError):
        orders.decide(order(), pick(*lines), NOW)


def test_a_decline_releases_the_units_and_excludes_the_location_for_this_order() -> None:
    command = pick(PickLine(sku="A", picked=1, reason=PickDeclineReason.NOT_FOUND), PickLine(sku="B", picked=1))
    [event] = orders.decide(order(), command, NOW)
    assert isinstance(event, ShipmentPicked)
    assert event.declines == (PickDecline(sku="A", quantity=2, reason=PickDeclineReason.NOT_FOUND),)
    assert event.released == (ReservationRef(location_code="ST1", sku="A", reservation_id="o1/S1", quantity=2),)
    after = order(event)
    shipment = after.shipments[0]
    assert shipment.status is ShipmentStatus.PICKED
    assert shipment.lines == (Line("A", 1), Line("B", 1))
    assert shipment.declines == event.declines
    assert after.excluded_locations == frozenset({"ST1"})
    assert unallocated(after) == {"A": 2, "B": 0}  # waiting to be sourced again


def test_declining_everything_cancels_the_shipment() -> None:
    other = PickDeclineReason.OTHER
    [event] = orders.decide(
        order(), pick(PickLine(sku="A", picked=0, reason=other), PickLine(sku="B", picked=0, reason=other)), NOW
    )
    after = order(event)
    assert after.shipments[0].status is ShipmentStatus.CANCELLED
    assert open_reservations(after) == ()
    assert unallocated(after) == {"A": 3, "B": 1}
