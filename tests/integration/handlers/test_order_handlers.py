from __future__ import annotations

import asyncio
from decimal import Decimal

import msgspec
import pytest

from app.domain import order_commands as oc
from app.domain import returns, stock
from app.domain.aggregates import ORDER
from app.domain.errors import Duplicate, InvalidState, NotFound
from app.domain.order_state import Order, line_summaries, order_status
from app.domain.return_events import ReceivedLine, RefundLine, ReturnLine
from app.domain.streams import order_stream
from app.domain.values import ItemCondition, LocationType, OrderStatus, ReturnStatus, Scan, TrackingStatus
from app.handlers import Handlers, SourceOrder
from eventstore import EventCodec, EventStore, load_state

from .conftest import FixedClock
from .support import CHICAGO, DALLAS, NEWARK, location, place, receive
from .test_stock_handlers import stock_state


async def order_state(store: EventStore, codec: EventCodec, order_id: str) -> Order:
    state, _ = await load_state(store, codec, ORDER, order_stream(order_id))
    assert state is not None
    return state


async def network(handlers: Handlers) -> None:
    await location(handlers, "NWK", NEWARK)
    await location(handlers, "CHI", CHICAGO)
    await location(handlers, "DAL", DALLAS)


async def test_an_order_is_sourced_from_the_nearest_stock_and_reserved_atomically(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await network(handlers)
    await receive(handlers, "NWK", "TEE", 5)
    await receive(handlers, "DAL", "TEE", 50)
    await handlers.handle(place("o1", ("TEE", 2)))
    outcome = await handlers.handle(SourceOrder(order_id="o1"))
    names = [type(e).__name__ for e in outcome.events]
    assert names == ["SourcingDecided", "OrderAllocated", "StockReserved"]
    decision = outcome.events[0]
    assert {c.location_code for c in decision.candidates} == {"NWK", "CHI", "DAL"}  # type: ignore[attr-defined]
    order = await order_state(store, codec, "o1")
    assert order_status(order) is OrderStatus.ALLOCATED
    assert [(s.location_code, s.lines[0].quantity) for s in order.shipments] == [("NWK", 2)]
    assert (await stock_state(store, codec, "TEE", "NWK")).reserved == 2
    # A redelivered sourcing job finds nothing left to do and appends nothing.
    again = await handlers.handle(SourceOrder(order_id="o1"))
    assert again.position is None


async def test_an_order_splits_only_when_no_single_location_can_serve_it(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await network(handlers)
    await receive(handlers, "NWK", "A", 1)
    await receive(handlers, "CHI", "A", 1)
    await handlers.handle(place("o2", ("A", 2)))
    await handlers.handle(SourceOrder(order_id="o2"))
    order = await order_state(store, codec, "o2")
    assert sorted(s.location_code for s in order.shipments) == ["CHI", "NWK"]


async def test_scarce_stock_backorders_the_rest(handlers: Handlers, store: EventStore, codec: EventCodec) -> None:
    await network(handlers)
    await receive(handlers, "NWK", "RARE", 1)
    await handlers.handle(place("o3", ("RARE", 3), ("GHOST", 1)))
    await handlers.handle(SourceOrder(order_id="o3"))
    order = await order_state(store, codec, "o3")
    assert order_status(order) is OrderStatus.PARTIALLY_ALLOCATED
    summary = {s.sku: (s.allocated, s.backordered) for s in line_summaries(order)}
    assert summary == {"RARE": (1, 2), "GHOST": (0, 1)}


async def test_thirty_two_orders_racing_for_ten_units_allocate_exactly_ten(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await network(handlers)
    await receive(handlers, "NWK", "HOT", 4)
    await receive(handlers, "CHI", "HOT", 3)
    await receive(handlers, "DAL", "HOT", 3)
    for i in range(32):
        await handlers.handle(place(f"r{i}", ("HOT", 1)))
    await asyncio.gather(*(handlers.handle(SourceOrder(order_id=f"r{i}")) for i in range(32)))
    orders = [await order_state(store, codec, f"r{i}") for i in range(32)]
    allocated = sum(s.allocated for o in orders for s in line_summaries(o))
    assert allocated == 10
    assert sum(order_status(o) is OrderStatus.BACKORDERED for o in orders) == 22
    for code in ("NWK", "CHI", "DAL"):
        level = await stock_state(store, codec, "HOT", code)
        assert level.reserved == level.on_hand and level.atp == 0


async def test_cancel_releases_the_reservations_in_the_same_transaction(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await network(handlers)
    await receive(handlers, "NWK", "TEE", 5)
    await handlers.handle(place("o4", ("TEE", 3)))
    await handlers.handle(SourceOrder(order_id="o4"))
    outcome = await handlers.handle(oc.CancelOrder(order_id="o4", reason="changed mind"))
    assert [type(e).__name__ for e in outcome.events] == ["OrderCancelled", "ReservationReleased"]
    assert (await stock_state(store, codec, "TEE", "NWK")).atp == 5
    with pytest.raises(InvalidState):
        await handlers.handle(oc.CancelOrder(order_id="o4"))


async def test_the_whole_life_of_an_order_and_its_return(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await network(handlers)
    await location(handlers, "RET", CHICAGO, kind=LocationType.RETURNS_CENTER)
    await receive(handlers, "NWK", "TEE", 5)
    await handlers.handle(place("o5", ("TEE", 2)))
    await handlers.handle(SourceOrder(order_id="o5"))
    await handlers.handle(oc.PackShipment(order_id="o5", shipment_id="S1"))
    dispatched = await handlers.handle(
        oc.DispatchShipment(order_id="o5", shipment_id="S1", carrier="simulated", tracking_number="SIM-1")
    )
    assert [type(e).__name__ for e in dispatched.events] == ["ShipmentDispatched", "StockShipped"]
    level = await stock_state(store, codec, "TEE", "NWK")
    assert (level.on_hand, level.reserved) == (3, 0)
    with pytest.raises(InvalidState):
        await handlers.handle(oc.DispatchShipment(order_id="o5", shipment_id="S1", carrier="x", tracking_number="y"))

    clock.advance(days=1)
    await handlers.handle(
        oc.RecordScans(
            order_id="o5",
            shipment_id="S1",
            scans=(Scan(status=TrackingStatus.DELIVERED, occurred_at=clock.now, message="delivered"),),
        )
    )
    assert order_status(await order_state(store, codec, "o5")) is OrderStatus.DELIVERED

    clock.advance(days=3)
    lines = (ReturnLine(sku="TEE", quantity=2, reason="too small"),)
    await handlers.handle(returns.RequestReturn(return_id="rma1", order_id="o5", lines=lines))
    await handlers.handle(returns.ApproveReturn(return_id="rma1"))
    received = await handlers.handle(
        returns.ReceiveReturn(
            return_id="rma1",
            location_code="RET",
            lines=(
                ReceivedLine(sku="TEE", quantity=1, condition=ItemCondition.RESELLABLE),
                ReceivedLine(sku="TEE", quantity=1, condition=ItemCondition.DAMAGED),
            ),
        )
    )
    kinds = [type(e).__name__ for e in received.events]
    assert kinds[0] == "ReturnReceived" and "OrderReturnClosed" in kinds and "StockWrittenOff" in kinds
    back = await stock_state(store, codec, "TEE", "RET")
    assert back.on_hand == 1  # the resellable unit; the damaged one arrived and was written off
    refunded = await handlers.handle(
        returns.RefundReturn(return_id="rma1", lines=(RefundLine(sku="TEE", amount=Decimal("19.99")),))
    )
    assert refunded.value.status is ReturnStatus.REFUNDED
    summary = line_summaries(await order_state(store, codec, "o5"))[0]
    assert (summary.delivered, summary.returned) == (2, 2)


async def test_a_replacement_is_a_new_linked_order(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await network(handlers)
    await receive(handlers, "NWK", "TEE", 5)
    await handlers.handle(place("o6", ("TEE", 1)))
    await handlers.handle(SourceOrder(order_id="o6"))
    await handlers.handle(oc.PackShipment(order_id="o6", shipment_id="S1"))
    await handlers.handle(
        oc.DispatchShipment(order_id="o6", shipment_id="S1", carrier="simulated", tracking_number="T")
    )
    await handlers.handle(oc.MarkShipmentDelivered(order_id="o6", shipment_id="S1", delivered_at=clock.now))
    await handlers.handle(
        returns.RequestReturn(return_id="rma2", order_id="o6", lines=(ReturnLine(sku="TEE", quantity=1),))
    )
    await handlers.handle(returns.ApproveReturn(return_id="rma2"))
    await handlers.handle(
        returns.ReceiveReturn(
            return_id="rma2",
            location_code="NWK",
            lines=(ReceivedLine(sku="TEE", quantity=1, condition=ItemCondition.DAMAGED),),
        )
    )
    await handlers.handle(returns.ReplaceReturn(return_id="rma2", replacement_order_id="o6-r"))
    replacement = await order_state(store, codec, "o6-r")
    assert replacement.channel == "replacement:rma2"
    assert [(line.sku, line.quantity) for line in replacement.lines] == [("TEE", 1)]


async def test_a_count_shortfall_takes_the_allocation_back_from_the_newest_order(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await network(handlers)
    await receive(handlers, "NWK", "TEE", 2)
    for oid in ("old", "new"):
        await handlers.handle(place(oid, ("TEE", 1)))
        await handlers.handle(SourceOrder(order_id=oid))
    await handlers.handle(stock.CountStock(sku="TEE", location_code="NWK", counted=1))
    assert order_status(await order_state(store, codec, "old")) is OrderStatus.ALLOCATED
    newest = await order_state(store, codec, "new")
    assert line_summaries(newest)[0].backordered == 1


async def test_commands_for_unknown_orders_are_not_found(handlers: Handlers) -> None:
    with pytest.raises(NotFound):
        await handlers.handle(oc.PackShipment(order_id="nope", shipment_id="S1"))
    with pytest.raises(NotFound):
        await handlers.handle(SourceOrder(order_id="nope"))


async def test_placing_an_order_twice_with_its_idempotency_key_places_it_once(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    # The first placement appends without reading the (new) stream; the second finds it taken, reads the
    # order on its retry and, the key being the same, records nothing.
    first = msgspec.structs.replace(place("o-idem", ("SKU-1", 1)), idempotency_key="k-1")
    assert (await handlers.handle(first)).events
    again = await handlers.handle(first)
    assert again.events == [] and again.position is None
    assert (await store.read_stream(order_stream("o-idem")))[-1].stream_version == 1
    other = msgspec.structs.replace(first, idempotency_key="k-2")
    with pytest.raises(Duplicate):
        await handlers.handle(other)
