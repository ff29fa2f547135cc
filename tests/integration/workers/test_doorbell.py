"""An idle Redis consumer is woken by the job sent to its queue (workers/doorbell.py), not by its next look.

The consumer here may stay idle for a minute between looks; the test gives the job far less than that. What it
waits for is observed (the subscription standing, the consumer's first look finding the queue empty), never a
fixed time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import dramatiq
import pytest

from workers.doorbell import DoorbellConsumer, DoorbellRedisBroker

from .conftest import redis_broker_of

IDLE_MS = 60_000  # the consumer's own look, were nothing to wake it: far past every deadline below
DEADLINE_S = 20.0


@pytest.fixture
def redis_broker(redis_url: str) -> Iterator[DoorbellRedisBroker]:
    """Doorbells are Redis's: RabbitMQ pushes jobs to its consumers."""
    for broker in redis_broker_of(redis_url):
        assert isinstance(broker, DoorbellRedisBroker)
        yield broker


def wait_until(observed: Any, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not observed():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


class Receiving:
    """A thread taking the consumer's next job, as a worker's consumer thread does: it looks until one comes or
    DEADLINE_S passes; `received` holds what it took."""

    def __init__(self, consumer: DoorbellConsumer) -> None:
        self.consumer, self.received = consumer, list[Any]()
        self.thread = threading.Thread(target=self._take, daemon=True)
        self.thread.start()

    def _take(self) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while not self.received and time.monotonic() < deadline:
            if (message := next(self.consumer)) is not None:
                self.received.append(message)

    def ids(self) -> list[str]:
        """The ids of what it took, once it is done (or DEADLINE_S has passed)."""
        self.thread.join(DEADLINE_S)
        return [m.message_id for m in self.received]


@pytest.mark.parametrize("delay", [None, 1], ids=["now", "delayed"])
def test_a_job_sent_wakes_the_idle_consumer_of_its_queue(redis_broker: DoorbellRedisBroker, delay: int | None) -> None:
    broker = redis_broker
    noop = dramatiq.Actor(lambda: None, broker=broker, actor_name="noop", queue_name="rung", priority=0, options={})
    # A delayed job waits in the queue's delay queue (`rung.DQ`), which a worker consumes apart.
    queue = "rung" if delay is None else "rung.DQ"
    consumer = broker.consume(queue, prefetch=1, timeout=IDLE_MS)
    assert isinstance(consumer, DoorbellConsumer)
    wait_until(broker.doorbells.subscribed.is_set, "the doorbell subscription")
    receiving = Receiving(consumer)
    try:
        wait_until(lambda: consumer.misses >= 1, "the consumer's first look to find its queue empty")
        sent = broker.enqueue(noop.message(), delay=delay)
        assert receiving.ids() == [sent.message_id], "the job waited for the consumer's next look"
    finally:
        consumer.close()


def test_a_consumer_holding_all_it_may_looks_again_when_one_of_its_jobs_is_done(
    redis_broker: DoorbellRedisBroker,
) -> None:
    broker = redis_broker
    noop = dramatiq.Actor(lambda: None, broker=broker, actor_name="noop", queue_name="held", priority=0, options={})
    first, second = broker.enqueue(noop.message()), broker.enqueue(noop.message())
    consumer = broker.consume("held", prefetch=1, timeout=IDLE_MS)
    assert isinstance(consumer, DoorbellConsumer)
    held = next(consumer)
    assert held is not None and held.message_id == first.message_id
    receiving = Receiving(consumer)
    try:
        # The second job is in the queue (no ring to come), but the consumer may hold only one: it waits for
        # the first to be done, and that (not its next look, a minute away) lets it take the second.
        wait_until(lambda: consumer.misses >= 1 or not receiving.thread.is_alive(), "the consumer to find itself full")
        consumer.ack(held)
        assert receiving.ids() == [second.message_id]
    finally:
        consumer.close()
