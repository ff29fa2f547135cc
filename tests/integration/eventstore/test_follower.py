from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from typing import Any
from zlib import crc32

import pytest

from eventstore import (
    NO_STREAM,
    Connection,
    Consumer,
    EventStore,
    Listener,
    LogFollower,
    Notifier,
    Page,
    Position,
    RecordedEvent,
    read_until,
)

from .helpers import CountingStore, events, readable, stream


class Recorder:
    def __init__(self) -> None:
        self.seen: list[RecordedEvent] = []
        self.arrived = asyncio.Event()

    async def __call__(self, conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        self.seen += batch
        self.arrived.set()


async def until(condition: object, timeout: float = 5.0) -> None:
    async def poll() -> None:
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


async def test_a_late_committing_transaction_is_not_skipped(store: EventStore) -> None:
    recorder = Recorder()
    follower = LogFollower(store, [Consumer("reader", recorder)], batch_size=7, poll_interval=0.01)
    stop = asyncio.Event()
    runner = asyncio.create_task(follower.run(stop))

    slow = await store.pool.acquire()
    tx = slow.transaction()
    await tx.start()
    late = await store.append(stream("late"), events(1), NO_STREAM, conn=slow)  # holds the smaller position
    for _ in range(20):
        await store.append(stream("early"), events(1), NO_STREAM)
    await asyncio.sleep(0.2)
    # Everything after the open transaction waits for it: nothing written later may be read before it.
    assert recorder.seen == []
    await tx.commit()
    await store.pool.release(slow)

    await until(lambda: len(recorder.seen) >= 21)
    stop.set()
    await runner
    assert len(recorder.seen) == 21
    assert recorder.seen[0].global_position == late.position.global_position
    assert late.position.global_position < max(e.global_position for e in recorder.seen)
    assert [e.position for e in recorder.seen] == sorted(e.position for e in recorder.seen)


async def test_a_reader_running_through_interleaved_commits_sees_every_event_once_in_order(
    store: EventStore,
) -> None:
    recorder = Recorder()
    follower = LogFollower(store, [Consumer("reader", recorder)], batch_size=13, poll_interval=0.005)
    stop = asyncio.Event()
    runner = asyncio.create_task(follower.run(stop))
    rng = random.Random(7)

    async def writer(w: int) -> None:
        for i in range(15):
            async with store.pool.acquire() as conn, conn.transaction():
                await store.append(stream(f"w{w}"), events(rng.randint(1, 3), start=i), NO_STREAM, conn=conn)
                await asyncio.sleep(rng.random() * 0.02)  # commit late, while others commit first

    await asyncio.gather(*(writer(w) for w in range(8)))
    total = await store.pool.fetchval("SELECT count(*) FROM events")
    await until(lambda: len(recorder.seen) >= total)
    await asyncio.sleep(0.05)
    stop.set()
    await runner
    ids = [e.event_id for e in recorder.seen]
    assert len(ids) == total == len(set(ids))
    positions = [e.position for e in recorder.seen]
    assert positions == sorted(positions)


async def test_effects_and_checkpoint_commit_together(store: EventStore) -> None:
    await store.pool.execute("CREATE TABLE effects (event_id UUID PRIMARY KEY)")
    written = await store.append(stream(), events(10), NO_STREAM)

    async def failing_after_write(conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        await conn.executemany("INSERT INTO effects VALUES ($1)", [(e.event_id,) for e in batch])
        raise RuntimeError("crash mid-batch")

    follower = LogFollower(store, [Consumer("effects", failing_after_write)], batch_size=4)
    await readable(store, written.position)  # so that this one look does reach the events and crash
    with pytest.raises(RuntimeError, match="crash mid-batch"):
        await follower.run_once()
    assert await store.pool.fetchval("SELECT count(*) FROM effects") == 0
    assert await store.read_checkpoints(["effects"]) == {"effects": Position(0, 0)}

    async def writing(conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        await conn.executemany("INSERT INTO effects VALUES ($1)", [(e.event_id,) for e in batch])

    # Waiting, not one catch-up: a transaction in flight anywhere on the server may hold the events back a while.
    assert await LogFollower(store, [Consumer("effects", writing)], batch_size=4).wait_for(written.position, 30)
    assert await store.pool.fetchval("SELECT count(*) FROM effects") == 10


async def test_wait_for_returns_once_the_written_position_is_processed(store: EventStore) -> None:
    follower = LogFollower(store, [Consumer("waiter", Recorder())], poll_interval=0.01)
    stop = asyncio.Event()
    runner = asyncio.create_task(follower.run(stop))
    written = await store.append(stream(), events(1), NO_STREAM)
    assert await follower.wait_for(written.position, timeout=5)
    assert not await follower.wait_for(Position(written.position.transaction_id + 10**6, 0), timeout=0.05)
    stop.set()
    await runner


async def test_notifications_wake_a_subscriber_long_before_its_poll(store: EventStore, database_url: str) -> None:
    listener, notifier = Listener(database_url, reconnect_every=0.05), Notifier(database_url)
    await listener.start()
    store = EventStore(store.pool, on_append=notifier.poke)
    recorder = Recorder()
    follower = LogFollower(store, [Consumer("woken", recorder)], poll_interval=30, listener=listener)
    stop = asyncio.Event()
    runner = asyncio.create_task(follower.run(stop))
    try:
        await asyncio.sleep(0.1)  # let it go idle on the wait
        await store.append(stream(), events(1), NO_STREAM)
        await asyncio.wait_for(recorder.arrived.wait(), 3)

        # Cut the listener's connection; it reconnects by itself and wake-ups keep working.
        conn = listener.connection
        assert conn is not None
        await store.pool.execute("SELECT pg_terminate_backend($1)", conn.get_server_pid())
        await until(lambda: listener.reconnects >= 1 and listener.connection is not None)
        await asyncio.sleep(0.1)
        recorder.arrived.clear()
        await store.append(stream(), events(1), NO_STREAM)
        await asyncio.wait_for(recorder.arrived.wait(), 3)
        assert len(recorder.seen) == 2
    finally:
        stop.set()
        await runner
        await notifier.close()
        await listener.close()


async def test_events_held_back_by_a_silent_transaction_are_read_soon_after_it_ends(store: EventStore) -> None:
    # The blocker writes nothing, so its end sends no wake-up; the poll interval is far beyond the test.
    recorder = Recorder()
    follower = LogFollower(store, [Consumer("held", recorder)], poll_interval=60.0)
    blocker = await store.pool.acquire()
    tx = blocker.transaction()
    await tx.start()
    await blocker.fetchval("SELECT pg_current_xact_id()")  # an xid of its own: it now holds the readers' xmin
    await store.append(stream("behind"), events(1), NO_STREAM)
    stop = asyncio.Event()
    runner = asyncio.create_task(follower.run(stop))
    try:
        await until(lambda: follower.held_back)
        assert recorder.seen == []
        await tx.rollback()
        await store.pool.release(blocker)
        await until(lambda: len(recorder.seen) == 1, timeout=5.0)
    finally:
        stop.set()
        await runner


async def test_a_process_that_lost_the_lock_reads_only_what_is_new_next_time(store: EventStore) -> None:
    """Two processes run one subscription; the one that finds the other holding it must not keep re-reading
    the window it lost (and each event is still handled once)."""
    first, second = Recorder(), Recorder()
    other = CountingStore(store)
    a = LogFollower(store, [Consumer("shared", first)], batch_size=100)
    b = LogFollower(other, [Consumer("shared", second)], batch_size=100)
    # Each look below is asserted on, so first each write waits until one look can read it: until no
    # transaction in flight anywhere on the server holds it back.
    await readable(store, (await store.append(stream(), events(5), NO_STREAM)).position)
    assert await b.run_once() == 5  # b has a position of its own now
    await readable(store, (await store.append(stream(), events(10), NO_STREAM)).position)

    async with store.pool.acquire() as conn, conn.transaction():  # a holds the subscription's lock
        await conn.execute("SELECT pg_advisory_xact_lock($1::BIGINT)", crc32(b"shared"))
        assert await b.run_once() == 0
    assert await a.run_once() == 10
    await readable(store, (await store.append(stream(), events(1), NO_STREAM)).position)
    other.scanned.clear()

    assert await b.run_once() == 1
    assert other.scanned == [1]  # from a's checkpoint, not the ten events it saw before
    assert (len(first.seen), len(second.seen)) == (10, 6)


async def test_consumers_share_one_read_and_each_gets_only_what_its_checkpoint_lacks(store: EventStore) -> None:
    await store.append(stream("order"), events(3), NO_STREAM)
    stocked = await store.append(stream("stock"), events(2), NO_STREAM)
    # "everything" has already been fed this far, by a follower of its own.
    assert await LogFollower(store, [Consumer("everything", Recorder())]).wait_for(stocked.position, 30)
    last = await store.append(stream("order"), events(1), NO_STREAM)
    orders, stock, everything = Recorder(), Recorder(), Recorder()
    counting = CountingStore(store)
    consumers = [Consumer("orders", orders, ["order"]), Consumer("stock", stock, ["stock"])]
    group = LogFollower(counting, [*consumers, Consumer("everything", everything)], categories=["order", "stock"])
    assert await group.wait_for(last.position, 30)
    assert (len(orders.seen), len(stock.seen), len(everything.seen)) == (4, 2, 1)
    assert all(e.stream_id.startswith("order-") for e in orders.seen)
    assert everything.seen[0].position == last.position
    assert sum(counting.scanned) == 6  # one read of the log for all three
    checkpoints = await store.read_checkpoints(["orders", "stock", "everything"])
    assert set(checkpoints.values()) == {group.position}


async def test_waiting_on_a_follower_nobody_runs_drives_it_until_then(store: EventStore) -> None:
    recorder = Recorder()
    follower = LogFollower(store, [Consumer("driven", recorder)], batch_size=3)
    written = await store.append(stream(), events(10), NO_STREAM)
    assert await follower.wait_for(written.position, 30)  # four batches, one look at a time
    assert [e.position for e in recorder.seen][-1] == written.position
    beyond = Position(written.position.transaction_id + 10**6, 0)
    assert not await follower.wait_for(beyond, 0.05)
    assert await store.read_checkpoints(["driven"]) == {"driven": follower.position}


class HeldBackStore(EventStore):
    """The same store, saying when a read of the log came back empty because a transaction in flight held
    committed events back."""

    def __init__(self, store: EventStore) -> None:
        super().__init__(store.pool)
        self.held_back = asyncio.Event()

    async def read_all(self, **kwargs: Any) -> Page:
        page = await super().read_all(**kwargs)
        if page.end is None and page.held_back:
            self.held_back.set()
        return page


async def test_reading_until_a_position_waits_out_a_transaction_in_flight_instead_of_stopping_short(
    store: EventStore,
) -> None:
    first = stream()
    await store.append(first, events(1), NO_STREAM)
    # A transaction in flight holds every later commit back from readers, its own events included.
    late = stream()
    async with store.pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await store.append(late, events(1), NO_STREAM, conn=conn)
        after_it = stream()
        await store.append(after_it, events(1), NO_STREAM)
        until = await store.head()
        assert until is not None

        watched = HeldBackStore(store)

        async def commit_once_the_reader_is_held_back() -> None:
            await watched.held_back.wait()
            await transaction.commit()

        committing = asyncio.create_task(commit_once_the_reader_is_held_back())
        pages = [page async for page in read_until(watched, until, max_interval=0.05)]
        await committing

    read = [e.stream_id for page in pages for e in page.events]
    assert read[-3:] == [first, late, after_it]
    assert watched.held_back.is_set()  # it did meet the transaction in flight, and waited it out
