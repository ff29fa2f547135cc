"""Redis queues that wake their consumers when a job arrives, instead of being polled.

Dramatiq's Redis consumer looks at its queue and, finding it empty, sleeps before looking again (backing off up
to the worker's timeout). A job sent meanwhile waits out the sleep: up to a second by default, which an order
waiting for its sourcing notices, and each look costs a script run in Redis and a wake-up of the consumer's
thread. Here every send also rings the queue's doorbell (a PUBLISH on `<namespace>:doorbell:<queue>`), and an
idle consumer waits for it instead of sleeping: woken at once, and idle for the worker's whole timeout otherwise.

The doorbell is a hint, never the source of truth, like the log's LISTEN/NOTIFY wake-ups (eventstore/wakeups.py):
a ring lost while the subscription reconnects, or jobs put back without one (a dead worker's, requeued by
Dramatiq's maintenance), are found by the next look, at most one worker timeout later. So is a delayed job whose
time has come (a retry's back-off, a cart's hold): Dramatiq sends those on between looks, within that second.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer

log = logging.getLogger(__name__)

RECONNECT_S = 0.5  # between attempts to subscribe again after Redis went away


class Doorbells:
    """One subscription per process, ringing the events of the consumers registered on each queue."""

    def __init__(self, client: redis.Redis, namespace: str) -> None:
        self.client, self.prefix = client, f"{namespace}:doorbell:"
        self._events: dict[str, set[threading.Event]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.subscribed = threading.Event()  # set while the subscription stands
        self._pubsub: Any = None
        self._thread: threading.Thread | None = None

    def channel(self, queue: str) -> str:
        return self.prefix + queue

    def register(self, queue: str) -> threading.Event:
        """An event set whenever a job is sent to `queue` (and whenever a ring may have been lost)."""
        event = threading.Event()
        with self._lock:
            self._events.setdefault(queue, set()).add(event)
            if self._thread is None:
                self._thread = threading.Thread(target=self._listen, name="doorbells", daemon=True)
                self._thread.start()
        return event

    def forget(self, queue: str, event: threading.Event) -> None:
        with self._lock:
            self._events.get(queue, set()).discard(event)

    def _ring(self, queue: str | None) -> None:
        with self._lock:
            events = [e for q, es in self._events.items() if queue is None or q == queue for e in es]
        for event in events:
            event.set()

    def _listen(self) -> None:
        lost = False  # said once per outage, not at every attempt
        while not self._stopping.is_set():
            try:
                self._pubsub = self.client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
                self._pubsub.psubscribe(self.prefix + "*")
                self.subscribed.set()
                if lost:
                    log.info("doorbell subscription restored")
                    lost = False
                self._ring(None)  # rings sent before the subscription took are lost: everyone looks again
                while not self._stopping.is_set():
                    message = self._pubsub.get_message(timeout=1.0)
                    if message is not None and message["type"] == "pmessage":
                        channel = message["channel"]
                        self._ring((channel.decode() if isinstance(channel, bytes) else channel)[len(self.prefix) :])
            except (redis.ConnectionError, redis.TimeoutError, OSError, ValueError) as exc:
                if not self._stopping.is_set():
                    if not lost:
                        log.warning("doorbell subscription lost (consumers look at their timeout): %s", exc)
                        lost = True
                    self._stopping.wait(RECONNECT_S)
            finally:
                self.subscribed.clear()
                with contextlib.suppress(Exception):
                    self._pubsub.close()

    def close(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


class DoorbellRedisBroker(RedisBroker):
    """Dramatiq's Redis broker whose sends ring the queue's doorbell and whose idle consumers wait for it."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)  # type: ignore[no-untyped-call]
        self.doorbells = Doorbells(self.client, self.namespace)

    @property
    def consumer_class(self) -> type[_RedisConsumer]:
        return DoorbellConsumer

    def enqueue(self, message: dramatiq.Message[Any], *, delay: int | None = None) -> dramatiq.Message[Any]:
        sent = super().enqueue(message, delay=delay)
        self.client.publish(self.doorbells.channel(sent.queue_name), b"")  # a delayed job's queue is its DQ
        return sent

    def enqueue_all(self, messages: Sequence[dramatiq.Message[Any]]) -> None:
        """Sends the messages one after another (each send is one round trip already), ringing each of their
        queues once, after all of them are there."""
        for message in messages:
            super().enqueue(message)
        for queue in dict.fromkeys(m.queue_name for m in messages):
            self.client.publish(self.doorbells.channel(queue), b"")

    def close(self) -> None:
        self.doorbells.close()
        super().close()


class DoorbellConsumer(_RedisConsumer):  # Dramatiq's own consumer, whose methods are untyped
    """Dramatiq's Redis consumer, backing off at most 1 ms itself: it waits for the doorbell when its queue is
    empty, and for one of its jobs to finish when it holds as many as it may (both up to the worker's timeout,
    after which Dramatiq looks whether the worker is stopping)."""

    def __init__(self, broker: DoorbellRedisBroker, queue_name: str, prefetch: int, timeout: int) -> None:
        super().__init__(broker, queue_name, prefetch, 1)  # type: ignore[no-untyped-call]
        self.idle_s = timeout / 1000
        self.rung = broker.doorbells.register(queue_name)
        self.freed = threading.Event()

    def __next__(self) -> Any:
        # Cleared before looking: a job sent (or finished) while we look sets them again, and the wait sees it.
        self.rung.clear()
        self.freed.clear()
        full = self.outstanding_message_count >= self.prefetch  # then Dramatiq does not look at the queue
        message = super().__next__()  # type: ignore[no-untyped-call]
        if message is None:
            (self.freed if full else self.rung).wait(self.idle_s)
        return message

    def ack(self, message: Any) -> None:
        super().ack(message)  # type: ignore[no-untyped-call]
        self.freed.set()

    def nack(self, message: Any) -> None:
        super().nack(message)  # type: ignore[no-untyped-call]
        self.freed.set()

    def close(self) -> None:
        self.broker.doorbells.forget(self.queue_name, self.rung)
        super().close()
