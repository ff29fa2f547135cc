"""32 declines and 32 new orders race for one SKU across 4 stores (with cancellations among them): nothing is
oversold and no unit is lost, read from the log itself, and the read models agree once they catch up.

The balance, per store and overall: received = on hand + shipped + written off (the on-hand corrections of
NOT_FOUND and DAMAGED declines); every reserved unit belongs to exactly one open shipment at that store; every
ordered unit is in one live shipment, backordered or cancelled.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import asyncpg

from app.domain import order_commands as oc
from app.domain import stock
from app.domain.order_state import LIVE, OPEN_SHIPMENT, SHIPPED, Order, line_summaries, reservation_id, unallocated
from app.domain.stock_events import StockAdjusted, StockReceived, StockShipped, StockWrittenOff
from app.domain.streams import stock_stream
from app.domain.values import Coordinates, LocationType, PickDeclineReason
from app.handlers import ConcurrencyConflict, Handlers, SourceOrder
from eventstore import EventCodec, EventStore
from projections import ProjectionRunner
from tests.integration.projections.history import readmodel

from .support import CHICAGO, DALLAS, NEWARK, location, place, receive
from .test_order_handlers import order_state
from .test_stock_handlers import stock_state

__all__ = ["readmodel"]

STORES = {"NWK": NEWARK, "CHI": CHICAGO, "DAL": DALLAS, "ATL": Coordinates(33.75, -84.39)}
SKU = "HOT"
UNITS = 13  # per store: 4 orders shipped, 32 to decline and 4 to cancel leave 12 units free before the race
REASONS = (PickDeclineReason.NOT_FOUND, PickDeclineReason.DAMAGED, PickDeclineReason.OTHER)
GONE = frozenset({PickDeclineReason.NOT_FOUND, PickDeclineReason.DAMAGED})  # written off the shelf
RACERS = 32


async def persist(handlers: Handlers, command: Any) -> None:
    """As a worker would: a command that gave up under contention (after the handler's own retries) is tried
    again, as Dramatiq retries a failed job."""
    while True:
        try:
            await handlers.handle(command)
            return
        except ConcurrencyConflict:
            continue


async def planned(handlers: Handlers, store: EventStore, codec: EventCodec, order_id: str) -> Order:
    await handlers.handle(place(order_id, (SKU, 1)))
    await handlers.handle(SourceOrder(order_id=order_id))
    order = await order_state(store, codec, order_id)
    assert [s.location_code in STORES for s in order.shipments] == [True], order
    return order


async def stock_history(store: EventStore, codec: EventCodec, code: str) -> Counter[str]:
    """Folds the store's stock stream event by event, checking at every step that nothing was oversold; the
    units received, shipped and written off along the way."""
    state, moved = stock.EMPTY_STOCK, Counter[str]()
    for recorded in await store.read_stream(stock_stream(SKU, code)):
        event = codec.decode(recorded)
        state = stock.evolve(state, event)
        assert 0 <= state.reserved <= state.on_hand, (code, recorded.stream_version, state)
        assert state.on_hand - state.reserved - state.safety_stock >= 0, (code, recorded.stream_version, state)
        match event:
            case StockReceived():
                moved["received"] += event.quantity
            case StockShipped():
                moved["shipped"] += event.quantity
            case StockAdjusted() if event.delta < 0:
                moved["written off"] -= event.delta
            case StockWrittenOff():
                moved["written off"] += event.quantity
            case StockAdjusted():
                raise AssertionError(f"unexpected stock added at {code}: {event}")
    assert state == await stock_state(store, codec, SKU, code)  # the loaded aggregate (snapshot + tail) agrees
    moved["on hand"], moved["reserved"] = state.on_hand, state.reserved
    return moved


async def test_declines_and_new_orders_racing_never_oversell_nor_lose_a_unit(
    handlers: Handlers, store: EventStore, codec: EventCodec, readmodel: asyncpg.Pool
) -> None:
    for code, where in STORES.items():
        await location(handlers, code, where, LocationType.STORE)
        await receive(handlers, code, SKU, UNITS)
    for i in range(4):  # shipped before the race: units that left the building
        order = await planned(handlers, store, codec, f"gone{i}")
        shipment_id = order.shipments[0].shipment_id
        await handlers.handle(oc.PackShipment(order_id=order.order_id, shipment_id=shipment_id))
        await handlers.handle(
            oc.DispatchShipment(
                order_id=order.order_id, shipment_id=shipment_id, carrier="UPS", tracking_number=f"1Z{i}"
            )
        )
    olds = [await planned(handlers, store, codec, f"old{i}") for i in range(RACERS)]
    for i in range(4):
        await planned(handlers, store, codec, f"cancel{i}")
    assert len({o.shipments[0].location_code for o in olds}) >= 3  # declines at several stores

    declines = [
        oc.ConfirmPick(
            order_id=o.order_id,
            shipment_id=o.shipments[0].shipment_id,
            lines=(oc.PickLine(sku=SKU, picked=0, reason=REASONS[i % 3]),),
        )
        for i, o in enumerate(olds)
    ]

    async def new_order(i: int) -> None:
        await persist(handlers, place(f"new{i}", (SKU, 1)))
        await persist(handlers, SourceOrder(order_id=f"new{i}"))

    race: list[Any] = [
        *(persist(handlers, d) for d in declines),
        *(new_order(i) for i in range(RACERS)),
        *(persist(handlers, oc.CancelOrder(order_id=f"cancel{i}")) for i in range(4)),
    ]
    start = asyncio.Barrier(len(race))

    async def racer(work: Any) -> None:
        await start.wait()  # released together, once every racer is at the line
        await work

    await asyncio.gather(*(racer(w) for w in race))
    # What the backorder worker does when stock is released: orders that lost the race try again (an OTHER
    # decline puts its units back on the shelf after some orders were already backordered).
    everyone = [f"{kind}{i}" for kind in ("gone", "cancel") for i in range(4)]
    everyone += [f"{kind}{i}" for kind in ("old", "new") for i in range(RACERS)]
    for order_id in everyone:
        await persist(handlers, SourceOrder(order_id=order_id))

    # The orders: every unit ordered is in exactly one live shipment, backordered, or cancelled.
    orders = [await order_state(store, codec, order_id) for order_id in everyone]
    open_units: Counter[tuple[str, str]] = Counter()  # (location, reservation id) -> units of open shipments
    shipped: Counter[str] = Counter()
    declined_gone: Counter[str] = Counter()
    for order in orders:
        live = sum(line.quantity for s in order.shipments if s.status in LIVE for line in s.lines)
        [summary] = line_summaries(order)
        if order.cancelled:  # the whole order (its lines' `cancelled` stays 0: only line cancellations count)
            assert live == summary.allocated == summary.backordered == 0, order
        else:
            assert live + unallocated(order).get(SKU, 0) + order.cancelled_quantities.get(SKU, 0) == 1, order
            assert summary.allocated + summary.backordered + summary.cancelled == summary.ordered == 1, summary
        for s in order.shipments:
            units = sum(line.quantity for line in s.lines)
            if s.status in OPEN_SHIPMENT:
                assert s.location_code not in order.excluded_locations  # never back to who declined
                open_units[(s.location_code, reservation_id(order.order_id, s.shipment_id))] += units
            if s.status in SHIPPED:
                shipped[s.location_code] += units
            declined_gone[s.location_code] += sum(d.quantity for d in s.declines if d.reason in GONE)
    assert sum(o.cancelled for o in orders) == 4
    assert sum(1 for o in orders if o.order_id.startswith("old") and o.shipments[0].declines) == RACERS

    # The stock, from the log: never oversold at any step, balanced at the end, and every reservation is one
    # open shipment's (none counted twice, none leaked).
    total: Counter[str] = Counter()
    for code in STORES:
        moved = await stock_history(store, codec, code)
        total.update(moved)
        assert moved["received"] == UNITS == moved["on hand"] + moved["shipped"] + moved["written off"], moved
        assert moved["shipped"] == shipped[code]
        assert moved["written off"] == declined_gone[code]
        level = await stock_state(store, codec, SKU, code)
        held = {(code, rid): qty for rid, qty in level.reservations.items()}
        assert held == {key: units for key, units in open_units.items() if key[0] == code}, code
    assert total["received"] == 4 * UNITS == total["on hand"] + total["shipped"] + total["written off"]
    assert total["reserved"] == sum(open_units.values()) <= total["on hand"]
    assert total["written off"] == sum(1 for i in range(RACERS) if REASONS[i % 3] in GONE)
    assert total["shipped"] == 4

    # The read models, once caught up, say the same.
    head = await store.head()
    assert head is not None and await ProjectionRunner(readmodel).wait_for(head, 30.0)
    levels = await readmodel.fetch("SELECT location_code, on_hand, reserved, available FROM stock_levels")
    expected_levels = []
    for code in STORES:
        level = await stock_state(store, codec, SKU, code)
        expected_levels.append((code, level.on_hand, level.reserved, level.atp))
    assert sorted(tuple(r) for r in levels) == sorted(expected_levels)
    rows = await readmodel.fetch("SELECT order_id, shipment_id, location_code, status FROM shipments")
    truth = {(o.order_id, s.shipment_id, s.location_code, s.status.value) for o in orders for s in o.shipments}
    assert {tuple(r) for r in rows} == truth
