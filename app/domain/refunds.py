"""Refunds from what was paid: the one decision of how much money goes back when units leave a priced order.

Whatever makes units leave an order (a cancellation, an edit, a pickup never collected, a return received),
its decision calls `refund_for(order, lines, cause, now)` and appends the `OrderRefunded` it returns (None: no
price, nothing to refund) with its own events, in the same atomic write. `refund_for` is also where the one
invariant is kept: the running refunded total never exceeds what was paid (REFUND_EXCEEDS_PAID).

A received return is refunded by `return_refund` (the return aggregate's decision): by default each unit's
paid price less the restocking fee of the condition it came back in — `returned_unit_refund` is the one place
that fee is applied — or an operator's lower figure; the order then records it through `refund_for`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

from app.domain import money
from app.domain.errors import InvalidInput, NotFound
from app.domain.money import InvalidAmount, MixedCurrency, Money, RefundExceedsPaid
from app.domain.order_events import OrderRefunded, RefundCause
from app.domain.order_state import Order
from app.domain.return_events import ReceivedLine, RefundLine, ReturnRefunded
from app.domain.values import ItemCondition, Line

__all__ = [
    "RefundCause",
    "left_to_refund",
    "paid_for",
    "received_units",
    "refund_for",
    "return_refund",
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


def return_refund(
    return_id: str,
    received: tuple[ReceivedLine, ...],
    now: datetime,
    *,
    order: Order | None,
    amount: Money | None = None,
    lines: tuple[RefundLine, ...] = (),
    reason: str | None = None,
    restocking_fees: Mapping[ItemCondition, Decimal] | None = None,
) -> ReturnRefunded:
    """How much a received return refunds. Neither `amount` nor `lines`: the automatic refund
    (`return_refund_due`); `amount` (the whole return) or `lines` (per SKU): an operator's figure. On a priced
    order it is in the order's currency and never more than the received units' paid price (the order then
    checks it against what is left to refund: `refund_for`). On an order without prices only an operator's
    figure is known; without one the return is settled with no amount."""
    priced = order if order is not None and order.paid is not None else None
    units = received_units(received)

    def refunded(per_sku: tuple[RefundLine, ...], total: Money | None = None) -> ReturnRefunded:
        return ReturnRefunded(return_id=return_id, lines=per_sku, amount=total, reason=reason, refunded_at=now)

    if amount is not None and lines:
        raise InvalidInput("give an amount for the whole return or amounts per line, not both", field=("amount",))
    if amount is not None:
        checked = money.valid_money(amount, ("amount",))
        if priced is not None:
            _within_paid(priced, checked, units, ("amount",))
        return refunded((), checked)
    if lines:
        per_sku = tuple(_checked_line(priced, line, units, i) for i, line in enumerate(lines))
        if priced is None or priced.paid is None:
            return refunded(per_sku)
        currency = priced.paid.currency
        total = money.total(Money(amount=line.amount, currency=currency) for line in per_sku) or money.zero(currency)
        _within_paid(priced, total, units, ("lines",))
        return refunded(per_sku, total)
    if priced is None or priced.paid is None:
        return refunded(())
    due = return_refund_due(priced, received, restocking_fees) or {}
    per_sku = tuple(RefundLine(sku=sku, amount=due[sku].amount) for sku in sorted(due))
    return refunded(per_sku, money.total(due.values()) or money.zero(priced.paid.currency))


def received_units(received: Iterable[ReceivedLine]) -> dict[str, int]:
    """Units received back per SKU, whatever their condition."""
    return dict(_by_sku(Line(line.sku, line.quantity) for line in received))


def _within_paid(order: Order, amount: Money, units: dict[str, int], field: tuple[str | int, ...]) -> None:
    paid = paid_for(order, [Line(sku, quantity) for sku, quantity in units.items()])
    assert paid is not None  # the order has prices
    if amount.currency != paid.currency:
        raise MixedCurrency(f"the order is in {paid.currency}, not {amount.currency}", field=(*field, "currency"))
    if amount.amount > paid.amount:
        raise RefundExceedsPaid(f"{amount} is more than the {paid} paid for the units received", field=field)


def _checked_line(order: Order | None, line: RefundLine, units: dict[str, int], i: int) -> RefundLine:
    """A per-SKU refund: of a SKU received, zero or more, in the order's currency and within its paid price."""
    if line.sku not in units:
        raise NotFound(f"{line.sku} was not received", field=("lines", i, "sku"))
    at = ("lines", i, "amount")
    if not line.amount.is_finite() or line.amount < 0:
        raise InvalidAmount("a refund amount must be zero or more", field=at)
    if order is None or order.paid is None:
        return line
    amount = money.valid_money(Money(amount=line.amount, currency=order.paid.currency), ("lines", i))
    _within_paid(order, amount, {line.sku: units[line.sku]}, at)
    return RefundLine(sku=line.sku, amount=amount.amount)


def _by_sku(lines: Iterable[Line]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for line in lines:
        totals[line.sku] += line.quantity
    return totals
