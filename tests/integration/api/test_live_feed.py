"""The subscriptions' live feed: it reads the log only while someone listens, and never loses a change that
commits after a subscriber arrived."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from app.api.live import LiveFeed
from eventstore import NO_STREAM, EventStore, Listener, Notifier
from tests.integration.eventstore.helpers import CountingStore, events


@pytest.fixture
async def notifier(database_url: str) -> AsyncIterator[Notifier]:
    notifier = Notifier(database_url)
    yield notifier
    await notifier.close()


@pytest.fixture
def store(pool: asyncpg.Pool, notifier: Notifier) -> EventStore:
    """The store the tests append through, waking listeners after each append as the app's does."""
    return EventStore(pool, on_append=notifier.poke)


@pytest.fixture
async def feed(store: EventStore, database_url: str) -> AsyncIterator[tuple[LiveFeed, CountingStore]]:
    listener = Listener(database_url)
    await listener.start()
    counting = CountingStore(store)
    live = LiveFeed(counting, listener, poll_interval=0.05)
    task = asyncio.create_task(live.run())
    yield live, counting
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await listener.close()


async def quiet_spell(store: EventStore) -> None:
    """Orders placed while nobody subscribes, then several poll intervals and wake-ups."""
    for _ in range(20):
        await store.append(f"order-{uuid.uuid4().hex[:8]}", events(1), NO_STREAM)
    await asyncio.sleep(0.3)


async def test_with_nobody_subscribed_the_feed_reads_no_events(
    feed: tuple[LiveFeed, CountingStore], store: EventStore
) -> None:
    _, counting = feed
    await quiet_spell(store)
    assert counting.scanned == []


async def test_a_subscriber_arriving_after_a_quiet_spell_gets_every_later_change_in_order(
    feed: tuple[LiveFeed, CountingStore], store: EventStore
) -> None:
    live, counting = feed
    await quiet_spell(store)  # the feed idles and moves its position on
    with live.subscribe("order:o-42") as changes:
        first = await store.append("order-o-42", events(2, event_type="OrderPlaced"), NO_STREAM)
        second = await store.append("order-o-42", events(1, event_type="OrderAllocated"), 2)
        received = [await asyncio.wait_for(changes.get(), 5) for _ in range(3)]
    assert counting.scanned
    assert [c.event_type for c in received] == ["OrderPlaced", "OrderPlaced", "OrderAllocated"]
    assert received[1].position == first.position and received[2].position == second.position
