"""Back-pressure: when the system cannot keep up, the writes that create work are refused at once, retryably,
instead of queueing in front of the API for a minute.

Admission is decided from three measured figures, each against its limit in settings (0 turns a check off):

- **log lag** (`MERIDIAN_OVERLOAD_MAX_LAG_EVENTS`): events between the log's head and the slowest reader an order
  waits for — the projections (read-your-writes waits for them) and the dispatcher (sourcing waits for it). A
  reader stopped at an event it cannot read is left out, as /readyz does: it would otherwise refuse everything.
- **queued jobs** (`MERIDIAN_OVERLOAD_MAX_QUEUED_JOBS`): jobs enqueued and not yet done in the customer-facing
  queues (`MERIDIAN_OVERLOAD_QUEUES`), from the broker's Redis.
- **in-flight requests** (`MERIDIAN_OVERLOAD_MAX_IN_FLIGHT`): HTTP requests this process has started and not yet
  answered, the refused one included: a hard cap on what one process juggles.
- **admitted writes' age** (`MERIDIAN_OVERLOAD_MAX_WRITE_AGE_MS`): refused while two or more of the gated writes
  this process admitted have been in flight longer than this. A count alone cannot bound latency (how many
  requests make a second depends on how fast the machine is right now); this does, whatever the speed: while the
  writes already let in are late, new ones would only queue behind them.

The first two are sampled by one background task per API process (every `MERIDIAN_OVERLOAD_SAMPLE_MS`), read by
the same functions as /readyz and `systemStatus` (system_state.py); the others are kept in memory as requests
come and go. A request reads the last sample and those: admission costs no round trip.

Gated (`GATED`): `placeOrder`, `reserveCart`, `editOrder`, `exchangeItems` — the writes that start sourcing.
`placeOrder` consuming a cart reservation is not gated: its stock is held and allocated already, the work was
admitted at `reserveCart`, and refusing the customer at the till would waste it. Reads, the warehouse's steps
(pick, pack, dispatch: they drain work), cancellations and carrier webhooks are never refused here.

A refusal is decided before the handler runs, so nothing is appended: an acknowledged order is never dropped, and
a refused one was never placed (retrying with the same idempotency key is always safe). The client is told twice:
an HTTP `503` with `Retry-After`, for proxies and HTTP clients (set by `AdmissionGate`, admission_gate.py, when
every gated write of the request was refused; a request that got one through answers 200 and its payloads say
which), and the mutation's `userErrors` with code `OVERLOADED`: the one code that means "send the same again
later" (every other code asks for a change first: another input, a reload, another window).
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Iterable
from dataclasses import dataclass

from prometheus_client import Counter, Gauge
from redis.asyncio import Redis

from app.domain import carts
from app.domain import order_commands as oc
from app.domain import returns as rma
from app.logging import get_logger
from app.settings import Settings
from eventstore import EventStore
from projections.runner import checkpoint_names

from .errors import UserError
from .system_state import DISPATCHER, queue_depths, reader_states

log = get_logger("meridian.admission")

OVERLOADED = "OVERLOADED"
GATED: tuple[type, ...] = (oc.PlaceOrder, carts.ReserveCart, oc.EditOrder, rma.RequestExchange)

REFUSED = Counter("meridian_admission_refused_total", "Writes refused as OVERLOADED", ["reason"])
# Several API processes (/metrics sums them, health.py): in-flight requests add up; lag and queue depth are the
# whole system's, sampled by each process, so the latest sample of a live process stands.
IN_FLIGHT = Gauge(
    "meridian_admission_in_flight",
    "HTTP requests the API processes were answering (last sample)",
    multiprocess_mode="livesum",
)
LAG = Gauge(
    "meridian_admission_lag_events",
    "Events between the log's head and the slowest reader (last sample)",
    multiprocess_mode="livemostrecent",
)
QUEUED = Gauge(
    "meridian_admission_queued_jobs",
    "Jobs waiting or running in the watched queues (last sample)",
    multiprocess_mode="livemostrecent",
)


@dataclass(frozen=True)
class Limits:
    max_lag_events: int
    max_queued_jobs: int
    max_in_flight: int
    max_write_age_ms: int
    retry_after_seconds: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            max_lag_events=settings.overload_max_lag_events,
            max_queued_jobs=settings.overload_max_queued_jobs,
            max_in_flight=settings.overload_max_in_flight,
            max_write_age_ms=settings.overload_max_write_age_ms,
            retry_after_seconds=settings.overload_retry_after_seconds,
        )


@dataclass(frozen=True)
class Pressure:
    """One sample of what the system has not done yet."""

    lag_events: int = 0
    queued_jobs: int = 0


def overloaded(limits: Limits, pressure: Pressure, in_flight: int, write_age_ms: float) -> str | None:
    """Why a gated write must wait (`in_flight`, `write_age`, `lag`, `jobs`), or None to admit it."""
    if 0 < limits.max_in_flight < in_flight:
        return "in_flight"
    if 0 < limits.max_write_age_ms < write_age_ms:
        return "write_age"
    if 0 < limits.max_lag_events < pressure.lag_events:
        return "lag"
    if 0 < limits.max_queued_jobs < pressure.queued_jobs:
        return "jobs"
    return None


# While every sampled figure is under a quarter of its limit, sample five times less often. Crossing the other
# three quarters within one calm interval (1 s by default) would take ~3,750 events or 750 jobs a second more than
# the readers and workers keep up with, several times what two cores sustain; and a sample costs the API process
# ~5 ms of CPU (three queries, one Redis round trip), most of its idle load at five a second.
CALM_FACTOR = 5


def calm(limits: Limits, pressure: Pressure) -> bool:
    """Every sampled figure is under a quarter of its limit (a limit of 0 is off)."""
    sampled = ((pressure.lag_events, limits.max_lag_events), (pressure.queued_jobs, limits.max_queued_jobs))
    return all(limit <= 0 or 4 * value < limit for value, limit in sampled)


def second_oldest(admitted: Iterable[float], now: float) -> float:
    """When the second oldest write in flight was admitted (`now` if fewer are): one slow write — a large cart
    planned over every location — is not congestion; two writes late at once are."""
    times = iter(admitted)
    next(times, None)
    return next(times, now)


def gated(command: object) -> bool:
    if isinstance(command, oc.PlaceOrder) and command.reservation_id is not None:
        return False  # the cart's reservation was admitted at reserveCart; see the module's docstring
    return isinstance(command, GATED)


class Admission:
    """This process's admission control: the last sample, the in-flight counter, and the decision."""

    def __init__(self, settings: Settings, store: EventStore, redis: Redis | None) -> None:
        self.limits = Limits.of(settings)
        self.interval = settings.overload_sample_ms / 1000
        self.store, self.redis = store, redis
        self.readers = [*checkpoint_names(partitions=settings.projection_partitions), DISPATCHER]
        self.namespace = settings.broker_namespace
        self.queues = [queue.strip() for queue in settings.overload_queues.split(",")]
        self.pressure = Pressure()
        self.in_flight = 0
        # The gated writes admitted and not yet answered, by their request's ticket: when each was admitted.
        # Insertion order is admission order, so the first is the oldest.
        self.writes: dict[int, float] = {}
        self._failing = False

    def refusal(self, command: object) -> UserError | None:
        """The OVERLOADED userError if `command` must not run now; None to run it. Marks this request's ticket
        (for the HTTP status) either way."""
        if not gated(command):
            return None
        ticket = TICKET.get()
        now = time.monotonic()
        reason = self.overloaded(now)
        if reason is None:
            if ticket is not None:
                ticket.admitted = True
                self.writes.setdefault(id(ticket), now)
            return None
        REFUSED.labels(reason=reason).inc()
        if ticket is not None:
            ticket.refused += 1
        # The same words whatever the reason (that goes to the metrics): a refusal's answer depends on the
        # operation alone, so AdmissionGate may repeat it without running the operation.
        message = f"the system is busy: nothing was changed; retry in {self.limits.retry_after_seconds} s"
        return UserError(field=None, message=message, code=OVERLOADED)

    def overloaded(self, now: float) -> str | None:
        """Why gated writes must wait right now, or None."""
        age_ms = (now - second_oldest(self.writes.values(), now)) * 1000
        return overloaded(self.limits, self.pressure, self.in_flight, age_ms)

    async def sample(self) -> Pressure:
        """Reads the log's head and the readers' checkpoints (three small queries) and the queues' sizes (one
        Redis round trip); a check that is off reads nothing."""
        lag = 0
        if self.limits.max_lag_events > 0:
            readers = await reader_states(self.store, self.readers)
            lag = max((r.lag_events for r in readers if r.stalled is None), default=0)
        queued = 0
        if self.redis is not None and self.limits.max_queued_jobs > 0:
            queued = sum((await queue_depths(self.redis, self.namespace, self.queues)).values())
        return Pressure(lag_events=lag, queued_jobs=queued)

    async def refresh(self) -> None:
        """Takes one sample. A failed one keeps the last: a database or Redis that cannot answer is the
        commands' to report (UNAVAILABLE), not a reason to refuse them as overloaded."""
        try:
            self.pressure = await self.sample()
        except Exception as exc:  # any failure: keep the last sample, say so once
            if not self._failing:
                log.warning("admission.sample_failed", error=type(exc).__name__)
            self._failing = True
            return
        self._failing = False
        LAG.set(self.pressure.lag_events)
        QUEUED.set(self.pressure.queued_jobs)
        IN_FLIGHT.set(self.in_flight)

    async def run(self) -> None:
        """Samples every interval (five when calm) until cancelled (the composition root takes the first sample
        before it serves)."""
        while True:
            await asyncio.sleep(self.interval * (CALM_FACTOR if calm(self.limits, self.pressure) else 1))
            await self.refresh()
            # A cancel that lands while a sample's I/O is timing out can come out of it as the timeout (a race of
            # Python 3.11's timeouts), which `refresh` keeps as a failed sample. The task still counts the cancel:
            # honour it, or the API's shutdown waits for this loop forever (seen once in the suite).
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise asyncio.CancelledError


@dataclass
class Ticket:
    """One HTTP request's admission outcome, shared with its resolvers through a context variable
    (`AdmissionGate`, app/api/admission_gate.py, sets it)."""

    admitted: bool = False
    refused: int = 0  # gated writes refused


TICKET: contextvars.ContextVar[Ticket | None] = contextvars.ContextVar("meridian_admission", default=None)
