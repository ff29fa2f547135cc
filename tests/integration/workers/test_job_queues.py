"""Customer-facing work goes ahead of bulk work: with every bulk thread busy and thousands of bulk jobs waiting,
a new order is still sourced (issue 19: a first start over a long log queued ~165k historical jobs ahead of it)."""

from __future__ import annotations

import threading

import dramatiq

from app.handlers import Handlers
from eventstore import EventStore
from tests.integration.handlers.support import NEWARK, location, place, receive
from workers import jobs, runtime
from workers.broker import BULK, ORDERS, dead_jobs, queue_name, start_workers, waiting_jobs

from .conftest import eventually
from .test_sourcing_worker import count

BACKLOG = 500  # fake shipments to poll; with the bulk threads held, none of them can run


def test_each_actor_waits_in_its_queue(broker: dramatiq.Broker) -> None:
    assert jobs.source_order.queue_name == jobs.expire_cart.queue_name == queue_name(broker, ORDERS)
    assert jobs.track_shipment.queue_name == jobs.allocate_backorders.queue_name == queue_name(broker, BULK)
    assert {a.actor_name for a in jobs.ACTORS} == set(broker.get_declared_actors()) - {"hold_bulk_threads"}


async def test_an_order_is_sourced_while_a_bulk_backlog_waits(
    store: EventStore, handlers: Handlers, broker: dramatiq.Broker, database_url: str, running_dispatcher: None
) -> None:
    release = threading.Event()

    def hold_bulk_threads() -> None:
        release.wait(timeout=60)  # a long tracking poll, say; never past the test

    blocker = dramatiq.Actor(
        hold_bulk_threads, broker=broker, actor_name="hold_bulk_threads", queue_name=queue_name(broker, BULK),
        priority=0, options={"max_retries": 0},
    )  # fmt: skip
    for _ in range(2):  # one per bulk thread
        broker.enqueue(blocker.message())
    for i in range(BACKLOG):
        broker.enqueue(jobs.track_shipment.message(f"history-{i}", f"shipment-{i}", 0))
    runtime.configure(database_url)
    workers = start_workers(broker, threads=2, bulk_threads=2)
    try:
        await location(handlers, "NWK", NEWARK)
        await receive(handlers, "NWK", "TEE", 5)
        await handlers.handle(place("new", ("TEE", 1)))

        async def allocated() -> bool:
            return await count(store, "OrderAllocated") == 1

        await eventually(allocated)
        assert waiting_jobs(broker, BULK) >= BACKLOG - 4  # a few prefetched by the bulk workers at most
    finally:
        release.set()
        for worker in workers:
            worker.stop()


async def test_a_job_out_of_retries_is_listed_as_dead(broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
    def always_refused(reason: str) -> None:
        raise RuntimeError(reason)

    refused = dramatiq.Actor(
        always_refused, broker=broker, actor_name="always_refused", queue_name=queue_name(broker, ORDERS),
        priority=0, options={"max_retries": 0},
    )  # fmt: skip
    broker.enqueue(refused.message("no receiver"))

    async def listed() -> bool:
        return [list(job["args"]) for job in dead_jobs(broker)] == [["no receiver"]]

    await eventually(listed)
    assert [list(job["args"]) for job in dead_jobs(broker)] == [["no receiver"]]  # reading them left them there
