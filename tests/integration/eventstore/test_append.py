from __future__ import annotations

import asyncio

import msgspec
import pytest

from eventstore import (
    ANY,
    NO_STREAM,
    DuplicateEventIds,
    EventStore,
    Metadata,
    StreamWrite,
    WrongExpectedVersion,
    verify,
)

from .helpers import events, stream, with_metadata


async def test_new_stream_gets_versions_from_one(store: EventStore) -> None:
    sid = stream()
    result = await store.append(sid, events(3), NO_STREAM)
    assert result.version == 3
    stored = await store.read_stream(sid)
    assert [e.stream_version for e in stored] == [1, 2, 3]
    assert [msgspec.json.decode(e.data) for e in stored] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert result.position == stored[-1].position
    assert await store.stream_version(sid) == 3


async def test_exact_expected_version_appends_and_a_stale_one_is_refused(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(2), NO_STREAM)
    assert (await store.append(sid, events(1), 2)).version == 3
    with pytest.raises(WrongExpectedVersion) as caught:
        await store.append(sid, events(1), 2)
    assert (caught.value.stream_id, caught.value.expected, caught.value.actual) == (sid, 2, 3)
    assert "actual version 3" in str(caught.value)
    assert await store.stream_version(sid) == 3


async def test_no_stream_refuses_an_existing_stream_and_any_accepts_both(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(1), ANY)
    with pytest.raises(WrongExpectedVersion) as caught:
        await store.append(sid, events(1), NO_STREAM)
    assert caught.value.actual == 1
    assert (await store.append(sid, events(1), ANY)).version == 2


async def test_expecting_a_version_of_a_missing_stream_fails_and_creates_nothing(store: EventStore) -> None:
    sid = stream()
    with pytest.raises(WrongExpectedVersion) as caught:
        await store.append(sid, events(1), 5)
    assert caught.value.actual == 0
    assert await store.stream_version(sid) == 0
    assert await store.pool.fetchval("SELECT count(*) FROM streams WHERE stream_id = $1", sid) == 0


async def test_re_appending_the_same_event_ids_is_a_no_op_returning_the_original(store: EventStore) -> None:
    sid = stream()
    batch = events(2)
    first = await store.append(sid, batch, NO_STREAM)
    again = await store.append(sid, batch, NO_STREAM)  # a retry after a lost reply
    assert again == first
    assert len(await store.read_stream(sid)) == 2


async def test_a_mix_of_stored_and_new_event_ids_is_refused(store: EventStore) -> None:
    sid = stream()
    batch = events(2)
    await store.append(sid, batch[:1], NO_STREAM)
    with pytest.raises(DuplicateEventIds):
        await store.append(sid, batch, ANY)
    assert len(await store.read_stream(sid)) == 1


async def test_racing_retries_of_one_append_store_it_once(store: EventStore) -> None:
    sid = stream()
    batch = events(3)
    results = await asyncio.gather(*(store.append(sid, batch, ANY) for _ in range(8)))
    assert len(set(results)) == 1
    assert len(await store.read_stream(sid)) == 3


async def test_metadata_is_stored_with_every_event(store: EventStore) -> None:
    sid = stream()
    meta = Metadata(correlation_id="c-1", causation_id="cmd-9", actor="user:ann", idempotency_key="k-1")
    await store.append(sid, [with_metadata(e, meta) for e in events(2)], NO_STREAM)
    assert [e.decoded_metadata() for e in await store.read_stream(sid)] == [meta, meta]


async def test_fifty_concurrent_appends_at_one_version_let_exactly_one_win(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(1), NO_STREAM)
    outcomes = await asyncio.gather(
        *(store.append(sid, events(1, start=i), 1) for i in range(50)), return_exceptions=True
    )
    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    losers = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(winners) == 1
    assert len(losers) == 49
    assert all(isinstance(o, WrongExpectedVersion) and o.actual == 2 for o in losers)
    assert [e.stream_version for e in await store.read_stream(sid)] == [1, 2]


async def test_concurrent_creators_of_one_stream_leave_no_gap(store: EventStore) -> None:
    sid = stream()
    outcomes = await asyncio.gather(
        *(store.append(sid, events(2, start=10 * i), NO_STREAM) for i in range(20)), return_exceptions=True
    )
    assert sum(not isinstance(o, BaseException) for o in outcomes) == 1
    assert [e.stream_version for e in await store.read_stream(sid)] == [1, 2]


async def test_append_many_is_all_or_nothing_across_streams(store: EventStore) -> None:
    order, stock = stream("order"), stream("stock")
    await store.append(stock, events(1), NO_STREAM)
    with pytest.raises(WrongExpectedVersion) as caught:
        await store.append_many([StreamWrite(order, events(1), NO_STREAM), StreamWrite(stock, events(1), 0)])
    assert (caught.value.stream_id, caught.value.expected, caught.value.actual) == (stock, 0, 1)
    assert await store.stream_version(order) == 0

    results = await store.append_many([StreamWrite(order, events(1), NO_STREAM), StreamWrite(stock, events(1), 1)])
    assert [(r.stream_id, r.version) for r in results] == [(order, 1), (stock, 2)]
    assert results[0].position.transaction_id == results[1].position.transaction_id


async def test_crossing_multi_stream_appends_do_not_deadlock(store: EventStore) -> None:
    a, b = stream(), stream()

    async def write(first: str, second: str, i: int) -> None:
        await store.append_many([StreamWrite(first, events(1, start=i), ANY), StreamWrite(second, events(1), ANY)])

    await asyncio.gather(*(write(a, b, i) if i % 2 else write(b, a, i) for i in range(40)))
    assert await store.stream_version(a) == 40
    assert await store.stream_version(b) == 40


