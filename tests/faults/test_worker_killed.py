"""kill -9 of a worker process in the middle of a sourcing job, while it sources a backlog of orders placed
through the API.

When to kill is decided by what the test sees, never by how fast the machine is. Before the worker starts, the
test opens a transaction that appends to one stock stream (CHI's) and keeps it open: it is another writer of
that stream, mid-transaction (the orders committed before it began, so the dispatcher, which reads no further
than a transaction in flight, still sees them all). The worker's sourcing then goes as follows, on any machine:

- The orders ship to New York, and the planner prefers Newark (nearest) while it has stock, so the worker
  allocates Newark's units first; those appends do not touch CHI's stream and commit.
- All orders together need Chicago's units too (the backlog is larger than Newark's stock, and sourcing
  reads the true stock before backordering, where Chicago still has every unit). The first append that
  reserves at Chicago must write the stream's next version, which the open transaction holds: it waits.
- The test waits until it sees a backend blocked by its own (`pg_blocking_pids`), and only then kills the
  worker. At that moment the worker is inside a sourcing job with its append in flight; a plan turns to
  Chicago only once Newark is exhausted, and nothing can commit at Chicago, so exactly Newark's orders are
  sourced: some of the backlog done, most of it not, the order whose append waits holding neither a
  decision nor a reservation.

Then the test rolls back its transaction. The dead worker's waiting statement may still commit (it is one
statement in a transaction of its own) or not; both are crashes a worker must survive: an order sourced
whose job was never acknowledged, or a job cut off before its write. A new worker finishes the backlog, and the
job redelivered from the dead one must find its done orders done.
"""

from __future__ import annotations

import asyncpg

from app.domain.streams import stock_stream
from eventstore import EventStore, NewEvent

from .checks import (
    Outcomes,
    Placement,
    burst,
    check_no_half_writes,
    check_sourced_exactly_once,
    check_stock,
    eventually,
    network,
    per_order,
    receive,
    replay_and_verify,
    settle,
)
from .conftest import Meridian

ORDERS = 40
STOCK = 30  # fewer units than orders: sourcing both allocates and backorders
NEAR, FAR = "NWK", "CHI"  # for orders shipped to New York


async def test_a_worker_killed_mid_sourcing_leaves_every_order_sourced_exactly_once(
    meridian: Meridian, db: asyncpg.Pool
) -> None:
    await meridian.start_api()
    await network(meridian, NEAR, FAR)
    await receive(meridian, NEAR, "TEE", STOCK // 2)
    await receive(meridian, FAR, "TEE", STOCK - STOCK // 2)
    # The worker runs the projections too: without it the API cannot show an order, so it only commits them.
    placements = [Placement(f"c{i % 8}", f"k{i}") for i in range(ORDERS)]
    await burst(meridian, placements, Outcomes())

    store = EventStore(db)
    far = stock_stream("TEE", FAR)
    async with db.acquire() as holder:
        hold = holder.transaction()
        await hold.start()
        try:
            # Any event would do: it is never committed. What matters is the version it takes.
            blocker = NewEvent(event_type="FaultTestHold", data="{}")
            await store.append(far, [blocker], await store.stream_version(far), conn=holder)
            holder_pid = holder.get_server_pid()

            worker = meridian.start_worker()

            async def worker_waits_on_the_hold() -> bool:
                waiting: int = await db.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))", holder_pid
                )
                return waiting > 0

            await eventually(worker_waits_on_the_hold, 60, "the worker reaching Chicago's stock")
            await meridian.kill(worker)
            decided = len(await per_order(db, "SourcingDecided"))
            assert decided == STOCK // 2, f"{decided} of {ORDERS} orders sourced when the worker was killed"
            await check_no_half_writes(db)
        finally:
            await hold.rollback()

    meridian.start_worker()
    await settle(db)
    await check_no_half_writes(db)
    assert await check_sourced_exactly_once(db, ORDERS) == STOCK
    assert len(await per_order(db, "OrderBackordered")) == ORDERS - STOCK
    await check_stock(db)
    await meridian.stop_all()
    await replay_and_verify(meridian)
