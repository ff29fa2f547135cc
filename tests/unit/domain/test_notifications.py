"""Which events notify the customer, with which stable id; requested, delivered and failed once each."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import msgspec
import pytest
from pydantic import SecretStr

from app.domain import notifications as n
from app.domain.errors import NotFound
from app.domain.events import Event
from app.domain.order_events import (
    OrderRefunded,
    ShipmentDelivered,
    ShipmentDispatched,
    ShipmentPacked,
    TrackingUpdated,
)
from app.domain.pickup_events import PickupExpired, PickupReminderIssued, ShipmentReadyForPickup
from app.domain.values import TrackingStatus
from workers.notify import SIGNATURE_HEADER, body, signature

from .support import NOW, given

DISPATCHED = ShipmentDispatched(
    order_id="o1",
    shipment_id="S1",
    carrier="acme",
    tracking_number="T-1",
    promised_delivery=NOW + timedelta(days=2),
    dispatched_at=NOW,
)
DELIVERED = ShipmentDelivered(order_id="o1", shipment_id="S1", delivered_at=NOW + timedelta(days=1))


def test_a_dispatch_and_a_delivery_notify_and_other_order_events_do_not() -> None:
    dispatched = n.notice_for(DISPATCHED, "ev-1")
    delivered = n.notice_for(DELIVERED, "ev-2")
    assert dispatched is not None and delivered is not None
    assert (dispatched.type, dispatched.order_id, dispatched.shipment_id) == (n.NotificationType.DISPATCHED, "o1", "S1")
    assert dispatched.occurred_at == NOW
    assert dispatched.data == {
        "carrier": "acme",
        "trackingNumber": "T-1",
        "promisedDelivery": (NOW + timedelta(days=2)).isoformat(),
    }
    assert (delivered.type, delivered.occurred_at) == (n.NotificationType.DELIVERED, DELIVERED.delivered_at)
    scan = TrackingUpdated(
        order_id="o1", shipment_id="S1", status=TrackingStatus.IN_TRANSIT, message=None, occurred_at=NOW
    )
    assert n.notice_for(ShipmentPacked(order_id="o1", shipment_id="S1", packed_at=NOW), "ev-3") is None
    assert n.notice_for(scan, "ev-4") is None
    assert set(n.NOTIFYING_EVENTS) == {
        ShipmentDispatched,
        ShipmentDelivered,
        ShipmentReadyForPickup,
        PickupReminderIssued,
        PickupExpired,
        OrderRefunded,
    }


READY = ShipmentReadyForPickup(
    order_id="o1", shipment_id="S1", pickup_code="042917", ready_at=NOW, expires_at=NOW + timedelta(days=5)
)


def test_the_pickup_counter_notifies_and_only_the_request_carries_the_code() -> None:
    ready = n.notice_for(READY, "ev-5")
    assert ready is not None
    assert (ready.type, ready.shipment_id, ready.occurred_at) == (n.NotificationType.READY_FOR_PICKUP, "S1", NOW)
    assert ready.data == {"expiresAt": READY.expires_at.isoformat()}  # the job message: no code
    assert "042917" not in msgspec.json.encode(ready).decode()
    (requested,) = n.decide(None, n.RequestNotification(notice=ready), NOW, customer_id="c1", pickup_code="042917")
    assert isinstance(requested, n.NotificationRequested)
    assert requested.data == {"expiresAt": READY.expires_at.isoformat(), "pickupCode": "042917"}
    listed = n.without_secrets(given(n.evolve, None, [requested]))  # type: ignore[arg-type]
    assert listed.data["pickupCode"] == "***"

    reminder = PickupReminderIssued(order_id="o1", shipment_id="S1", reminded_at=NOW, expires_at=READY.expires_at)
    remind = n.notice_for(reminder, "ev-6")
    assert remind is not None and remind.type is n.NotificationType.PICKUP_REMINDER
    (requested,) = n.decide(None, n.RequestNotification(notice=remind), NOW, customer_id="c1", pickup_code="042917")
    assert isinstance(requested, n.NotificationRequested) and "pickupCode" not in requested.data
    expired = n.notice_for(PickupExpired(order_id="o1", shipment_id="S1", expired_at=NOW, released=()), "ev-7")
    assert expired is not None and (expired.type, expired.data) == (n.NotificationType.PICKUP_EXPIRED, {})


def test_the_id_is_stable_per_causing_event_and_type() -> None:
    first, again = n.notice_for(DISPATCHED, "ev-1"), n.notice_for(DISPATCHED, "ev-1")
    assert first is not None and again is not None
    assert first.notification_id == again.notification_id == n.notification_id("ev-1", n.NotificationType.DISPATCHED)
    assert first.notification_id != n.notification_id("ev-2", n.NotificationType.DISPATCHED)
    assert first.notification_id != n.notification_id("ev-1", n.NotificationType.DELIVERED)
    # Pinned: a receiver de-duplicates by this id, so it must never change between releases.
    assert n.notification_id("ev-1", n.NotificationType.DISPATCHED) == "1612dd0a-2221-58b7-aa90-7c8e21b90357"


def _then(state: n.Notification | None, events: list[Event]) -> n.Notification | None:
    return given(n.evolve, state, events)


def _requested() -> n.Notification:
    notice = n.notice_for(DISPATCHED, "ev-1")
    assert notice is not None
    events = n.decide(None, n.RequestNotification(notice=notice), NOW, customer_id="c-1")
    state = given(n.evolve, None, events)
    assert state is not None
    return state


def test_a_notification_is_requested_once_for_the_orders_customer() -> None:
    state = _requested()
    assert (state.customer_id, state.status, state.requested_at) == ("c-1", n.NotificationStatus.REQUESTED, NOW)
    notice = n.notice_for(DISPATCHED, "ev-1")
    assert notice is not None
    assert n.decide(state, n.RequestNotification(notice=notice), NOW, customer_id="c-1") == []
    with pytest.raises(NotFound):
        n.decide(None, n.RequestNotification(notice=notice), NOW, customer_id=None)


def test_delivered_once_and_a_late_failure_changes_nothing() -> None:
    state = _requested()
    delivered = n.RecordNotificationDelivered(notification_id=state.notification_id)
    failed = n.RecordNotificationFailed(notification_id=state.notification_id, reason="500", attempts=3)
    events = n.decide(state, delivered, NOW)
    assert [type(e) for e in events] == [n.NotificationDelivered]
    after = _then(state, events)
    assert after is not None and after.status is n.NotificationStatus.DELIVERED
    assert n.decide(after, delivered, NOW) == []
    assert n.decide(after, failed, NOW) == []
    with pytest.raises(NotFound):
        n.decide(None, delivered, NOW)


def test_a_failure_is_recorded_once_and_a_later_delivery_still_counts() -> None:
    state = _requested()
    failed = n.RecordNotificationFailed(notification_id=state.notification_id, reason="500", attempts=3)
    after = _then(state, n.decide(state, failed, NOW))
    assert after is not None
    assert (after.status, after.reason, after.attempts) == (n.NotificationStatus.FAILED, "500", 3)
    assert n.decide(after, failed, NOW) == []
    late = n.decide(after, n.RecordNotificationDelivered(notification_id=state.notification_id), NOW)
    assert [type(e) for e in late] == [n.NotificationDelivered]


def test_the_webhook_body_and_its_signature() -> None:
    state = _requested()
    raw = body(state)
    assert msgspec.json.decode(raw) == {
        "id": state.notification_id,
        "type": "DISPATCHED",
        "occurredAt": NOW.isoformat(),
        "orderId": "o1",
        "shipmentId": "S1",
        "customerId": "c-1",
        "data": {"carrier": "acme", "trackingNumber": "T-1", "promisedDelivery": (NOW + timedelta(days=2)).isoformat()},
    }
    assert body(state) == raw  # the same bytes on every attempt
    expected = hmac.new(b"s3cret", raw, hashlib.sha256).hexdigest()
    assert signature(SecretStr("s3cret"), raw) == f"sha256={expected}"
    assert SIGNATURE_HEADER == "X-Meridian-Signature"
