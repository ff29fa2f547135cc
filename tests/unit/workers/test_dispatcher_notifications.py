"""The dispatcher asks for a notification with the work of the events that notify, named by the causing event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import msgspec

from app.domain import ALL_EVENTS
from app.domain.events import Event
from app.domain.notifications import NotificationType, notification_id
from app.domain.order_events import ShipmentDelivered, ShipmentDispatched, ShipmentPacked
from eventstore import EventCodec, RecordedEvent
from workers import jobs
from workers.dispatcher import WATCHED, jobs_for

CODEC = EventCodec(ALL_EVENTS)
AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def recorded(event: Event, event_id: uuid.UUID) -> RecordedEvent:
    new = CODEC.encode(event, event_id=event_id)
    return RecordedEvent(1, 1, "order-o1", 1, event_id, new.event_type, 1, new.data, "{}", AT)


def test_a_dispatch_is_tracked_and_notified_a_delivery_notified_and_a_pack_neither() -> None:
    cause = uuid.uuid4()
    dispatched = ShipmentDispatched(
        order_id="o1", shipment_id="S1", carrier="acme", tracking_number="T", promised_delivery=None, dispatched_at=AT
    )
    track, notify = jobs_for(CODEC, recorded(dispatched, cause))
    assert track.actor_name == jobs.track_shipment.actor_name
    assert notify.actor_name == jobs.notify.actor_name
    assert notify.args[0]["notification_id"] == notification_id(str(cause), NotificationType.DISPATCHED)
    assert notify.args[0]["type"] == "DISPATCHED"
    msgspec.json.encode(notify.args)  # what Redis carries

    (delivered,) = jobs_for(CODEC, recorded(ShipmentDelivered(order_id="o1", shipment_id="S1", delivered_at=AT), cause))
    assert delivered.args[0]["notification_id"] == notification_id(str(cause), NotificationType.DELIVERED)
    assert jobs_for(CODEC, recorded(ShipmentPacked(order_id="o1", shipment_id="S1", packed_at=AT), cause)) == []
    assert {"ShipmentDispatched", "ShipmentDelivered"} <= set(WATCHED) and len(WATCHED) == len(set(WATCHED))
