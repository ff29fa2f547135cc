"""As-of reads answer from the log: the state at a past moment, with and without snapshots."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from app.domain.aggregates import STOCK
from app.domain.events import Event
from app.domain.order_state import order_status
from app.domain.stock import EMPTY_STOCK, StockState
from app.domain.stock_events import StockReceived, StockReserved
from app.domain.streams import stock_stream
from app.domain.values import OrderStatus
from app.handlers.unit_of_work import Context, UnitOfWork, execute
from eventstore import AppendResult, EventStore, Metadata, Snapshot
from projections import inventory_as_of, order_as_of, stock_as_of
from tests.integration.projections.history import append, codec, realistic_history


async def _recorded_at(store: EventStore, result: AppendResult) -> datetime:
    return await _recorded_at_position(store, result.position.global_position)


async def _recorded_at_position(store: EventStore, global_position: int) -> datetime:
    at: datetime = await store.pool.fetchval(
        "SELECT recorded_at FROM events WHERE global_position = $1", global_position
    )
    return at


async def test_order_as_of_past_moments(store: EventStore) -> None:
    last = await realistic_history(store)
    placed_at = await store.pool.fetchval(
        "SELECT recorded_at FROM events WHERE stream_id = 'order-o-1' AND stream_version = 1"
    )
    allocated_at = await store.pool.fetchval(
        "SELECT recorded_at FROM events WHERE stream_id = 'order-o-1' AND event_type = 'OrderAllocated'"
    )
    end = await _recorded_at(store, last)

    assert await order_as_of(store, codec, "o-1", placed_at - timedelta(microseconds=1)) is None
    placed = await order_as_of(store, codec, "o-1", placed_at)
    assert placed is not None and order_status(placed) is OrderStatus.PLACED
    allocated = await order_as_of(store, codec, "o-1", allocated_at)
    assert allocated is not None and order_status(allocated) is OrderStatus.ALLOCATED
    now = await order_as_of(store, codec, "o-1", end)
    assert now is not None and order_status(now) is OrderStatus.PARTIALLY_DELIVERED
    assert len(now.returns) == 1 and now.returns[0].closed


async def test_stock_as_of_starts_from_the_handlers_snapshots(store: EventStore) -> None:
    stream = stock_stream("SKU-S", "DC1")
    ctx = Context(store, codec)
    moments: list[tuple[datetime, StockState]] = []
    for batch in range(25):  # 2,500 events in commits of 100: the unit of work snapshots at every 100th
        events: list[Event] = [StockReceived(sku="SKU-S", location_code="DC1", quantity=1) for _ in range(99)]
        events.append(StockReserved(sku="SKU-S", location_code="DC1", reservation_id=f"r{batch}", quantity=1))

        async def work(uow: UnitOfWork, events: list[Event] = events) -> StockState:
            await uow.get(STOCK, stream)
            return uow.record(STOCK, stream, events)

        outcome = await execute(ctx, Metadata(), work)
        assert outcome.position is not None
        moments.append((await _recorded_at_position(store, outcome.position.global_position), outcome.value))
    snapshots = [r["version"] for r in await store.pool.fetch("SELECT version FROM snapshots ORDER BY version")]
    assert snapshots == list(range(100, 2501, 100))

    for at, expected in moments:
        assert await stock_as_of(store, codec, "SKU-S", "DC1", at) == expected
    assert await stock_as_of(store, codec, "SKU-S", "DC1", moments[0][0] - timedelta(seconds=1)) == EMPTY_STOCK

    # The snapshot is what the fold starts from: a doctored one at 2,000 shows up after it, not before.
    doctored = msgspec.json.encode(msgspec.structs.replace(moments[19][1], on_hand=1_000_000)).decode()
    await store.pool.execute("DELETE FROM snapshots WHERE version = 2000")
    await store.save_snapshot(Snapshot(stream, 2000, "StockState", 1, doctored))
    assert (await stock_as_of(store, codec, "SKU-S", "DC1", moments[19][0])).on_hand == 1_000_000
    assert await stock_as_of(store, codec, "SKU-S", "DC1", moments[18][0]) == moments[18][1]
    # A snapshot of another state type, or of another schema version of it, is ignored.
    await store.pool.execute("UPDATE snapshots SET snapshot_type = 'Other' WHERE version = 2000")
    assert await stock_as_of(store, codec, "SKU-S", "DC1", moments[19][0]) == moments[19][1]
    await store.pool.execute("UPDATE snapshots SET state = $1::JSON WHERE version = 1900", doctored)
    # Doctored at 1,900 now, and the 99 units received after it on top.
    assert (await stock_as_of(store, codec, "SKU-S", "DC1", moments[19][0])).on_hand == 1_000_099
    await store.pool.execute("UPDATE snapshots SET schema_version = 2 WHERE version = 1900")
    assert await stock_as_of(store, codec, "SKU-S", "DC1", moments[19][0]) == moments[19][1]


async def test_inventory_as_of_across_locations_with_awkward_skus(store: EventStore) -> None:
    for sku, code, quantity in (
        ("A_%", "DC1", 5),
        ("A_%", "ST1", 2),
        ("AB%", "DC1", 7),
        ("Y:A_%", "DC1", 9),
        ("A_%x", "DC2", 1),
    ):
        result = await append(
            store, stock_stream(sku, code), StockReceived(sku=sku, location_code=code, quantity=quantity)
        )
    end = await _recorded_at(store, result)
    found = await inventory_as_of(store, codec, "A_%", end)
    assert {code: s.on_hand for code, s in found.items()} == {"DC1": 5, "ST1": 2}
    assert await inventory_as_of(store, codec, "A_%", end - timedelta(hours=1)) == {}
