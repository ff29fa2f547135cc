"""32 declines and 32 new orders race for one SKU across 4 stores: nothing is oversold, no unit is lost."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from app.domain import order_commands as oc
from app.domain.order_state import OPEN_SHIPMENT, line_summaries
from app.domain.values import Coordinates, LocationType, PickDeclineReason
from app.handlers import ConcurrencyConflict, Handlers, SourceOrder
from eventstore import EventCodec, EventStore

from .support import CHICAGO, DALLAS, NEWARK, location, place, receive
from .test_order_handlers import order_state
from .test_stock_handlers import stock_state

STORES = {"NWK": NEWARK, "CHI": CHICAGO, "DAL": DALLAS, "ATL": Coordinates(33.75, -84.39)}
UNITS = 10  # per store
REASONS = (PickDeclineReason.NOT_FOUND, PickDeclineReason.DAMAGED, PickDeclineReason.OTHER)


async def persist(handlers: Handlers, command: Any) -> None:
    """As a worker would: a command that gave up under contention is tried again (Dramatiq's retry)."""
    while True:
        try:
            await handlers.handle(command)
            return
        except ConcurrencyConflict:
            continue


async def test_declines_and_new_orders_racing_never_oversell_nor_lose_a_unit(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    for code, where in STORES.items():
        await location(handlers, code, where, LocationType.STORE)
        await receive(handlers, code, "HOT", UNITS)
    for i in range(32):
        await handlers.handle(place(f"old{i}", ("HOT", 1)))
        await handlers.handle(SourceOrder(order_id=f"old{i}"))
        await handlers.handle(place(f"new{i}", ("HOT", 1)))
    olds = [await order_state(store, codec, f"old{i}") for i in range(32)]
    declines = [
        oc.ConfirmPick(
            order_id=o.order_id,
            shipment_id=o.shipments[0].shipment_id,
            lines=(oc.PickLine(sku="HOT", picked=0, reason=REASONS[i % 3]),),
        )
        for i, o in enumerate(olds)
    ]
    written_off: Counter[str] = Counter()
    for i, o in enumerate(olds):
        if REASONS[i % 3] is not PickDeclineReason.OTHER:
            written_off[o.shipments[0].location_code] += 1

    start = asyncio.Event()

    async def racer(command: Any) -> None:
        await start.wait()
        await persist(handlers, command)

    commands: list[Any] = [*declines, *(SourceOrder(order_id=f"new{i}") for i in range(32))]
    racers = [asyncio.create_task(racer(c)) for c in commands]
    await asyncio.sleep(0)  # every racer waits at the start line: released together
    start.set()
    await asyncio.gather(*racers)
    # What the backorder worker does when stock is released: orders that lost the race try again (an OTHER
    # decline puts its units back on the shelf after some orders were already backordered).
    for kind in ("new", "old"):
        for i in range(32):
            await persist(handlers, SourceOrder(order_id=f"{kind}{i}"))

    orders = [await order_state(store, codec, f"{kind}{i}") for kind in ("old", "new") for i in range(32)]
    open_units: Counter[str] = Counter()
    for order in orders:
        [summary] = line_summaries(order)
        assert summary.allocated + summary.backordered == 1, order  # every unit served or waiting, none lost
        for shipment in order.shipments:
            if shipment.status in OPEN_SHIPMENT:
                assert shipment.location_code not in order.excluded_locations  # never back to who declined
                open_units[shipment.location_code] += sum(line.quantity for line in shipment.lines)
    for code in STORES:
        level = await stock_state(store, codec, "HOT", code)
        assert level.on_hand + written_off[code] == UNITS  # nothing shipped: on hand + written off is all received
        assert level.reserved <= level.on_hand  # never oversold
        assert level.reserved == open_units[code]  # every reservation belongs to a live shipment, and back
    # Supply is 40 less what was written off; demand is the 32 new orders plus the 32 declined units, and the
    # new orders may take any store's units: every unit left on a shelf is promised.
    assert sum(open_units.values()) == 4 * UNITS - sum(written_off.values())
