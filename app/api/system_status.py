"""The system's state for the console's Live screen, admins only: `systemStatus` (the log readers' lag, the job
queues, the workers' job counts, admission's last sample) and `orderFlow` (orders placed, allocated and shipped,
second by second).

`systemStatus` is computed by the functions /readyz, /metrics and admission use (system_state.py, health.py), so
the console and Prometheus never disagree. `orderFlow` reads the process's LiveFeed totals (live.py): one pass
over the log for every subscriber of the process.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from redis.exceptions import RedisError

from projections.runner import checkpoint_names

from .access import can_watch_system
from .admission import Admission
from .context import ANYONE, Info, token_expired
from .errors import forbidden
from .health import job_counts
from .services import Services
from .system_state import DISPATCHER, JOB_QUEUES, ReaderState, queue_depths, reader_states

FLOW_SECONDS = 1.0  # how often `orderFlow` reports


@strawberry.type(description="A reader of the log: a projection (read model) or the dispatcher.")
class LogReader:
    name: str
    position: str = strawberry.field(description="Its checkpoint, in the ledger's `EventRecord.position` form.")
    lag_events: int = strawberry.field(description="Events between the log's head and its checkpoint.")
    stalled: bool = strawberry.field(description="Stopped at an event its code cannot read (a newer version's).")
    stalled_reason: str | None

    @classmethod
    def of(cls, state: ReaderState) -> LogReader:
        return cls(
            name=state.name,
            position=state.position,
            lag_events=state.lag_events,
            stalled=state.stalled is not None,
            stalled_reason=state.stalled,
        )


@strawberry.type(description="A job queue of the workers.")
class JobQueue:
    name: str
    depth: int | None = strawberry.field(
        description="Jobs waiting or running; null when the API cannot see it (a RabbitMQ broker, Redis down)."
    )


@strawberry.type(description="Jobs the workers finished with one outcome, since the counters began.")
class JobCount:
    actor: str
    outcome: str = strawberry.field(description="succeeded, retried, failed or skipped")
    count: int


@strawberry.type(description="Back-pressure: this API process's last sample, its limits (0: off), its verdict.")
class AdmissionStatus:
    refusing: str | None = strawberry.field(
        description="Why gated writes are refused now (in_flight, write_age, lag, jobs); null: admitted."
    )
    lag_events: int
    queued_jobs: int
    in_flight: int
    max_lag_events: int
    max_queued_jobs: int
    max_in_flight: int

    @classmethod
    def of(cls, admission: Admission) -> AdmissionStatus:
        return cls(
            refusing=admission.overloaded(time.monotonic()),
            lag_events=admission.pressure.lag_events,
            queued_jobs=admission.pressure.queued_jobs,
            in_flight=admission.in_flight,
            max_lag_events=admission.limits.max_lag_events,
            max_queued_jobs=admission.limits.max_queued_jobs,
            max_in_flight=admission.limits.max_in_flight,
        )


@strawberry.type
class SystemStatus:
    checked_at: datetime
    projections: list[LogReader] = strawberry.field(description="The read models' readers, then the dispatcher.")
    queues: list[JobQueue]
    jobs: list[JobCount]
    admission: AdmissionStatus | None = strawberry.field(description="Null when admission control is not built.")


@strawberry.type(description="Orders placed, allocated (re-sourcings too) and shipments dispatched in one interval.")
class OrderFlow:
    at: datetime = strawberry.field(description="The end of the interval.")
    seconds: float = strawberry.field(description="The interval's length (about a second).")
    placed: int
    allocated: int
    shipped: int


async def _queues(services: Services) -> tuple[list[JobQueue], list[JobCount]]:
    """The queues' depths and the job counts from Redis, as /metrics reads them; unknown rather than an error
    when Redis cannot answer (the rest of the status is still worth showing)."""
    redis, namespace = services.redis, services.settings.broker_namespace
    unknown: tuple[list[JobQueue], list[JobCount]] = ([JobQueue(name=q, depth=None) for q in JOB_QUEUES], [])
    if redis is None:
        return unknown
    try:
        counts = await job_counts(redis, namespace)
        # Under RabbitMQ the queues are the broker's own: Redis holds only the job counters.
        depths = {} if services.settings.rabbitmq_url else await queue_depths(redis, namespace, JOB_QUEUES)
    except (RedisError, OSError):
        return unknown
    jobs = [JobCount(actor=a, outcome=o, count=n) for (a, o), n in sorted(counts.items())]
    return [JobQueue(name=q, depth=depths.get(q)) for q in JOB_QUEUES], jobs


@strawberry.type
class SystemStatusQueries:
    @strawberry.field(description="The system's state (admins only): readers' lag, job queues, admission.")
    async def system_status(self, info: Info) -> SystemStatus:
        if not can_watch_system(info.context.require(*ANYONE)):
            raise forbidden("systemStatus")
        services = info.context.services
        readers = await reader_states(
            services.store, [*checkpoint_names(partitions=services.settings.projection_partitions), DISPATCHER]
        )
        queues, jobs = await _queues(services)
        admission = services.admission
        return SystemStatus(
            checked_at=services.clock(),
            projections=[LogReader.of(r) for r in readers],
            queues=queues,
            jobs=jobs,
            admission=AdmissionStatus.of(admission) if admission is not None else None,
        )


@strawberry.type
class SystemStatusSubscriptions:
    @strawberry.subscription(description="The order flow (admins only): one report a second, zeros included.")
    async def order_flow(self, info: Info) -> AsyncGenerator[OrderFlow, None]:
        if not can_watch_system(info.context.require(*ANYONE)):
            raise forbidden("orderFlow")
        with info.context.services.feed.watching_flow() as totals:
            seen, since = Counter(totals), time.monotonic()
            while True:
                left = info.context.seconds_left()
                if left <= 0:
                    raise token_expired()
                await asyncio.sleep(min(FLOW_SECONDS, left))
                now, until = Counter(totals), time.monotonic()
                new = now - seen
                yield OrderFlow(
                    at=info.context.services.clock(),
                    seconds=round(until - since, 3),
                    placed=new["placed"],
                    allocated=new["allocated"],
                    shipped=new["shipped"],
                )
                seen, since = now, until
