"""editOrder on real PostgreSQL: the edit, the stock it releases and the sourcing of what it adds in one append,
guarded by the order's version."""

from __future__ import annotations

import asyncio

import pytest

from app.domain import order_commands as oc
from app.domain.order_events import OrderEdited, SourcingDecided
from app.domain.order_state import line_summaries
from app.domain.streams import order_stream, stock_stream
from app.domain.values import Address, Coordinates, Line, ShipmentStatus
from app.handlers import ConcurrencyConflict, Handlers, SourceOrder
from eventstore import EventCodec, EventStore

from .support import CHICAGO, NEWARK, location, place, receive
from .test_order_handlers import order_state
from .test_stock_handlers import stock_state

CHICAGO_ADDRESS = Address(coordinates=Coordinates(41.90, -87.65), postal_code="60610", country="US")


async def placed_and_sourced(handlers: Handlers, order_id: str, *lines: tuple[str, int]) -> None:
    await handlers.handle(place(order_id, *lines))
    await handlers.handle(SourceOrder(order_id=order_id))


def edit(order_id: str, *lines: tuple[str, int], **change: object) -> oc.EditOrder:
    return oc.EditOrder(order_id=order_id, lines=tuple(Line(s, q) for s, q in lines) if lines else None, **change)  # type: ignore[arg-type]


async def test_an_edit_releases_the_difference_and_sources_what_it_adds_in_one_append(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "NWK", NEWARK)
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "NWK", "TEE", 5)
    await receive(handlers, "CHI", "CAP", 5)
    await placed_and_sourced(handlers, "o1", ("TEE", 4))
    before = await store.stream_version(order_stream("o1"))

    outcome = await handlers.handle(edit("o1", ("TEE", 1), ("CAP", 2)))
    names = sorted(type(e).__name__ for e in outcome.events)
    assert names == ["OrderAllocated", "OrderEdited", "ReservationReleased", "SourcingDecided", "StockReserved"]
    written = [
        *await store.read_stream(order_stream("o1"), from_version=before + 1),
        (await store.read_stream(stock_stream("TEE", "NWK")))[-1],
        (await store.read_stream(stock_stream("CAP", "CHI")))[-1],
    ]
    assert len(written) == 5 and len({e.transaction_id for e in written}) == 1  # one append
    decision = next(e for e in outcome.events if isinstance(e, SourcingDecided))
    assert decision.trigger == "EDITED"
    assert [(s.location_code, s.shipment_id) for s in decision.shipments] == [("CHI", "S2")]  # only the difference

    order = await order_state(store, codec, "o1")
    assert [(s.shipment_id, s.status, s.lines) for s in order.shipments] == [
        ("S1", ShipmentStatus.PLANNED, (Line("TEE", 1),)),
        ("S2", ShipmentStatus.PLANNED, (Line("CAP", 2),)),
    ]
    assert [(s.sku, s.ordered, s.cancelled, s.allocated) for s in line_summaries(order)] == [
        ("TEE", 4, 3, 1),
        ("CAP", 2, 0, 2),
    ]
    tee, cap = await stock_state(store, codec, "TEE", "NWK"), await stock_state(store, codec, "CAP", "CHI")
    assert (tee.on_hand, tee.reserved, tee.atp) == (5, 1, 4)  # released and reserved balance
    assert (cap.on_hand, cap.reserved) == (5, 2)


async def test_a_stale_expected_version_is_a_conflict_and_appends_nothing(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "NWK", NEWARK)
    await receive(handlers, "NWK", "TEE", 5)
    await placed_and_sourced(handlers, "o2", ("TEE", 2))
    version = await store.stream_version(order_stream("o2"))
    await handlers.handle(oc.PlaceOrderOnHold(order_id="o2", reason="fraud check"))  # the order moves on
    head = await store.head()

    with pytest.raises(ConcurrencyConflict) as refused:
        await handlers.handle(edit("o2", ("TEE", 1), expected_version=version))
    assert (refused.value.code, refused.value.field) == ("CONFLICT", ("expectedVersion",))
    assert await store.head() == head
    tee = await stock_state(store, codec, "TEE", "NWK")
    assert tee.reserved == 2

    current = await store.stream_version(order_stream("o2"))
    outcome = await handlers.handle(edit("o2", ("TEE", 1), expected_version=current))
    assert any(isinstance(e, OrderEdited) for e in outcome.events)
    assert (await stock_state(store, codec, "TEE", "NWK")).reserved == 1


async def test_a_new_address_plans_the_unpicked_order_again_for_it(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "NWK", NEWARK)
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "NWK", "TEE", 5)
    await receive(handlers, "CHI", "TEE", 5)
    await placed_and_sourced(handlers, "o3", ("TEE", 2))
    assert [s.location_code for s in (await order_state(store, codec, "o3")).shipments] == ["NWK"]

    outcome = await handlers.handle(edit("o3", ship_to=CHICAGO_ADDRESS))
    decision = next(e for e in outcome.events if isinstance(e, SourcingDecided))
    assert decision.trigger == "EDITED"
    order = await order_state(store, codec, "o3")
    assert order.ship_to == CHICAGO_ADDRESS
    assert [(s.location_code, s.status) for s in order.shipments] == [
        ("NWK", ShipmentStatus.CANCELLED),
        ("CHI", ShipmentStatus.PLANNED),
    ]
    nwk, chi = await stock_state(store, codec, "TEE", "NWK"), await stock_state(store, codec, "TEE", "CHI")
    assert (nwk.reserved, chi.reserved) == (0, 2)


async def test_an_edit_with_nothing_to_change_appends_nothing(handlers: Handlers, store: EventStore) -> None:
    await location(handlers, "NWK", NEWARK)
    await receive(handlers, "NWK", "TEE", 5)
    await placed_and_sourced(handlers, "o4", ("TEE", 2))
    head = await store.head()
    outcome = await handlers.handle(edit("o4", ("TEE", 2)))
    assert outcome.events == [] and outcome.position is None
    assert await store.head() == head


async def test_of_two_edits_racing_on_one_version_exactly_one_lands(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "NWK", NEWARK)
    await receive(handlers, "NWK", "TEE", 10)
    await placed_and_sourced(handlers, "o5", ("TEE", 2))
    version = await store.stream_version(order_stream("o5"))

    async def attempt(quantity: int) -> str:
        try:
            await handlers.handle(edit("o5", ("TEE", quantity), expected_version=version))
        except ConcurrencyConflict:
            return "CONFLICT"
        return "EDITED"

    results = await asyncio.gather(attempt(1), attempt(4))
    assert sorted(results) == ["CONFLICT", "EDITED"]
    order = await order_state(store, codec, "o5")
    live = sum(line.quantity for line in order.lines) - sum(order.cancelled_quantities.values())
    assert live == (1 if results[0] == "EDITED" else 4)
    assert (await stock_state(store, codec, "TEE", "NWK")).reserved == live  # one edit's stock moves, not both
