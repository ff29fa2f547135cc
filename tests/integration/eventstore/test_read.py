from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from eventstore import NO_STREAM, START, EventStore, Snapshot

from .helpers import events, readable, stream


async def test_read_stream_bounds_by_version(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(10), NO_STREAM)
    window = await store.read_stream(sid, from_version=3, to_version=5)
    assert [e.stream_version for e in window] == [3, 4, 5]
    assert await store.read_stream(sid, from_version=11) == []
    assert await store.read_stream(stream()) == []


async def test_read_stream_as_of_a_moment_sees_only_what_was_recorded_by_then(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(2), NO_STREAM)
    await asyncio.sleep(0.01)
    moment = datetime.now(UTC)
    await asyncio.sleep(0.01)
    await store.append(sid, events(3), 2)
    assert [e.stream_version for e in await store.read_stream(sid, as_of=moment)] == [1, 2]
    assert len(await store.read_stream(sid)) == 5
    assert await store.read_stream(sid, as_of=datetime(2000, 1, 1, tzinfo=UTC)) == []


async def test_read_all_pages_through_the_log_in_order(store: EventStore) -> None:
    for _ in range(5):
        last = await store.append(stream(), events(3), NO_STREAM)
    # A transaction in flight anywhere on the server would end the paging early: wait until it is all readable.
    await readable(store, last.position)
    seen = []
    after = START
    while True:
        page = await store.read_all(after=after, limit=4)
        if page.end is None:
            break
        seen += page.events
        after = page.end
    assert len(seen) == 15
    positions = [e.position for e in seen]
    assert positions == sorted(positions)
    assert len(set(positions)) == 15


async def test_read_all_filters_by_type_and_category_but_reports_how_far_it_scanned(store: EventStore) -> None:
    order, stock = stream("order"), stream("stock")
    await store.append(order, events(2, event_type="OrderPlaced"), NO_STREAM)
    await store.append(stock, events(2, event_type="StockReceived"), NO_STREAM)
    last = await store.append(order, events(1, event_type="OrderCancelled"), 2)
    await readable(store, last.position)  # not held back by a transaction in flight elsewhere on the server

    by_type = await store.read_all(event_types=["OrderCancelled"])
    assert [e.event_type for e in by_type.events] == ["OrderCancelled"]
    assert by_type.scanned == 5

    by_category = await store.read_all(categories=["stock"])
    assert {e.stream_id for e in by_category.events} == {stock}
    everything = await store.read_all()
    assert by_category.end == everything.end == everything.events[-1].position


async def test_load_returns_the_latest_snapshot_and_only_the_tail(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(10), NO_STREAM)
    await store.save_snapshot(Snapshot(sid, 4, "Counter", 1, '{"count": 4}'))
    await store.save_snapshot(Snapshot(sid, 8, "Counter", 1, '{"count": 8}'))
    snapshot, tail = await store.load(sid, "Counter")
    assert snapshot is not None and snapshot.version == 8
    assert [e.stream_version for e in tail] == [9, 10]


async def test_load_ignores_snapshots_of_another_type_or_schema_version(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(10), NO_STREAM)
    await store.save_snapshot(Snapshot(sid, 4, "Counter", 1, '{"count": 4}'))
    await store.save_snapshot(Snapshot(sid, 6, "Counter", 2, '{"n": 6}'))
    await store.save_snapshot(Snapshot(sid, 8, "Other", 1, '{"count": 8}'))
    snapshot, tail = await store.load(sid, "Counter")
    assert snapshot is not None and snapshot.version == 4
    assert [e.stream_version for e in tail] == [5, 6, 7, 8, 9, 10]
    snapshot, tail = await store.load(sid, "Counter", schema_version=2)
    assert snapshot is not None and snapshot.version == 6
    other, _ = (await store.load_many({sid: ("Other", 1)}))[sid]
    assert other is not None and other.version == 8
    assert await store.load_many({sid: ("Missing", 1)}) == {sid: (None, await store.read_stream(sid))}


