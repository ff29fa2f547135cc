from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from app.domain import orders
from app.domain.errors import DomainError
from app.domain.events import Event
from app.domain.order_commands import (
    AllocateOrder,
    CancelOrder,
    CancelOrderLines,
    CompleteOrder,
    DispatchShipment,
    MarkShipmentDelivered,
    OrderCommand,
    PackShipment,
    PlaceOrder,
    PlaceOrderOnHold,
    RecordScans,
    ReleaseOrderHold,
    ReportShipmentException,
    RevertAllocation,
)
from app.domain.order_events import (
    AllocationReverted,
    OrderAllocated,
    OrderBackordered,
    OrderCancelled,
    OrderLinesCancelled,
    OrderPlaced,
    PlannedShipment,
    ReservationRef,
    ShipmentDelivered,
    ShipmentDispatched,
    ShipmentException,
    ShipmentPacked,
    ShipmentReduction,
    TrackingUpdated,
)
from app.domain.order_state import (
    Order,
    line_summaries,
    open_reservations,
    order_status,
    shipment_reservations,
)
from app.domain.values import (
    Address,
    Coordinates,
    Line,
    OrderStatus,
    Scan,
    ServiceLevel,
    ShipmentStatus,
    TrackingStatus,
)
from tests.unit.domain.support import NOW, given

ORD: dict[str, Any] = {"order_id": "o1"}
SHIP_TO = Address(coordinates=Coordinates(52.1, 4.3), postal_code="2511", country="NL")
PLACED = OrderPlaced(
    **ORD,
    customer_id="c1",
    lines=(Line("A", 3), Line("B", 2)),
    ship_to=SHIP_TO,
    service_level=ServiceLevel.STANDARD,
    priority=0,
    channel="web",
    placed_at=NOW,
    idempotency_key="k1",
)
S1 = PlannedShipment(shipment_id="s1", location_code="DC1", lines=(Line("A", 3), Line("B", 2)))
FULL = (PLACED, OrderAllocated(**ORD, shipments=(S1,), allocated_at=NOW))
PACKED = (*FULL, ShipmentPacked(**ORD, shipment_id="s1", packed_at=NOW))
DISPATCHED = (
    *PACKED,
    ShipmentDispatched(
        **ORD,
        shipment_id="s1",
        carrier="ups",
        tracking_number="1Z",
        promised_delivery=None,
        dispatched_at=NOW,
    ),
)
DELIVERED = (*DISPATCHED, ShipmentDelivered(**ORD, shipment_id="s1", delivered_at=NOW))


def state_of(*events: Event) -> Order | None:
    return given(orders.evolve, None, events)


def when(events: tuple[Event, ...], command: OrderCommand) -> list[Event]:
    return orders.decide(state_of(*events), command, NOW)


def rejects(events: tuple[Event, ...], command: OrderCommand, code: str, field: tuple[str, ...] | None = None) -> None:
    with pytest.raises(DomainError) as caught:
        when(events, command)
    assert caught.value.code == code
    if field is not None:
        assert caught.value.field == field


def status(*events: Event) -> OrderStatus:
    order = state_of(*events)
    assert order is not None
    return order_status(order)


def place(**change: object) -> PlaceOrder:
    fields: dict[str, object] = {
        "order_id": "o1",
        "customer_id": "c1",
        "lines": (Line("A", 3), Line("B", 2)),
        "ship_to": SHIP_TO,
        "idempotency_key": "k1",
    }
    fields.update(change)
    return PlaceOrder(**fields)  # type: ignore[arg-type]


def test_place_order() -> None:
    assert when((), place()) == [PLACED]
    assert status(PLACED) is OrderStatus.PLACED


def test_place_is_idempotent_for_same_key_and_customer_only() -> None:
    assert when((PLACED,), place()) == []
    rejects((PLACED,), place(idempotency_key="other"), "DUPLICATE", ("orderId",))
    rejects((PLACED,), place(customer_id="c2"), "DUPLICATE")


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"lines": ()}, "INVALID_INPUT", ("lines",)),
        ({"lines": (Line("A", 1), Line("B", 0))}, "INVALID_QUANTITY", ("lines", "1", "quantity")),
        ({"lines": (Line("A", 1), Line("A", 2))}, "DUPLICATE", ("lines", "1", "sku")),
        ({"lines": (Line(" ", 1),)}, "INVALID_INPUT", ("lines", "0", "sku")),
        ({"customer_id": ""}, "INVALID_INPUT", ("customerId",)),
    ],
)
def test_place_rejections(change: dict[str, object], code: str, field: tuple[str, ...]) -> None:
    rejects((), place(**change), code, field)


