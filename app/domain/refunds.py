"""Refunds from what was paid: the one decision of how much money goes back when units leave a priced order.

Whatever makes units leave an order (a cancellation, an edit, a pickup never collected, a return received),
its decision calls `refund_for(order, lines, cause, now)` and appends the `OrderRefunded` it returns (None: no
price, nothing to refund) with its own events, in the same atomic write. `refund_for` is also where the one
invariant is kept: the running refunded total never exceeds what was paid (REFUND_EXCEEDS_PAID).

A returned unit is refunded at its paid price less the restocking fee of the condition it came back in:
`returned_unit_refund` is the one place that fee is applied.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

from app.domain import money
from app.domain.money import MixedCurrency, Money, RefundExceedsPaid
from app.domain.order_events import OrderRefunded, RefundCause
from app.domain.order_state import Order
from app.domain.return_events import ReceivedLine
from app.domain.values import ItemCondition, Line

__all__ = [
    "RefundCause",
    "left_to_refund",
    "paid_for",
    "refund_for",
    "return_refund_due",
    "returned_unit_refund",
]


def paid_for(order: Order, lines: Iterable[Line]) -> Money | None:
    """What the customer paid for these units (unpriced SKUs count nothing); None if the order has no prices."""
    if order.paid is None:
        return None
    amounts = [money.times(order.prices[line.sku], line.quantity) for line in lines if line.sku in order.prices]
    return money.total(amounts) or money.zero(order.paid.currency)


def left_to_refund(order: Order) -> Money | None:
    """What was paid less what was already refunded; None if the order has no prices."""
    if order.paid is None:
        return None
    refunded = order.refunded.amount if order.refunded is not None else Decimal(0)
    return Money(amount=order.paid.amount - refunded, currency=order.paid.currency)


def refund_for(
    order: Order,
    lines: Iterable[Line],
    cause: RefundCause,
    now: datetime,
    *,
    amount: Money | None = None,
    return_id: str | None = None,
    reason: str | None = None,
) -> OrderRefunded | None:
    """The refund for these units leaving `order`: their paid price, or `amount` when the caller decided a
    lower figure (a returned unit's restocking fee, an operator's override). None when nothing is due (no
    prices, or zero). Refuses an amount above the units' price or above what is left to refund.

    Call it with the order as it stands *before* the units leave (their price is what it was then)."""
    units = tuple(Line(sku, quantity) for sku, quantity in _by_sku(lines).items() if quantity > 0)
    paid = paid_for(order, units)
    if paid is None:
        return None
    due = paid if amount is None else amount
    if due.currency != paid.currency:
        raise MixedCurrency(f"the order is in {paid.currency}, not {due.currency}", field=("amount", "currency"))
    if due.amount > paid.amount:
        raise RefundExceedsPaid(f"{due} is more than the {paid} paid for these units", field=("amount", "amount"))
    left = left_to_refund(order)
    assert left is not None  # the order has prices: paid_for answered
    if due.amount > left.amount:
        raise RefundExceedsPaid(f"only {left} is left to refund on this order", field=("amount", "amount"))
    if due.amount == 0:
        return None
    return OrderRefunded(
        order_id=order.order_id,
        amount=due,
        cause=cause,
        lines=units,
        refunded_at=now,
        return_id=return_id,
        reason=reason,
    )


def returned_unit_refund(paid: Money, restocking_fee_percent: Decimal = Decimal(0)) -> Money:
    """THE place the restocking fee applies: a returned unit's refund is its paid price x (1 - percent/100),
    rounded half-even to the currency's minor unit (`money.round_to_currency`)."""
    return money.less_percent(paid, restocking_fee_percent)


def return_refund_due(
    order: Order,
    received: Iterable[ReceivedLine],
    restocking_fees: Mapping[ItemCondition, Decimal] | None = None,
) -> dict[str, Money] | None:
    """Per SKU, the automatic refund of the units received back: each unit's paid price less the restocking
    fee of the condition it arrived in (`restocking_fees`, percent per condition; missing: 0). None if the
    order has no prices; unpriced SKUs are left out."""
    if order.paid is None:
        return None
    fees = restocking_fees or {}
    due: dict[str, Money] = {}
    for line in received:
        price = order.prices.get(line.sku)
        if price is None:
            continue
        unit = returned_unit_refund(price, fees.get(line.condition, Decimal(0)))
        amount = money.times(unit, line.quantity)
        due[line.sku] = amount if line.sku not in due else money.add(due[line.sku], amount)
    return due


def _by_sku(lines: Iterable[Line]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for line in lines:
        totals[line.sku] += line.quantity
    return totals
