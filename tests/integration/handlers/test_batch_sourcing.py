from __future__ import annotations

from app.domain.order_state import order_status
from app.domain.values import OrderStatus
from app.handlers import Handlers, SourceOrders
from eventstore import EventCodec, EventStore

from .conftest import FixedClock
from .support import CHICAGO, NEWARK, location, place, receive
from .test_order_handlers import order_state
from .test_stock_handlers import stock_state


async def test_under_scarcity_a_batch_serves_higher_priority_then_older_orders_first(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await location(handlers, "NWK", NEWARK)
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "NWK", "RARE", 2)
    await receive(handlers, "CHI", "RARE", 1)
    # Placed oldest first; the batch lists them in placement order, as the dispatcher does.
    for order_id, priority in [("low-old", 0), ("high", 5), ("low-new", 0), ("mid", 1)]:
        await handlers.handle(place(order_id, ("RARE", 1), priority=priority))
        clock.advance(minutes=1)
    outcome = await handlers.handle(SourceOrders(order_ids=("low-old", "high", "low-new", "mid")))
    assert [s.order_id for s in outcome.value] == ["high", "mid", "low-old", "low-new"]
    statuses = {i: order_status(await order_state(store, codec, i)) for i in ("high", "mid", "low-old", "low-new")}
    assert statuses == {
        "high": OrderStatus.ALLOCATED,
        "mid": OrderStatus.ALLOCATED,
        "low-old": OrderStatus.ALLOCATED,
        "low-new": OrderStatus.BACKORDERED,
    }
    # The nearest stock (Newark) went to the two most urgent orders.
    assert [s.location_code for s in (await order_state(store, codec, "high")).shipments] == ["NWK"]
    assert [s.location_code for s in (await order_state(store, codec, "mid")).shipments] == ["NWK"]
    assert [s.location_code for s in (await order_state(store, codec, "low-old")).shipments] == ["CHI"]


async def test_a_redelivered_batch_reserves_nothing_twice(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "NWK", NEWARK)
    await receive(handlers, "NWK", "TEE", 10)
    for i in range(3):
        await handlers.handle(place(f"o{i}", ("TEE", 2)))
    await handlers.handle(SourceOrders(order_ids=("o0", "o1", "o2")))
    again = await handlers.handle(SourceOrders(order_ids=("o0", "o1", "o2", "nobody")))
    assert again.position is None and again.events == []
    assert (await stock_state(store, codec, "TEE", "NWK")).reserved == 6


async def test_a_batch_replans_an_order_whose_planned_stock_went_elsewhere(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    """The batch plans on a hint; here the hint is stale (the network view says Newark has stock it lost)."""
    await location(handlers, "NWK", NEWARK)
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "NWK", "TEE", 1)
    await receive(handlers, "CHI", "TEE", 5)
    for i in range(2):
        await handlers.handle(place(f"r{i}", ("TEE", 1)))

    class StaleNetwork:
        async def locations(self):  # type: ignore[no-untyped-def]
            return await handlers.network.locations()

        async def availability(self, skus):  # type: ignore[no-untyped-def]
            return {("NWK", "TEE"): 5, ("CHI", "TEE"): 5}

    stale = Handlers(handlers.ctx, network=StaleNetwork())
    await stale.handle(SourceOrders(order_ids=("r0", "r1")))
    assert (await stock_state(store, codec, "TEE", "NWK")).reserved == 1
    assert (await stock_state(store, codec, "TEE", "CHI")).reserved == 1
