"""Return (RMA) aggregate: requested, approved/rejected, picked up / in transit, received, refunded/replaced;
or cancelled before the goods were sent. An exchange is a return requested and approved at once, with its
replacement order named from the start.

The initial state is `None`. Requesting takes the order's state (delivered quantities, delivery date);
receiving takes the receiving location's state. The handler keeps the order's claim in step: `OpenReturn` on
the order with `ReturnRequested`, `CloseReturn` with `ReturnRejected`, `ReturnCancelled` or `ReturnReceived`
(`order_close_for`), and the stock commands of `stock_commands_for_receipt` with `ReturnReceived`, all in one
atomic append.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

import msgspec

from app.domain import refunds
from app.domain.errors import (
    Duplicate,
    InvalidInput,
    InvalidQuantity,
    InvalidState,
    LocationInactive,
    NotFound,
    UnknownLocation,
    require_positive,
)
from app.domain.events import Command, Event
from app.domain.locations import Location
from app.domain.money import Money
from app.domain.order_commands import CloseReturn, RefundReturnedUnits
from app.domain.order_state import Order, last_delivered_at
from app.domain.orders import check_returnable
from app.domain.return_events import (
    ReceivedLine,
    RefundLine,
    ReturnApproved,
    ReturnCancelled,
    ReturnInTransit,
    ReturnLine,
    ReturnPickedUp,
    ReturnReceived,
    ReturnRefunded,
    ReturnRejected,
    ReturnReplaced,
    ReturnRequested,
)
from app.domain.return_policy import DEFAULT_POLICY, ReturnPolicy, check_return_request
from app.domain.stock_commands import ReturnStock, StockCommand, WriteOffStock
from app.domain.values import ItemCondition, Line, ReturnStatus, TrackingStatus

R = ReturnStatus


class ReturnCommand(Command, frozen=True, kw_only=True):
    return_id: str


class RequestReturn(ReturnCommand, frozen=True, kw_only=True):
    order_id: str
    lines: tuple[ReturnLine, ...]


class RequestExchange(ReturnCommand, frozen=True, kw_only=True):
    """A return, approved at once, whose goods are replaced by the order `replacement_order_id` (placed by the
    handler with it) instead of being refunded. `advance`: the replacement is sourced now, not on receipt."""

    order_id: str
    lines: tuple[ReturnLine, ...]
    replacement_order_id: str
    replacement_lines: tuple[Line, ...]
    advance: bool = False


class CancelReturn(ReturnCommand, frozen=True, kw_only=True):
    """Withdraw a return (the customer keeps the goods) while they have not been sent back."""

    reason: str = ""


class ApproveReturn(ReturnCommand, frozen=True, kw_only=True):
    """Accept a requested return: the customer may send the goods."""


class RejectReturn(ReturnCommand, frozen=True, kw_only=True):
    reason: str = ""


class RecordReturnPickup(ReturnCommand, frozen=True, kw_only=True):
    carrier: str
    tracking_number: str


class RecordReturnTracking(ReturnCommand, frozen=True, kw_only=True):
    status: TrackingStatus
    occurred_at: datetime
    message: str | None = None


class ReceiveReturn(ReturnCommand, frozen=True, kw_only=True):
    location_code: str
    lines: tuple[ReceivedLine, ...]


class RefundReturn(ReturnCommand, frozen=True, kw_only=True):
    """Refund a received return. Neither `amount` nor `lines`: the units' paid price less restocking fees (the
    automatic refund). `amount`: an operator's figure for the whole return; `lines`: per SKU. Either may be
    less than the units' paid price, never more."""

    lines: tuple[RefundLine, ...] = ()
    amount: Money | None = None
    reason: str | None = None


class ReplaceReturn(ReturnCommand, frozen=True, kw_only=True):
    replacement_order_id: str


class Return(msgspec.Struct, frozen=True, kw_only=True):
    return_id: str
    order_id: str
    status: ReturnStatus
    lines: tuple[ReturnLine, ...]
    requested_at: datetime
    received: tuple[ReceivedLine, ...] = ()
    location_code: str | None = None
    refunds: tuple[RefundLine, ...] = ()
    refund: Money | None = None  # the refund in the order's currency; None for orders without prices
    replacement_order_id: str | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    policy_version: int = 0  # of the return policy it was requested under (its fees apply to its refund)

    @property
    def refund_amount(self) -> Decimal | None:
        if self.refund is not None:
            return self.refund.amount
        return sum((r.amount for r in self.refunds), Decimal(0)) if self.refunds else None


