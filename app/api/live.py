"""Live updates for subscriptions, fed by the log's wake-ups: one reader per process, fanned out in memory.

The feed is a live log follower (no checkpoint: it starts at the horizon, about now, not history) and, for
every order or stock event, wakes the subscribers of that order or SKU. Subscribers then read the
read model once per change; nobody polls the database per client.

While nobody subscribes, the feed reads no events: the follower only moves its position up to the log's
horizon (one small query per poll interval), so the first subscriber is served from at most that far back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Iterator, Sequence

import msgspec

from app.domain.streams import parse_stock_stream
from eventstore import EventStore, Listener, LogFollower, Position, RecordedEvent


class Change(msgspec.Struct, frozen=True):
    """Something happened to a subscribed order or SKU: which event, and where it is in the log."""

    event_type: str
    position: Position


class LiveFeed:
    def __init__(self, store: EventStore, listener: Listener, *, poll_interval: float = 0.5) -> None:
        self._topics: dict[str, set[asyncio.Queue[Change]]] = defaultdict(set)
        self.follower = LogFollower(
            store,
            on_events=self._publish_all,
            active=lambda: bool(self._topics),
            categories=["order", "stock"],
            batch_size=1000,
            poll_interval=poll_interval,
            listener=listener,
        )

    @contextlib.contextmanager
    def subscribe(self, topic: str) -> Iterator[asyncio.Queue[Change]]:
        """A queue of changes to `topic` (`order:<id>` or `sku:<sku>`) for as long as the block runs."""
        queue: asyncio.Queue[Change] = asyncio.Queue(maxsize=1000)
        self._topics[topic].add(queue)
        self.follower.wake()  # stop idling
        try:
            yield queue
        finally:
            self._topics[topic].discard(queue)
            if not self._topics[topic]:
                del self._topics[topic]

    async def run(self) -> None:
        await self.follower.run()

    def _publish_all(self, events: Sequence[RecordedEvent]) -> None:
        for event in events:
            self._publish(_topic(event.stream_id), Change(event.event_type, event.position))

    def _publish(self, topic: str | None, change: Change) -> None:
        for queue in self._topics.get(topic or "", ()):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled client loses intermediate states only
                queue.put_nowait(change)


def _topic(stream_id: str) -> str | None:
    if stream_id.startswith("order-"):
        return f"order:{stream_id.removeprefix('order-')}"
    if stream_id.startswith("stock-"):
        return f"sku:{parse_stock_stream(stream_id)[0]}"
    return None