def test_place_names_every_line_at_fault_at_once() -> None:
    command = place(lines=(Line(" ", 1), Line("B", 0), Line("C", 2), Line("C", 100_001)))
    with pytest.raises(DomainError) as refused:
        orders.decide(None, command, NOW)
    assert [(r.code, r.field) for r in refused.value.reasons] == [
        ("INVALID_INPUT", ("lines", "0", "sku")),
        ("INVALID_QUANTITY", ("lines", "1", "quantity")),
        ("DUPLICATE", ("lines", "3", "sku")),
        ("INVALID_QUANTITY", ("lines", "3", "quantity")),
    ]


def test_commands_on_a_missing_order_are_not_found() -> None:
    rejects((), PackShipment(**ORD, shipment_id="s1"), "NOT_FOUND", ("orderId",))


def test_partial_allocation_backorders_the_rest_then_allocates_it_later() -> None:
    first = PlannedShipment(shipment_id="s1", location_code="DC1", lines=(Line("A", 2),))
    events = when((PLACED,), AllocateOrder(**ORD, shipments=(first,)))
    assert events == [
        OrderAllocated(**ORD, shipments=(first,), allocated_at=NOW),
        OrderBackordered(**ORD, lines=(Line("A", 1), Line("B", 2))),
    ]
    history = (PLACED, *events)
    assert status(*history) is OrderStatus.PARTIALLY_ALLOCATED
    order = state_of(*history)
    assert order is not None
    a, b = line_summaries(order)
    assert (a.ordered, a.allocated, a.backordered, b.allocated, b.backordered) == (3, 2, 1, 0, 2)
    # Retrying with nothing available records nothing new.
    assert when(history, AllocateOrder(**ORD, shipments=())) == []
    rest = PlannedShipment(shipment_id="s2", location_code="DC2", lines=(Line("A", 1), Line("B", 2)))
    later = when(history, AllocateOrder(**ORD, shipments=(rest,)))
    assert later == [OrderAllocated(**ORD, shipments=(rest,), allocated_at=NOW)]
    assert status(*history, *later) is OrderStatus.ALLOCATED
    rejects((*history, *later), AllocateOrder(**ORD, shipments=()), "INVALID_STATE")


def test_nothing_allocated_is_backordered() -> None:
    events = when((PLACED,), AllocateOrder(**ORD, shipments=()))
    assert events == [OrderBackordered(**ORD, lines=(Line("A", 3), Line("B", 2)))]
    assert status(PLACED, *events) is OrderStatus.BACKORDERED


def test_allocation_rejections() -> None:
    too_many = PlannedShipment(shipment_id="s9", location_code="DC1", lines=(Line("A", 4),))
    rejects(
        (PLACED,),
        AllocateOrder(**ORD, shipments=(too_many,)),
        "INVALID_QUANTITY",
        ("shipments", "0", "lines", "0", "quantity"),
    )
    stranger = PlannedShipment(shipment_id="s9", location_code="DC1", lines=(Line("Z", 1),))
    rejects((PLACED,), AllocateOrder(**ORD, shipments=(stranger,)), "NOT_FOUND")
    again = PlannedShipment(shipment_id="s1", location_code="DC1", lines=(Line("A", 0),))
    rejects(FULL, AllocateOrder(**ORD, shipments=(again,)), "DUPLICATE", ("shipments", "0", "shipmentId"))
    # Two shipments together may not exceed what is unallocated.
    halves = tuple(PlannedShipment(shipment_id=f"h{i}", location_code="DC1", lines=(Line("A", 2),)) for i in (1, 2))
    rejects(
        (PLACED,),
        AllocateOrder(**ORD, shipments=halves),
        "INVALID_QUANTITY",
        ("shipments", "1", "lines", "0", "quantity"),
    )


