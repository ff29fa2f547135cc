"""Jobs by actor and outcome, counted by every worker process into one Redis hash that the API's /metrics
exposes (`meridian_jobs_total{actor, outcome}`).

Why Redis and not a metrics port per worker: workers scale out and restart, and each would need its own port
and scrape target; the hash is shared, survives restarts and is already where the jobs are. It costs one
HINCRBY per job. Outcomes: `succeeded`; `retried` (failed, will run again); `failed` (retries exhausted or an
exception the actor declared final: the job is in the dead-letter set); `skipped` (e.g. too old to run).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import dramatiq
import redis
import structlog

from app.logging import get_logger

log = get_logger("meridian.jobs")


def jobs_key(namespace: str) -> str:
    return f"{namespace}:metrics:jobs"  # app/api/health.py reads the same key


class JobMetrics(dramatiq.Middleware):
    """Counts and logs each job. Put it before Retries in the broker's middleware: `after_*` hooks run in
    reverse order, so it then sees whether Retries gave the message up (`message.failed`)."""

    def __init__(self, namespace: str, counts: redis.Redis | None = None) -> None:
        """`counts`: the Redis to count into when it is not the broker's (RabbitMQ); without one, jobs are
        only logged."""
        self.key = jobs_key(namespace)
        self.counts = counts
        self._local = threading.local()  # each worker thread runs one job at a time

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        self._local.started = time.perf_counter()
        # Dramatiq's own lines about this job (retries, failures) carry its actor and id.
        self._local.tokens = structlog.contextvars.bind_contextvars(
            actor=message.actor_name, message_id=message.message_id
        )

    def after_process_message(
        self, broker: dramatiq.Broker, message: Any, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        outcome = "succeeded" if exception is None else "failed" if message.failed else "retried"
        self._finish(broker, message, outcome, exception)

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        self._finish(broker, message, "skipped", None)

    def _finish(self, broker: Any, message: Any, outcome: str, exception: BaseException | None) -> None:
        started = getattr(self._local, "started", None)
        duration_ms = round((time.perf_counter() - started) * 1000, 2) if started is not None else None
        line = log.info if outcome in ("succeeded", "skipped") else log.warning
        line("job.finished", outcome=outcome, duration_ms=duration_ms, error=repr(exception) if exception else None)
        client = self.counts or getattr(broker, "client", None)
        try:
            if client is not None:
                client.hincrby(self.key, f"{message.actor_name}:{outcome}", 1)
        except redis.RedisError as down:  # a lost count must not fail (and so retry) the job itself
            log.warning("job.count_lost", error=repr(down))
        tokens = getattr(self._local, "tokens", None)
        if tokens:
            structlog.contextvars.reset_contextvars(**tokens)
        self._local.started = self._local.tokens = None
