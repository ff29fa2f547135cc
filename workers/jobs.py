"""Dramatiq actors. Each builds one command, hands it to the handlers, and lets failures propagate so that
Dramatiq retries them — except domain refusals, which no retry can fix and are logged instead.

Import this module only after `workers.broker.make_broker` has set the broker (actors bind to it).
Every actor is idempotent: a job delivered twice finds its work done and appends nothing.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
import msgspec

from app.carriers.base import next_poll_delay
from app.carriers.registry import adapter_for
from app.domain import order_commands as oc
from app.domain.aggregates import ORDER
from app.domain.carts import ExpireCart
from app.domain.errors import DomainError
from app.domain.notifications import (
    Notice,
    NotificationStatus,
    RecordNotificationDelivered,
    RecordNotificationFailed,
    RequestNotification,
)
from app.domain.pickup_events import ExpirePickup, RemindPickup
from app.domain.streams import order_stream
from app.handlers import ConcurrencyConflict, FulfilReplenishment, Outcome, SettleReturn, SourceOrder, SourceOrders
from eventstore import Metadata, load_state

from .broker import BULK, ORDERS, queue_name
from .notify import post
from .runtime import runtime

log = logging.getLogger(__name__)


async def _handle(command: Any, *, actor: str, cause: str | None) -> Outcome[Any] | None:
    rt = await runtime()
    try:
        return await rt.handlers.handle(command, Metadata(actor=actor, causation_id=cause))
    except ConcurrencyConflict:
        raise  # contention: worth another try later
    except DomainError as refused:
        log.warning("%s refused %s: %s %s", actor, type(command).__name__, refused.code, refused.message)
        return None


@dramatiq.actor(max_retries=20)
async def source_order(order_id: str, cause: str | None = None) -> None:
    await _handle(SourceOrder(order_id=order_id), actor="worker:sourcing", cause=cause)


@dramatiq.actor(max_retries=20)
async def source_orders(order_ids: list[str]) -> None:
    """Orders that arrived together: the batch is planned at once so priorities decide under scarcity."""
    rt = await runtime()
    outcome = await rt.handlers.handle(SourceOrders(order_ids=tuple(order_ids)), Metadata(actor="worker:sourcing"))
    for sourced in outcome.value:
        if sourced.refused is not None:
            log.warning("worker:sourcing refused order %s: %s", sourced.order_id, sourced.refused.message)


@dramatiq.actor(max_retries=20)
async def allocate_backorders(sku: str, cause: str | None = None) -> None:
    """Supply arrived for `sku`: try the orders waiting for it, highest priority first, then oldest."""
    rt = await runtime()
    for order_id in await rt.backorders(sku):
        await _handle(SourceOrder(order_id=order_id), actor="worker:backorders", cause=cause)


@dramatiq.actor(max_retries=20)
async def fulfil_replenishment(
    sku: str, location_code: str, replenishment_id: str, source: str | None, cause: str | None = None
) -> None:
    command = FulfilReplenishment(
        sku=sku, location_code=location_code, replenishment_id=replenishment_id, source_location_code=source
    )
    await _handle(command, actor="worker:replenishment", cause=cause)


@dramatiq.actor(max_retries=20)
async def settle_return(return_id: str, cause: str | None = None) -> None:
    await _handle(SettleReturn(return_id=return_id), actor="worker:returns", cause=cause)


@dramatiq.actor(max_retries=20)
async def expire_pick(order_id: str, shipment_id: str) -> None:
    """Sent by the pick SLA sweep; the order decides whether the shipment is (still) overdue."""
    command = oc.ExpirePick(order_id=order_id, shipment_id=shipment_id)
    await _handle(command, actor="worker:pick-sla", cause=None)


@dramatiq.actor(max_retries=20)
async def remind_pickup(order_id: str, shipment_id: str) -> None:
    """Sent by the pickup sweep; the order decides whether the reminder is due (and not yet issued)."""
    await _handle(RemindPickup(order_id=order_id, shipment_id=shipment_id), actor="worker:pickup", cause=None)


@dramatiq.actor(max_retries=20)
async def expire_pickup(order_id: str, shipment_id: str) -> None:
    """Sent by the pickup sweep; the order decides whether the hold has run out (and the shipment still waits)."""
    await _handle(ExpirePickup(order_id=order_id, shipment_id=shipment_id), actor="worker:pickup", cause=None)


@dramatiq.actor(max_retries=20)
async def expire_cart(cart_id: str) -> None:
    """Sent by the cart expiry sweep; the cart decides whether it is (still) held and overdue."""
    await _handle(ExpireCart(cart_id=cart_id), actor="worker:cart-expiry", cause=None)


@dramatiq.actor(max_retries=30)
async def track_shipment(order_id: str, shipment_id: str, quiet_polls: int = 0) -> None:
    """Polls the carrier, hands what it reports to the order (which records only the new scans), and schedules
    the next poll, backing off while nothing new comes."""
    rt = await runtime()
    order, _ = await load_state(rt.store, rt.codec, ORDER, order_stream(order_id))
    shipment = next((s for s in order.shipments if s.shipment_id == shipment_id), None) if order else None
    if shipment is None or not shipment.carrier or not shipment.tracking_number:
        return
    adapter = adapter_for(shipment.carrier, rt.carriers, clock=rt.clock)
    if adapter is None:
        return  # tracked by webhooks alone
    parcel = await adapter.track(shipment.tracking_number)
    command = oc.RecordScans(
        order_id=order_id,
        shipment_id=shipment_id,
        scans=parcel.scans,
        estimated_delivery=parcel.estimated_delivery,
    )
    outcome = await _handle(command, actor=f"carrier:{shipment.carrier}", cause=None)
    quiet = 0 if outcome is not None and outcome.events else quiet_polls + 1
    delay = next_poll_delay(quiet, parcel.status, rt.poll_policy)
    if delay is not None:
        track_shipment.send_with_options(args=(order_id, shipment_id, quiet), delay=int(delay.total_seconds() * 1000))


NOTIFY_RETRIES = 20  # with the broker's backoff (doubling up to a minute): about a quarter of an hour


@dramatiq.actor(max_retries=NOTIFY_RETRIES, on_retry_exhausted="notification_undeliverable")
async def notify(notice: dict[str, Any]) -> None:
    """Records the notification (once, whatever the redeliveries) and, when a receiver is configured, POSTs it
    and records that it arrived. A refusal propagates: Dramatiq retries with backoff, and after the last retry
    `notification_undeliverable` records the failure."""
    rt = await runtime()
    request = RequestNotification(notice=msgspec.convert(notice, Notice))
    outcome = await _handle(request, actor="worker:notifications", cause=request.notice.notification_id)
    notification = outcome.value if outcome is not None else None
    if notification is None or rt.notify is None or notification.status is NotificationStatus.DELIVERED:
        return
    await post(rt.notify, notification)
    delivered = RecordNotificationDelivered(notification_id=notification.notification_id)
    await _handle(delivered, actor="worker:notifications", cause=notification.notification_id)


@dramatiq.actor(max_retries=20)
async def notification_undeliverable(message: dict[str, Any], retry_info: dict[str, Any]) -> None:
    """Dramatiq gave up on a `notify` job: the notification is recorded as failed (`meridian notifications
    --failed` lists it), with the last attempt's error."""
    notification_id = str(message["args"][0]["notification_id"])
    last_error = (message.get("options", {}).get("traceback") or "").strip().splitlines()[-1:] or ["unknown"]
    failed = RecordNotificationFailed(
        notification_id=notification_id,
        reason=last_error[0][:300],
        attempts=int(retry_info.get("retries", 0)) + 1,
    )
    await _handle(failed, actor="worker:notifications", cause=notification_id)