def test_shipment_lifecycle_and_status() -> None:
    assert status(*FULL) is OrderStatus.ALLOCATED
    assert when(FULL, PackShipment(**ORD, shipment_id="s1")) == [ShipmentPacked(**ORD, shipment_id="s1", packed_at=NOW)]
    assert status(*PACKED) is OrderStatus.IN_FULFILLMENT
    dispatch = DispatchShipment(**ORD, shipment_id="s1", carrier="ups", tracking_number="1Z")
    assert when(PACKED, dispatch) == [DISPATCHED[-1]]
    assert status(*DISPATCHED) is OrderStatus.SHIPPED
    assert status(*DELIVERED) is OrderStatus.DELIVERED
    assert when(DELIVERED, CompleteOrder(**ORD))
    rejects(DISPATCHED, CompleteOrder(**ORD), "INVALID_STATE")


def test_illegal_shipment_transitions() -> None:
    dispatch = DispatchShipment(**ORD, shipment_id="s1", carrier="ups", tracking_number="1Z")
    rejects(FULL, dispatch, "INVALID_STATE")  # not packed
    rejects(DISPATCHED, dispatch, "INVALID_STATE")  # twice
    rejects(PACKED, PackShipment(**ORD, shipment_id="s1"), "INVALID_STATE")
    rejects(FULL, PackShipment(**ORD, shipment_id="nope"), "NOT_FOUND", ("shipmentId",))
    rejects(PACKED, DispatchShipment(**ORD, shipment_id="s1", carrier="", tracking_number="1Z"), "INVALID_INPUT")
    cancelled = (*FULL, OrderCancelled(**ORD, reason="", released=(), cancelled_at=NOW))
    rejects(cancelled, PackShipment(**ORD, shipment_id="s1"), "INVALID_STATE")
    rejects(DELIVERED, MarkShipmentDelivered(**ORD, shipment_id="s1", delivered_at=NOW), "INVALID_STATE")
    rejects(FULL, ReportShipmentException(**ORD, shipment_id="s1", reason="x"), "INVALID_STATE")


def scans(
    status: TrackingStatus, at: datetime, message: str | None = None, *more: tuple[TrackingStatus, datetime, str]
) -> RecordScans:
    """What a carrier reports for shipment s1: one scan, or several."""
    reported = ((status, at, message), *more)
    return RecordScans(
        **ORD, shipment_id="s1", scans=tuple(Scan(status=st, occurred_at=t, message=m) for st, t, m in reported)
    )


def test_tracking_moves_status_delivers_and_ignores_replays() -> None:
    later = NOW + timedelta(hours=5)
    moving = scans(TrackingStatus.IN_TRANSIT, later)
    events = when(DISPATCHED, moving)
    assert [type(e) for e in events] == [TrackingUpdated]
    history = (*DISPATCHED, *events)
    order = state_of(*history)
    assert order is not None and order.shipments[0].status is ShipmentStatus.IN_TRANSIT
    assert when(history, moving) == []  # replayed webhook
    # An older update arriving late is kept in the timeline but does not move the status back.
    late = when(
        history,
        scans(TrackingStatus.OUT_FOR_DELIVERY, NOW),
    )
    stale = state_of(*history, *late)
    assert stale is not None and stale.shipments[0].status is ShipmentStatus.IN_TRANSIT
    assert len(stale.shipments[0].tracking) == 2
    done = when(history, scans(TrackingStatus.DELIVERED, later))
    assert [type(e) for e in done] == [TrackingUpdated, ShipmentDelivered]
    assert status(*history, *done) is OrderStatus.DELIVERED
    rejects(FULL, moving, "INVALID_STATE")  # not dispatched yet


def test_tracking_failure_raises_an_exception_once() -> None:
    fail = scans(TrackingStatus.FAILURE, NOW, "lost")
    events = when(DISPATCHED, fail)
    assert events[1] == ShipmentException(**ORD, shipment_id="s1", reason="lost", occurred_at=NOW)
    again = scans(TrackingStatus.ERROR, NOW)
    assert [type(e) for e in when((*DISPATCHED, *events), again)] == [TrackingUpdated]


def recorded(command: RecordScans, *history: Event) -> list[TrackingStatus]:
    return [e.status for e in when((*DISPATCHED, *history), command) if isinstance(e, TrackingUpdated)]


