"""Orders for a delivery window on PostgreSQL: the slot and the stock in one append, WINDOW_UNAVAILABLE changing
nothing, cancel giving the slot back, scheduled day windows released later, and 40 customers racing for 8 slots."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest

from app.domain import locations
from app.domain import order_commands as oc
from app.domain.aggregates import SLOTS
from app.domain.delivery import ChosenWindow, DeliveryCapacity, Slots, WindowUnavailable, slot_stream
from app.domain.values import Line, LocationType, ServiceLevel
from app.handlers import Handlers
from eventstore import EventCodec, EventStore, load_state

from .conftest import FixedClock
from .support import CHICAGO, NEWARK, location, place, receive
from .test_order_handlers import order_state
from .test_stock_handlers import stock_state

NEW_YORK = ZoneInfo("America/New_York")
# The clock of these tests: 2026-11-02 09:00 UTC, 04:00 in New York (the day after the clocks fell back).
TEN = datetime(2026, 11, 2, 10, tzinfo=NEW_YORK).astimezone(UTC)
COURIER = DeliveryCapacity(
    window_minutes=120, deliveries_per_window=8, first_window_starts_at="10:00", last_window_ends_at="20:00"
)


async def courier_store(handlers: Handlers, code: str = "NWK", slots: int = 8) -> None:
    await location(handlers, code, NEWARK, LocationType.STORE)
    capacity = msgspec.structs.replace(COURIER, deliveries_per_window=slots)
    await handlers.handle(locations.UpdateLocation(code=code, delivery_capacity=capacity))


def for_window(command: oc.PlaceOrder, start: datetime, hours: int = 2) -> oc.PlaceOrder:
    asked = ChosenWindow(start=start, end=start + timedelta(hours=hours), service_level=command.service_level)
    return msgspec.structs.replace(command, delivery_window=asked)


async def slots(store: EventStore, codec: EventCodec, code: str, start: datetime) -> Slots:
    state, _ = await load_state(store, codec, SLOTS, slot_stream(code, start))
    return state


async def test_a_window_order_reserves_its_stock_and_a_slot_in_one_append(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await courier_store(handlers)
    await receive(handlers, "NWK", "MILK", 5)
    outcome = await handlers.handle(for_window(place("o1", ("MILK", 2)), TEN))
    assert {type(e).__name__ for e in outcome.events} >= {"OrderPlaced", "OrderAllocated", "SlotReserved"}
    order = await order_state(store, codec, "o1")
    assert order.delivery_window is not None and order.delivery_window.location_code == "NWK"
    assert order.delivery_window.service_level is ServiceLevel.SAME_DAY
    (shipment,) = order.shipments
    assert shipment.location_code == "NWK"
    assert shipment.release_at == TEN - timedelta(hours=1)  # the latest pick start: an hour's lead
    assert (await stock_state(store, codec, "MILK", "NWK")).reserved == 2
    assert (await slots(store, codec, "NWK", TEN)).holders == ("o1",)


async def test_an_unavailable_window_changes_nothing(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await courier_store(handlers, slots=1)
    await receive(handlers, "NWK", "MILK", 5)
    await handlers.handle(for_window(place("o1", ("MILK", 1)), TEN))
    head = await store.head()
    refusals = [
        for_window(place("full", ("MILK", 1)), TEN),  # its one slot is taken
        for_window(place("short", ("MILK", 9)), TEN + timedelta(hours=2)),  # not enough milk
        for_window(place("odd", ("MILK", 1)), TEN + timedelta(hours=1)),  # not one of the store's windows
    ]
    for command in refusals:
        with pytest.raises(WindowUnavailable) as refused:
            await handlers.handle(command)
        assert refused.value.field == ("deliveryWindow",), command.order_id
    clock.advance(hours=7, minutes=30)  # 11:30 in New York: the 12:00 window's cut-off (11:00) has passed
    with pytest.raises(WindowUnavailable):
        await handlers.handle(for_window(place("late", ("MILK", 1)), TEN + timedelta(hours=2)))
    assert await store.head() == head  # no order, no reservation, no slot
    assert (await stock_state(store, codec, "MILK", "NWK")).reserved == 1


async def test_cancel_gives_the_slot_back(handlers: Handlers, store: EventStore, codec: EventCodec) -> None:
    await courier_store(handlers, slots=1)
    await receive(handlers, "NWK", "MILK", 5)
    await handlers.handle(for_window(place("o1", ("MILK", 1)), TEN))
    await handlers.handle(oc.CancelOrder(order_id="o1", reason="changed my mind"))
    assert (await slots(store, codec, "NWK", TEN)).taken == 0
    assert (await stock_state(store, codec, "MILK", "NWK")).reserved == 0
    await handlers.handle(for_window(place("o2", ("MILK", 1)), TEN))
    assert (await slots(store, codec, "NWK", TEN)).holders == ("o2",)


async def test_cancelling_every_line_gives_the_slot_back_too(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await courier_store(handlers, slots=1)
    await receive(handlers, "NWK", "MILK", 5)
    await handlers.handle(for_window(place("o1", ("MILK", 2)), TEN))
    await handlers.handle(oc.CancelOrderLines(order_id="o1", lines=(Line("MILK", 1),)))
    assert (await slots(store, codec, "NWK", TEN)).holders == ("o1",)  # still delivering one
    assert (await stock_state(store, codec, "MILK", "NWK")).reserved == 1  # and still holding it
    await handlers.handle(oc.CancelOrderLines(order_id="o1"))
    assert (await slots(store, codec, "NWK", TEN)).taken == 0


async def test_a_scheduled_day_window_is_sourced_now_and_released_later(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "CHI", "TV", 3)
    # Ground from Chicago to Manhattan (~1,150 km) takes 3 days: the 2026-11-05 promise; the customer asks for
    # Saturday 7 November (local day in New York), so the pick may wait two days.
    saturday = datetime(2026, 11, 7, tzinfo=NEW_YORK).astimezone(UTC)
    await handlers.handle(for_window(place("o1", ("TV", 1)), saturday, hours=24))
    order = await order_state(store, codec, "o1")
    assert order.delivery_window is not None and order.delivery_window.location_code is None
    (shipment,) = order.shipments
    assert shipment.location_code == "CHI"
    assert shipment.release_at == datetime(2026, 11, 4, 9, tzinfo=UTC)
    assert (await stock_state(store, codec, "TV", "CHI")).reserved == 1
    with pytest.raises(WindowUnavailable):  # before the earliest promise: no plan makes it
        await handlers.handle(for_window(place("o2", ("TV", 1)), saturday - timedelta(days=4), hours=24))


async def test_forty_customers_racing_for_eight_slots(handlers: Handlers, store: EventStore, codec: EventCodec) -> None:
    await courier_store(handlers, slots=8)
    await receive(handlers, "NWK", "MILK", 100)
    start = asyncio.Event()

    async def customer(i: int) -> bool:
        await start.wait()
        try:
            await handlers.handle(for_window(place(f"o{i}", ("MILK", 1), customer=f"c{i}"), TEN))
        except WindowUnavailable:
            return False
        return True

    racers = [asyncio.create_task(customer(i)) for i in range(40)]
    start.set()
    accepted = await asyncio.gather(*racers)
    assert accepted.count(True) == 8 and accepted.count(False) == 32
    window = await slots(store, codec, "NWK", TEN)
    assert window.taken == 8 and len(set(window.holders)) == 8
    won = {f"o{i}" for i, ok in enumerate(accepted) if ok}
    assert set(window.holders) == won
    milk = await stock_state(store, codec, "MILK", "NWK")
    assert milk.reserved == 8  # the refused hold nothing
    assert sorted(await store.stream_ids("order")) == sorted(f"order-{o}" for o in won)  # no order for the refused