async def test_an_empty_append_is_a_caller_error(store: EventStore) -> None:
    with pytest.raises(ValueError):
        await store.append(stream(), [], NO_STREAM)


async def test_event_ids_stored_in_another_stream_are_refused(store: EventStore) -> None:
    batch = events(1)
    await store.append(stream(), batch, NO_STREAM)
    other = stream()
    with pytest.raises(DuplicateEventIds):
        await store.append(other, batch, NO_STREAM)
    assert await store.stream_version(other) == 0


# One event at the version of a head this store saw commit takes the fast path (fast_path.py): chained in Python,
# one plain INSERT. These tests hold it to the general append's contract: one winner, a clear mismatch, retries
# recognised, and a chain that verifies.


async def test_single_event_appends_on_the_fast_path_chain_like_the_general_append(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(1), NO_STREAM)
    for version in range(1, 6):  # every one chained onto the head the previous append returned
        assert (await store.append(sid, events(1, start=version), version)).version == version + 1
    stored = await store.read_stream(sid)
    assert [e.stream_version for e in stored] == [1, 2, 3, 4, 5, 6]
    assert [e.recorded_at for e in stored] == sorted(e.recorded_at for e in stored)
    assert (await verify(store, sid)).ok


async def test_a_remembered_head_that_another_writer_moved_is_refused_then_the_stream_goes_on(
    store: EventStore,
) -> None:
    sid = stream()
    await store.append(sid, events(1), NO_STREAM)
    await store.append(sid, events(1, start=1), 1)  # this store now remembers version 2's hash
    elsewhere = EventStore(store.pool)  # another process, as far as the cache is concerned
    await elsewhere.append(sid, events(1, start=2), 2)

    with pytest.raises(WrongExpectedVersion) as caught:
        await store.append(sid, events(1, start=3), 2)
    assert (caught.value.expected, caught.value.actual) == (2, 3)
    assert (await store.append(sid, events(1, start=3), 3)).version == 4
    assert [msgspec.json.decode(e.data)["n"] for e in await store.read_stream(sid)] == [0, 1, 2, 3]
    assert (await verify(store, sid)).ok


async def test_fifty_concurrent_appends_at_a_remembered_head_let_exactly_one_win(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(1), NO_STREAM)
    await store.append(sid, events(1, start=1), 1)
    outcomes = await asyncio.gather(
        *(store.append(sid, events(1, start=10 + i), 2) for i in range(50)), return_exceptions=True
    )
    assert sum(not isinstance(o, BaseException) for o in outcomes) == 1
    assert all(isinstance(o, WrongExpectedVersion) and o.actual == 3 for o in outcomes if isinstance(o, BaseException))
    assert [e.stream_version for e in await store.read_stream(sid)] == [1, 2, 3]
    assert (await verify(store, sid)).ok


async def test_a_retried_single_event_append_returns_what_it_first_wrote(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(1), NO_STREAM)
    event = events(1, start=1)
    first = await store.append(sid, event, 1)
    assert await store.append(sid, event, 1) == first  # the reply was lost; the caller tries again
    assert await EventStore(store.pool).append(sid, event, 1) == first  # ... or another process does
    assert len(await store.read_stream(sid)) == 2


async def test_a_single_event_whose_id_is_stored_in_another_stream_is_refused(store: EventStore) -> None:
    taken = events(1)
    await store.append(stream(), taken, NO_STREAM)
    sid = stream()
    await store.append(sid, events(1), NO_STREAM)
    with pytest.raises(DuplicateEventIds):
        await store.append(sid, taken, 1)
    assert await store.stream_version(sid) == 1


async def test_event_ids_stored_in_another_stream_are_refused_at_any_version(store: EventStore) -> None:
    batch = events(2)
    await store.append(stream(), batch, NO_STREAM)
    other = stream()
    with pytest.raises(DuplicateEventIds):  # not mistaken for a retry: the ids are another stream's
        await store.append(other, batch, ANY)
    assert await store.stream_version(other) == 0


async def test_a_head_written_by_append_many_is_chained_onto_by_the_next_single_event(store: EventStore) -> None:
    a, b = stream(), stream()
    await store.append_many([StreamWrite(a, events(2), NO_STREAM), StreamWrite(b, events(1), NO_STREAM)])
    assert [r.version for r in await store.append_many([StreamWrite(a, events(1, start=2), 2)])] == [3]
    assert (await store.append(b, events(1, start=1), 1)).version == 2
    assert (await verify(store, a)).ok and (await verify(store, b)).ok


async def test_fast_path_appends_racing_appends_at_any_version_leave_one_gapless_chain(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(1), NO_STREAM)
    elsewhere = EventStore(store.pool)  # appends through the general path only: it knows no head

    async def chained(version: int) -> int:
        # This store's fast path, following its own head; when another writer got there first, it catches up.
        written = 0
        while written < 10:
            try:
                version = (await store.append(sid, events(1, start=100 + written), version)).version
                written += 1
            except WrongExpectedVersion as mismatch:
                version = mismatch.actual
        return written

    outcome = await asyncio.gather(chained(1), *(elsewhere.append(sid, events(1, start=i), ANY) for i in range(20)))
    assert outcome[0] == 10
    stored = await store.read_stream(sid)
    assert [e.stream_version for e in stored] == list(range(1, 32))
    assert (await verify(store, sid)).ok
