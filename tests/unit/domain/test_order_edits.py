"""editOrder on the order aggregate: given events, when EditOrder, then what is released and left to source."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from app.domain import orders
from app.domain.delivery import ChosenWindow
from app.domain.errors import DomainError, InvalidInput, InvalidState
from app.domain.events import Event
from app.domain.order_commands import EditOrder
from app.domain.order_events import (
    OrderAllocated,
    OrderBackordered,
    OrderCancelled,
    OrderEdited,
    OrderPlaced,
    PlannedShipment,
    ReservationRef,
    ShipmentPicked,
    ShipmentReduction,
)
from app.domain.order_state import Order, line_summaries, unallocated
from app.domain.values import Address, Coordinates, Line, ServiceLevel, ShipmentStatus
from tests.unit.domain.support import NOW, given

HOME = Address(coordinates=Coordinates(40.7, -74.0), postal_code="10001", country="US")
AWAY = Address(coordinates=Coordinates(41.9, -87.6), postal_code="60601", country="US")
PLACED = OrderPlaced(
    order_id="o1",
    customer_id="c1",
    lines=(Line("A", 3), Line("B", 2)),
    ship_to=HOME,
    service_level=ServiceLevel.STANDARD,
    priority=0,
    channel="web",
    placed_at=NOW,
)
# A: 3 planned at DC1 (S1); B: 1 planned at DC2 (S2), 1 backordered.
ALLOCATED: list[Event] = [
    PLACED,
    OrderAllocated(
        order_id="o1",
        shipments=(
            PlannedShipment(shipment_id="S1", location_code="DC1", lines=(Line("A", 3),)),
            PlannedShipment(shipment_id="S2", location_code="DC2", lines=(Line("B", 1),)),
        ),
        allocated_at=NOW,
    ),
    OrderBackordered(order_id="o1", lines=(Line("B", 1),)),
]
PICKED_A = ShipmentPicked(order_id="o1", shipment_id="S1", picked_at=NOW)


def order(*history: Event) -> Order:
    state = given(orders.evolve, None, history or ALLOCATED)
    assert state is not None
    return state


def edit(state: Order, *lines: tuple[str, int], **change: object) -> list[Event]:
    command = EditOrder(order_id="o1", lines=tuple(Line(s, q) for s, q in lines) if lines else None, **change)  # type: ignore[arg-type]
    return orders.decide(state, command, NOW)


def ref(shipment: str, location: str, sku: str, quantity: int) -> ReservationRef:
    return ReservationRef(location_code=location, sku=sku, reservation_id=f"o1/{shipment}", quantity=quantity)


def test_a_decrease_shrinks_the_planned_shipment_and_releases_only_the_difference() -> None:
    [edited] = edit(order(), ("A", 1), ("B", 2))
    assert isinstance(edited, OrderEdited)
    assert edited.cancelled == (Line("A", 2),)
    assert edited.reductions == (ShipmentReduction(shipment_id="S1", sku="A", quantity=2),)
    assert edited.released == (ref("S1", "DC1", "A", 2),)
    after = orders.evolve(order(), edited)
    assert after is not None
    assert next((s.shipment_id, s.status, s.lines) for s in after.shipments) == (
        "S1",
        ShipmentStatus.PLANNED,
        (Line("A", 1),),
    )
    assert next((s.sku, s.ordered, s.cancelled, s.allocated) for s in line_summaries(after)) == ("A", 3, 2, 1)


def test_a_decrease_takes_the_backorder_first() -> None:
    [edited] = edit(order(), ("A", 3), ("B", 1))
    assert isinstance(edited, OrderEdited)
    assert edited.cancelled == (Line("B", 1),)
    assert edited.reductions == () and edited.released == ()  # the backordered unit goes, S2 keeps its unit
    after = orders.evolve(order(), edited)
    assert after is not None and unallocated(after) == {"A": 0, "B": 0}


def test_a_removed_line_releases_all_its_planned_units_and_shows_as_cancelled() -> None:
    [edited] = edit(order(), ("A", 3))
    assert isinstance(edited, OrderEdited)
    assert edited.cancelled == (Line("B", 2),)
    assert edited.released == (ref("S2", "DC2", "B", 1),)
    after = orders.evolve(order(), edited)
    assert after is not None
    assert after.shipments[1].status is ShipmentStatus.CANCELLED  # nothing left in it
    assert [(s.sku, s.ordered - s.cancelled) for s in line_summaries(after)] == [("A", 3), ("B", 0)]


def test_an_increase_and_a_new_line_are_left_unallocated_for_sourcing() -> None:
    [edited] = edit(order(), ("A", 5), ("B", 2), ("C", 4))
    assert isinstance(edited, OrderEdited)
    assert edited.lines == (Line("A", 5), Line("B", 2), Line("C", 4))
    assert edited.cancelled == () and edited.released == ()
    after = orders.evolve(order(), edited)
    assert after is not None and unallocated(after) == {"A": 2, "B": 1, "C": 4}


def test_a_new_address_releases_every_planned_shipment_to_plan_the_order_again() -> None:
    [edited] = edit(order(), ship_to=AWAY)
    assert isinstance(edited, OrderEdited)
    assert edited.ship_to == AWAY and edited.service_level is None
    assert edited.released == (ref("S1", "DC1", "A", 3), ref("S2", "DC2", "B", 1))
    after = orders.evolve(order(), edited)
    assert after is not None and after.ship_to == AWAY
    assert all(s.status is ShipmentStatus.CANCELLED for s in after.shipments)
    assert unallocated(after) == {"A": 3, "B": 2}


def test_an_edit_that_changes_nothing_decides_nothing() -> None:
    assert edit(order(), ("A", 3), ("B", 2), ship_to=HOME, service_level=ServiceLevel.STANDARD) == []
    assert edit(order()) == []


def test_picked_units_cannot_be_edited_away_and_the_refusal_names_the_line() -> None:
    picked = order(*ALLOCATED, PICKED_A)
    with pytest.raises(InvalidState) as refused:
        edit(picked, ("B", 2), ("A", 2))
    assert refused.value.field == ("lines", "1")
    with pytest.raises(InvalidState) as removed:
        edit(picked, ("B", 2))
    assert removed.value.field == ("lines",)
    # More of a picked line, or an unpicked line changed, is fine: the picked units are not concerned.
    [more] = edit(picked, ("A", 4), ("B", 1))
    assert isinstance(more, OrderEdited) and more.cancelled == (Line("B", 1),)


def test_once_anything_is_picked_the_address_and_service_level_stay() -> None:
    picked = order(*ALLOCATED, PICKED_A)
    with pytest.raises(DomainError) as refused:
        edit(picked, ship_to=AWAY, service_level=ServiceLevel.EXPRESS)
    assert [(r.code, r.field) for r in refused.value.reasons] == [
        ("INVALID_STATE", ("shipTo",)),
        ("INVALID_STATE", ("serviceLevel",)),
    ]


def test_lines_are_checked_as_at_placement() -> None:
    with pytest.raises(DomainError) as refused:
        edit(order(), ("A", 0), ("A", 1))
    assert sorted(r.field or () for r in refused.value.reasons) == [("lines", "0", "quantity"), ("lines", "1", "sku")]
    with pytest.raises(InvalidInput):
        orders.decide(order(), EditOrder(order_id="o1", lines=()), NOW)


def test_a_cancelled_order_cannot_be_edited() -> None:
    cancelled = order(*ALLOCATED, OrderCancelled(order_id="o1", reason="", released=(), cancelled_at=NOW))
    with pytest.raises(InvalidState):
        edit(cancelled, ("A", 1))


def test_an_order_for_a_delivery_window_keeps_its_address_and_speed_but_may_change_its_lines() -> None:
    window = ChosenWindow(start=NOW, end=NOW + timedelta(hours=2), service_level=ServiceLevel.SAME_DAY)
    state = msgspec.structs.replace(order(), delivery_window=window)
    with pytest.raises(DomainError) as refused:
        edit(state, ship_to=AWAY, service_level=ServiceLevel.EXPRESS)
    assert [(r.code, r.field) for r in refused.value.reasons] == [
        ("INVALID_STATE", ("shipTo",)),
        ("INVALID_STATE", ("serviceLevel",)),
    ]
    assert [type(e).__name__ for e in edit(state, *((line.sku, 1) for line in state.lines))] == ["OrderEdited"]
