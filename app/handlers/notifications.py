"""Notification commands: one stream each; requesting one reads its order for the customer to tell."""

from __future__ import annotations

from app.domain import notifications
from app.domain.aggregates import NOTIFICATION, ORDER
from app.domain.notifications import Notification, NotificationStatus
from app.domain.streams import notification_stream, order_stream
from eventstore import EventCodec, EventStore, load_states

from .unit_of_work import UnitOfWork

_CHUNK = 500  # streams loaded per round trip when listing


async def change_notification(uow: UnitOfWork, command: notifications.NotificationCommand) -> Notification | None:
    customer_id = pickup_code = None
    if isinstance(command, notifications.RequestNotification):
        # A notification is requested once: the append insists the stream is new, so a job delivered twice
        # (or two at once) records it once; the second finds it on the retry and decides nothing.
        stream = notification_stream(command.notice.notification_id)
        state = await uow.get_new(NOTIFICATION, stream)
        if state is None:
            order = await uow.get(ORDER, order_stream(command.notice.order_id))
            customer_id = order.customer_id if order is not None else None
            sid = command.notice.shipment_id
            shipment = next((s for s in order.shipments if s.shipment_id == sid), None) if order else None
            if shipment is not None and shipment.destination:
                return None  # a transfer to a pickup store is stock moving, not news for the customer
            pickup_code = shipment.pickup_code if shipment is not None else None
    else:
        stream = notification_stream(command.notification_id)
        state = await uow.get(NOTIFICATION, stream)
    decided = notifications.decide(state, command, uow.now, customer_id=customer_id, pickup_code=pickup_code)
    return uow.record(NOTIFICATION, stream, decided)


async def list_notifications(
    store: EventStore, codec: EventCodec, *, status: NotificationStatus | None = None
) -> list[Notification]:
    """Every notification (or those with `status`), in id order, as the log tells them."""
    ids = await store.stream_ids("notification")
    found: list[Notification] = []
    for start in range(0, len(ids), _CHUNK):
        loaded = await load_states(store, codec, {s: NOTIFICATION for s in ids[start : start + _CHUNK]})
        for state, _ in loaded.values():
            if state is not None and (status is None or state.status is status):
                found.append(state)
    return found
