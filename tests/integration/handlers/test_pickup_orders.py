"""PICKUP orders on real PostgreSQL: served from the store's shelf, or by a transfer received at the store and
reserved there in one append; declines at the store fed again by transfer; every unit accounted for."""

from __future__ import annotations

import pytest

from app.domain import locations
from app.domain import order_commands as oc
from app.domain.errors import DomainError
from app.domain.notifications import RequestNotification, notice_for
from app.domain.order_events import ShipmentDispatched, SourcingDecided
from app.domain.order_state import Order, line_summaries, order_status
from app.domain.values import (
    DeliveryMethod,
    Line,
    LocationType,
    OrderStatus,
    PickDeclineReason,
    Scan,
    ShipmentStatus,
    TrackingStatus,
)
from app.handlers import Handlers, SourceOrder
from eventstore import EventCodec, EventStore

from .conftest import FixedClock
from .support import CHICAGO, MANHATTAN, NEWARK, location, receive
from .test_order_handlers import order_state
from .test_stock_handlers import stock_state


def pickup(order_id: str, *lines: tuple[str, int], store: str = "ST1") -> oc.PlaceOrder:
    return oc.PlaceOrder(
        order_id=order_id,
        customer_id="c-1",
        lines=tuple(Line(sku, qty) for sku, qty in lines),
        ship_to=None,
        delivery_method=DeliveryMethod.PICKUP,
        pickup_location_code=store,
    )


async def network(handlers: Handlers) -> None:
    await location(handlers, "NWK", NEWARK)
    await location(handlers, "CHI", CHICAGO)
    await location(handlers, "ST1", MANHATTAN.coordinates, LocationType.STORE)


def shipments(order: Order) -> list[tuple[str, str, str, str | None, str | None, int]]:
    return [
        (s.shipment_id, s.location_code, s.kind.value, s.destination, s.fed_by, sum(x.quantity for x in s.lines))
        for s in order.shipments
    ]


