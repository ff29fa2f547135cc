from __future__ import annotations

import asyncio

import pytest

from app.domain import stock
from app.domain.aggregates import STOCK
from app.domain.errors import DomainError, InsufficientStock, InvalidQuantity, LocationInactive, UnknownLocation
from app.domain.locations import DeactivateLocation
from app.domain.streams import stock_stream
from app.handlers import CheckReplenishment, Handlers
from eventstore import EventCodec, EventStore, load_state

from .support import CHICAGO, NEWARK, location, receive


async def stock_state(store: EventStore, codec: EventCodec, sku: str, code: str) -> stock.StockState:
    state, _ = await load_state(store, codec, STOCK, stock_stream(sku, code))
    return state


async def test_receiving_and_adjusting_stock_moves_on_hand(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "DC1", NEWARK)
    await receive(handlers, "DC1", "SKU-1", 10)
    outcome = await handlers.handle(stock.AdjustStock(sku="SKU-1", location_code="DC1", delta=-3, reason="damaged"))
    assert outcome.position is not None
    state = await stock_state(store, codec, "SKU-1", "DC1")
    assert (state.on_hand, state.atp) == (7, 7)


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (stock.ReceiveStock(sku="S", location_code="DC1", quantity=0), InvalidQuantity),
        (stock.ReceiveStock(sku="S", location_code="DC1", quantity=-4), InvalidQuantity),
        (stock.ReceiveStock(sku="S", location_code="NOWHERE", quantity=1), UnknownLocation),
        (stock.AdjustStock(sku="S", location_code="DC1", delta=-99, reason="x"), InsufficientStock),
        (stock.ReleaseReservation(sku="S", location_code="DC1", reservation_id="r-1", quantity=9), DomainError),
        (stock.ReserveStock(sku="S", location_code="DC1", reservation_id="r-2", quantity=6), InsufficientStock),
    ],
)
async def test_bad_commands_are_refused_and_append_nothing(
    handlers: Handlers, store: EventStore, command: stock.StockCommand, error: type[DomainError]
) -> None:
    await location(handlers, "DC1", NEWARK)
    await receive(handlers, "DC1", "S", 5)
    before = await store.pool.fetchval("SELECT count(*) FROM events")
    with pytest.raises(error) as caught:
        await handlers.handle(command)
    assert caught.value.code and caught.value.message
    assert await store.pool.fetchval("SELECT count(*) FROM events") == before


async def test_an_inactive_location_takes_no_new_stock(handlers: Handlers) -> None:
    await location(handlers, "DC1", NEWARK)
    await handlers.handle(DeactivateLocation(code="DC1", reason="closed"))
    with pytest.raises(LocationInactive):
        await receive(handlers, "DC1", "S", 1)


async def test_thirty_two_racing_reservations_never_oversell(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "DC1", NEWARK)
    await receive(handlers, "DC1", "HOT", 10)

    async def reserve(i: int) -> bool:
        try:
            await handlers.handle(
                stock.ReserveStock(sku="HOT", location_code="DC1", reservation_id=f"r{i}", quantity=1)
            )
        except InsufficientStock:
            return False
        return True

    results = await asyncio.gather(*(reserve(i) for i in range(32)))
    assert sum(results) == 10
    state = await stock_state(store, codec, "HOT", "DC1")
    assert (state.on_hand, state.reserved, state.atp) == (10, 10, 0)
    reserved_events = await store.pool.fetchval("SELECT count(*) FROM events WHERE event_type = 'StockReserved'")
    assert reserved_events == 10


async def test_a_long_stock_stream_is_snapshotted_and_loads_the_same(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "DC1", NEWARK)
    for _ in range(105):
        await receive(handlers, "DC1", "S", 1)
    snapshot, tail = await store.load(stock_stream("S", "DC1"), STOCK.name)
    assert snapshot is not None and snapshot.version == 100
    assert len(tail) == 5
    assert (await stock_state(store, codec, "S", "DC1")).on_hand == 105


async def test_replenishment_is_requested_once_below_the_reorder_point(handlers: Handlers, store: EventStore) -> None:
    await location(handlers, "DC1", NEWARK)
    await location(handlers, "DC2", CHICAGO)
    await receive(handlers, "DC1", "S", 3)
    await receive(handlers, "DC2", "S", 500)
    await handlers.handle(stock.SetReorderPoint(sku="S", location_code="DC1", reorder_point=10, reorder_quantity=50))
    first = await handlers.handle(CheckReplenishment(sku="S", location_code="DC1"))
    again = await handlers.handle(CheckReplenishment(sku="S", location_code="DC1"))
    assert first.value is not None and again.value is None
    request = first.events[0]
    assert type(request).__name__ == "ReplenishmentRequested"
    assert (request.kind, request.source_location_code, request.quantity) == ("TRANSFER", "DC2", 50)  # type: ignore[attr-defined]
