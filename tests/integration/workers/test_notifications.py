"""Notification webhooks against a local receiver: signed, retried after a 500, one id per notification, and
listed as failed when the receiver never accepts them. A real worker on real Redis sends them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dramatiq
import msgspec
import pytest
from dramatiq import Broker
from pydantic import SecretStr

from app.domain import ALL_EVENTS
from app.domain import order_commands as oc
from app.domain.notifications import NotificationStatus, NotificationType
from app.domain.streams import notification_stream, order_stream
from app.domain.values import Scan, TrackingStatus
from app.handlers import Handlers, SourceOrder
from app.handlers.notifications import list_notifications
from eventstore import EventCodec, EventStore
from tests.integration.handlers.support import NEWARK, location, place, receive
from workers import jobs, runtime
from workers.dispatcher import jobs_for
from workers.notify import SIGNATURE_HEADER, NotifySettings

from .conftest import drain, eventually

SECRET = "receiver-shared-secret"
CODEC = EventCodec(ALL_EVENTS)


@dataclass
class Receiver:
    """The customer-messaging side: answers each POST with the next scripted status (then 200), keeps what came."""

    url: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self) -> list[str]:
        with self.lock:
            return [msgspec.json.decode(raw)["id"] for _, raw in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            with state.lock:
                state.received.append(({k.lower(): v for k, v in self.headers.items()}, raw))
                status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: http.server would print every request to stderr; the test reads `received` instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/meridian"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def notifying_worker(broker: Broker, database_url: str, receiver: Receiver) -> Iterator[dramatiq.Worker]:
    runtime.configure(database_url, notify=NotifySettings(url=receiver.url, secret=SecretStr(SECRET)))
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
async def dispatched(handlers: Handlers, store: EventStore) -> AsyncIterator[str]:
    """An order `n1` for customer c-7 whose shipment S1 left with a carrier tracked by webhooks alone."""
    await location(handlers, "NWK", NEWARK)
    await receive(handlers, "NWK", "TEE", 5)
    await handlers.handle(place("n1", ("TEE", 1), customer="c-7"))
    await handlers.handle(SourceOrder(order_id="n1"))
    await handlers.handle(oc.PackShipment(order_id="n1", shipment_id="S1"))
    await handlers.handle(oc.DispatchShipment(order_id="n1", shipment_id="S1", carrier="acme", tracking_number="A-1"))
    yield "n1"


async def with_status(store: EventStore, status: NotificationStatus) -> list[str]:
    return [x.notification_id for x in await list_notifications(store, CODEC, status=status)]


async def notify_jobs(store: EventStore, order_id: str, event_type: str) -> list[dramatiq.Message[object]]:
    recorded = [r for r in await store.read_stream(order_stream(order_id)) if r.event_type == event_type]
    return [m for r in recorded for m in jobs_for(CODEC, r) if m.actor_name == jobs.notify.actor_name]


def verify(headers: dict[str, str], raw: bytes) -> bool:
    """What a receiver does first: the signature over the raw body, with the shared secret."""
    expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers[SIGNATURE_HEADER.lower()], expected)


async def test_a_dispatch_and_a_delivery_are_posted_signed_and_a_500_is_retried(
    store: EventStore,
    handlers: Handlers,
    receiver: Receiver,
    notifying_worker: dramatiq.Worker,
    running_dispatcher: None,
    dispatched: str,
) -> None:
    receiver.answers = [500]  # the first attempt is refused, the retry accepted

    async def one_delivered() -> bool:
        return len(await with_status(store, NotificationStatus.DELIVERED)) == 1

    await eventually(one_delivered)
    assert len(receiver.received) == 2
    (headers, first), (_, second) = receiver.received
    assert first == second  # the retry sends the very same bytes: same id, same signature
    assert all(verify(h, raw) for h, raw in receiver.received)
    assert headers["content-type"] == "application/json"
    sent = msgspec.json.decode(first)
    assert set(sent) == {"id", "type", "occurredAt", "orderId", "shipmentId", "customerId", "data"}
    assert (sent["type"], sent["orderId"], sent["shipmentId"], sent["customerId"]) == ("DISPATCHED", "n1", "S1", "c-7")
    assert sent["data"]["trackingNumber"] == "A-1"
    stream = [r.event_type for r in await store.read_stream(notification_stream(sent["id"]))]
    assert stream == ["NotificationRequested", "NotificationDelivered"]

    # The carrier's delivery scan: the shipment reaches DELIVERED, and the customer hears of it.
    scan = Scan(status=TrackingStatus.DELIVERED, message="left at door", occurred_at=datetime.now(UTC))
    await handlers.handle(oc.RecordScans(order_id="n1", shipment_id="S1", scans=(scan,)))

    async def two_delivered() -> bool:
        return len(await with_status(store, NotificationStatus.DELIVERED)) == 2

    await eventually(two_delivered)
    last = msgspec.json.decode(receiver.received[-1][1])
    assert (last["type"], last["customerId"]) == (NotificationType.DELIVERED.value, "c-7")
    assert verify(*receiver.received[-1])


async def test_a_notification_sent_twice_is_recorded_once_under_one_id(
    store: EventStore, broker: Broker, receiver: Receiver, notifying_worker: dramatiq.Worker, dispatched: str
) -> None:
    # The dispatcher is at least once: a batch sent again after a crash asks for the same notification again.
    messages = await notify_jobs(store, dispatched, "ShipmentDispatched")
    messages += await notify_jobs(store, dispatched, "ShipmentDispatched")
    assert len(messages) == 2
    for message in messages:
        broker.enqueue(message)
    drain(broker, notifying_worker)

    (notification_id,) = {str(m.args[0]["notification_id"]) for m in messages}
    assert 1 <= len(receiver.received) <= 2  # the second job may find it delivered already, or post it again
    assert set(receiver.ids()) == {notification_id}  # either way the receiver de-duplicates by this id
    stream = [r.event_type for r in await store.read_stream(notification_stream(notification_id))]
    assert stream == ["NotificationRequested", "NotificationDelivered"]


async def test_a_notification_the_receiver_never_accepts_is_listed_as_failed(
    store: EventStore,
    broker: Broker,
    receiver: Receiver,
    notifying_worker: dramatiq.Worker,
    dispatched: str,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    receiver.answers = [500] * 100
    (message,) = await notify_jobs(store, dispatched, "ShipmentDispatched")
    broker.enqueue(message.copy(options={**message.options, "max_retries": 2}))

    async def failed() -> bool:
        return len(await with_status(store, NotificationStatus.FAILED)) == 1

    await eventually(failed)
    assert len(receiver.received) == 3  # the first attempt and two retries
    (notification,) = await list_notifications(store, CODEC, status=NotificationStatus.FAILED)
    assert notification.attempts == 3 and notification.reason is not None and "500" in notification.reason
    assert "Retrying message" in caplog.text and SECRET not in caplog.text  # retried out loud, never the secret

    env = {**os.environ, "DATABASE_URL": database_url, "MERIDIAN_LOG_LEVEL": "WARNING"}
    listing = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.cli", "notifications", "--failed", env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await listing.communicate()
    assert listing.returncode == 0
    rows = [msgspec.json.decode(line) for line in out.splitlines()]
    assert [(r["notification_id"], r["status"], r["order_id"]) for r in rows] == [
        (notification.notification_id, "FAILED", "n1")
    ]
