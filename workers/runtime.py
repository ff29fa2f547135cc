"""The worker process's composition root: built once, lazily, on the event loop that runs the async actors.

Dramatiq runs `async def` actors on one event loop thread per process (its AsyncIO middleware); the asyncpg
pool must belong to that loop, so it is created on first use there, not at import.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

from app.carriers.base import DEFAULT_POLL_POLICY, PollPolicy
from app.carriers.registry import CarrierSettings
from app.clock import Clock, system_clock
from app.domain import ALL_EVENTS
from app.handlers import Context, Handlers
from app.handlers.cached_network import ReadModelNetwork
from eventstore import EventCodec, EventStore
from projections.queries import backordered_lines
from projections.schema import create_readmodel_pool

from .notify import NotifySettings


@dataclass
class WorkerRuntime:
    store: EventStore
    codec: EventCodec
    handlers: Handlers
    carriers: CarrierSettings
    clock: Clock
    poll_policy: PollPolicy = field(default=DEFAULT_POLL_POLICY)
    notify: NotifySettings | None = None  # where notifications are POSTed; None: only recorded

    async def backorders(self, sku: str, limit: int = 500) -> list[str]:
        """Orders waiting for `sku`, in the order scarce stock goes to them: priority, then age."""
        rows = await backordered_lines(self.store.pool, sku, limit=limit)
        return list(dict.fromkeys(r["order_id"] for r in rows))


_dsn: str | None = None
_runtime: WorkerRuntime | None = None
_lock: asyncio.Lock | None = None


_clock: Clock = system_clock
_notify: NotifySettings | None = None


def configure(dsn: str, *, clock: Clock = system_clock, notify: NotifySettings | None = None) -> None:
    """Called by the process entry point before any job runs. `clock` is the one every part of the worker reads
    (handlers, the store's chained appends, the carriers); tests pass their own. `notify`: where customer
    notifications are POSTed (None: they are only recorded)."""
    global _dsn, _runtime, _lock, _clock, _notify
    _dsn, _runtime, _lock, _clock, _notify = dsn, None, None, clock, notify


async def runtime() -> WorkerRuntime:
    global _runtime, _lock
    if _runtime is not None:
        return _runtime
    if _dsn is None:
        raise RuntimeError("workers.runtime.configure(dsn) was not called")
    _lock = _lock or asyncio.Lock()
    async with _lock:
        if _runtime is None:
            pool = await create_readmodel_pool(_dsn, min_size=1, max_size=8)
            store, codec = EventStore(pool, clock=_clock), EventCodec(ALL_EVENTS)
            carriers = CarrierSettings.from_env(os.environ)
            handlers = Handlers(Context(store, codec, clock=_clock), network=ReadModelNetwork(pool, codec))
            policy = DEFAULT_POLL_POLICY.scaled(1 / carriers.simulated_time_scale)
            _runtime = WorkerRuntime(store, codec, handlers, carriers, _clock, poll_policy=policy, notify=_notify)
    return _runtime