async def test_load_as_of_starts_from_a_snapshot_taken_before_that_moment(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(5), NO_STREAM)
    await asyncio.sleep(0.01)
    moment = datetime.now(UTC)
    await asyncio.sleep(0.01)
    await store.append(sid, events(5), 5)
    await store.save_snapshot(Snapshot(sid, 3, "Counter", 1, '{"count": 3}'))
    await store.save_snapshot(Snapshot(sid, 9, "Counter", 1, '{"count": 9}'))
    snapshot, tail = await store.load(sid, "Counter", as_of=moment)
    assert snapshot is not None and snapshot.version == 3
    assert [e.stream_version for e in tail] == [4, 5]
    assert await store.load(sid, "Counter", as_of=moment - timedelta(hours=1)) == (None, [])


async def test_no_snapshot_means_the_whole_stream(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(3), NO_STREAM)
    snapshot, tail = await store.load(sid, "Counter")
    assert snapshot is None
    assert len(tail) == 3


async def test_load_many_returns_each_streams_snapshot_and_tail_in_one_go(store: EventStore) -> None:
    with_snapshot, without, missing, at_head = stream(), stream(), stream(), stream()
    await store.append(with_snapshot, events(6), NO_STREAM)
    await store.append(without, events(2), NO_STREAM)
    await store.append(at_head, events(3), NO_STREAM)
    await store.save_snapshot(Snapshot(with_snapshot, 2, "Counter", 1, '{"count": 2}'))
    await store.save_snapshot(Snapshot(with_snapshot, 4, "Counter", 1, '{"count": 4}'))
    await store.save_snapshot(Snapshot(at_head, 3, "Counter", 1, '{"count": 3}'))
    loaded = await store.load_many({s: ("Counter", 1) for s in (with_snapshot, without, missing, without, at_head)})
    assert set(loaded) == {with_snapshot, without, missing, at_head}
    assert loaded[at_head] == (Snapshot(at_head, 3, "Counter", 1, '{"count": 3}'), [])
    snapshot, tail = loaded[with_snapshot]
    assert snapshot is not None and snapshot.version == 4
    assert [e.stream_version for e in tail] == [5, 6]
    assert loaded[without][0] is None and [e.stream_version for e in loaded[without][1]] == [1, 2]
    assert loaded[missing] == (None, [])


async def test_read_all_tells_when_committed_events_wait_behind_a_transaction_in_flight(store: EventStore) -> None:
    first = await store.append(stream("a"), events(1), NO_STREAM)
    blocker = await store.pool.acquire()
    tx = blocker.transaction()
    await tx.start()
    await blocker.fetchval("SELECT pg_current_xact_id()")
    behind = stream("b")
    written = await store.append(behind, events(1), NO_STREAM)
    page = await store.read_all(after=first.position)
    assert (page.events, page.end, page.held_back) == ([], None, True)
    await tx.rollback()
    await store.pool.release(blocker)
    await readable(store, written.position)  # other transactions on the server may hold it back a while longer
    page = await store.read_all(after=first.position)
    assert [e.stream_id for e in page.events] == [behind]


async def test_the_horizon_is_never_past_a_transaction_in_flight(store: EventStore) -> None:
    """A reader starting at the horizon misses nothing still to commit, even the events of a transaction that
    began before others that committed first (their positions are smaller). (How much it skips depends on
    every transaction on the server, other databases' too, so that is not asserted.)"""
    slow = await store.pool.acquire()
    tx = slow.transaction()
    await tx.start()
    late = await store.append(stream("late"), events(1), NO_STREAM, conn=slow)
    after = await store.append(stream("b"), events(1), NO_STREAM)
    horizon = await store.horizon()
    assert horizon < late.position < after.position
    await tx.commit()
    await store.pool.release(slow)
    await readable(store, after.position)  # other transactions on the server may hold both back a while longer
    read = [e.stream_id for e in (await store.read_all(after=horizon, limit=10_000)).events]
    assert read.index(late.stream_id) < read.index(after.stream_id)