def test_a_report_records_only_the_scans_not_yet_on_the_shipment() -> None:
    label = (TrackingStatus.PRE_TRANSIT, NOW, "label")
    pickup = (TrackingStatus.IN_TRANSIT, NOW + timedelta(hours=1), "picked up")
    hub = (TrackingStatus.IN_TRANSIT, NOW + timedelta(hours=2), "hub")
    first = when(DISPATCHED, scans(*label, pickup))
    assert recorded(scans(*label, pickup)) == [TrackingStatus.PRE_TRANSIT, TrackingStatus.IN_TRANSIT]
    assert recorded(scans(*label, pickup, hub), *first) == [TrackingStatus.IN_TRANSIT]
    everything = when((*DISPATCHED, *first), scans(*label, pickup, hub))
    assert when((*DISPATCHED, *first, *everything), scans(*label, pickup, hub)) == []
    assert recorded(scans(*pickup, pickup)) == [TrackingStatus.IN_TRANSIT]  # a carrier repeating itself


def test_the_same_instant_in_another_zone_is_the_same_scan() -> None:
    known = when(DISPATCHED, scans(TrackingStatus.IN_TRANSIT, NOW, "scan"))
    elsewhere = NOW.astimezone(timezone(timedelta(hours=2)))
    assert recorded(scans(TrackingStatus.IN_TRANSIT, elsewhere, "scan"), *known) == []


def test_a_different_status_or_message_or_time_is_a_new_scan() -> None:
    known = when(DISPATCHED, scans(TrackingStatus.IN_TRANSIT, NOW, "scan"))
    for variant in [
        scans(TrackingStatus.FAILURE, NOW, "scan"),
        scans(TrackingStatus.IN_TRANSIT, NOW, "other words"),
        scans(TrackingStatus.IN_TRANSIT, NOW + timedelta(minutes=1), "scan"),
    ]:
        assert len(recorded(variant, *known)) == 1


def test_a_report_that_delivers_then_repeats_delivers_once() -> None:
    out = (TrackingStatus.OUT_FOR_DELIVERY, NOW + timedelta(hours=1), "out")
    done = (TrackingStatus.DELIVERED, NOW + timedelta(hours=2), "delivered")
    late = (TrackingStatus.DELIVERED, NOW + timedelta(hours=3), "signed for")
    events = when(DISPATCHED, scans(*out, done, late))
    assert [type(e) for e in events] == [TrackingUpdated, TrackingUpdated, ShipmentDelivered, TrackingUpdated]


def test_partial_delivery_status() -> None:
    two = (
        PLACED,
        OrderAllocated(
            **ORD,
            shipments=(
                PlannedShipment(shipment_id="s1", location_code="DC1", lines=(Line("A", 3),)),
                PlannedShipment(shipment_id="s2", location_code="DC2", lines=(Line("B", 2),)),
            ),
            allocated_at=NOW,
        ),
        ShipmentPacked(**ORD, shipment_id="s1", packed_at=NOW),
        ShipmentDispatched(
            **ORD,
            shipment_id="s1",
            carrier="c",
            tracking_number="t",
            promised_delivery=None,
            dispatched_at=NOW,
        ),
    )
    assert status(*two) is OrderStatus.PARTIALLY_SHIPPED
    delivered = (*two, ShipmentDelivered(**ORD, shipment_id="s1", delivered_at=NOW))
    assert status(*delivered) is OrderStatus.PARTIALLY_DELIVERED
    order = state_of(*delivered)
    assert order is not None
    assert [(s.shipped, s.delivered) for s in line_summaries(order)] == [(3, 3), (0, 0)]
    assert open_reservations(order) == (
        ReservationRef(location_code="DC2", sku="B", reservation_id="o1/s2", quantity=2),
    )


def test_cancel_releases_open_reservations() -> None:
    events = when(PACKED, CancelOrder(**ORD, reason="changed mind"))
    assert events == [
        OrderCancelled(
            **ORD,
            reason="changed mind",
            released=(
                ReservationRef(location_code="DC1", sku="A", reservation_id="o1/s1", quantity=3),
                ReservationRef(location_code="DC1", sku="B", reservation_id="o1/s1", quantity=2),
            ),
            cancelled_at=NOW,
        )
    ]
    after = (*PACKED, *events)
    assert status(*after) is OrderStatus.CANCELLED
    order = state_of(*after)
    assert order is not None and open_reservations(order) == ()
    rejects(after, CancelOrder(**ORD), "INVALID_STATE")
    rejects(DELIVERED, CancelOrder(**ORD), "INVALID_STATE")
    rejects(DISPATCHED, CancelOrder(**ORD), "INVALID_STATE")


