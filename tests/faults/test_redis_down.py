"""Redis stopped for a while under load: the API keeps accepting orders; they are all sourced afterwards."""

from __future__ import annotations

import asyncpg

from .checks import (
    Outcomes,
    Placement,
    burst,
    check_no_half_writes,
    check_sourced_exactly_once,
    check_stock,
    eventually,
    network,
    orders_in_log,
    per_order,
    receive,
    replay_and_verify,
    settle,
)
from .conftest import Meridian

REDIS_DOWN = "dispatcher: broker unavailable"  # workers/dispatcher.py's warning when it cannot send a batch's jobs


async def test_orders_placed_while_redis_is_down_are_accepted_and_sourced_when_it_returns(
    meridian: Meridian, db: asyncpg.Pool
) -> None:
    await meridian.start_api()
    meridian.start_worker()
    await network(meridian, "NWK")
    await receive(meridian, "NWK", "TEE", 100)
    before = [Placement(f"c{i}", f"before{i}") for i in range(5)]
    outcomes = Outcomes()
    await burst(meridian, before, outcomes)
    await settle(db)

    meridian.redis.stop()
    during = [Placement(f"c{i % 8}", f"down{i}") for i in range(20)]
    await burst(meridian, during, outcomes)

    # Nothing can be sourced without Redis. Checked once the dispatcher has tried to hand these orders' jobs to
    # Redis and failed (it says so; everything before them was dispatched already), not after a pause, which
    # would be long enough on one machine and too short on another.
    async def dispatcher_refused() -> bool:
        return meridian.logged("worker", REDIS_DOWN)

    await eventually(dispatcher_refused, 60, "the dispatcher finding Redis down")
    assert len(await per_order(db, "SourcingDecided")) == len(before)
    meridian.redis.start()
    after = [Placement(f"c{i % 8}", f"after{i}") for i in range(5)]
    await burst(meridian, after, outcomes)

    everything = {p.order_id for p in before + during + after}
    assert outcomes.acknowledged == everything and outcomes.refused == outcomes.transport == []
    await settle(db)
    assert await orders_in_log(db) == everything
    await check_no_half_writes(db)
    assert await check_sourced_exactly_once(db, len(everything)) == len(everything)
    await check_stock(db)
    await meridian.stop_all()
    await replay_and_verify(meridian)
