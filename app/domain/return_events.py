"""Events of a return stream (`return-<id>`, an RMA)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec

from app.domain.events import Event
from app.domain.money import Money
from app.domain.values import ItemCondition, TrackingStatus


class ReturnLine(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    quantity: int
    reason: str | None = None


class ReceivedLine(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    quantity: int
    condition: ItemCondition


class RefundLine(msgspec.Struct, frozen=True, kw_only=True):
    # Money is a Decimal (msgspec stores it as a string): floats would drift by cents over many refunds.
    sku: str
    amount: Decimal


class ReturnEvent(Event, frozen=True, kw_only=True):
    return_id: str


class ReturnRequested(ReturnEvent, frozen=True, kw_only=True):
    order_id: str
    lines: tuple[ReturnLine, ...]
    requested_at: datetime
    policy_version: int = 0  # the return policy in force when requested; 0 (the default) for older events
    replacement_order_id: str | None = None  # an exchange: the replacement order placed with the return


class ReturnCancelled(ReturnEvent, frozen=True, kw_only=True):
    """Withdrawn before the goods came back: the order's claim is freed (and an exchange's unsourced replacement
    is cancelled with it)."""

    reason: str
    cancelled_at: datetime


class ReturnApproved(ReturnEvent, frozen=True, kw_only=True):
    approved_at: datetime


class ReturnRejected(ReturnEvent, frozen=True, kw_only=True):
    reason: str
    rejected_at: datetime


class ReturnPickedUp(ReturnEvent, frozen=True, kw_only=True):
    carrier: str
    tracking_number: str
    picked_up_at: datetime


class ReturnInTransit(ReturnEvent, frozen=True, kw_only=True):
    """A tracking update for the parcel on its way back."""

    status: TrackingStatus
    message: str | None
    occurred_at: datetime


class ReturnReceived(ReturnEvent, frozen=True, kw_only=True):
    location_code: str
    lines: tuple[ReceivedLine, ...]
    received_at: datetime


class ReturnRefunded(ReturnEvent, frozen=True, kw_only=True):
    lines: tuple[RefundLine, ...]  # per SKU, when the refund was decided per SKU; empty for a whole-return figure
    refunded_at: datetime
    # The refund with its currency (the order's). None on refunds recorded before money had a currency, and on
    # returns of orders without prices: their `lines` carry the amounts.
    amount: Money | None = None
    reason: str | None = None


class ReturnReplaced(ReturnEvent, frozen=True, kw_only=True):
    replacement_order_id: str
    replaced_at: datetime


RETURN_EVENTS: tuple[type[Event], ...] = (
    ReturnRequested,
    ReturnApproved,
    ReturnRejected,
    ReturnPickedUp,
    ReturnInTransit,
    ReturnReceived,
    ReturnRefunded,
    ReturnReplaced,
    ReturnCancelled,
)
