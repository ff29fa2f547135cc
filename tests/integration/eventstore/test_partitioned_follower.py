"""A partitioned reader: one handler per batch for all the partitions a follower holds, each partition's
checkpoint its own, and an unreadable event stops only the partition whose stream holds it."""

from __future__ import annotations

from collections.abc import Sequence

from eventstore import ANY, Connection, Consumer, EventStore, LogFollower, Partition, RecordedEvent, partition_of

from .helpers import readable, stream
from .test_unreadable import NEW, OLD, Newer, handler, known, seen


def streams_in_each_partition(count: int) -> list[str]:
    found: dict[int, str] = {}
    while len(found) < count:
        candidate = stream("order")
        found.setdefault(partition_of(candidate, count), candidate)
    return [found[i] for i in range(count)]


async def test_partitions_share_one_handler_call_and_stop_alone(store: EventStore) -> None:
    await store.pool.execute("CREATE TABLE seen (id SERIAL, consumer TEXT, event_id UUID, UNIQUE (consumer, event_id))")
    first, second = streams_in_each_partition(2)
    await store.append(first, [known(1), known(2)], ANY)
    await store.append(second, [known(3)], ANY)
    await store.append(first, [NEW.encode(Newer("x")), known(4)], ANY)
    last = await store.append(second, [known(5)], ANY)
    await readable(store, last.position)

    calls: list[list[str]] = []
    record = handler(OLD, "orders")

    async def handle(conn: Connection, events: Sequence[RecordedEvent]) -> None:
        calls.append(sorted({e.stream_id for e in events}))
        await record(conn, events)

    shares = [Partition(0, 2), Partition(1, 2)]
    follower = LogFollower(store, [Consumer(f"orders#{s.index}/2", handle, ["order"], s) for s in shares])
    await follower.catch_up()  # the first window holds both streams' events: one call, then the stop rolls it back
    assert calls[0] == sorted([first, second])
    await follower.catch_up()
    assert list(follower.stalled) == ["orders#0/2"]  # `first` is in partition 0; partition 1 goes on alone
    assert len(await seen(store, "orders")) == 2  # `second`'s events: every one, once
    checkpoints = await store.read_checkpoints(["orders#0/2", "orders#1/2"])
    assert checkpoints["orders#1/2"] == last.position and checkpoints["orders#0/2"] < last.position


async def test_the_database_puts_each_stream_in_the_partition_python_does(store: EventStore) -> None:
    streams = [stream("order") for _ in range(60)]
    for stream_id in streams:
        last = await store.append(stream_id, [known(1)], ANY)
    await readable(store, last.position)
    kept: dict[str, int] = {}
    for index in range(6):
        page = await store.read_all(limit=1000, partitions=[Partition(index, 6)])
        assert page.scanned >= 60  # every row scanned, only the partition's brought
        kept.update({e.stream_id: index for e in page.events})
    assert kept == {s: partition_of(s, 6) for s in streams}
    both = await store.read_all(limit=1000, partitions=[Partition(1, 6), Partition(4, 6)])
    assert {e.stream_id for e in both.events} == {s for s in streams if partition_of(s, 6) in (1, 4)}
