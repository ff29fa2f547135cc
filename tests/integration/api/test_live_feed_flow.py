"""The order flow the live feed counts for `orderFlow`: placed, allocated and shipped, by event type, once per
process whatever the number of watchers, and only while someone watches."""

from __future__ import annotations

import uuid

from app.api.live import LiveFeed
from eventstore import NO_STREAM, EventStore
from tests.e2e.conftest import eventually
from tests.integration.eventstore.helpers import CountingStore, events

from .test_live_feed import feed, notifier, store  # noqa: F401  (fixtures)


async def test_the_flow_is_counted_once_for_every_watcher_and_only_while_watched(
    feed: tuple[LiveFeed, CountingStore],  # noqa: F811
    store: EventStore,  # noqa: F811
) -> None:
    live, _ = feed

    async def placed() -> bool:  # the feed knows where it stands (a live follower starts at the horizon)
        return live.follower.position is not None

    await eventually(placed)
    assert live.follower.active is not None and not live.follower.active()  # nobody watches: nothing is read
    with live.watching_flow() as first, live.watching_flow() as second:
        assert live.follower.active()
        order = f"order-{uuid.uuid4().hex[:8]}"
        await store.append(order, events(2, event_type="OrderPlaced"), NO_STREAM)
        await store.append(order, events(1, event_type="OrderAllocated"), 2)
        await store.append(order, events(3, event_type="ShipmentDispatched"), 3)
        await store.append(order, events(1, event_type="OrderCancelled"), 6)  # not part of the flow

        async def read_to_the_end() -> bool:
            # Whole positions, transaction first: a follower that skipped ahead while nobody watched stands at a
            # horizon, (transaction, the largest global position), past every global position but before
            # these appends' transactions. Comparing global positions alone passed before anything was read.
            head, reached = await store.head(), live.follower.position
            return head is not None and reached is not None and reached >= head

        await eventually(read_to_the_end)
        assert first == {"placed": 2, "allocated": 1, "shipped": 3}
        assert second is first  # one total per process, read by every watcher
    assert not live.follower.active()
