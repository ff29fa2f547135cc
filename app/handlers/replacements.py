"""Replacement orders: placed for a return's goods, linked to the original order both ways (the order's
`replacement_for`, the return's `replacement_order_id`).

An exchange places its replacement with the return. Unless sourced in advance it is held ("awaiting return
<id>") until the goods are received: the receipt's settlement releases the hold and the dispatcher sources it
like any order whose hold was lifted. A return cancelled before that cancels the replacement, if nothing of it
has been allocated yet.
"""

from __future__ import annotations

from app.domain import order_commands as oc
from app.domain import orders
from app.domain.aggregates import ORDER
from app.domain.order_state import LIVE, Order
from app.domain.streams import order_stream
from app.domain.values import Line

from .unit_of_work import UnitOfWork


def awaiting_return(return_id: str) -> str:
    """The hold reason of an exchange's replacement until its return is received."""
    return f"awaiting return {return_id}"


async def place(
    uow: UnitOfWork, replacement_id: str, original: Order, lines: tuple[Line, ...], return_id: str, *, hold: bool
) -> Order | None:
    """A new order for the same customer and address, linked to `original` (its channel names the return);
    with `hold`, held until the return is received.

    Money: a replacement of equal price is not charged again. The check (the replacement's lines priced at
    most what the returned units were paid on `original`: no new charge) belongs here, where both are known."""
    place = oc.PlaceOrder(
        order_id=replacement_id,
        customer_id=original.customer_id,
        lines=lines,
        ship_to=original.ship_to,
        service_level=original.service_level,
        priority=original.priority,
        channel=f"replacement:{return_id}",
        replacement_for=original.order_id,
    )
    stream = order_stream(replacement_id)
    placed = uow.record(ORDER, stream, orders.decide(await uow.get_new(ORDER, stream), place, uow.now))
    if not hold:
        return placed
    wait = oc.PlaceOrderOnHold(order_id=replacement_id, reason=awaiting_return(return_id))
    return uow.record(ORDER, stream, orders.decide(placed, wait, uow.now))


async def release(uow: UnitOfWork, replacement_id: str, return_id: str) -> bool:
    """The return's goods came back: its replacement, if it exists already (an exchange's), may be sourced.
    False when there is no such order yet."""
    stream = order_stream(replacement_id)
    replacement = await uow.get(ORDER, stream)
    if replacement is None:
        return False
    if replacement.hold_reason == awaiting_return(return_id):
        uow.record(ORDER, stream, orders.decide(replacement, oc.ReleaseOrderHold(order_id=replacement_id), uow.now))
    return True


async def cancel_unsourced(uow: UnitOfWork, replacement_id: str, return_id: str) -> None:
    """The return was cancelled: its replacement goes too, unless some of it is already allocated (sourced in
    advance: that is the service team's call, not this one's)."""
    stream = order_stream(replacement_id)
    replacement = await uow.get(ORDER, stream)
    if replacement is None or replacement.cancelled or replacement.completed:
        return
    if any(s.status in LIVE for s in replacement.shipments):
        return
    cancel = oc.CancelOrder(order_id=replacement_id, reason=f"return {return_id} was cancelled")
    uow.record(ORDER, stream, orders.decide(replacement, cancel, uow.now))