# Which queue each actor's jobs wait in (docs/architecture.md, "Job queues"). ORDERS: an order or a shopper
# waits for it, and its volume follows the orders placed now. BULK: its volume follows the log's history (a
# first start over an old log asks for one poll per shipment ever dispatched), and minutes of delay cost nothing.
CUSTOMER_FACING: tuple[dramatiq.Actor[Any, Any], ...] = (
    source_order,  # a new order (or one released from hold) waits for its allocation
    source_orders,
    expire_pick,  # re-sources an order whose pick ran late
    expire_cart,  # a shopper's hold must end within seconds of its TTL, freeing the stock for others
    remind_pickup,
    expire_pickup,
    settle_return,  # the customer's refund
)
BULK_WORK: tuple[dramatiq.Actor[Any, Any], ...] = (
    track_shipment,  # one poll per shipment, rescheduled until delivered
    allocate_backorders,  # a sweep per supply event; the orders it serves already wait for stock
    fulfil_replenishment,  # stock moving between locations
    notify,  # customer notifications: informative, retried for a quarter of an hour anyway
    notification_undeliverable,
)
ACTORS = CUSTOMER_FACING + BULK_WORK


def bind_actors(broker: dramatiq.Broker) -> None:
    """Points every actor at `broker` and its queue. Dramatiq binds actors to the global broker when they are
    defined; rebinding here lets the composition root (and each test) choose the broker after import."""
    for queue, actors in ((ORDERS, CUSTOMER_FACING), (BULK, BULK_WORK)):
        for actor in actors:
            actor.broker = broker
            actor.queue_name = queue_name(broker, queue)
            broker.declare_actor(actor)
