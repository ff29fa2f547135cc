"""Customer notifications: which order events tell the customer something, and whether they were told.

A notification has a stream of its own (`notification-<id>`): requested, then delivered or failed. Its id is
derived from the event that caused it (uuid5 of that event's id and the notification's type), so a job sent
twice for one event — the dispatcher is at least once — names the same notification, appends nothing the
second time, and a receiver de-duplicates the webhook by that id.

Adding a notification is a case in `notice_for` (and its event class in `NOTIFYING_EVENTS`, which the
dispatcher watches): for instance a shipment made ready for pickup → `READY_FOR_PICKUP`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import msgspec

from app.domain.errors import InvalidState, NotFound
from app.domain.events import Command, Event
from app.domain.order_events import OrderRefunded, ShipmentDelivered, ShipmentDispatched
from app.domain.pickup_events import PickupExpired, PickupReminderIssued, ShipmentReadyForPickup

# Fixed forever: changing it would give every past notification a new id and defeat receivers' de-duplication.
NOTIFICATION_NAMESPACE = uuid.UUID("5b0d1c3e-8f2a-4c61-9d7e-3a1f6e2b9c40")


class NotificationType(StrEnum):
    READY_FOR_PICKUP = "READY_FOR_PICKUP"
    PICKUP_REMINDER = "PICKUP_REMINDER"
    PICKUP_EXPIRED = "PICKUP_EXPIRED"
    DISPATCHED = "DISPATCHED"
    DELIVERED = "DELIVERED"
    REFUND_ISSUED = "REFUND_ISSUED"


class NotificationStatus(StrEnum):
    REQUESTED = "REQUESTED"  # recorded, not (yet) confirmed by the receiver
    DELIVERED = "DELIVERED"  # the receiver answered 2xx
    FAILED = "FAILED"  # every attempt failed


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    """What an event tells the customer: the notification it asks for, before the customer is looked up."""

    notification_id: str
    type: NotificationType
    order_id: str
    shipment_id: str | None
    occurred_at: datetime
    data: dict[str, str | None] = {}


def notification_id(cause_event_id: str, type_: NotificationType) -> str:
    """The notification's stable id: the same causing event and type always give the same id."""
    return str(uuid.uuid5(NOTIFICATION_NAMESPACE, f"{cause_event_id}:{type_.value}"))


def notice_for(event: Event, event_id: str) -> Notice | None:
    """The notification `event` (stored with id `event_id`) asks for, if any."""

    def notice(type_: NotificationType, shipment_id: str | None, at: datetime, **data: str | None) -> Notice:
        return Notice(
            notification_id=notification_id(event_id, type_),
            type=type_,
            order_id=order_id,
            shipment_id=shipment_id,
            occurred_at=at,
            data=data,
        )

    match event:
        case ShipmentDispatched(order_id=order_id):
            promised = event.promised_delivery.isoformat() if event.promised_delivery else None
            return notice(
                NotificationType.DISPATCHED,
                event.shipment_id,
                event.dispatched_at,
                carrier=event.carrier,
                trackingNumber=event.tracking_number,
                promisedDelivery=promised,
            )
        case ShipmentDelivered(order_id=order_id):
            return notice(NotificationType.DELIVERED, event.shipment_id, event.delivered_at)
        case ShipmentReadyForPickup(order_id=order_id):
            # Without the code: a notice travels as a job message (Redis, the worker's logs when a job fails).
            # The request adds it from the order (`decide`'s `pickup_code`).
            expires = event.expires_at.isoformat()
            return notice(NotificationType.READY_FOR_PICKUP, event.shipment_id, event.ready_at, expiresAt=expires)
        case PickupReminderIssued(order_id=order_id):
            expires = event.expires_at.isoformat()
            return notice(NotificationType.PICKUP_REMINDER, event.shipment_id, event.reminded_at, expiresAt=expires)
        case PickupExpired(order_id=order_id):
            return notice(NotificationType.PICKUP_EXPIRED, event.shipment_id, event.expired_at)
        case OrderRefunded(order_id=order_id):
            return notice(
                NotificationType.REFUND_ISSUED,
                None,
                event.refunded_at,
                amount=f"{event.amount.amount:f}",  # exact, as a string: the receiver must not parse a float
                currency=event.amount.currency,
                cause=event.cause.value,
                returnId=event.return_id,
            )
    return None


# The events `notice_for` answers for: the dispatcher watches them.
NOTIFYING_EVENTS: tuple[type[Event], ...] = (
    ShipmentDispatched,
    ShipmentDelivered,
    ShipmentReadyForPickup,
    PickupReminderIssued,
    PickupExpired,
    OrderRefunded,
)

# Data only the customer may read: in the notification (its webhook goes to the customer's channel) but never
# in a job message, a log line or a listing (`without_secrets`).
SECRET_DATA = frozenset({"pickupCode"})


