"""kill -9 of the API process in the middle of a burst of placeOrder calls."""

from __future__ import annotations

import asyncio
import signal

import asyncpg

from .checks import (
    Outcomes,
    Placement,
    burst,
    check_no_half_writes,
    check_sourced_exactly_once,
    check_stock,
    network,
    orders_in_log,
    place,
    receive,
    replay_and_verify,
    settle,
)
from .conftest import Meridian

ORDERS = 40
CONCURRENCY = 6
KILL_AT = 8  # acknowledged orders


async def test_orders_the_api_acknowledged_survive_its_kill_and_nothing_is_half_written(
    meridian: Meridian, db: asyncpg.Pool
) -> None:
    await meridian.start_api()
    meridian.start_worker()
    await network(meridian, "NWK", "CHI")
    await receive(meridian, "NWK", "TEE", 30)
    await receive(meridian, "CHI", "TEE", 30)

    placements = [Placement(f"c{i % 8}", f"k{i}") for i in range(ORDERS)]
    outcomes = Outcomes()
    assert meridian.api is not None
    api = meridian.api
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(p: Placement) -> None:
        # The kill is decided by what the clients saw, not by a clock: SIGKILL goes out the moment the
        # KILL_AT-th acknowledgement arrives (nothing runs between `place` recording it and this check, so exactly
        # one call sees the count reach it). After the signal the API runs no more code, so at most the
        # CONCURRENCY - 1 calls already in flight can still be acknowledged (their answers were already sent), and
        # every placement not yet started finds no API: on any machine, some orders are acknowledged, and some
        # calls are cut off.
        async with gate:
            if await place(meridian, p, outcomes) and len(outcomes.acknowledged) == KILL_AT:
                api.send_signal(signal.SIGKILL)

    await asyncio.gather(*(one(p) for p in placements))
    await meridian.kill(api)  # reaps it
    assert KILL_AT <= len(outcomes.acknowledged) < KILL_AT + CONCURRENCY, outcomes
    assert outcomes.transport, "the kill should have cut some calls off"

    # The log right after the kill: everything acknowledged is there, nothing half-written.
    assert outcomes.acknowledged <= await orders_in_log(db)
    await check_no_half_writes(db)

    # Restart and carry on: the clients retry what got no answer (same idempotency keys), and place more.
    await meridian.start_api()
    retried = Outcomes()
    unanswered = [p for p in placements if p.order_id not in outcomes.acknowledged]
    more = [Placement(f"c{i % 8}", f"after{i}") for i in range(10)]
    await burst(meridian, unanswered + more, retried)
    assert retried.transport == [] and retried.refused == []
    assert retried.acknowledged == {p.order_id for p in unanswered + more}

    await settle(db)
    assert await orders_in_log(db) == {p.order_id for p in placements + more}
    await check_no_half_writes(db)
    assert await check_sourced_exactly_once(db, ORDERS + 10) == ORDERS + 10
    await check_stock(db)
    await meridian.stop_all()
    await replay_and_verify(meridian)
