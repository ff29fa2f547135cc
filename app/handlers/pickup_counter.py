"""The pickup counter's handlers: a pick made ready with a fresh code, a collection shipping the units, a hold that
ran out giving the units back to the store. Each in one append with the stock it moves."""

from __future__ import annotations

import secrets
from datetime import timedelta

import msgspec

from app.domain import order_commands as oc
from app.domain import orders
from app.domain.aggregates import LOCATION, ORDER
from app.domain.locations import DEFAULT_PICKUP_HOLD_DAYS
from app.domain.order_state import Order, shipment_reservations
from app.domain.pickup_counter import CODE_DIGITS, EXPIRED_REASON
from app.domain.pickup_events import ConfirmCollection, ExpirePickup, PickupExpired, ShipmentCollected
from app.domain.streams import location_stream, order_stream
from app.domain.values import DeliveryMethod

from .orders import stock_moves
from .unit_of_work import UnitOfWork


def new_pickup_code() -> str:
    """Six digits from the OS's cryptographic source: a guess is one in a million, and 5 guesses lock the
    counter."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


async def for_the_counter(
    uow: UnitOfWork, order: Order | None, command: oc.ConfirmPick
) -> tuple[oc.ConfirmPick, timedelta]:
    """The pick with a pickup code (a fresh one unless the caller chose it) and the hold of the shipment's
    location (its days, each a `Context.day` long), when the shipment is a pickup; the pick as it is otherwise."""
    shipment = next((s for s in order.shipments if s.shipment_id == command.shipment_id), None) if order else None
    if shipment is None or shipment.kind is not DeliveryMethod.PICKUP:
        return command, DEFAULT_PICKUP_HOLD_DAYS * uow.ctx.day
    location = await uow.get(LOCATION, location_stream(shipment.location_code))
    hold_days = location.pickup_hold_days if location is not None else DEFAULT_PICKUP_HOLD_DAYS
    if command.pickup_code is None:
        command = msgspec.structs.replace(command, pickup_code=new_pickup_code())
    return command, hold_days * uow.ctx.day


async def collect(uow: UnitOfWork, command: ConfirmCollection) -> Order | None:
    """The right code ships the shipment's reservations, as a dispatch does; a wrong code is recorded on the
    order alone (the caller reads `PickupCodeRejected` in the outcome's events)."""
    stream = order_stream(command.order_id)
    order = await uow.get(ORDER, stream)
    events = orders.decide(order, command, uow.now)
    after = uow.record(ORDER, stream, events)
    if order is not None and any(isinstance(e, ShipmentCollected) for e in events):
        await stock_moves(uow, shipment_reservations(order, command.shipment_id), ship=True)
    return after


async def expire(uow: UnitOfWork, command: ExpirePickup) -> Order | None:
    """Idempotent: a shipment collected, expired already or still within its hold appends nothing."""
    stream = order_stream(command.order_id)
    events = orders.decide(await uow.get(ORDER, stream), command, uow.now)
    after = uow.record(ORDER, stream, events)
    for event in events:
        if isinstance(event, PickupExpired):
            # The lines are cancelled in the same append (OrderLinesCancelled, reason PICKUP_EXPIRED): a refund
            # follows that event, like any cancelled line.
            await stock_moves(uow, event.released, ship=False, reason=EXPIRED_REASON)
    return after
