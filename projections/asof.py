"""As-of reads: the state of an order or a stock stream at a past moment, folded from the log.

The fold starts from the latest snapshot taken of a version recorded by then and replays the tail up to the
last event recorded by then (`recorded_at` never goes backwards within a stream: the append function takes
it after the stream lock). Both lookups are single index probes, so a 100,000-event stock stream answers in
about the time it takes to fold at most `every` events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import msgspec

from app.domain import order_state
from app.domain import stock as stock_domain
from app.domain.order_state import Order
from app.domain.stock import EMPTY_STOCK, StockState
from app.domain.streams import order_stream, parse_stock_stream, stock_stream
from eventstore import EventCodec, EventStore, Snapshot

from .sql import query

S = TypeVar("S")
SNAPSHOT_EVERY = 1000
_encoder = msgspec.json.Encoder()


async def _fold_as_of(
    store: EventStore,
    codec: EventCodec,
    stream_id: str,
    at: datetime,
    *,
    evolve: Callable[[S, Any], S],
    initial: S,
    state_type: Any,
    type_name: str,
) -> S:
    version = await store.pool.fetchval(query("stream_version_at"), stream_id, at)
    if not version:
        return initial
    state, start = initial, 1
    row = await store.pool.fetchrow(query("snapshot_at_version"), stream_id, version)
    # A snapshot of another type or schema (an older state shape) is ignored: folding from zero is correct.
    if row is not None and row["snapshot_type"] == type_name and row["schema_version"] == 1:
        state = msgspec.json.decode(row["state"], type=state_type)
        start = row["version"] + 1
    for recorded in await store.read_stream(stream_id, from_version=start, to_version=version):
        state = evolve(state, codec.decode(recorded))
    return state


async def order_as_of(store: EventStore, codec: EventCodec, order_id: str, at: datetime) -> Order | None:
    """The order as it stood at `at`; None if it had not been placed by then."""
    return await _fold_as_of(
        store,
        codec,
        order_stream(order_id),
        at,
        evolve=order_state.evolve,
        initial=None,
        state_type=Order | None,
        type_name="Order",
    )


async def stock_as_of(store: EventStore, codec: EventCodec, sku: str, location_code: str, at: datetime) -> StockState:
    """One SKU at one location as it stood at `at` (EMPTY_STOCK before its first event)."""
    return await _fold_as_of(
        store,
        codec,
        stock_stream(sku, location_code),
        at,
        evolve=stock_domain.evolve,
        initial=EMPTY_STOCK,
        state_type=StockState,
        type_name="StockState",
    )


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def inventory_as_of(store: EventStore, codec: EventCodec, sku: str, at: datetime) -> dict[str, StockState]:
    """Every location's stock of `sku` at `at`, by location code (locations without it by then left out)."""
    rows = await store.pool.fetch(query("stock_streams_of_sku"), _like_escaped(sku))
    # `stock-%:<sku>` also matches a longer SKU ending in ':<sku>'; parsing the id settles it.
    codes = [
        code
        for stream_id in (r["stream_id"] for r in rows)
        for parsed_sku, code in [parse_stock_stream(stream_id)]
        if parsed_sku == sku
    ]
    states = await asyncio.gather(*(stock_as_of(store, codec, sku, code, at) for code in codes))
    return {code: state for code, state in zip(codes, states, strict=True) if state is not EMPTY_STOCK}


async def snapshot_if_due(
    store: EventStore,
    stream_id: str,
    version: int,
    state: msgspec.Struct,
    *,
    every: int = SNAPSHOT_EVERY,
    previous_version: int | None = None,
) -> bool:
    """Saves `state` (the stream's state at `version`) when the stream crossed a multiple of `every`.

    Handlers call it after an append with the version it returned, and the version before it when known
    (an append of several events may step over the multiple). Returns whether a snapshot was written.
    """
    before = version - 1 if previous_version is None else previous_version
    if version <= 0 or version // every == before // every:
        return False
    snapshot = Snapshot(stream_id, version, type(state).__name__, 1, _encoder.encode(state).decode())
    await store.save_snapshot(snapshot)
    return True
