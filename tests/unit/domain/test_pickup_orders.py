"""PICKUP orders on the order aggregate: placing one at a store, a pickup shipment waiting for its transfer, the
transfer's arrival (carrier DELIVERED or the store picking what arrived), and what customers are told it holds."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from app.domain import orders
from app.domain.errors import DomainError, InvalidState
from app.domain.events import Event
from app.domain.locations import Capabilities, Location
from app.domain.order_commands import (
    CancelOrder,
    CancelOrderLines,
    ConfirmPick,
    ExpirePick,
    MarkShipmentDelivered,
    PickLine,
    PlaceOrder,
    RecordScans,
)
from app.domain.order_events import (
    OrderAllocated,
    OrderPlaced,
    PickDecline,
    PlannedShipment,
    ReservationRef,
    ShipmentDelivered,
    ShipmentDispatched,
    ShipmentExpired,
    ShipmentPacked,
    ShipmentPicked,
    ShipmentReduction,
    TrackingUpdated,
    TransferReceived,
)
from app.domain.order_state import Order, Shipment, line_summaries, open_reservations, order_status, unallocated
from app.domain.pickup_events import ShipmentReadyForPickup
from app.domain.values import (
    Address,
    Coordinates,
    DeliveryMethod,
    Line,
    LocationType,
    OrderStatus,
    PickDeclineReason,
    Scan,
    ServiceLevel,
    ShipmentStatus,
    TrackingStatus,
)
from tests.unit.domain.support import NOW, given

STORE_AT = Coordinates(40.75, -73.99)
STORE = Location(
    code="ST1",
    name="Store 1",
    type=LocationType.STORE,
    coordinates=STORE_AT,
    capabilities=Capabilities(ship=True, pickup=True),
    daily_capacity=None,
    handling_cost=0.0,
)
PLACED = OrderPlaced(
    order_id="o1",
    customer_id="c1",
    lines=(Line("A", 3), Line("B", 1)),
    ship_to=Address(coordinates=STORE_AT),
    service_level=ServiceLevel.STANDARD,
    priority=0,
    channel="web",
    placed_at=NOW,
    delivery_method=DeliveryMethod.PICKUP,
    pickup_location_code="ST1",
)
# B from the store's shelf (S1); A by transfer from DC1 (S2) feeding the pickup shipment S3.
ALLOCATED = OrderAllocated(
    order_id="o1",
    shipments=(
        PlannedShipment(shipment_id="S1", location_code="ST1", lines=(Line("B", 1),), kind=DeliveryMethod.PICKUP),
        PlannedShipment(shipment_id="S2", location_code="DC1", lines=(Line("A", 3),), destination="ST1"),
        PlannedShipment(
            shipment_id="S3", location_code="ST1", lines=(Line("A", 3),), kind=DeliveryMethod.PICKUP, fed_by="S2"
        ),
    ),
    allocated_at=NOW,
)
LATER = NOW + timedelta(days=2)
DISPATCHED = ShipmentDispatched(
    order_id="o1", shipment_id="S2", carrier="SIM", tracking_number="T1", promised_delivery=None, dispatched_at=NOW
)


def order(*more: Event) -> Order:
    state = given(orders.evolve, None, [PLACED, ALLOCATED, *more])
    assert state is not None
    return state


def fold(state: Order, events: list[Event]) -> Order:
    after: Order | None = state
    for event in events:
        after = orders.evolve(after, event)
    assert after is not None
    return after


def shipment(state: Order, sid: str) -> Shipment:
    return next(s for s in state.shipments if s.shipment_id == sid)


def place(**change: object) -> PlaceOrder:
    command = PlaceOrder(
        order_id="o1",
        customer_id="c1",
        lines=(Line("A", 3),),
        ship_to=None,
        delivery_method=DeliveryMethod.PICKUP,
        pickup_location_code="ST1",
    )
    return msgspec.structs.replace(command, **change)


def refusal(command: PlaceOrder, store: Location | None) -> tuple[str, tuple[str | int, ...]]:
    with pytest.raises(DomainError) as refused:
        orders.decide(None, command, NOW, pickup_location=store)
    return refused.value.code, tuple(refused.value.field or ())


def test_a_pickup_order_without_an_address_is_located_at_its_store() -> None:
    [placed] = orders.decide(None, place(), NOW, pickup_location=STORE)
    assert isinstance(placed, OrderPlaced)
    assert placed.delivery_method is DeliveryMethod.PICKUP
    assert placed.pickup_location_code == "ST1"
    assert placed.ship_to == Address(coordinates=STORE_AT)


def test_a_pickup_order_keeps_an_address_it_was_given() -> None:
    home = Address(coordinates=Coordinates(40.0, -74.0), postal_code="08000", country="US")
    [placed] = orders.decide(None, place(ship_to=home), NOW, pickup_location=STORE)
    assert isinstance(placed, OrderPlaced) and placed.ship_to == home


@pytest.mark.parametrize(
    ("command", "store", "code", "field"),
    [
        (place(pickup_location_code=None), None, "INVALID_INPUT", ("pickupLocationCode",)),
        (place(pickup_location_code=" "), None, "INVALID_INPUT", ("pickupLocationCode",)),
        (place(pickup_location_code="NOPE"), None, "INVALID_LOCATION", ("pickupLocationCode",)),
        (place(), msgspec.structs.replace(STORE, active=False), "INVALID_LOCATION", ("pickupLocationCode",)),
        (
            place(),
            msgspec.structs.replace(STORE, capabilities=Capabilities(ship=True)),
            "INVALID_LOCATION",
            ("pickupLocationCode",),
        ),
        (place(delivery_method=DeliveryMethod.SHIP, pickup_location_code=None), None, "INVALID_INPUT", ("shipTo",)),
        (
            place(delivery_method=DeliveryMethod.SHIP, ship_to=Address(coordinates=STORE_AT)),
            STORE,
            "INVALID_INPUT",
            ("pickupLocationCode",),
        ),
    ],
)
def test_placing_refuses_a_pickup_without_a_store_that_takes_pickups_and_a_shipment_without_address(
    command: PlaceOrder, store: Location | None, code: str, field: tuple[str, ...]
) -> None:
    assert refusal(command, store) == (code, field)


def test_a_pickup_waiting_for_its_transfer_reserves_nothing_and_its_units_count_once() -> None:
    state = order()
    waiting = shipment(state, "S3")
    assert waiting.awaiting_transfer and waiting.status is ShipmentStatus.PLANNED
    assert shipment(state, "S2").destination == "ST1"
    # Reserved: B on the store's shelf for S1, A at the DC for the transfer; nothing yet for S3.
    assert {(r.location_code, r.sku, r.reservation_id) for r in open_reservations(state)} == {
        ("ST1", "B", "o1/S1"),
        ("DC1", "A", "o1/S2"),
    }
    assert {(s.sku, s.allocated, s.shipped) for s in line_summaries(state)} == {("A", 3, 0), ("B", 1, 0)}
    assert unallocated(state) == {"A": 0, "B": 0}
    assert order_status(state) is OrderStatus.ALLOCATED
    # In transit, the transfer is not the customer's parcel.
    moving = order(ShipmentPacked(order_id="o1", shipment_id="S2", packed_at=NOW), DISPATCHED)
    assert {s.sku: s.shipped for s in line_summaries(moving)} == {"A": 0, "B": 0}


def test_a_pickup_waiting_for_its_transfer_is_not_picked_nor_expired_before_it_leaves() -> None:
    state = order()
    pick = ConfirmPick(order_id="o1", shipment_id="S3", lines=(PickLine(sku="A", picked=3),))
    with pytest.raises(InvalidState):
        orders.decide(state, pick, NOW)
    assert orders.decide(state, ExpirePick(order_id="o1", shipment_id="S3"), LATER, pick_sla_minutes=30) == []


def test_the_carrier_delivering_the_transfer_receives_it_at_the_store_for_the_waiting_pickup() -> None:
    state = order(ShipmentPacked(order_id="o1", shipment_id="S2", packed_at=NOW), DISPATCHED)
    scan = Scan(status=TrackingStatus.DELIVERED, message="delivered", occurred_at=LATER)
    events = orders.decide(state, RecordScans(order_id="o1", shipment_id="S2", scans=(scan,)), LATER)
    assert [type(e) for e in events] == [TrackingUpdated, ShipmentDelivered, TransferReceived]
    received = events[-1]
    assert received == TransferReceived(
        order_id="o1",
        shipment_id="S2",
        pickup_shipment_id="S3",
        location_code="ST1",
        received=(Line("A", 3),),
        reserved=(ReservationRef(location_code="ST1", sku="A", reservation_id="o1/S3", quantity=3),),
        received_at=LATER,
    )
    after = fold(state, events)
    fed = shipment(after, "S3")
    assert not fed.awaiting_transfer and fed.planned_at == LATER  # its pick SLA starts at the arrival
    assert ("ST1", "A", "o1/S3") in {(r.location_code, r.sku, r.reservation_id) for r in open_reservations(after)}
    # A scan replayed later receives nothing twice.
    assert orders.decide(after, RecordScans(order_id="o1", shipment_id="S2", scans=(scan,)), LATER) == []


def test_the_store_picking_what_arrived_receives_the_transfer_first() -> None:
    state = order(ShipmentPacked(order_id="o1", shipment_id="S2", packed_at=NOW), DISPATCHED)
    pick = ConfirmPick(order_id="o1", shipment_id="S3", lines=(PickLine(sku="A", picked=3),), pickup_code="123456")
    events = orders.decide(state, pick, LATER)
    assert [type(e) for e in events] == [TransferReceived, ShipmentPicked, ShipmentReadyForPickup]
    after = fold(state, events)
    assert shipment(after, "S2").status is ShipmentStatus.DELIVERED
    assert not shipment(after, "S3").awaiting_transfer
    # The carrier's DELIVERED arriving afterwards receives nothing again.
    delivered = MarkShipmentDelivered(order_id="o1", shipment_id="S2", delivered_at=LATER)
    with pytest.raises(InvalidState):
        orders.decide(after, delivered, LATER)


def test_a_transfer_declined_at_its_source_takes_the_waiting_pickup_down_with_it() -> None:
    declined = ShipmentPicked(
        order_id="o1",
        shipment_id="S2",
        picked_at=NOW,
        declines=(PickDecline(sku="A", quantity=2, reason=PickDeclineReason.NOT_FOUND),),
        released=(ReservationRef(location_code="DC1", sku="A", reservation_id="o1/S2", quantity=2),),
    )
    state = order(declined)
    assert shipment(state, "S2").lines == (Line("A", 1),)
    assert shipment(state, "S3").lines == (Line("A", 1),)
    assert unallocated(state) == {"A": 2, "B": 0}  # to be sourced again, counted once
    assert "DC1" in state.excluded_locations


def test_a_transfer_that_expires_cancels_its_waiting_pickup() -> None:
    state = order(
        ShipmentExpired(
            order_id="o1",
            shipment_id="S2",
            expired_at=LATER,
            released=(ReservationRef(location_code="DC1", sku="A", reservation_id="o1/S2", quantity=3),),
        )
    )
    assert shipment(state, "S3").status is ShipmentStatus.CANCELLED
    assert unallocated(state) == {"A": 3, "B": 0}


def test_cancelling_pickup_lines_cuts_the_transfer_at_its_source_while_it_has_not_left() -> None:
    events = orders.decide(order(), CancelOrderLines(order_id="o1", lines=(Line("A", 1),)), NOW)
    [cancelled] = events
    assert cancelled.reductions == (ShipmentReduction(shipment_id="S2", sku="A", quantity=1),)  # type: ignore[attr-defined]
    assert cancelled.released == (  # type: ignore[attr-defined]
        ReservationRef(location_code="DC1", sku="A", reservation_id="o1/S2", quantity=1),
    )
    after = fold(order(), events)
    assert shipment(after, "S2").lines == shipment(after, "S3").lines == (Line("A", 2),)


def test_a_pickup_order_with_its_transfer_on_the_way_can_be_cancelled_and_the_units_stay_at_the_store() -> None:
    moving = order(ShipmentPacked(order_id="o1", shipment_id="S2", packed_at=NOW), DISPATCHED)
    [cancelled] = orders.decide(moving, CancelOrder(order_id="o1"), NOW)
    # Only the shelf pick is released: the transfer's units shipped, the waiting pickup holds none.
    assert cancelled.released == (  # type: ignore[attr-defined]
        ReservationRef(location_code="ST1", sku="B", reservation_id="o1/S1", quantity=1),
    )
    after = fold(moving, [cancelled])
    delivered = MarkShipmentDelivered(order_id="o1", shipment_id="S2", delivered_at=LATER)
    events = orders.decide(after, delivered, LATER)
    receipt = events[-1]
    assert isinstance(receipt, TransferReceived)
    assert receipt.received == (Line("A", 3),) and receipt.reserved == ()
