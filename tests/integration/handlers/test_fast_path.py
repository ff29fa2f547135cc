"""The fast path: an order the engine decides without the solver is allocated in its placing append."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import msgspec
import pytest

from app.domain import order_commands as oc
from app.domain.order_events import OrderPlaced, SourcingDecided
from app.domain.order_state import line_summaries, order_status
from app.domain.streams import order_stream, stock_stream
from app.domain.values import DeliveryMethod, LocationType, OrderStatus
from app.handlers import Context, Handlers, SourceOrder
from app.handlers.simulation import simulate_sourcing
from app.sourcing import default_profile
from eventstore import EventCodec, EventStore

from .conftest import FixedClock
from .support import CHICAGO, DALLAS, MANHATTAN, NEWARK, location, place, receive
from .test_order_handlers import order_state
from .test_simulation import DAY_FROM, DAY_TO, history
from .test_stock_handlers import stock_state


@pytest.fixture
def fast(store: EventStore, codec: EventCodec, clock: FixedClock) -> Handlers:
    return Handlers(Context(store, codec, clock=clock), fast_path=True)


async def network(handlers: Handlers) -> None:
    await location(handlers, "NWK", NEWARK)
    await location(handlers, "CHI", CHICAGO)
    await location(handlers, "DAL", DALLAS)


def names(events: Sequence[object]) -> list[str]:
    return [type(e).__name__ for e in events]


async def test_an_order_one_location_serves_is_allocated_in_its_placing_append(
    fast: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await network(fast)
    await receive(fast, "NWK", "TEE", 5)
    await receive(fast, "DAL", "TEE", 50)
    outcome = await fast.handle(place("o1", ("TEE", 2)))
    assert names(outcome.events) == ["OrderPlaced", "SourcingDecided", "OrderAllocated", "StockReserved"]
    placed = outcome.events[0]
    assert isinstance(placed, OrderPlaced) and placed.allocated_on_placement
    # One append: the order's events and the reservation share one transaction.
    written = [*await store.read_stream(order_stream("o1")), *await store.read_stream(stock_stream("TEE", "NWK"))]
    assert (
        len({e.transaction_id for e in written if e.stream_id == order_stream("o1") or e.event_type == "StockReserved"})
        == 1
    )
    order = await order_state(store, codec, "o1")
    assert order_status(order) is OrderStatus.ALLOCATED
    assert (await stock_state(store, codec, "TEE", "NWK")).reserved == 2
    # The sourcing actor, should it run anyway, finds nothing to do.
    assert (await fast.handle(SourceOrder(order_id="o1"))).position is None


async def test_the_decision_is_the_one_the_sourcing_actor_records(
    fast: Handlers, handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await network(fast)
    await receive(fast, "NWK", "TEE", 500)
    await receive(fast, "CHI", "TEE", 500)
    await receive(fast, "DAL", "CAP", 500)
    await receive(fast, "NWK", "CAP", 500)
    by_fast = (await fast.handle(place("f1", ("TEE", 2), ("CAP", 1)))).events[1]
    await handlers.handle(place("a1", ("TEE", 2), ("CAP", 1)))
    by_actor = (await handlers.handle(SourceOrder(order_id="a1"))).events[0]
    assert isinstance(by_fast, SourcingDecided) and isinstance(by_actor, SourcingDecided)
    assert by_fast.algorithm == "exact-single-parcel" and by_fast.trigger == "PLACED"
    assert msgspec.structs.replace(by_fast, order_id="a1") == by_actor


async def test_orders_that_need_the_solver_or_backorder_are_left_to_the_actor(
    fast: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await network(fast)
    await receive(fast, "NWK", "A", 1)
    await receive(fast, "CHI", "A", 1)
    await receive(fast, "NWK", "RARE", 1)
    split = await fast.handle(place("split", ("A", 2)))  # no single location holds both units: the MILP decides
    short = await fast.handle(place("short", ("RARE", 3)))  # a backorder
    for outcome in (split, short):
        assert names(outcome.events) == ["OrderPlaced"]
        placed = outcome.events[0]
        assert isinstance(placed, OrderPlaced) and not placed.allocated_on_placement
    assert (await stock_state(store, codec, "A", "NWK")).reserved == 0
    await fast.handle(SourceOrder(order_id="split"))
    assert sorted(s.location_code for s in (await order_state(store, codec, "split")).shipments) == ["CHI", "NWK"]
    await fast.handle(SourceOrder(order_id="short"))
    summary = {s.sku: (s.allocated, s.backordered) for s in line_summaries(await order_state(store, codec, "short"))}
    assert summary == {"RARE": (1, 2)}


async def test_a_pickup_or_held_order_is_left_to_the_actor(
    fast: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await network(fast)
    await location(fast, "ST1", MANHATTAN.coordinates, LocationType.STORE)
    await receive(fast, "ST1", "TEE", 5)
    command = msgspec.structs.replace(
        place("p1", ("TEE", 1)), delivery_method=DeliveryMethod.PICKUP, pickup_location_code="ST1"
    )
    assert names((await fast.handle(command)).events) == ["OrderPlaced"]
    assert (await stock_state(store, codec, "TEE", "ST1")).reserved == 0
    # A hold (placed on an order after placing, e.g. a replacement awaiting its return) is never sourced here.
    await fast.handle(place("h1", ("TEE", 1)))
    await fast.handle(oc.PlaceOrderOnHold(order_id="h1", reason="review"))
    assert (await stock_state(store, codec, "TEE", "ST1")).reserved == 1


async def test_a_retried_placement_allocates_once(fast: Handlers, store: EventStore, codec: EventCodec) -> None:
    await network(fast)
    await receive(fast, "NWK", "TEE", 5)
    command = msgspec.structs.replace(place("o1", ("TEE", 2)), idempotency_key="k-1")
    first = await fast.handle(command)
    again = await fast.handle(command)
    assert names(first.events)[:3] == ["OrderPlaced", "SourcingDecided", "OrderAllocated"]
    assert again.position is None and again.events == []
    assert (await stock_state(store, codec, "TEE", "NWK")).reserved == 2
    assert len(await store.read_stream(order_stream("o1"))) == 3


async def test_placements_racing_for_scarce_stock_never_oversell(
    fast: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await network(fast)
    await receive(fast, "NWK", "HOT", 10)
    ids = [f"r{i:02d}" for i in range(32)]
    outcomes = await asyncio.gather(*(fast.handle(place(i, ("HOT", 1))) for i in ids))
    fast_ones = [o for o in outcomes if "OrderAllocated" in names(o.events)]
    assert 1 <= len(fast_ones) <= 10
    assert (await stock_state(store, codec, "HOT", "NWK")).reserved == len(fast_ones)
    for order_id in ids:  # the actor sources the rest, as the dispatcher would have it
        await fast.handle(SourceOrder(order_id=order_id))
    hot = await stock_state(store, codec, "HOT", "NWK")
    assert hot.reserved == 10 and hot.atp == 0
    allocated = [sum(s.allocated for s in line_summaries(await order_state(store, codec, i))) for i in ids]
    assert sum(allocated) == 10


async def test_what_if_sourcing_finds_orders_allocated_on_placement(
    fast: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await history(fast, clock)  # every order of it allocated in its placing append
    same = msgspec.structs.replace(default_profile(), version=1)
    report = await simulate_sourcing(store, codec, same, period_from=DAY_FROM, period_to=DAY_TO)
    assert report.live.orders == report.draft.orders == 2 and report.undecided_orders == 0
    assert report.changed == () and report.draft == report.live
