"""An event a consumer cannot read stops that consumer only, visibly, and code that can read it resumes there.

As during a rolling deploy: a newer version appends a type the running code does not know. The consumer whose
share holds it stops (its batch rolls back, its checkpoint stays before the event, the stop is logged and noted
where any process reads it); the other consumers of the same follower go on; a follower with code that reads
the type (the restart after the deploy) takes the stopped consumer on from its checkpoint, skipping nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import msgspec
import pytest

from eventstore import ANY, Connection, Consumer, EventCodec, EventStore, LogFollower, NewEvent, RecordedEvent
from eventstore.follower import Handler

from .helpers import readable, stream


class Known(msgspec.Struct, frozen=True):
    n: int


class Newer(msgspec.Struct, frozen=True):  # what the next version of the code writes
    secret: str


OLD, NEW = EventCodec([Known]), EventCodec([Known, Newer])


def known(n: int) -> NewEvent:
    return OLD.encode(Known(n))


def handler(codec: EventCodec, name: str) -> Handler:
    async def handle(conn: Connection, events: Sequence[RecordedEvent]) -> None:
        for event in events:
            codec.decode(event)  # where reading fails, as in a projection's fold or the dispatcher's jobs_for
            await conn.execute("INSERT INTO seen (consumer, event_id) VALUES ($1, $2)", name, event.event_id)

    return handle


def follower(store: EventStore, codec: EventCodec) -> LogFollower:
    return LogFollower(
        store,
        [
            Consumer("orders", handler(codec, "orders"), ["order"]),
            Consumer("stock", handler(codec, "stock"), ["stock"]),
        ],
        categories=["order", "stock"],
    )


async def seen(store: EventStore, consumer: str) -> list[str]:
    rows = await store.pool.fetch("SELECT event_id FROM seen WHERE consumer = $1 ORDER BY id", consumer)
    return [str(r[0]) for r in rows]


async def test_an_unreadable_event_stops_its_consumer_only_and_new_code_resumes_there(
    store: EventStore, caplog: pytest.LogCaptureFixture
) -> None:
    await store.pool.execute("CREATE TABLE seen (id SERIAL, consumer TEXT, event_id UUID, UNIQUE (consumer, event_id))")
    order, stock = stream("order"), stream("stock")
    await store.append(order, [known(1), known(2)], ANY)
    await store.append(stock, [known(3)], ANY)
    newer = NEW.encode(Newer("s3cret-payload"))
    unreadable = await store.append(order, [newer, known(4)], ANY)
    last = await store.append(stock, [known(5)], ANY)
    await readable(store, last.position)

    old = follower(store, OLD)
    with caplog.at_level(logging.ERROR, logger="eventstore.follower"):
        await old.catch_up()  # stops "orders" at the unreadable event, and rolls back that batch
        await old.catch_up()  # the others go on without it
    assert list(old.stalled) == ["orders"]
    assert [c.name for c in old.consumers] == ["stock"]
    assert len(await seen(store, "stock")) == 2
    assert await seen(store, "orders") == []  # its batch held the unreadable event: nothing of it committed

    # Visible: an error naming the event's position, stream and type, never its payload; a note any process reads.
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    message = record.getMessage()
    assert "orders" in message and "Newer" in message and order in message and "s3cret" not in message
    read_back = await store.read_stream(order)
    assert str(read_back[2].position) in message
    notes = await store.stalled_checkpoints()
    assert list(notes) == ["orders"] and "Newer" in notes["orders"] and "s3cret" not in notes["orders"]
    # Read-your-writes no longer waits for it; where it stands is kept for the restart.
    assert (await store.read_checkpoints(["orders", "stock"], skip_stalled=True)).keys() == {"stock"}

    # The deploy: code that reads the new type follows from the checkpoints, and nothing is skipped.
    new = follower(store, NEW)
    await new.catch_up()
    orders = await seen(store, "orders")
    assert orders == [str(e.event_id) for e in read_back]
    assert str(newer.event_id) in orders and len(orders) == 4
    assert len(await seen(store, "stock")) == 2
    assert new.stalled == {} and await store.stalled_checkpoints() == {}
    assert unreadable.position <= (await store.read_checkpoints(["orders"]))["orders"]
