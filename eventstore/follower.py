"""One way to follow the global log: every reader of it (projections, the dispatcher, live feeds, read-your-writes)
is a `LogFollower` with a few lines of its own.

A follower reads the log window by window in commit-safe order (`EventStore.read_all`: never past a transaction
still in flight, so nothing is ever skipped), and owns all that goes with it: where it stands, how many events
a look takes, when it looks again (on a `Listener`'s wake-up; every `poll_interval` in case one was lost; soon,
backing off, while committed events are held back by a transaction in flight), retrying after a database
hiccup, and the one `wait_for(position, timeout)`. What it does with a window is one of:

- feed **consumers**, each with a checkpoint of its own, in one transaction per batch: take the consumers'
  advisory locks, read their checkpoints again under them, hand each consumer the connection and its events
  past its checkpoint, save the checkpoints (with an optional NOTIFY), commit. A crash before the commit undoes
  the effects with the checkpoints, so the batch is simply done again: exactly-once effect. Two processes
  running the same consumers take turns per batch. Several consumers share one read (the projections);
  consumers of one `Partition` each of a reader's streams (a stream's events all go to one) split it among
  processes (`claims.py`), and those of one handler that a follower holds get one call per batch;
- stop a consumer that meets an event it cannot read (`UnreadableEvent`: a type or schema version its code does
  not know, as a newer version may write during a rolling deploy), and only that one: the batch rolls back, the
  consumer's checkpoint stays before the event, the others go on without it. It says so (an error log naming the
  event's position and type, never its payload; `stall_checkpoint`, which /readyz and /metrics read) and is fed
  again when the process restarts, with code that reads the event, from its checkpoint: nothing is skipped;
- hand the events **on** in memory (`on_events`), without a checkpoint: a live follower starts at the horizon,
  about now, and with `active` reads nothing while nobody listens, only moving up to the horizon.

    follower = LogFollower(store, [Consumer("mailer", send_mail)], event_types=["OrderPlaced"], listener=listener)
    await follower.run(stop)                # follows the log until `stop` is set
    await follower.wait_for(written, 2.0)   # has it handled this write? (drives it while nobody runs it)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg

from .claims import PartitionClaims
from .driver import Connection
from .errors import StoreUnavailable, UnreadableEvent
from .records import START, Page, Partition, Position, RecordedEvent
from .store import EventStore
from .wakeups import Listener

log = logging.getLogger(__name__)

# A connection cut mid-operation can also leave asyncpg's protocol mid-state ("cannot switch to state ...",
# an InternalClientError); the pool drops that connection on release, so it is as transient as the rest.
_TRANSIENT = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, StoreUnavailable)
_END = Position(2**63 - 1, 2**63 - 1)  # after every position: what a watch of only stopped readers stands at
AFTER_WAKE_UP = 0.002  # seconds: the first look again while events are held back (then doubling)

Handler = Callable[[Connection, Sequence[RecordedEvent]], Awaitable[None]]


@dataclass(frozen=True)
class Consumer:
    """A checkpointed reader fed by a follower. `handle` runs in the batch's transaction with the events past the
    checkpoint `name` (only those of `categories`, stream-id prefixes, and of `partition`, when given: a share
    of a wider read). A consumer's checkpoint moves over the whole window, whatever share of it was its own."""

    name: str
    handle: Handler
    categories: Sequence[str] | None = None
    partition: Partition | None = None

    def share(self, events: Sequence[RecordedEvent], done: Position, after: Position) -> list[RecordedEvent]:
        """The events of a window read after `after` that this consumer, standing at `done`, still needs."""
        needed = events if done <= after else [e for e in events if e.position > done]
        if self.categories is not None:
            needed = [e for e in needed if e.stream_id.partition("-")[0] in self.categories]
        if self.partition is not None:
            needed = [e for e in needed if self.partition.holds(e.stream_id)]
        return list(needed)


class _Stalled(Exception):
    """Consumers met an event they cannot read (raised out of the batch's transaction, which it rolls back)."""

    def __init__(self, consumers: Sequence[Consumer], unreadable: UnreadableEvent) -> None:
        super().__init__(", ".join(c.name for c in consumers))
        self.consumers, self.unreadable = consumers, unreadable


