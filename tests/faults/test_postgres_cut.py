"""Every connection to the test's database cut, again and again, while clients place orders."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

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
from .conftest import CHECKER, Meridian

CLIENTS = 4
PER_CLIENT = 8
CUT_EVERY = 5  # acknowledged orders between cuts
CUTS = CLIENTS * PER_CLIENT // CUT_EVERY  # 6, the last one with 2 orders still to place


async def cut_connections(db: asyncpg.Pool, database: str) -> int:
    """pg_terminate_backend on every backend of this test's database but the test's own; how many it cut."""
    cut: int = await db.fetchval(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name <> $2",
        database,
        CHECKER,
    )
    return cut


async def test_the_api_answers_clearly_while_postgres_connections_are_cut_and_recovers(
    meridian: Meridian, db: asyncpg.Pool
) -> None:
    database = urlsplit(meridian.database_url).path.lstrip("/")
    await meridian.start_api()
    meridian.start_worker()
    await network(meridian, "NWK", "CHI")
    await receive(meridian, "NWK", "TEE", 40)
    await receive(meridian, "CHI", "TEE", 40)

    outcomes = Outcomes()
    cuts: list[int] = []  # backends cut, per cut

    async def client(n: int) -> None:
        # Each client places its orders one after another, retrying each until it is acknowledged (same
        # idempotency key): a clear, retryable error is fine, a lost or doubled order is not.
        for i in range(PER_CLIENT):
            p = Placement(f"c{n}", f"k{i}")
            for _ in range(40):
                if await place(meridian, p, outcomes):
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"order {p.key} of client {n} never acknowledged: {outcomes}")
            # The cuts follow the load, not a clock: every CUT_EVERY-th acknowledgement (exactly one client sees
            # each, as nothing runs between `place` recording it and this check), while the other clients'
            # calls go on, and each cut with orders still to place after it, however fast the machine.
            if len(outcomes.acknowledged) % CUT_EVERY == 0:
                cuts.append(await cut_connections(db, database))

    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    assert len(cuts) == CUTS, cuts
    # The first cut finds at least the worker's listening connection, which lives as long as the worker.
    assert cuts[0] > 0, cuts
    cut = sum(cuts)
    assert outcomes.transport == [], outcomes  # the API never hung nor died: it answered every call
    placed = {Placement(f"c{n}", f"k{i}").order_id for n in range(CLIENTS) for i in range(PER_CLIENT)}
    assert outcomes.acknowledged == placed

    # Recovered by itself: a fresh burst goes through at the first attempt.
    after = Outcomes()
    more = [Placement(f"c{i % CLIENTS}", f"after{i}") for i in range(8)]
    await burst(meridian, more, after)
    assert after.acknowledged == {p.order_id for p in more} and after.refused == after.transport == []

    await settle(db)
    everything = placed | after.acknowledged
    assert await orders_in_log(db) == everything
    await check_no_half_writes(db)
    assert await check_sourced_exactly_once(db, len(everything)) == len(everything)
    await check_stock(db)
    await meridian.stop_all()
    await replay_and_verify(meridian)
    print(f"cut {cut} connections; clients were refused {len(outcomes.refused)} times: {set(outcomes.refused)}")
