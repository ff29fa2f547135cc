"""Catch-up subscriptions: a named reader of the global log whose checkpoint moves with its effects.

Each batch runs in one transaction: read the window after the checkpoint, hand the events and the connection
to the handler, save the new checkpoint, commit. A crash anywhere before the commit undoes the handler's
writes together with the checkpoint, so on restart the batch is simply done again: exactly-once effect.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol
from zlib import crc32

import asyncpg

from .driver import Connection
from .errors import StoreUnavailable
from .records import Page, Position, RecordedEvent
from .store import EventStore
from .wakeups import Listener

log = logging.getLogger(__name__)

# A connection cut mid-operation can also leave asyncpg's protocol mid-state ("cannot switch to state ...",
# an InternalClientError); the pool drops that connection on release, so it is as transient as the rest.
_TRANSIENT = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, StoreUnavailable)

Handler = Callable[[Connection, Sequence[RecordedEvent]], Awaitable[None]]
AFTER_WAKE_UP = 0.002  # seconds: the first look again after a wake-up (see Subscription.run)


class Subscription:
    def __init__(
        self,
        store: EventStore,
        name: str,
        handler: Handler,
        *,
        event_types: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
        batch_size: int = 500,
        poll_interval: float = 0.5,
        listener: Listener | None = None,
    ) -> None:
        self.store = store
        self.name = name
        self.handler = handler
        self.event_types = list(event_types) if event_types is not None else None
        self.categories = list(categories) if categories is not None else None
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.listener = listener
        self.position: Position | None = None
        self.held_back = False  # the last look found committed events behind a transaction in flight
        self._caught_up = asyncio.Condition()
        # Two processes running the same subscription take turns per batch instead of doing work twice.
        self._lock_key = crc32(name.encode())

    async def run_once(self) -> int:
        """Processes one batch; returns how many events the window scanned (0 when caught up).

        The window is read before the transaction, so finding nothing new (most wake-ups and polls) costs
        one query. Under the lock the checkpoint is read again: if another process moved it meanwhile, the
        window is read again from there, so nothing is ever handled twice.
        """
        after = self.position if self.position is not None else await self.store.read_checkpoint(self.name)
        page = await self._window(after)
        if page.end is None:
            await self._advanced(after)
            return 0
        async with self.store.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1::BIGINT)", self._lock_key):
                # Another process is handling this window. Forget our position, or every later look would read
                # from it again (a full batch, decoded, for nothing) until we won the lock: the next look starts
                # from the checkpoint that process commits.
                self.position = None
                return 0
            if (at := await self.store.read_checkpoint(self.name, conn=conn)) != after:
                page = await self._window(at, conn)
                if page.end is None:
                    await self._advanced(at)
                    return 0
            assert page.end is not None
            if page.events:
                await self.handler(conn, page.events)
            await self.store.save_checkpoint(conn, self.name, page.end)
        await self._advanced(page.end)
        return page.scanned

    async def _window(self, after: Position, conn: Connection | None = None) -> Page:
        page = await self.store.read_all(
            after=after, limit=self.batch_size, event_types=self.event_types, categories=self.categories, conn=conn
        )
        self.held_back = page.held_back
        return page

    async def catch_up(self) -> int:
        """Runs batches until the log holds nothing more for this subscription; returns events scanned."""
        total = 0
        while (scanned := await self.run_once()) > 0:
            total += scanned
        return total

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Follows the log until `stop` is set: batches back to back while behind, then waits for wake-ups."""
        await follow(
            self, self.name, stop or asyncio.Event(), self.listener,
            batch_size=self.batch_size, poll_interval=self.poll_interval,
        )  # fmt: skip

    async def _advanced(self, position: Position) -> None:
        async with self._caught_up:
            self.position = position
            self._caught_up.notify_all()

    async def wait_for(self, position: Position, timeout: float) -> bool:
        """Waits until this subscription has processed `position` (in this process); False on timeout."""

        async def reached() -> None:
            async with self._caught_up:
                await self._caught_up.wait_for(lambda: self.position is not None and self.position >= position)

        try:
            await asyncio.wait_for(reached(), timeout)
        except TimeoutError:
            return False
        return True


class Follower(Protocol):
    """What `follow` drives: a batch at a time, and whether the last look found events held back."""

    @property
    def held_back(self) -> bool: ...

    async def run_once(self) -> int: ...


async def follow(
    follower: Follower,
    name: str,
    stop: asyncio.Event,
    listener: Listener | None,
    *,
    batch_size: int,
    poll_interval: float,
) -> None:
    """Runs `follower.run_once` (one batch; returns events scanned) until `stop`: back to back while a batch
    comes back full, then on each wake-up, and every `poll_interval` in case a wake-up was lost."""
    waiter = listener.waiter() if listener is not None else asyncio.Event()
    interval = AFTER_WAKE_UP
    try:
        while not stop.is_set():
            waiter.clear()
            try:
                scanned = await follower.run_once()
            except _TRANSIENT as exc:
                # The database hiccuped (restart, cut connection): the batch rolled back whole, so trying
                # again after a pause is safe. Handler bugs are not caught: they stop the run.
                log.warning("subscription %s: batch failed, retrying: %s", name, exc)
                await _first_of(asyncio.Event(), stop, timeout=poll_interval)
                continue
            if scanned >= batch_size:
                continue
            # Committed events held back by the xmin guard wait for a transaction in flight that may send no
            # wake-up when it ends (another reader's checkpoint write, anyone's on the server): look again
            # soon, backing off (2 ms, doubling). Otherwise the next append's wake-up is what to wait for.
            if follower.held_back:
                await _first_of(waiter, stop, timeout=interval)
                interval = min(interval * 2, poll_interval)
            else:
                interval = AFTER_WAKE_UP
                await _first_of(waiter, stop, timeout=poll_interval)
    finally:
        if listener is not None:
            listener.forget(waiter)


async def _first_of(waiter: asyncio.Event, stop: asyncio.Event, *, timeout: float) -> None:
    tasks = [asyncio.ensure_future(waiter.wait()), asyncio.ensure_future(stop.wait())]
    try:
        await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
