"""confirmPick on real PostgreSQL: a decline is released, corrected and re-sourced in one append."""

from __future__ import annotations

from app.domain import order_commands as oc
from app.domain.order_events import SourcingDecided
from app.domain.order_state import line_summaries, order_status
from app.domain.values import OrderStatus, PickDeclineReason, ShipmentStatus
from app.handlers import Handlers, SourceOrder
from eventstore import EventCodec, EventStore

from .support import CHICAGO, NEWARK, location, place, receive
from .test_order_handlers import order_state
from .test_stock_handlers import stock_state


def declined(order_id: str, shipment_id: str, sku: str, picked: int, reason: PickDeclineReason) -> oc.ConfirmPick:
    line = oc.PickLine(sku=sku, picked=picked, reason=reason)
    return oc.ConfirmPick(order_id=order_id, shipment_id=shipment_id, lines=(line,))


async def test_a_declined_pick_is_corrected_and_resourced_elsewhere_in_one_append(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "NWK", NEWARK)
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "NWK", "TEE", 5)
    await receive(handlers, "CHI", "TEE", 5)
    await handlers.handle(place("o1", ("TEE", 3)))
    await handlers.handle(SourceOrder(order_id="o1"))
    assert [s.location_code for s in (await order_state(store, codec, "o1")).shipments] == ["NWK"]

    outcome = await handlers.handle(declined("o1", "S1", "TEE", 1, PickDeclineReason.NOT_FOUND))
    names = sorted(type(e).__name__ for e in outcome.events)  # one append; the log files them by stream
    assert names == [
        "OrderAllocated",
        "ReservationReleased",
        "ShipmentPicked",
        "SourcingDecided",
        "StockAdjusted",
        "StockReserved",
    ]
    decision = next(e for e in outcome.events if isinstance(e, SourcingDecided))
    assert decision.trigger == "DECLINED"
    why = {c.location_code: c for c in decision.candidates}
    assert why["NWK"].reason == "let this order's units go at a pick (declined or past its pick SLA)"
    assert why["CHI"].selected

    order = await order_state(store, codec, "o1")
    assert [(s.shipment_id, s.location_code, s.status, s.lines[0].quantity) for s in order.shipments] == [
        ("S1", "NWK", ShipmentStatus.PICKED, 1),
        ("S2", "CHI", ShipmentStatus.PLANNED, 2),
    ]
    assert order_status(order) is OrderStatus.IN_FULFILLMENT
    nwk, chi = await stock_state(store, codec, "TEE", "NWK"), await stock_state(store, codec, "TEE", "CHI")
    assert (nwk.on_hand, nwk.reserved) == (3, 1)  # 2 not found: counted down, and no longer promised
    assert (chi.on_hand, chi.reserved) == (5, 2)


async def test_a_decline_nobody_else_can_serve_is_backordered(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "NWK", NEWARK)
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "NWK", "RARE", 10)
    await handlers.handle(place("o2", ("RARE", 2)))
    await handlers.handle(SourceOrder(order_id="o2"))

    outcome = await handlers.handle(declined("o2", "S1", "RARE", 0, PickDeclineReason.OTHER))
    decision = next(e for e in outcome.events if isinstance(e, SourcingDecided))
    assert (decision.trigger, decision.shipments, [(b.sku, b.quantity) for b in decision.backordered]) == (
        "DECLINED",
        (),
        [("RARE", 2)],
    )
    order = await order_state(store, codec, "o2")
    assert order.shipments[0].status is ShipmentStatus.CANCELLED
    assert order_status(order) is OrderStatus.BACKORDERED
    assert [(s.allocated, s.backordered) for s in line_summaries(order)] == [(0, 2)]
    nwk = await stock_state(store, codec, "RARE", "NWK")
    assert (nwk.on_hand, nwk.reserved) == (10, 0)  # OTHER: the units are still on the shelf
    # Supply elsewhere later serves it, recorded as a SUPPLY decision; the declining store stays excluded.
    await receive(handlers, "CHI", "RARE", 2)
    again = await handlers.handle(SourceOrder(order_id="o2"))
    supplied = next(e for e in again.events if isinstance(e, SourcingDecided))
    assert supplied.trigger == "SUPPLY"
    assert [s.location_code for s in supplied.shipments] == ["CHI"]


async def test_the_first_sourcing_is_placed(handlers: Handlers) -> None:
    await location(handlers, "NWK", NEWARK)
    await receive(handlers, "NWK", "TEE", 1)
    await handlers.handle(place("o3", ("TEE", 1)))
    outcome = await handlers.handle(SourceOrder(order_id="o3"))
    decision = outcome.events[0]
    assert isinstance(decision, SourcingDecided)
    assert decision.trigger == "PLACED"
