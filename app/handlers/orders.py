"""Order commands. Most touch only the order stream; cancelling releases stock and dispatching ships it, in
the same transaction as the order's own events."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain import order_commands as oc
from app.domain import orders, stock
from app.domain.aggregates import LOCATION, ORDER, STOCK
from app.domain.order_events import OrderCancelled, OrderLinesCancelled, ReservationRef
from app.domain.order_state import Order, shipment_reservations
from app.domain.streams import location_stream, order_stream, stock_stream

from .unit_of_work import UnitOfWork
from .windows import give_back_slot


async def change_order(uow: UnitOfWork, command: oc.OrderCommand) -> Order | None:
    """Any order command whose effects stay on the order stream (place, hold, pack, track, deliver, ...)."""
    stream = order_stream(command.order_id)
    order = await uow.get(ORDER, stream)
    return uow.record(ORDER, stream, orders.decide(order, command, uow.now))


async def place(uow: UnitOfWork, command: oc.PlaceOrder) -> Order | None:
    """Like `change_order`, without reading the stream first: a new order's id is one nobody has used, so its
    stream is taken to be empty. If it exists after all (a retry with the same idempotency key), the append
    fails on the stream's version and the second attempt reads the order and decides on what it holds.
    A pickup order's store is read for the domain to check (and, without an address, to locate the order)."""
    stream = order_stream(command.order_id)
    order = await uow.get_new(ORDER, stream)
    code = command.pickup_location_code
    store = await uow.get(LOCATION, location_stream(code)) if code and code.strip() else None
    return uow.record(ORDER, stream, orders.decide(order, command, uow.now, pickup_location=store))


async def cancel(uow: UnitOfWork, command: oc.CancelOrder | oc.CancelOrderLines) -> Order | None:
    stream = order_stream(command.order_id)
    events = orders.decide(await uow.get(ORDER, stream), command, uow.now)
    after = uow.record(ORDER, stream, events)
    for event in events:
        if isinstance(event, OrderCancelled | OrderLinesCancelled):
            await stock_moves(uow, event.released, ship=False)
    await give_back_slot(uow, after, "CANCELLED")
    return after


async def dispatch(uow: UnitOfWork, command: oc.DispatchShipment) -> Order | None:
    stream = order_stream(command.order_id)
    order = await uow.get(ORDER, stream)
    events = orders.decide(order, command, uow.now)
    assert order is not None  # decide raised NotFound otherwise
    reservations = shipment_reservations(order, command.shipment_id)
    after = uow.record(ORDER, stream, events)
    await stock_moves(uow, reservations, ship=True)
    return after


async def stock_moves(
    uow: UnitOfWork, refs: Sequence[ReservationRef], *, ship: bool, reason: str = "CANCELLED"
) -> None:
    """Ship or release (for `reason`) each reservation on its stock stream, loading all of them in one go."""
    streams = [stock_stream(r.sku, r.location_code) for r in refs]
    states = await uow.get_many(STOCK, streams)
    sites = await uow.get_many(LOCATION, [location_stream(r.location_code) for r in refs])
    for ref, stream in zip(refs, streams, strict=True):
        command: stock.StockCommand
        if ship:
            command = stock.ShipStock(
                sku=ref.sku, location_code=ref.location_code, reservation_id=ref.reservation_id, quantity=ref.quantity
            )
        else:
            # Only what the order gives up: cancelling some lines of a shipment keeps the rest reserved.
            command = stock.ReleaseReservation(
                sku=ref.sku,
                location_code=ref.location_code,
                reservation_id=ref.reservation_id,
                quantity=ref.quantity,
                reason=reason,
            )
        location = sites[location_stream(ref.location_code)]
        states[stream] = uow.record(STOCK, stream, stock.decide(states[stream], command, uow.now, location=location))