def evolve(state: Return | None, event: Event) -> Return | None:
    if isinstance(event, ReturnRequested):
        return Return(
            return_id=event.return_id,
            order_id=event.order_id,
            status=R.REQUESTED,
            lines=event.lines,
            requested_at=event.requested_at,
            policy_version=event.policy_version,
            replacement_order_id=event.replacement_order_id,
        )
    if state is None:
        return None
    replace = msgspec.structs.replace
    match event:
        case ReturnApproved():
            return replace(state, status=R.APPROVED)
        case ReturnRejected():
            return replace(state, status=R.REJECTED)
        case ReturnCancelled():
            return replace(state, status=R.CANCELLED)
        case ReturnPickedUp():
            return replace(state, status=R.IN_TRANSIT, carrier=event.carrier, tracking_number=event.tracking_number)
        case ReturnInTransit():
            return replace(state, status=R.IN_TRANSIT)
        case ReturnReceived():
            return replace(state, status=R.RECEIVED, received=event.lines, location_code=event.location_code)
        case ReturnRefunded():
            return replace(state, status=R.REFUNDED, refunds=event.lines, refund=event.amount)
        case ReturnReplaced():
            return replace(state, status=R.REPLACED, replacement_order_id=event.replacement_order_id)
    return state


def decide(
    state: Return | None,
    command: ReturnCommand,
    now: datetime,
    *,
    order: Order | None = None,
    location: Location | None = None,
    policy: ReturnPolicy = DEFAULT_POLICY,
    restocking_fees: Mapping[ItemCondition, Decimal] | None = None,
) -> list[Event]:
    """`policy` is the return policy in force, which a request is judged by and records. `restocking_fees`:
    percent per received condition, from the return policy the return was requested under (missing: no fee);
    they lower the automatic refund only (`refunds.returned_unit_refund`)."""
    rid = command.return_id
    if isinstance(command, RequestReturn):
        return _request(state, command, now, order, policy)
    if isinstance(command, RequestExchange):
        return _exchange(state, command, now, order, policy)
    if state is None:
        raise NotFound(f"no return {rid}", field=("returnId",))
    match command:
        case ApproveReturn():
            _require(state, {R.REQUESTED}, "approved")
            return [ReturnApproved(return_id=rid, approved_at=now)]
        case RejectReturn():
            _require(state, {R.REQUESTED}, "rejected")
            return [ReturnRejected(return_id=rid, reason=command.reason, rejected_at=now)]
        case CancelReturn():
            _require(state, {R.REQUESTED, R.APPROVED}, "cancelled")
            return [ReturnCancelled(return_id=rid, reason=command.reason, cancelled_at=now)]
        case RecordReturnPickup():
            _require(state, {R.APPROVED}, "picked up")
            if not command.carrier.strip() or not command.tracking_number.strip():
                raise InvalidInput("carrier and tracking number are required", field=("trackingNumber",))
            return [
                ReturnPickedUp(
                    return_id=rid,
                    carrier=command.carrier,
                    tracking_number=command.tracking_number,
                    picked_up_at=now,
                )
            ]
        case RecordReturnTracking():
            _require(state, {R.APPROVED, R.IN_TRANSIT}, "tracked")
            return [
                ReturnInTransit(
                    return_id=rid,
                    status=command.status,
                    message=command.message,
                    occurred_at=command.occurred_at,
                )
            ]
        case ReceiveReturn():
            _require(state, {R.APPROVED, R.IN_TRANSIT}, "received")
            _check_location(location, command.location_code)
            _check_received(state, command.lines)
            return [
                ReturnReceived(return_id=rid, location_code=command.location_code, lines=command.lines, received_at=now)
            ]
        case RefundReturn():
            _require(state, {R.RECEIVED}, "refunded")
            refund = refunds.return_refund(
                rid,
                state.received,
                now,
                order=order,
                amount=command.amount,
                lines=command.lines,
                reason=command.reason,
                restocking_fees=restocking_fees,
            )
            return [refund]
        case ReplaceReturn():
            _require(state, {R.RECEIVED}, "replaced")
            if not command.replacement_order_id:
                raise InvalidInput("the replacement order id is required", field=("replacementOrderId",))
            if state.replacement_order_id not in (None, command.replacement_order_id):
                raise InvalidInput(
                    f"this exchange is replaced by order {state.replacement_order_id}", field=("replacementOrderId",)
                )
            return [ReturnReplaced(return_id=rid, replacement_order_id=command.replacement_order_id, replaced_at=now)]
    raise InvalidInput(f"unknown return command {type(command).__name__}")


