"""`meridian worker`: Dramatiq worker threads for the actors, plus the dispatcher, in one process.

Run as many worker processes as the load needs; the dispatchers in them take turns batch by batch (an
advisory lock per batch), so no event is turned into jobs twice by two processes at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal

import dramatiq

from app.domain import ALL_EVENTS
from eventstore import EventCodec, EventStore, Listener, create_pool

from . import runtime
from .broker import BrokerSettings, make_broker
from .dispatcher import dispatcher, run_dispatcher
from .jobs import bind_actors

log = logging.getLogger(__name__)


def run_worker(dsn: str, broker_settings: BrokerSettings, *, threads: int = 4, dispatch: bool = True) -> None:
    broker = make_broker(broker_settings)
    bind_actors(broker)
    runtime.configure(dsn)
    worker = dramatiq.Worker(broker, worker_threads=threads)
    worker.start()
    log.info("worker started: %d threads, dispatcher %s", threads, "on" if dispatch else "off")
    try:
        asyncio.run(_dispatch_until_stopped(dsn, broker, dispatch))
    finally:
        worker.stop()
        log.info("worker stopped")


async def _dispatch_until_stopped(dsn: str, broker: dramatiq.Broker, dispatch: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if not dispatch:
        await stop.wait()
        return
    pool = await create_pool(dsn, min_size=1, max_size=2)
    listener = Listener(dsn)
    await listener.start()
    try:
        store = EventStore(pool)
        subscription = dispatcher(store, EventCodec(ALL_EVENTS), broker.enqueue, listener=listener)
        await run_dispatcher(subscription, stop)
    finally:
        await listener.close()
        await pool.close()
