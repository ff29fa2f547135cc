"""Live updates for subscriptions, fed by the log's wake-ups: one reader per process, fanned out in memory.

The feed follows the global log from where it stood at start (no checkpoint: it is about now, not history)
and, for every order or stock event, wakes the subscribers of that order or SKU. Subscribers then read the
read model once per change; nobody polls the database per client.

While nobody subscribes, the feed reads no events: it only moves its position up to the log's horizon (one
small query per poll interval), so the first subscriber is served from at most that far back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Iterator

import msgspec

from app.domain.streams import parse_stock_stream
from eventstore import EventStore, Listener, Position, StoreUnavailable


class Change(msgspec.Struct, frozen=True):
    """Something happened to a subscribed order or SKU: which event, and where it is in the log."""

    event_type: str
    position: Position


class LiveFeed:
    def __init__(self, store: EventStore, listener: Listener, *, poll_interval: float = 0.5) -> None:
        self.store = store
        self.listener = listener
        self.poll_interval = poll_interval
        self._topics: dict[str, set[asyncio.Queue[Change]]] = defaultdict(set)
        self._subscribed = asyncio.Event()  # a first subscriber arrived: stop idling

    @contextlib.contextmanager
    def subscribe(self, topic: str) -> Iterator[asyncio.Queue[Change]]:
        """A queue of changes to `topic` (`order:<id>` or `sku:<sku>`) for as long as the block runs."""
        queue: asyncio.Queue[Change] = asyncio.Queue(maxsize=1000)
        self._topics[topic].add(queue)
        self._subscribed.set()
        try:
            yield queue
        finally:
            self._topics[topic].discard(queue)
            if not self._topics[topic]:
                del self._topics[topic]

    async def run(self) -> None:
        after = await self._horizon()
        waiter = self.listener.waiter()
        try:
            while True:
                waiter.clear()
                if not self._topics:
                    after = await self._idle(after)
                    continue
                try:
                    page = await self.store.read_all(after=after, limit=1000, categories=["order", "stock"])
                except StoreUnavailable:  # the database is away for a moment: look again after a pause
                    await asyncio.sleep(self.poll_interval)
                    continue
                for event in page.events:
                    self._publish(_topic(event.stream_id), Change(event.event_type, event.position))
                if page.end is not None:
                    after = page.end
                if page.scanned < 1000:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(waiter.wait(), self.poll_interval)
        finally:
            self.listener.forget(waiter)

    async def _idle(self, after: Position) -> Position:
        """With nobody to tell, move to the horizon instead of reading events, then wait for a subscriber."""
        self._subscribed.clear()
        with contextlib.suppress(StoreUnavailable):
            horizon = await self.store.horizon()
            # Someone who subscribed while the horizon was asked for may be owed changes from before it:
            # move only if nobody did. A later subscriber is owed only what commits after the horizon.
            if not self._topics:
                after = max(after, horizon)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), self.poll_interval)
        return after

    async def _horizon(self) -> Position:
        while True:
            try:
                return await self.store.horizon()
            except StoreUnavailable:
                await asyncio.sleep(self.poll_interval)

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
