"""kill -9 of a worker process while it sources a backlog of orders placed through the API."""

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
    per_order,
    receive,
    replay_and_verify,
    settle,
)
from .conftest import Meridian

ORDERS = 40
STOCK = 30  # fewer units than orders: sourcing both allocates and backorders


async def test_a_worker_killed_mid_sourcing_leaves_every_order_sourced_exactly_once(
    meridian: Meridian, db: asyncpg.Pool
) -> None:
    await meridian.start_api()
    await network(meridian, "NWK", "CHI")
    await receive(meridian, "NWK", "TEE", STOCK // 2)
    await receive(meridian, "CHI", "TEE", STOCK - STOCK // 2)
    # The worker runs the projections too: without it the API cannot show an order, so it only commits them.
    placements = [Placement(f"c{i % 8}", f"k{i}") for i in range(ORDERS)]
    await burst(meridian, placements, Outcomes())

    worker = meridian.start_worker()

    async def some_sourced() -> bool:
        return len(await per_order(db, "SourcingDecided")) >= 3

    await eventually(some_sourced, 60, "the worker sourcing")
    await meridian.kill(worker)
    assert len(await per_order(db, "SourcingDecided")) < ORDERS, "the kill came too late to test anything"
    await check_no_half_writes(db)

    meridian.start_worker()
    await settle(db)
    await check_no_half_writes(db)
    assert await check_sourced_exactly_once(db, ORDERS) == STOCK
    assert len(await per_order(db, "OrderBackordered")) == ORDERS - STOCK
    await check_stock(db)
    await meridian.stop_all()
    await replay_and_verify(meridian)