# --- events ---------------------------------------------------------------------------------------------------


class NotificationRequested(Event, frozen=True, kw_only=True):
    notification_id: str
    type: NotificationType
    order_id: str
    shipment_id: str | None
    customer_id: str
    occurred_at: datetime  # when what it tells happened
    data: dict[str, str | None]
    requested_at: datetime


class NotificationDelivered(Event, frozen=True, kw_only=True):
    notification_id: str
    delivered_at: datetime


class NotificationFailed(Event, frozen=True, kw_only=True):
    notification_id: str
    reason: str
    attempts: int
    failed_at: datetime


NOTIFICATION_EVENTS: tuple[type[Event], ...] = (NotificationRequested, NotificationDelivered, NotificationFailed)


# --- commands ---------------------------------------------------------------------------------------------------


class RequestNotification(Command, frozen=True, kw_only=True):
    notice: Notice


class RecordNotificationDelivered(Command, frozen=True, kw_only=True):
    notification_id: str


class RecordNotificationFailed(Command, frozen=True, kw_only=True):
    notification_id: str
    reason: str
    attempts: int


NotificationCommand = RequestNotification | RecordNotificationDelivered | RecordNotificationFailed


# --- state ------------------------------------------------------------------------------------------------------


class Notification(msgspec.Struct, frozen=True, kw_only=True):
    notification_id: str
    type: NotificationType
    order_id: str
    shipment_id: str | None
    customer_id: str
    occurred_at: datetime
    data: dict[str, str | None]
    requested_at: datetime
    status: NotificationStatus = NotificationStatus.REQUESTED
    delivered_at: datetime | None = None
    failed_at: datetime | None = None
    reason: str | None = None
    attempts: int | None = None


def decide(
    state: Notification | None,
    command: NotificationCommand,
    now: datetime,
    *,
    customer_id: str | None = None,
    pickup_code: str | None = None,
) -> list[Event]:
    """Requesting takes the customer of the notice's order (None: the order is unknown) and, for
    READY_FOR_PICKUP, the shipment's pickup code, which the notice leaves out.

    Every command is idempotent: a notification is requested once, delivered once, and a failure after a
    delivery (a late retry giving up) changes nothing, since the customer was told.
    """
    match command:
        case RequestNotification(notice=n):
            if state is not None:
                return []
            if customer_id is None:
                raise NotFound(f"order {n.order_id} not found")
            data = n.data
            if n.type is NotificationType.READY_FOR_PICKUP and pickup_code is not None:
                data = {**data, "pickupCode": pickup_code}
            return [
                NotificationRequested(
                    notification_id=n.notification_id,
                    type=n.type,
                    order_id=n.order_id,
                    shipment_id=n.shipment_id,
                    customer_id=customer_id,
                    occurred_at=n.occurred_at,
                    data=data,
                    requested_at=now,
                )
            ]
        case RecordNotificationDelivered():
            _require_requested(state, command.notification_id)
            if state is None or state.status is NotificationStatus.DELIVERED:
                return []
            return [NotificationDelivered(notification_id=command.notification_id, delivered_at=now)]
        case RecordNotificationFailed():
            _require_requested(state, command.notification_id)
            if state is None or state.status is not NotificationStatus.REQUESTED:
                return []
            return [
                NotificationFailed(
                    notification_id=command.notification_id,
                    reason=command.reason,
                    attempts=command.attempts,
                    failed_at=now,
                )
            ]
    raise InvalidState(f"unknown notification command {type(command).__name__}")


def without_secrets(notification: Notification) -> Notification:
    """The notification as staff may list it: secret data masked."""
    data = {k: ("***" if k in SECRET_DATA and v is not None else v) for k, v in notification.data.items()}
    return msgspec.structs.replace(notification, data=data)


def _require_requested(state: Notification | None, notification_id: str) -> None:
    if state is None:
        raise NotFound(f"notification {notification_id} was never requested")


def evolve(state: Notification | None, event: Event) -> Notification | None:
    match event:
        case NotificationRequested():
            return Notification(
                notification_id=event.notification_id,
                type=event.type,
                order_id=event.order_id,
                shipment_id=event.shipment_id,
                customer_id=event.customer_id,
                occurred_at=event.occurred_at,
                data=event.data,
                requested_at=event.requested_at,
            )
        case NotificationDelivered() if state is not None:
            return msgspec.structs.replace(state, status=NotificationStatus.DELIVERED, delivered_at=event.delivered_at)
        case NotificationFailed() if state is not None:
            return msgspec.structs.replace(
                state,
                status=NotificationStatus.FAILED,
                failed_at=event.failed_at,
                reason=event.reason,
                attempts=event.attempts,
            )
    return state
