"""An order edit, decided: what is released, what is left to source, and what cannot change any more.

The rule is "before the units concerned are picked". Per SKU, the units past the pick (picked, packed, on
the road, delivered) are fixed: the new quantity may not go below them. A new address or service level
concerns every unit, so it is refused once anything is picked. Units edited away come off the backorder
first (nothing to undo), then out of planned shipments, newest first (shrinking them: a shipment left empty
is cancelled); a new address or service level releases every planned shipment, so that the whole unpicked
order is planned again for it. What an edit adds is left unallocated for the handler to source (trigger
EDITED) in the same transaction.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from app.domain import refunds
from app.domain.errors import DomainError, InvalidInput, InvalidState, refuse_all
from app.domain.events import Event
from app.domain.order_commands import EditOrder
from app.domain.order_events import LinePrice, OrderEdited, RefundCause, ReservationRef, ShipmentReduction
from app.domain.order_lines import check_prices, line_problems
from app.domain.order_state import LIVE, Order, line_summaries, order_status, reservation_id, unallocated
from app.domain.values import Line, ShipmentStatus

# Units in shipments in these states are past the pick: an edit leaves them as they are.
PAST_PICK = LIVE - {ShipmentStatus.PLANNED}


def edit(order: Order, command: EditOrder, now: datetime) -> list[Event]:
    """The `OrderEdited` the command amounts to, or nothing when it changes nothing."""
    if order.cancelled or order.completed:
        raise InvalidState(f"the order is {order_status(order)}")
    summaries = {s.sku: s for s in line_summaries(order)}
    live = {sku: s.ordered - s.cancelled for sku, s in summaries.items()}
    fixed: Counter[str] = Counter()
    for shipment in order.shipments:
        if shipment.status in PAST_PICK:
            fixed.update({line.sku: line.quantity for line in shipment.lines})

    wanted = live if command.lines is None else _wanted(command.lines)
    index = {line.sku: i for i, line in enumerate(command.lines or ())}
    problems: list[DomainError] = []
    for sku in sorted(set(live) | set(wanted), key=lambda s: (index.get(s, -1), s)):
        if wanted.get(sku, 0) < fixed[sku]:
            at = ("lines", index[sku]) if sku in index else ("lines",)  # the line, or the lines it was left out of
            problems.append(
                InvalidState(f"{fixed[sku]} of {sku} are already picked and cannot be edited away", field=at)
            )
    new_ship_to = command.ship_to if command.ship_to is not None and command.ship_to != order.ship_to else None
    new_level = command.service_level if command.service_level not in (None, order.service_level) else None
    if fixed and new_ship_to is not None:
        problems.append(InvalidState("part of the order is picked: the address cannot change", field=("shipTo",)))
    if fixed and new_level is not None:
        problems.append(
            InvalidState("part of the order is picked: the service level cannot change", field=("serviceLevel",))
        )
    if order.delivery_window is not None:
        # The window's slot was taken for this address and speed (a courier's reach, a day's route): another one
        # is a new choice of window, made by cancelling and ordering again.
        kept = "an order for a delivery window keeps its {}; cancel it and choose a window again"
        if new_ship_to is not None:
            problems.append(InvalidState(kept.format("address"), field=("shipTo",)))
        if new_level is not None:
            problems.append(InvalidState(kept.format("service level"), field=("serviceLevel",)))
    new_prices = _new_prices(order, command, index, problems)
    refuse_all(problems)

    cancelled = {sku: live[sku] - wanted.get(sku, 0) for sku in live if wanted.get(sku, 0) < live[sku]}
    added = {sku: qty - live.get(sku, 0) for sku, qty in wanted.items() if qty > live.get(sku, 0)}
    replan = new_ship_to is not None or new_level is not None
    if not (cancelled or added or replan or new_prices):
        return []  # nothing to change: nothing to append
    reductions = _replanned(order) if replan else _shrunk(order, cancelled)
    ordered = {line.sku: line.quantity for line in order.lines}
    lines = tuple(Line(line.sku, line.quantity + added.get(line.sku, 0)) for line in order.lines)
    lines += tuple(Line(sku, qty) for sku, qty in added.items() if sku not in ordered)
    edited_away = tuple(Line(sku, qty) for sku, qty in cancelled.items())
    # Units edited away of a priced line are refunded what was paid for them, in the same append.
    refund = refunds.refund_for(order, edited_away, RefundCause.EDITED, now)
    return [
        OrderEdited(
            order_id=order.order_id,
            lines=lines,
            cancelled=edited_away,
            reductions=tuple(cut for cut, _ in reductions),
            released=tuple(ref for _, ref in reductions),
            ship_to=new_ship_to,
            service_level=new_level,
            reason=command.reason,
            edited_at=now,
            prices=new_prices,
        ),
        *([refund] if refund is not None else []),
    ]


def _new_prices(
    order: Order, command: EditOrder, index: dict[str, int], problems: list[DomainError]
) -> tuple[LinePrice, ...]:
    """The prices of SKUs new to the order, checked in its currency. A SKU already bought keeps the price paid
    for it: a different one is refused at its line (an edit is not a repricing)."""
    currency = order.paid.currency if order.paid is not None else None
    checked = check_prices(command.lines or (), command.prices, problems, currency)
    for price in checked:
        kept = order.prices.get(price.sku)
        if kept is not None and kept != price.unit_price:
            at = ("lines", index[price.sku], "unitPrice")
            problems.append(InvalidInput(f"{price.sku} was bought at {kept}; an edit keeps that price", field=at))
    return tuple(price for price in checked if price.sku not in order.prices)


def _wanted(lines: tuple[Line, ...]) -> dict[str, int]:
    """The new full set of lines, checked as an order's lines are at placement (every fault at once)."""
    if not lines:
        raise InvalidInput("an order needs at least one line (cancel it instead)", field=("lines",))
    refuse_all(line_problems(lines))
    return {line.sku: line.quantity for line in lines}


Cut = tuple[ShipmentReduction, ReservationRef]


def _cut(order: Order, shipment_id: str, location_code: str, sku: str, quantity: int) -> Cut:
    rid = reservation_id(order.order_id, shipment_id)
    return (
        ShipmentReduction(shipment_id=shipment_id, sku=sku, quantity=quantity),
        ReservationRef(location_code=location_code, sku=sku, reservation_id=rid, quantity=quantity),
    )


def _shrunk(order: Order, cancelled: dict[str, int]) -> list[Cut]:
    """Units edited away: off the backorder first, then out of planned shipments, the newest first."""
    waiting = unallocated(order)
    planned = [s for s in reversed(order.shipments) if s.status is ShipmentStatus.PLANNED]
    cuts: list[Cut] = []
    for sku, quantity in cancelled.items():
        left = quantity - min(quantity, max(0, waiting.get(sku, 0)))
        for shipment in planned:
            held = sum(line.quantity for line in shipment.lines if line.sku == sku)
            take = min(left, held)
            if take > 0:
                cuts.append(_cut(order, shipment.shipment_id, shipment.location_code, sku, take))
                left -= take
    return cuts


def _replanned(order: Order) -> list[Cut]:
    """A new address or service level: every planned shipment is released, to be planned again."""
    return [
        _cut(order, s.shipment_id, s.location_code, line.sku, line.quantity)
        for s in order.shipments
        if s.status is ShipmentStatus.PLANNED
        for line in s.lines
    ]
