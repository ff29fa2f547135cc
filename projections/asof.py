"""As-of reads: the state of an order, a stock stream or a delivery window's slots at a past moment, folded from
the log.

They load as handlers do (`eventstore.load_state`, with `as_of`): the latest snapshot of a version recorded by
then and the tail up to the last event recorded by then (`recorded_at` never goes backwards within a stream:
the append takes it after the stream lock). Both lookups are single index probes, and the handlers' snapshots
(app.domain.aggregates: a stock stream every 100 events) bound the fold, so a 100,000-event stock stream answers
in about the time it takes to fold a hundred events.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from app.domain.aggregates import ORDER, SLOTS, STOCK
from app.domain.delivery import Slots, slot_stream
from app.domain.order_state import Order
from app.domain.stock import EMPTY_STOCK, StockState
from app.domain.streams import order_stream, parse_stock_stream, stock_stream
from eventstore import EventCodec, EventStore, load_state


async def order_as_of(store: EventStore, codec: EventCodec, order_id: str, at: datetime) -> Order | None:
    """The order as it stood at `at`; None if it had not been placed by then."""
    order, _ = await versioned_order_as_of(store, codec, order_id, at)
    return order


async def versioned_order_as_of(
    store: EventStore, codec: EventCodec, order_id: str, at: datetime
) -> tuple[Order | None, int]:
    """The order as it stood at `at`, and its stream's version then."""
    return await load_state(store, codec, ORDER, order_stream(order_id), as_of=at)


async def stock_as_of(store: EventStore, codec: EventCodec, sku: str, location_code: str, at: datetime) -> StockState:
    """One SKU at one location as it stood at `at` (EMPTY_STOCK before its first event)."""
    state, _ = await load_state(store, codec, STOCK, stock_stream(sku, location_code), as_of=at)
    return state


async def inventory_as_of(store: EventStore, codec: EventCodec, sku: str, at: datetime) -> dict[str, StockState]:
    """Every location's stock of `sku` at `at`, by location code (locations without it by then left out)."""
    # An id ending in ':<sku>' may also be a longer SKU that itself contains ':<sku>'; parsing the id settles it.
    codes = [
        code
        for stream_id in await store.stream_ids("stock", ending=f":{sku}")
        for parsed_sku, code in [parse_stock_stream(stream_id)]
        if parsed_sku == sku
    ]
    states = await asyncio.gather(*(stock_as_of(store, codec, sku, code, at) for code in codes))
    return {code: state for code, state in zip(codes, states, strict=True) if state is not EMPTY_STOCK}


async def slots_as_of(store: EventStore, codec: EventCodec, location_code: str, start: datetime, at: datetime) -> Slots:
    """Who held the slots of one location's window starting at `start`, as it stood at `at`."""
    state, _ = await load_state(store, codec, SLOTS, slot_stream(location_code, start), as_of=at)
    return state
