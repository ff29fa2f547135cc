"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pika
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.logging import get_logger
from app.settings import METRICS_FOLDER_VARIABLE, STATE_FILE
from projections.runner import checkpoint_names

from .services import Services
from .system_state import reader_states

log = get_logger("meridian.health")

MAX_READY_LAG_EVENTS = 10_000

REQUESTS = Histogram("meridian_graphql_request_seconds", "GraphQL request latency", ["operation"])
ERRORS = Counter("meridian_graphql_errors_total", "GraphQL responses carrying errors", ["operation"])
# Set by whichever API process answers a scrape, from the database: with several processes, the latest one stands.
LAG = Gauge(
    "meridian_projection_lag_events",
    "Events in the log not yet in a read model",
    ["projection"],
    multiprocess_mode="livemostrecent",
)
STALLED = Gauge(
    "meridian_log_reader_stalled",
    "1: the reader stopped at an event its code cannot read",
    ["reader"],
    multiprocess_mode="livemostrecent",
)
_stalled_seen: set[str] = set()


async def healthz(request: Request) -> Response:
    """Alive: the process answers. Checks no dependency on purpose (restarting would not fix them)."""
    return JSONResponse({"status": "ok"})


async def projection_lag(services: Services) -> dict[str, int]:
    """Events each projection has still to read, as `systemStatus` counts them (system_state.py)."""
    return {
        state.name: state.lag_events
        for state in await reader_states(
            services.store, checkpoint_names(partitions=services.settings.projection_partitions)
        )
    }


async def readyz(request: Request) -> Response:
    """Ready: the database answers and the read models are close to the log."""
    services: Services = request.app.state.services
    started = time.perf_counter()
    try:
        await services.pool.fetchval("SELECT 1")
        lag = await projection_lag(services)
        stalled = await services.store.stalled_checkpoints()
    except Exception as exc:  # any failure means "not ready"; the reason is in the body, never a trace
        return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, status_code=503)
    brokers = await job_brokers(services)
    unreachable = any(state != "ok" for state in brokers.values())
    behind = {name: n for name, n in lag.items() if n > MAX_READY_LAG_EVENTS and name not in stalled}
    body = {
        # A reader stopped at an event it cannot read (a newer version wrote it) is reported, not "not ready":
        # the API still answers, and taking it out of rotation would stop everything for one stale read model.
        # So is a job broker out of reach: orders are still taken into the log, their jobs sent once it is back.
        "status": "lagging" if behind else "degraded" if stalled or unreachable else "ready",
        "projection_lag": lag,
        "stalled": stalled,
        "brokers": brokers,
        "checked_in_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    return JSONResponse(body, status_code=200 if not behind else 503)


async def job_brokers(services: Services) -> dict[str, str]:
    """Whether the workers' Redis and, with an amqp:// BROKER_URL, RabbitMQ answer: "ok", or why not (the
    error's name, never a trace)."""
    found: dict[str, str] = {}
    if services.redis is not None:
        try:
            await asyncio.wait_for(services.redis.ping(), BROKER_TIMEOUT)
            found["redis"] = "ok"
        except Exception as exc:  # any failure means "out of reach"
            found["redis"] = type(exc).__name__
    if (url := services.settings.rabbitmq_url) is not None:
        try:
            await asyncio.to_thread(_amqp_handshake, url)
            found["rabbitmq"] = "ok"
        except Exception as exc:
            found["rabbitmq"] = type(exc).__name__
    return found


BROKER_TIMEOUT = 2.0  # seconds a broker may take to answer /readyz's check


def _amqp_handshake(url: str) -> None:
    """Opens and closes one AMQP connection (credentials checked), giving up within seconds."""
    parameters = pika.URLParameters(url)
    parameters.connection_attempts, parameters.socket_timeout = 1, BROKER_TIMEOUT
    parameters.stack_timeout = parameters.blocked_connection_timeout = BROKER_TIMEOUT
    pika.BlockingConnection(parameters).close()


async def metrics(request: Request) -> Response:
    services: Services = request.app.state.services
    for name, n in (await projection_lag(services)).items():
        LAG.labels(projection=name).set(n)
    stalled = await services.store.stalled_checkpoints()
    _stalled_seen.update(stalled)
    for reader in _stalled_seen:  # one that moved on again reads 0
        STALLED.labels(reader=reader).set(1 if reader in stalled else 0)
    body = api_series()
    if services.redis is not None:
        try:
            counts = await job_counts(services.redis, services.settings.broker_namespace)
        except (RedisError, OSError) as exc:
            # The API's own series are still worth scraping; the workers' counters return with Redis.
            log.warning("metrics.jobs_unavailable", error=type(exc).__name__)
        else:
            jobs = CollectorRegistry(auto_describe=False)
            jobs.register(JobCounts(counts))
            body += generate_latest(jobs)
    if (restarts := supervised_restarts(services.settings.data_dir / STATE_FILE)) is not None:
        supervised = CollectorRegistry(auto_describe=False)
        supervised.register(Restarts(restarts))
        body += generate_latest(supervised)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def api_series() -> bytes:
    """The API's own series in Prometheus' text format: this process's alone, or, under `meridian up` or `serve
    --processes N`, every API process's summed: counters and histograms over every process that ran since the
    supervisor started (a restarted one's counts are not lost), in-flight requests over the live ones."""
    if METRICS_FOLDER_VARIABLE not in os.environ:
        return generate_latest()
    every_process = CollectorRegistry()
    MultiProcessCollector(every_process)  # type: ignore[no-untyped-call]
    return generate_latest(every_process)


def supervised_restarts(path: Path) -> dict[str, int] | None:
    """How often `meridian up` restarted each component, or None when no supervisor runs this process."""
    try:
        components = json.loads(path.read_text())["components"]
        return {name: int(c["restarts"]) for name, c in components.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None


class Restarts(Collector):
    """The supervisor's restarts per component, as one counter family (it outlives the processes it counts)."""

    def __init__(self, restarts: dict[str, int]) -> None:
        self.restarts = restarts

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "meridian_process_restarts", "Processes `meridian up` restarted after they exited", labels=["component"]
        )
        for name, n in sorted(self.restarts.items()):
            family.add_metric([name], n)
        yield family


def jobs_key(namespace: str) -> str:
    # The hash workers/metrics.py (JobMetrics) counts into; the e2e metrics test keeps the two in step.
    return f"{namespace}:metrics:jobs"


async def job_counts(redis: Redis, namespace: str) -> dict[tuple[str, str], int]:
    """Jobs processed by every worker process since the counters began, by (actor, outcome)."""
    raw = await redis.hgetall(jobs_key(namespace))
    counts: dict[tuple[str, str], int] = {}
    for field, value in raw.items():
        actor, _, outcome = (field.decode() if isinstance(field, bytes) else field).rpartition(":")
        counts[(actor, outcome)] = int(value)
    return counts


class JobCounts(Collector):
    """The workers' counters as one Prometheus counter family. The counts live in Redis, shared by all worker
    processes, so they survive restarts and add up across workers without scraping each of them."""

    def __init__(self, counts: dict[tuple[str, str], int]) -> None:
        self.counts = counts

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily("meridian_jobs", "Jobs processed by the workers", labels=["actor", "outcome"])
        for (actor, outcome), n in sorted(self.counts.items()):
            family.add_metric([actor, outcome], n)
        yield family
