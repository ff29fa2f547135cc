"""The pickup counter's words on an order stream: a PICKUP shipment made ready with its code, codes tried at the
counter, the collection, the half-way reminder and the expiry of an uncollected hold. Decided in
`pickup_counter`; folded by `order_state.evolve`.

The pickup code is in the log in clear (`ShipmentReadyForPickup.pickup_code`): the customer reads it back through
the API for the whole hold, so it must be recoverable, and the log is the only truth (a hash could not be shown;
a key outside the log would make replay and as-of depend on it). It never leaves the log but through
`Shipment.pickupCode` (its one access rule), the customer's READY_FOR_PICKUP notification, and the admin's
ledger; order history leaves it out for everyone, and no log line, job message or error carries it. A 6-digit
code is worth little alone: it opens one shipment, for days, behind a lock-out after 5 wrong tries.
"""

from __future__ import annotations

from datetime import datetime

from app.domain.events import Event
from app.domain.order_commands import OrderCommand
from app.domain.order_events import OrderEvent, ReservationRef

# --- commands ---------------------------------------------------------------------------------------------------


class ConfirmCollection(OrderCommand, frozen=True, kw_only=True):
    """The customer gives its code at the counter. A wrong code is not a refusal: it is recorded
    (`PickupCodeRejected`), since it counts towards the lock-out, and the caller reports it from the events."""

    shipment_id: str
    pickup_code: str


class RemindPickup(OrderCommand, frozen=True, kw_only=True):
    """Half-way through the hold the customer is reminded, once; before that, after it, or a second time,
    nothing happens (so a sweep may ask early, late or twice)."""

    shipment_id: str


class ExpirePickup(OrderCommand, frozen=True, kw_only=True):
    """The hold may have run out: a READY_FOR_PICKUP shipment past its `expires_at` expires, its units go back to
    the store's stock and its lines are cancelled; otherwise nothing happens."""

    shipment_id: str


# --- events -----------------------------------------------------------------------------------------------------


class ShipmentReadyForPickup(OrderEvent, frozen=True, kw_only=True):
    """A PICKUP shipment was picked and waits at the counter until `expires_at` (the store's hold)."""

    shipment_id: str
    pickup_code: str  # see the module's docstring for why it is stored, and where it may be read
    ready_at: datetime
    expires_at: datetime


class PickupCodeRejected(OrderEvent, frozen=True, kw_only=True):
    """A wrong code was given (the code tried is not recorded). `attempts` counts the wrong codes in a row,
    this one included; the one that reaches the limit sets `locked_until`, and the count starts again."""

    shipment_id: str
    rejected_at: datetime
    attempts: int
    locked_until: datetime | None = None


class ShipmentCollected(OrderEvent, frozen=True, kw_only=True):
    """The customer took the shipment: the handler ships its reservations (on-hand goes down), as on dispatch."""

    shipment_id: str
    collected_at: datetime


class PickupReminderIssued(OrderEvent, frozen=True, kw_only=True):
    """Half-way through the hold, the customer is reminded (once) that the shipment waits until `expires_at`."""

    shipment_id: str
    reminded_at: datetime
    expires_at: datetime


class PickupExpired(OrderEvent, frozen=True, kw_only=True):
    """Nobody collected the shipment within the hold: its reservations are `released` (the units are the store's
    to sell again) and the same append cancels its lines (`OrderLinesCancelled`, reason PICKUP_EXPIRED)."""

    shipment_id: str
    expired_at: datetime
    released: tuple[ReservationRef, ...]


PICKUP_COUNTER_EVENTS: tuple[type[Event], ...] = (
    ShipmentReadyForPickup,
    PickupCodeRejected,
    ShipmentCollected,
    PickupReminderIssued,
    PickupExpired,
)