def test_cancel_lines_takes_unallocated_first_then_shipments() -> None:
    partial = (
        PLACED,
        OrderAllocated(
            **ORD,
            shipments=(PlannedShipment(shipment_id="s1", location_code="DC1", lines=(Line("A", 2), Line("B", 2))),),
            allocated_at=NOW,
        ),
    )
    events = when(partial, CancelOrderLines(**ORD, lines=(Line("A", 2),)))
    assert events == [
        OrderLinesCancelled(
            **ORD,
            lines=(Line("A", 2),),
            reductions=(ShipmentReduction(shipment_id="s1", sku="A", quantity=1),),
            released=(ReservationRef(location_code="DC1", sku="A", reservation_id="o1/s1", quantity=1),),
            reason="",
        )
    ]
    order = state_of(*partial, *events)
    assert order is not None
    a, _ = line_summaries(order)
    assert (a.cancelled, a.allocated, a.backordered) == (2, 1, 0)
    rejects(partial, CancelOrderLines(**ORD, lines=(Line("A", 4),)), "INVALID_QUANTITY")
    rejects(partial, CancelOrderLines(**ORD, lines=(Line("Z", 1),)), "NOT_FOUND")


def test_cancel_remaining_lines_after_partial_shipment() -> None:
    two = (
        PLACED,
        OrderAllocated(
            **ORD,
            shipments=(
                PlannedShipment(shipment_id="s1", location_code="DC1", lines=(Line("A", 3),)),
                PlannedShipment(shipment_id="s2", location_code="DC2", lines=(Line("B", 2),)),
            ),
            allocated_at=NOW,
        ),
        ShipmentPacked(**ORD, shipment_id="s1", packed_at=NOW),
        ShipmentDispatched(
            **ORD,
            shipment_id="s1",
            carrier="c",
            tracking_number="t",
            promised_delivery=None,
            dispatched_at=NOW,
        ),
    )
    events = when(two, CancelOrderLines(**ORD))
    assert isinstance(events[0], OrderLinesCancelled)
    assert events[0].lines == (Line("B", 2),)
    after = (*two, *events)
    order = state_of(*after)
    assert order is not None and order.shipments[1].status is ShipmentStatus.CANCELLED
    assert status(*after) is OrderStatus.SHIPPED
    rejects(after, CancelOrderLines(**ORD), "INVALID_STATE")


def test_holds_block_fulfilment() -> None:
    held = (*FULL, *when(FULL, PlaceOrderOnHold(**ORD, reason="fraud check")))
    assert status(*held) is OrderStatus.ON_HOLD
    rejects(held, PackShipment(**ORD, shipment_id="s1"), "INVALID_STATE")
    rejects(held, PlaceOrderOnHold(**ORD, reason="again"), "INVALID_STATE")
    released = (*held, *when(held, ReleaseOrderHold(**ORD)))
    assert status(*released) is OrderStatus.ALLOCATED
    rejects(released, ReleaseOrderHold(**ORD), "INVALID_STATE")
    rejects(DISPATCHED, PlaceOrderOnHold(**ORD, reason="late"), "INVALID_STATE")


def test_revert_allocation_backorders_again() -> None:
    events = when(FULL, RevertAllocation(**ORD, shipment_id="s1", sku="A", quantity=1))
    assert events == [AllocationReverted(**ORD, shipment_id="s1", sku="A", quantity=1, reason="SHORTFALL")]
    order = state_of(*FULL, *events)
    assert order is not None
    assert shipment_reservations(order, "s1")[0].quantity == 2
    rejects(FULL, RevertAllocation(**ORD, shipment_id="s1", sku="A", quantity=4), "INVALID_QUANTITY")
    rejects(DISPATCHED, RevertAllocation(**ORD, shipment_id="s1", sku="A", quantity=1), "INVALID_STATE")