def _request(
    state: Return | None, command: RequestReturn, now: datetime, order: Order | None, policy: ReturnPolicy
) -> list[Event]:
    if state is not None:
        raise Duplicate(f"return {command.return_id} already exists", field=("returnId",))
    if order is None or order.order_id != command.order_id:
        raise NotFound(f"no order {command.order_id}", field=("orderId",))
    delivered_at = last_delivered_at(order)
    if delivered_at is None:
        raise InvalidState("nothing on this order has been delivered yet", field=("orderId",))
    check_returnable(order, tuple(Line(line.sku, line.quantity) for line in command.lines))
    check_return_request(policy, tuple(line.sku for line in command.lines), delivered_at, now)
    return [
        ReturnRequested(
            return_id=command.return_id,
            order_id=order.order_id,
            lines=command.lines,
            requested_at=now,
            policy_version=policy.version,
        )
    ]


def _exchange(
    state: Return | None, command: RequestExchange, now: datetime, order: Order | None, policy: ReturnPolicy
) -> list[Event]:
    """A request and its approval together: the replacement stands for the retailer's agreement."""
    if not command.replacement_order_id or command.replacement_order_id == command.order_id:
        raise InvalidInput("the replacement needs an order id of its own", field=("replacementOrderId",))
    request = RequestReturn(return_id=command.return_id, order_id=command.order_id, lines=command.lines)
    [requested] = _request(state, request, now, order, policy)
    assert isinstance(requested, ReturnRequested)
    return [
        msgspec.structs.replace(requested, replacement_order_id=command.replacement_order_id),
        ReturnApproved(return_id=command.return_id, approved_at=now),
    ]


def order_refund_for(state: Return, event: Event) -> RefundReturnedUnits | None:
    """The order command recording a return's refund on its order (None: nothing in the order's currency)."""
    if not isinstance(event, ReturnRefunded) or event.amount is None or event.amount.amount == 0:
        return None
    returned = tuple(Line(sku, quantity) for sku, quantity in refunds.received_units(state.received).items())
    return RefundReturnedUnits(
        order_id=state.order_id, return_id=state.return_id, lines=returned, amount=event.amount, reason=event.reason
    )


def _check_location(location: Location | None, code: str) -> None:
    if location is None or location.code != code:
        raise UnknownLocation(f"no location {code}", field=("locationCode",))
    if not location.active:
        raise LocationInactive(f"location {code} is inactive", field=("locationCode",))
    if not location.capabilities.returns:
        raise InvalidState(f"location {code} does not accept returns", field=("locationCode",))


def _check_received(state: Return, lines: tuple[ReceivedLine, ...]) -> None:
    if not lines:
        raise InvalidInput("a receipt needs at least one line", field=("lines",))
    expected = Counter({line.sku: line.quantity for line in state.lines})
    received: Counter[str] = Counter()
    for i, line in enumerate(lines):
        require_positive(line.quantity, ("lines", i, "quantity"))
        if line.sku not in expected:
            raise NotFound(f"{line.sku} is not on this return", field=("lines", i, "sku"))
        received[line.sku] += line.quantity
        if received[line.sku] > expected[line.sku]:
            raise InvalidQuantity(
                f"only {expected[line.sku]} of {line.sku} were approved", field=("lines", i, "quantity")
            )


def _require(state: Return, allowed: set[ReturnStatus], verb: str) -> None:
    if state.status not in allowed:
        raise InvalidState(f"return {state.return_id} is {state.status} and cannot be {verb}")


def stock_commands_for_receipt(event: ReturnReceived) -> list[StockCommand]:
    """Resellable units go back on the shelf. Damaged ones are booked in and written off at once: the ledger
    then shows they arrived and were scrapped, and on hand never counts them."""
    commands: list[StockCommand] = []
    for line in event.lines:
        key = {"sku": line.sku, "location_code": event.location_code}
        commands.append(ReturnStock(**key, quantity=line.quantity, return_id=event.return_id))
        if line.condition is ItemCondition.DAMAGED:
            commands.append(
                WriteOffStock(**key, quantity=line.quantity, reason="DAMAGED_RETURN", return_id=event.return_id)
            )
    return commands


def order_close_for(state: Return, event: Event) -> CloseReturn | None:
    """The order command that settles this return's claim after `event` (None if the claim stays open)."""
    if isinstance(event, ReturnRejected | ReturnCancelled):
        return CloseReturn(order_id=state.order_id, return_id=state.return_id, returned=())
    if isinstance(event, ReturnReceived):
        totals: Counter[str] = Counter()
        for line in event.lines:
            totals[line.sku] += line.quantity
        returned = tuple(Line(sku, quantity) for sku, quantity in totals.items())
        return CloseReturn(order_id=state.order_id, return_id=state.return_id, returned=returned)
    return None