async def test_a_pickup_the_store_holds_is_reserved_on_its_shelf(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await network(handlers)
    await receive(handlers, "ST1", "TEE", 5)
    await receive(handlers, "NWK", "TEE", 50)
    await handlers.handle(pickup("o1", ("TEE", 2)))
    outcome = await handlers.handle(SourceOrder(order_id="o1"))
    decision = next(e for e in outcome.events if isinstance(e, SourcingDecided))
    assert [(s.location_code, s.carrier_service, s.cost) for s in decision.shipments] == [("ST1", "PICKUP", 0.0)]
    order = await order_state(store, codec, "o1")
    assert order.ship_to.coordinates == MANHATTAN.coordinates  # no address given: the store's
    assert shipments(order) == [("S1", "ST1", "PICKUP", None, None, 2)]
    shelf = await stock_state(store, codec, "TEE", "ST1")
    assert (shelf.on_hand, shelf.reserved) == (5, 2)


async def test_a_pickup_via_transfer_is_received_at_the_store_and_reserved_there_on_delivery(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await network(handlers)
    await receive(handlers, "ST1", "TEE", 1)
    await receive(handlers, "NWK", "TEE", 10)
    await handlers.handle(pickup("o2", ("TEE", 3)))
    await handlers.handle(SourceOrder(order_id="o2"))
    order = await order_state(store, codec, "o2")
    # One from the shelf; two by transfer from Newark, feeding a pickup shipment that waits for them.
    assert shipments(order) == [
        ("S1", "ST1", "PICKUP", None, None, 1),
        ("S2", "NWK", "SHIP", "ST1", None, 2),
        ("S3", "ST1", "PICKUP", None, "S2", 2),
    ]
    assert order.shipments[2].awaiting_transfer
    assert [(s.allocated, s.shipped) for s in line_summaries(order)] == [(3, 0)]

    async def balance() -> tuple[int, int, int, int]:
        """(Newark on hand, store on hand, in transit, total): the total never changes."""
        nwk, st1 = await stock_state(store, codec, "TEE", "NWK"), await stock_state(store, codec, "TEE", "ST1")
        now = await order_state(store, codec, "o2")
        moving = sum(
            line.quantity
            for s in now.shipments
            if s.destination is not None and s.status is ShipmentStatus.DISPATCHED
            for line in s.lines
        )
        return nwk.on_hand, st1.on_hand, moving, nwk.on_hand + st1.on_hand + moving

    assert await balance() == (10, 1, 0, 11)
    assert ((await stock_state(store, codec, "TEE", "NWK")).reserved) == 2
    await handlers.handle(oc.PackShipment(order_id="o2", shipment_id="S2"))
    await handlers.handle(oc.DispatchShipment(order_id="o2", shipment_id="S2", carrier="SIM", tracking_number="X1"))
    assert await balance() == (8, 1, 2, 11)
    assert order_status(await order_state(store, codec, "o2")) is OrderStatus.ALLOCATED  # not the customer's parcel

    clock.advance(days=1)
    scan = Scan(status=TrackingStatus.DELIVERED, message="delivered to store", occurred_at=clock.now)
    outcome = await handlers.handle(oc.RecordScans(order_id="o2", shipment_id="S2", scans=(scan,)))
    names = sorted(type(e).__name__ for e in outcome.events)  # one append
    assert names == ["ShipmentDelivered", "StockReceived", "StockReserved", "TrackingUpdated", "TransferReceived"]
    assert await balance() == (8, 3, 0, 11)
    shelf = await stock_state(store, codec, "TEE", "ST1")
    assert (shelf.on_hand, shelf.reserved, shelf.atp) == (3, 3, 0)  # nobody else can take what arrived
    order = await order_state(store, codec, "o2")
    fed = order.shipments[2]
    assert not fed.awaiting_transfer and fed.planned_at == clock.now  # pickable, its pick SLA from the arrival
    assert [(s.allocated, s.shipped, s.delivered) for s in line_summaries(order)] == [(3, 0, 0)]

    picked = await handlers.handle(
        oc.ConfirmPick(order_id="o2", shipment_id="S3", lines=(oc.PickLine(sku="TEE", picked=2),))
    )
    assert picked.value is not None
    assert next(s for s in picked.value.shipments if s.shipment_id == "S3").status is not ShipmentStatus.PLANNED


async def test_the_store_picking_what_arrived_receives_the_transfer(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await network(handlers)
    await receive(handlers, "NWK", "TEE", 10)
    await handlers.handle(pickup("o3", ("TEE", 2)))
    await handlers.handle(SourceOrder(order_id="o3"))
    assert shipments(await order_state(store, codec, "o3")) == [
        ("S1", "NWK", "SHIP", "ST1", None, 2),
        ("S2", "ST1", "PICKUP", None, "S1", 2),
    ]
    pick = oc.ConfirmPick(order_id="o3", shipment_id="S2", lines=(oc.PickLine(sku="TEE", picked=2),))
    with pytest.raises(DomainError, match="waits for transfer S1"):
        await handlers.handle(pick)  # nothing has left Newark yet
    await handlers.handle(oc.PackShipment(order_id="o3", shipment_id="S1"))
    await handlers.handle(oc.DispatchShipment(order_id="o3", shipment_id="S1", carrier="SIM", tracking_number="X3"))
    outcome = await handlers.handle(pick)
    names = sorted(type(e).__name__ for e in outcome.events)
    assert names == ["ShipmentPicked", "ShipmentReadyForPickup", "StockReceived", "StockReserved", "TransferReceived"]
    order = await order_state(store, codec, "o3")
    assert order.shipments[0].status is ShipmentStatus.DELIVERED
    shelf = await stock_state(store, codec, "TEE", "ST1")
    assert (shelf.on_hand, shelf.reserved) == (2, 2)


async def test_a_decline_at_the_pickup_store_is_fed_again_by_transfer_to_the_same_store(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await network(handlers)
    await receive(handlers, "ST1", "TEE", 2)
    await receive(handlers, "CHI", "TEE", 10)
    await handlers.handle(pickup("o4", ("TEE", 2)))
    await handlers.handle(SourceOrder(order_id="o4"))
    line = oc.PickLine(sku="TEE", picked=0, reason=PickDeclineReason.DAMAGED)
    outcome = await handlers.handle(oc.ConfirmPick(order_id="o4", shipment_id="S1", lines=(line,)))
    decision = next(e for e in outcome.events if isinstance(e, SourcingDecided))
    assert decision.trigger == "DECLINED"
    order = await order_state(store, codec, "o4")
    assert shipments(order)[1:] == [("S2", "CHI", "SHIP", "ST1", None, 2), ("S3", "ST1", "PICKUP", None, "S2", 2)]
    assert order.pickup_location_code == "ST1"
    shelf = await stock_state(store, codec, "TEE", "ST1")
    assert (shelf.on_hand, shelf.reserved) == (0, 0)  # written down, nothing promised on it


@pytest.mark.parametrize(
    ("code", "error"),
    [("NOPE", "INVALID_LOCATION"), ("NWK", "INVALID_LOCATION"), (None, "INVALID_INPUT")],
)
async def test_a_pickup_at_a_location_that_cannot_hand_it_over_is_refused(
    handlers: Handlers, code: str | None, error: str
) -> None:
    await network(handlers)  # NWK is a DC: it ships, it does not hand over pickups
    with pytest.raises(DomainError) as refused:
        await handlers.handle(pickup("o5", ("TEE", 1), store=code))  # type: ignore[arg-type]
    assert (refused.value.code, tuple(refused.value.field or ())) == (error, ("pickupLocationCode",))


async def test_a_transfer_dispatched_is_no_news_for_the_customer(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await network(handlers)
    await receive(handlers, "NWK", "TEE", 10)
    await handlers.handle(pickup("o6", ("TEE", 1)))
    await handlers.handle(SourceOrder(order_id="o6"))
    await handlers.handle(oc.PackShipment(order_id="o6", shipment_id="S1"))
    dispatched = await handlers.handle(
        oc.DispatchShipment(order_id="o6", shipment_id="S1", carrier="SIM", tracking_number="X6")
    )
    event = next(e for e in dispatched.events if isinstance(e, ShipmentDispatched))
    notice = notice_for(event, "e-6")
    assert notice is not None
    assert (await handlers.handle(RequestNotification(notice=notice))).events == []


async def test_a_transfer_past_its_sla_and_then_a_pickup_past_the_stores_are_fed_again_to_the_same_store(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await network(handlers)
    await handlers.handle(locations.UpdateLocation(code="NWK", pick_sla_minutes=30))
    await handlers.handle(locations.UpdateLocation(code="ST1", pick_sla_minutes=60))
    await receive(handlers, "NWK", "TEE", 5)
    await receive(handlers, "CHI", "TEE", 5)
    await handlers.handle(pickup("o7", ("TEE", 2)))
    await handlers.handle(SourceOrder(order_id="o7"))
    assert shipments(await order_state(store, codec, "o7")) == [
        ("S1", "NWK", "SHIP", "ST1", None, 2),
        ("S2", "ST1", "PICKUP", None, "S1", 2),
    ]
    clock.advance(minutes=31)
    assert (await handlers.handle(oc.ExpirePick(order_id="o7", shipment_id="S2"))).events == []  # still waiting
    outcome = await handlers.handle(oc.ExpirePick(order_id="o7", shipment_id="S1"))
    decision = next(e for e in outcome.events if isinstance(e, SourcingDecided))
    assert decision.trigger == "EXPIRED"
    order = await order_state(store, codec, "o7")
    assert [(s.shipment_id, s.status) for s in order.shipments[:2]] == [
        ("S1", ShipmentStatus.EXPIRED),
        ("S2", ShipmentStatus.CANCELLED),  # it waited for a transfer that will never leave
    ]
    assert shipments(order)[2:] == [("S3", "CHI", "SHIP", "ST1", None, 2), ("S4", "ST1", "PICKUP", None, "S3", 2)]
    assert [(s.allocated, s.backordered) for s in line_summaries(order)] == [(2, 0)]
    nwk, chi = await stock_state(store, codec, "TEE", "NWK"), await stock_state(store, codec, "TEE", "CHI")
    assert (nwk.reserved, chi.reserved) == (0, 2)

    await handlers.handle(oc.PackShipment(order_id="o7", shipment_id="S3"))
    await handlers.handle(oc.DispatchShipment(order_id="o7", shipment_id="S3", carrier="SIM", tracking_number="X7"))
    clock.advance(days=2)
    await handlers.handle(oc.MarkShipmentDelivered(order_id="o7", shipment_id="S3", delivered_at=clock.now))
    clock.advance(minutes=61)  # the store let it sit past its own SLA: fed again, by transfer, to the same store
    await receive(handlers, "NWK", "TEE", 5)
    outcome = await handlers.handle(oc.ExpirePick(order_id="o7", shipment_id="S4"))
    assert next(e for e in outcome.events if isinstance(e, SourcingDecided)).trigger == "EXPIRED"
    order = await order_state(store, codec, "o7")
    assert order.shipments[3].status is ShipmentStatus.EXPIRED
    # NWK let go of this order's units before; CHI is the other source left. Never another store.
    assert shipments(order)[4:] == [("S5", "CHI", "SHIP", "ST1", None, 2), ("S6", "ST1", "PICKUP", None, "S5", 2)]
    shelf = await stock_state(store, codec, "TEE", "ST1")
    assert (shelf.on_hand, shelf.reserved) == (2, 0)  # what arrived for S4 is back on the store's shelf
