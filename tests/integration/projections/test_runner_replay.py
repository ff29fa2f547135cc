"""The runner follows the log and wait_for sees it from anywhere; replay rebuilds, compares and swaps."""

from __future__ import annotations

import asyncio
import io

import asyncpg

from app.domain.order_events import OrderPlacedOnHold
from app.domain.streams import order_stream
from eventstore import EventStore, Listener, Notifier, Position, create_pool
from projections import PROJECTED, ProjectionRunner, ProjectionWatch, checkpoint_names, replay, wait_for
from tests.integration.projections.history import append, realistic_history


async def test_runner_follows_the_log_and_wait_for_sees_it(
    database_url: str, store: EventStore, readmodel: asyncpg.Pool
) -> None:
    listener, notifier = Listener(database_url), Notifier(database_url)
    await listener.start()
    store = EventStore(store.pool, on_append=notifier.poke)
    runner = ProjectionRunner(readmodel, listener=listener, batch_size=7)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        written = await realistic_history(store)
        # Another process would only have its own pool on the database: checkpoints are all it needs.
        other = await create_pool(database_url, min_size=1, max_size=2)
        try:
            assert await wait_for(other, written.position, 10.0)
        finally:
            await other.close()
        assert await readmodel.fetchval("SELECT status FROM orders WHERE order_id = 'o-5'") == "PLACED"
        held = await append(store, order_stream("o-5"), OrderPlacedOnHold(order_id="o-5", reason="fraud check"))
        assert await runner.wait_for(held.position, 5.0)
        assert await readmodel.fetchval("SELECT status FROM orders WHERE order_id = 'o-5'") == "ON_HOLD"
    finally:
        stop.set()
        await task
        await listener.close()
        await notifier.close()
    beyond = Position(held.position.transaction_id + 1000, held.position.global_position + 1000)
    assert not await wait_for(readmodel, beyond, 0.1)


async def test_one_watch_releases_many_waiters_as_projection_batches_commit(
    database_url: str, store: EventStore, readmodel: asyncpg.Pool
) -> None:
    runner = ProjectionRunner(readmodel, batch_size=3)
    watch = ProjectionWatch(readmodel, Listener(database_url, PROJECTED), fallback_interval=30.0)
    await watch.start()
    try:
        written = [await append(store, order_stream(f"w-{i}"), OrderPlacedOnHold(order_id=f"w-{i}", reason="x"))
                   for i in range(10)]  # fmt: skip
        waiters = [asyncio.create_task(watch.wait_for(w.position, 10.0)) for w in written]
        await asyncio.sleep(0.05)
        assert not any(w.done() for w in waiters)  # nothing projected yet: nobody is released
        # The runner's batches commit with a NOTIFY: the watch wakes up (its fallback poll is 30 s away). The
        # runner is driven until it has handled the last write, not for one catch-up: a transaction in flight
        # anywhere on the server may hold the events back from its first looks.
        assert await runner.wait_for(written[-1].position, 30.0)
        assert await asyncio.gather(*waiters) == [True] * 10
        beyond = Position(written[-1].position.transaction_id + 1000, 0)
        assert not await watch.wait_for(beyond, 0.1)
    finally:
        await watch.close()


async def test_wait_for_needs_every_projection(store: EventStore, readmodel: asyncpg.Pool) -> None:
    written = await realistic_history(store)
    runner = ProjectionRunner(readmodel)
    # Only the locations, driven until they have handled it all (not one catch-up: a transaction in flight
    # anywhere on the server may hold the events back a while, and then this would check nothing).
    assert await ProjectionRunner(readmodel, projections=runner.projections[:1]).wait_for(written.position, 30.0)
    assert not await wait_for(readmodel, written.position, 0.05)
    assert await runner.wait_for(written.position, 30.0)
    assert await wait_for(readmodel, written.position, 0.05)
    assert await wait_for(readmodel, written.position, 0.05, names=checkpoint_names())


async def test_replay_of_a_faithful_read_model_finds_it_identical(
    database_url: str, store: EventStore, readmodel: asyncpg.Pool
) -> None:
    last = await realistic_history(store)
    # Other batch boundaries than the rebuild's.
    assert await ProjectionRunner(readmodel, batch_size=2).wait_for(last.position, 30.0)
    out = io.StringIO()
    assert await replay(database_url, swap=False, out=out) == 0, out.getvalue()
    assert "identical" in out.getvalue()
    assert await readmodel.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = 'readmodel_rebuild'") == 0
    assert await readmodel.fetchval("SELECT count(*) FROM checkpoints WHERE name LIKE '%@rebuild'") == 0


async def test_replay_names_corrupted_rows_and_swap_repairs_them(
    database_url: str, store: EventStore, readmodel: asyncpg.Pool
) -> None:
    last = await realistic_history(store)
    assert await ProjectionRunner(readmodel).wait_for(last.position, 30.0)
    await readmodel.execute("UPDATE orders SET status = 'SHIPPED' WHERE order_id = 'o-3'")
    await readmodel.execute("DELETE FROM shipments WHERE order_id = 'o-2'")
    await readmodel.execute("UPDATE stock_levels SET available = 99 WHERE sku = 'SKU-A'")

    out = io.StringIO()
    assert await replay(database_url, swap=False, out=out) == 1
    report = out.getvalue()
    assert "orders [order_id='o-3']: status live 'SHIPPED' != rebuilt 'BACKORDERED'" in report
    assert "shipments [order_id='o-2', shipment_id='s1']: missing from the live table" in report
    assert "stock_levels [sku='SKU-A', location_code='DC1']: available live 99 != rebuilt 6" in report
    assert "3 rows differ" in report

    out = io.StringIO()
    assert await replay(database_url, swap=True, out=out) == 1
    assert "swapped" in out.getvalue()
    # The pool's connections resolve `orders` by search_path: after the swap they see the rebuilt tables.
    assert await readmodel.fetchval("SELECT status FROM orders WHERE order_id = 'o-3'") == "BACKORDERED"
    assert await readmodel.fetchval("SELECT count(*) FROM shipments WHERE order_id = 'o-2'") == 1
    names = {r["name"] for r in await readmodel.fetch("SELECT name FROM checkpoints")}
    assert names == set(checkpoint_names())

    # The live runner carries on from the moved checkpoints, on the swapped-in tables.
    held = await append(store, order_stream("o-5"), OrderPlacedOnHold(order_id="o-5", reason="fraud check"))
    runner = ProjectionRunner(readmodel)
    assert await runner.wait_for(held.position, 30.0)
    assert await readmodel.fetchval("SELECT status FROM orders WHERE order_id = 'o-5'") == "ON_HOLD"
    out = io.StringIO()
    assert await replay(database_url, swap=False, out=out) == 0, out.getvalue()
