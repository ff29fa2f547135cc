"""`meridian worker`: Dramatiq worker threads for the actors, plus the dispatcher, in one process.

Run as many worker processes as the load needs; the dispatchers in them take turns batch by batch (an
advisory lock per batch), so no event is turned into jobs twice by two processes at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal

import dramatiq
import uvloop

from app.clock import system_clock
from app.domain import ALL_EVENTS
from eventstore import EventCodec, EventStore, Listener
from projections.runner import ProjectionRunner
from projections.schema import create_readmodel_pool
from projections.statistics import keep_statistics_fresh

from . import runtime
from .broker import BrokerSettings, make_broker, start_workers
from .dispatcher import dispatcher, run_dispatcher
from .jobs import bind_actors
from .notify import NotifySettings
from .sweep import keep_expiring_carts, keep_sweeping

log = logging.getLogger(__name__)


def run_worker(
    dsn: str,
    broker_settings: BrokerSettings,
    *,
    threads: int = 4,
    bulk_threads: int = 2,
    dispatch: bool = True,
    project: bool = True,
    notify: NotifySettings | None = None,
    partitions: int = 1,
) -> None:
    """Runs until SIGINT/SIGTERM: actor threads (`threads` for the customer-facing queue, `bulk_threads` for the
    bulk one), and on the main thread the log followers (the dispatcher
    and the projection runner), which several worker processes share batch by batch, and the deadline sweeps
    (pick SLA, pickup reminders and holds; each process sweeps; a shipment sent twice expires once)."""
    # The async actors' event loop (Dramatiq's AsyncIO middleware makes it) and the log followers' run on uvloop.
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    broker = make_broker(broker_settings)
    bind_actors(broker)
    runtime.configure(dsn, notify=notify)
    workers = start_workers(broker, threads=threads, bulk_threads=bulk_threads)
    log.info(
        "worker started: %d orders threads, %d bulk threads, dispatcher %s, projections %s",
        threads, bulk_threads, dispatch, project,
    )  # fmt: skip
    try:
        uvloop.run(_follow_log_until_stopped(dsn, broker, dispatch=dispatch, project=project, partitions=partitions))
    finally:
        for worker in workers:
            worker.stop()
        log.info("worker stopped")


def run_projections(dsn: str, *, partitions: int = 1, hold_batches: int | None = None) -> None:
    """`meridian project`: only the projection runner, in a process of its own, so that CPU-heavy sourcing in
    the workers never delays the read models (and so read-your-writes) by competing for one interpreter. Any
    number of them share the log's `partitions` (see projections/runner.py); `hold_batches` is a test's."""
    uvloop.run(
        _follow_log_until_stopped(
            dsn, None, dispatch=False, project=True, partitions=partitions, hold_batches=hold_batches
        )
    )


async def _follow_log_until_stopped(
    dsn: str,
    broker: dramatiq.Broker | None,
    *,
    dispatch: bool,
    project: bool,
    partitions: int = 1,
    hold_batches: int | None = None,
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # One connection is held for as long as the process runs by each claim it keeps: the dispatcher's, and the
    # projections' when they are partitioned (eventstore/claims.py).
    pool = await create_readmodel_pool(dsn, min_size=1, max_size=6)
    listener = Listener(dsn)
    await listener.start()
    followers = []
    try:
        if dispatch and broker is not None:
            follower = dispatcher(EventStore(pool), EventCodec(ALL_EVENTS), broker, listener=listener)
            followers.append(run_dispatcher(follower, stop))
            # The worker's clock (runtime.configure's default) decides when a pick or a cart is overdue.
            followers.append(keep_sweeping(pool, broker.enqueue, system_clock, stop))
            followers.append(keep_expiring_carts(pool, broker.enqueue, system_clock, stop))
        if project:
            runner = ProjectionRunner(
                pool, listener=listener, partitions=partitions, claim=True, hold_batches=hold_batches
            )
            followers.append(runner.run(stop))
            followers.append(keep_statistics_fresh(pool, stop))
        await asyncio.gather(stop.wait(), *followers)
    finally:
        await listener.close()
        await pool.close()