class LogFollower:
    def __init__(
        self,
        store: EventStore,
        consumers: Sequence[Consumer] = (),
        *,
        on_events: Callable[[Sequence[RecordedEvent]], None] | None = None,
        active: Callable[[], bool] | None = None,
        event_types: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
        batch_size: int = 500,
        poll_interval: float = 0.5,
        listener: Listener | None = None,
        notify: str | None = None,
    ) -> None:
        """`event_types` and `categories` filter the read; `notify` is a channel NOTIFYed as each batch of the
        consumers commits; `active` (live followers) says whether anyone listens; `wake()` when that changes."""
        if consumers and (on_events is not None or active is not None):
            raise ValueError("a follower feeds checkpointed consumers or hands events on live, not both")
        self.store = store
        self.consumers = list(consumers)
        self.names = [c.name for c in self.consumers]
        self.on_events = on_events
        self.active = active
        self.event_types = list(event_types) if event_types is not None else None
        self.categories = list(categories) if categories is not None else None
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.listener = listener
        self.notify = notify
        self.position: Position | None = None  # None: start from the checkpoints (or the horizon)
        self.stalled: dict[str, str] = {}  # consumers stopped at an event they cannot read -> which, and why
        self.held_back = False  # the last look found committed events behind a transaction in flight
        # Competing processes (`claims.py`, set by `compete`): only the consumers of the partitions held are fed.
        self.claims: PartitionClaims | None = None
        self.claimable: dict[int, list[Consumer]] = {}
        self._woken = asyncio.Event()
        self._waiting: dict[asyncio.Future[None], Position] = {}
        self._running = 0  # loops following the log for this follower (`run`, or one driven by waiters)
        self._driver: asyncio.Task[None] | None = None

    # -- one look --------------------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Handles the next window; returns how many events it scanned (0: caught up, or another process is
        feeding these consumers right now). Finding nothing new costs one query."""
        if self.claims is not None:
            await self._rebalance()
            if not self.consumers:  # nothing claimed: other processes feed them, or a takeover is pending
                return 0
        if self.stalled and not self.consumers:  # every consumer stopped: nothing left to read for
            return 0
        after = self.position if self.position is not None else await self._start()
        page = await self._read(after)
        if page.end is not None:
            if self.consumers:
                try:
                    fed = await self._feed(after, page)
                except _Stalled as stalled:
                    for consumer in stalled.consumers:
                        await self._stall(consumer, stalled.unreadable)
                    self.held_back = True  # the others' batch rolled back with it: look again soon, without it
                    return 0
                if fed is None:
                    return 0
                after, page = fed
            elif self.on_events is not None and page.events:
                self.on_events(page.events)
        self._advance(page.end if page.end is not None else after)
        return page.scanned

    async def _start(self) -> Position:
        """Where a follower without a position starts: the oldest of its consumers' checkpoints or, without
        consumers, the horizon (a live follower is about now, not history)."""
        if self.consumers:
            return min((await self.store.read_checkpoints(self.names)).values())
        return await self.store.horizon()

    async def _read(self, after: Position, conn: Connection | None = None) -> Page:
        page = await self.store.read_all(
            after=after,
            limit=self.batch_size,
            event_types=self.event_types,
            categories=self.categories,
            partitions=self._partitions(),
            conn=conn,
        )
        self.held_back = page.held_back
        return page

    def _partitions(self) -> list[Partition] | None:
        """The partitions every consumer keeps to, if each keeps to one (of one count): the read then brings
        only their streams' events (the others' rows come back without payload, to move the window on)."""
        shares = {c.partition for c in self.consumers}
        counts = {s.count for s in shares if s is not None}
        if not shares or None in shares or len(counts) != 1 or len(shares) == counts.pop():  # none, or all of them
            return None
        return sorted((s for s in shares if s is not None), key=lambda s: s.index)

    async def _feed(self, after: Position, page: Page) -> tuple[Position, Page] | None:
        """Hands the consumers the window `page` read after `after`, and moves their checkpoints to its end, in
        one transaction. Returns where the window it handled starts, and the window (read again under the lock
        if the checkpoints moved meanwhile); None if another process holds the lock."""
        async with self.store.pool.acquire() as conn, conn.transaction():
            if not await self.store.lock_checkpoints(conn, self.names):
                # Another process is handling this window. Forget our position, or every later look would read
                # from it again (a full batch, decoded, for nothing) until we won the lock: the next look, soon,
                # starts from the checkpoints that process commits.
                self.position, self.held_back = None, True
                return None
            done = await self.store.read_checkpoints(self.names, conn=conn)
            if (standing := min(done.values())) != after:
                # Someone moved the checkpoints since we looked (another process, a rebuild): read the window
                # again from where they stand, under the lock now, so nothing is handled twice or skipped.
                after, page = standing, await self._read(standing, conn)
            if page.end is None:
                return after, page
            # Consumers sharing a handler (one projection's partitions: disjoint streams) get one call with all
            # their shares: a handler's statements per batch stay the same however many partitions a process holds.
            shares: dict[Handler, list[tuple[Consumer, list[RecordedEvent]]]] = {}
            for consumer in self.consumers:
                at = done[consumer.name]
                if at < page.end and (events := consumer.share(page.events, at, after)):
                    shares.setdefault(consumer.handle, []).append((consumer, events))
            for handle, parts in shares.items():
                try:
                    await handle(conn, [e for _, events in parts for e in events])
                except UnreadableEvent as unreadable:
                    raise _Stalled(_readers_of(parts, unreadable), unreadable) from unreadable
            behind = [name for name in self.names if done[name] < page.end]
            await self.store.save_checkpoints(conn, behind, page.end, notify=self.notify)
            if shares:
                await self._before_commit(conn)
        return after, page

    async def _before_commit(self, conn: Connection) -> None:
        """Runs in a batch that handled events, after its effects and checkpoints, before it commits. Nothing
        here: a projection runner's test hook holds its batch there, to be killed mid-batch on purpose."""

    async def _stall(self, consumer: Consumer, unreadable: UnreadableEvent) -> None:
        """Stops feeding `consumer`, which cannot read an event, and says so; the others go on."""
        where = unreadable.where()
        log.error("log follower: %s stops at an event it cannot read, until code that can: %s", consumer.name, where)
        self.consumers.remove(consumer)
        self.names.remove(consumer.name)
        self.stalled[consumer.name] = where
        try:
            await self.store.stall_checkpoint(consumer.name, where)
        except _TRANSIENT as exc:  # the log line says it already; /readyz learns it at the next restart's stall
            log.warning("log follower: could not note that %s stopped: %s", consumer.name, exc)

    def _advance(self, position: Position) -> None:
        self.position = position
        for reached, wanted in self._waiting.items():
            if wanted <= position and not reached.done():
                reached.set_result(None)

    # -- catching up and following ---------------------------------------------------------------------

    async def catch_up(self, *, read_ahead: bool = False, on_batch: Callable[[int], None] | None = None) -> int:
        """Looks until the log holds nothing more for this follower (or another process feeds its consumers);
        returns events scanned. `read_ahead` reads the next window while one is handled (a rebuild, where both
        take a while); `on_batch` hears the running total after each batch."""
        total = 0
        if not read_ahead:
            while (scanned := await self.run_once()) > 0:
                total += scanned
                if on_batch is not None:
                    on_batch(total)
            return total
        after = self.position if self.position is not None else await self._start()
        reading = asyncio.ensure_future(self._read(after))
        try:
            while (page := await reading).end is not None:
                # Reading on while this window is handled is safe: reads never skip (the xmin guard), and each
                # consumer gets only what lies past its checkpoint, read under its lock.
                reading = asyncio.ensure_future(self._read(page.end))
                try:
                    fed = await self._feed(after, page)
                except _Stalled as stalled:  # a rebuild cannot leave a read model out: it fails, naming the event
                    raise stalled.unreadable from None
                if fed is None:
                    return total
                start, handled = fed
                after = handled.end if handled.end is not None else start
                if handled is not page:  # read again from elsewhere: what was read ahead starts at the wrong place
                    reading.cancel()
                    reading = asyncio.ensure_future(self._read(after))
                self._advance(after)
                total += handled.scanned
                if on_batch is not None:
                    on_batch(total)
            self._advance(after)
            return total
        finally:
            reading.cancel()

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Follows the log until `stop` is set: batches back to back while behind, then on each wake-up (and
        every `poll_interval` in case one was lost). A handler's bug stops the run and is raised here. Claims
        are given back at the end."""
        try:
            await self._follow(stop or asyncio.Event(), driven=False)
        finally:
            if self.claims is not None:
                await self.claims.close()

    async def _rebalance(self) -> None:
        """Takes or gives back partitions towards a fair share (at most once per the claims' interval), and feeds
        the consumers of what it now holds."""
        assert self.claims is not None
        if not self.claims.due():
            return
        try:
            changed = await self.claims.rebalance()
        except BaseException:
            self.feed_claimed(set())  # the claims are gone with their connection
            raise
        if changed:
            self.feed_claimed(self.claims.held)

    def compete(self, claims: PartitionClaims, claimable: dict[int, list[Consumer]]) -> None:
        """Makes this follower one of competing processes: it feeds `claimable[i]` only while it holds partition
        i of `claims`, and nothing until its first rebalance."""
        self.claims, self.claimable = claims, claimable
        self.feed_claimed(set())

    def feed_claimed(self, held: set[int]) -> None:
        """Feeds the consumers of the partitions `held`, from their checkpoints (where the last holder left them);
        none stopped at an unreadable event: those stay stopped until the process restarts."""
        self.consumers = [c for i in sorted(held) for c in self.claimable[i] if c.name not in self.stalled]
        self.names = [c.name for c in self.consumers]
        self.position = None

    def wake(self) -> None:
        """Look now: someone became active (or stopped waiting)."""
        self._woken.set()

    async def _follow(self, stop: asyncio.Event, *, driven: bool) -> None:
        woken = self.listener.waiter() if self.listener is not None else asyncio.Event()
        interval = AFTER_WAKE_UP
        self._running += 1
        try:
            # Driven by waiters, the loop ends as soon as nobody waits: the check and the task's end happen in
            # one step of the event loop (no await between), so a waiter arriving later finds it done.
            while not stop.is_set() and (self._waiting or not driven):
                woken.clear()
                self._woken.clear()
                try:
                    if self.active is not None and not self.active():
                        await self._idle()
                        await _first_of(self._woken, stop, timeout=self.poll_interval)
                        continue
                    scanned = await self.run_once()
                except _TRANSIENT as exc:
                    # The database hiccuped (restart, cut connection): the batch rolled back whole, so trying
                    # again after a pause is safe. Handler bugs are not caught: they stop the run.
                    log.warning("log follower %s: look failed, retrying: %s", self.names or "live", exc)
                    await _first_of(self._woken, stop, timeout=self.poll_interval)
                    continue
                if scanned >= self.batch_size:
                    continue
                # Committed events held back by the xmin guard wait for a transaction in flight that may send no
                # wake-up when it ends (another reader's checkpoint write, anyone's on the server): look again
                # soon, backing off (2 ms, doubling). Otherwise the next append's wake-up is what to wait for.
                if self.held_back:
                    await _first_of(woken, self._woken, stop, timeout=interval)
                    interval = min(interval * 2, self.poll_interval)
                else:
                    interval = AFTER_WAKE_UP
                    await _first_of(woken, self._woken, stop, timeout=self.poll_interval)
        finally:
            self._running -= 1
            if self.listener is not None:
                self.listener.forget(woken)

    async def _idle(self) -> None:
        """Nobody listens to this live follower: move up to the horizon instead of reading events."""
        horizon = await self.store.horizon()
        # Whoever became active while the horizon was asked for may be owed events from before it: move only if
        # nobody did. Whoever comes later is owed only what commits after the horizon.
        if self.active is not None and not self.active():
            self._advance(horizon if self.position is None else max(self.position, horizon))

    # -- waiting ---------------------------------------------------------------------------------------

    async def wait_for(self, position: Position, timeout: float) -> bool:
        """True once this follower has handled `position` (its effects committed); False after `timeout` seconds.

        While nobody runs this follower, its waiters drive it: one task follows the log for as long as anyone
        waits (with a timeout of 0, the caller looks once itself). On a follower nobody runs, this is "catch up
        to `position`".
        """
        if self._reached(position):
            return True
        if timeout <= 0:
            if not self._followed():
                await self.run_once()
            return self._reached(position)
        reached = asyncio.get_running_loop().create_future()
        self._waiting[reached] = position
        try:
            if not self._followed():
                self._driver = asyncio.create_task(self._follow(asyncio.Event(), driven=True))
                self._driver.add_done_callback(self._driver_ended)
            await asyncio.wait_for(reached, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            del self._waiting[reached]
            if not self._waiting and self._driver is not None:
                # The last waiter lets the driver stop, and waits for it: nothing of this follower runs on after.
                driver = self._driver
                self.wake()
                await driver

    def _reached(self, position: Position) -> bool:
        return self.position is not None and self.position >= position

    def _followed(self) -> bool:
        return self._running > 0 or (self._driver is not None and not self._driver.done())

    def _driver_ended(self, driver: asyncio.Task[None]) -> None:
        if self._driver is driver:
            self._driver = None
        if not driver.cancelled() and (failure := driver.exception()) is not None:
            for reached in self._waiting:
                if not reached.done():
                    reached.set_exception(failure)


class CheckpointWatch(LogFollower):
    """Follows where named checkpoints stand instead of the log: read-your-writes on what readers committed.

    `wait_for(position, timeout)` is true once every named checkpoint has reached `position`, from any process.
    Its waiters drive it, so it reads nothing while nobody waits. With a listener on the channel the readers
    NOTIFY as they commit (`save_checkpoints(notify=)`), one query per wake-up serves every waiter of the
    process and `poll_interval` is the fallback for a lost one; without, it looks again soon, backing off.
    """

    def __init__(
        self, store: EventStore, names: Sequence[str], *, listener: Listener | None = None, poll_interval: float = 0.05
    ) -> None:
        super().__init__(store, listener=listener, poll_interval=poll_interval)
        self.names = list(names)

    async def run_once(self) -> int:
        # A reader stopped at an event it cannot read will not reach any write after it: waiting for it would
        # only hold every waiter for its full timeout. Its stop is reported (/readyz), its read model stale.
        standing = await self.store.read_checkpoints(self.names, skip_stalled=True)
        self._advance(min(standing.values(), default=START if not self.names else _END))
        # Without wake-ups, anyone still waiting needs another look soon: the follower's held-back back-off.
        self.held_back = self.listener is None and not all(reached.done() for reached in self._waiting)
        return 0


async def read_until(
    store: EventStore,
    until: Position,
    *,
    after: Position = START,
    batch_size: int = 5000,
    categories: Sequence[str] | None = None,
    max_interval: float = 0.5,
) -> AsyncIterator[Page]:
    """The log's windows after `after` up to `until` (a position taken earlier, e.g. `store.head()`), for a
    one-shot reader that must see the whole log as it stood (a what-if simulation over past orders).

    A window comes back empty while committed events wait behind a transaction in flight anywhere on the server
    (the xmin guard); stopping there would silently drop the rest of the log, so this looks again, backing off
    as a follower does, until the transaction ends."""
    interval = AFTER_WAKE_UP
    while after < until:
        page = await store.read_all(after=after, limit=batch_size, categories=categories)
        if page.end is None:
            if not page.held_back:  # nothing committed lies ahead after all
                return
            await asyncio.sleep(interval)
            interval = min(interval * 2, max_interval)
            continue
        interval = AFTER_WAKE_UP
        yield page
        after = page.end


def _readers_of(parts: Sequence[tuple[Consumer, list[RecordedEvent]]], unreadable: UnreadableEvent) -> list[Consumer]:
    """The consumers whose share held the event that could not be read (all of them, if it is not known)."""
    if unreadable.event is None:
        return [consumer for consumer, _ in parts]
    at = unreadable.event.position
    return [consumer for consumer, events in parts if any(e.position == at for e in events)] or [
        consumer for consumer, _ in parts
    ]


async def _first_of(*events: asyncio.Event, timeout: float) -> None:
    tasks = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
