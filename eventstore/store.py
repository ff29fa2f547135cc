"""The event store: append to streams, read them back, read the global log.

Writes go through the `append_events` SQL function (see functions/append_events.sql), which locks the stream,
reads its head, checks the expected version, chains the hashes and inserts in one round trip. The most common
write, one event onto an existing stream at an exact version, first tries a plain INSERT: chained here in
Python when this store appended the stream's head itself (sql/append_chained.sql, chain.py), else chained in
the statement from the event at that version (sql/append_next.sql). The function runs only when that fails.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar
from zlib import crc32

import asyncpg
import msgspec

from .chain import event_hash
from .driver import Connection, translated
from .errors import DuplicateEventIds, EventStoreError
from .records import (
    START,
    AppendResult,
    NewEvent,
    OutboxMessage,
    OutboxRecord,
    Page,
    Position,
    RecordedEvent,
    Snapshot,
    StreamWrite,
)
from .sql import query

log = logging.getLogger(__name__)
T = TypeVar("T")


_LAST_VERSION = 2**62
_LAST_POSITION = 2**63 - 1
_EVENT_ID_KEY = "events_event_id_key"
_HEADS_KEPT = 10_000
_json = msgspec.json.Encoder()


def _row_to_event(row: asyncpg.Record) -> RecordedEvent:
    return RecordedEvent(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9])


class EventStore:
    """A PostgreSQL-backed event store over an asyncpg pool (owned by the caller's composition root)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        on_append: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.pool = pool
        # Called after every committed append: the wake-up notifier hooks in here (outside the transaction).
        self._on_append = on_append
        # The time appends chained here record; appends chained in the database take the server's clock.
        # Within a stream, recorded_at never goes backwards either way (each takes at least its head's time).
        self._clock = clock
        # stream id -> (version, hash, recorded_at) of the last event this store appended to it, for
        # append_chained.sql; oldest first, bounded.
        self._heads: dict[str, tuple[int, bytes, datetime]] = {}

    def set_append_hook(self, hook: Callable[[], None] | None) -> None:
        self._on_append = hook

    # -- writing ---------------------------------------------------------------------------------------

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        *,
        conn: Connection | None = None,
    ) -> AppendResult:
        """Appends `events` to one stream atomically; raises WrongExpectedVersion on a version mismatch.

        Re-appending events whose ids are all stored already returns the original result and writes nothing.
        With `conn`, the append joins the caller's transaction (and the caller owns the commit).
        """
        if not events:
            raise ValueError("append needs at least one event")
        if conn is not None:
            return await self._append_on(conn, stream_id, events, expected_version)
        result = None
        if len(events) == 1 and expected_version > 0:
            result = await self._append_next(stream_id, events[0], expected_version)
        if result is None:
            result = await self._with_retry_on_racing_duplicate(
                lambda c: self._append_on(c, stream_id, events, expected_version)
            )
        self.notify_appended()
        return result

    async def append_many(
        self, writes: Sequence[StreamWrite], *, outbox: Sequence[OutboxMessage] = ()
    ) -> list[AppendResult]:
        """Appends to several streams, and queues outbox messages, in one transaction: all or nothing.

        Streams are locked in stream-id order so that two multi-stream appends never deadlock.
        Results come back in the order of `writes`.
        """
        if not writes:
            raise ValueError("append_many needs at least one stream write")
        ordered = sorted(writes, key=lambda w: w.stream_id)
        if len({w.stream_id for w in ordered}) < len(ordered):
            raise ValueError("append_many takes each stream once")
        events = [e for w in ordered for e in w.events]
        args = (
            [w.stream_id for w in ordered],
            [w.expected_version for w in ordered],
            [len(w.events) for w in ordered],
            [e.event_id for e in events],
            [e.event_type for e in events],
            [e.schema_version for e in events],
            [e.data for e in events],
            [e.metadata for e in events],
        )
        expected_of = {w.stream_id: w.expected_version for w in ordered}

        async def write_all(conn: Connection) -> list[asyncpg.Record]:
            # One statement appends to every stream (atomic on its own); with outbox messages, a transaction
            # holds both.
            with translated(expected_of=expected_of):
                if not outbox:
                    return await conn.fetch(query("append_streams"), *args)
                async with conn.transaction():
                    rows = await conn.fetch(query("append_streams"), *args)
                    await self.enqueue(conn, outbox)
                    return rows

        rows = await self._with_retry_on_racing_duplicate(write_all)
        self.notify_appended()
        results = {r[0]: AppendResult(r[0], r[1], Position(r[3], r[2])) for r in rows}
        return [results[w.stream_id] for w in writes]

    async def _append_on(
        self, conn: Connection, stream_id: str, events: Sequence[NewEvent], expected_version: int
    ) -> AppendResult:
        with translated(stream_id, expected_version):
            if len(events) == 1:  # see append_one.sql
                [e] = events
                args = (e.event_id, e.event_type, e.schema_version, e.data, e.metadata)
                row = await conn.fetchrow(query("append_one"), stream_id, expected_version, *args)
            else:
                row = await conn.fetchrow(
                    query("append"),
                    stream_id,
                    expected_version,
                    [e.event_id for e in events],
                    [e.event_type for e in events],
                    [e.schema_version for e in events],
                    [e.data for e in events],
                    [e.metadata for e in events],
                )
        assert row is not None  # the function always returns one row
        return AppendResult(stream_id, row[0], Position(row[2], row[1]))

    async def _append_next(self, stream_id: str, e: NewEvent, expected_version: int) -> AppendResult | None:
        """The most common append, one event onto an existing stream at an exact version, as one plain INSERT
        in its own transaction: chained here when this store wrote the stream's head (append_chained.sql),
        else in the statement (append_next.sql). None when it did not apply (a version mismatch, a racing
        writer, a retry): append_events then decides and explains, exactly as if this had not been tried."""
        head = self._heads.pop(stream_id, None)
        version = expected_version + 1
        fields = (e.event_id, e.event_type, e.schema_version, e.data, e.metadata)
        try:
            with translated():
                if head is not None and head[0] == expected_version:
                    recorded_at = max(self._clock(), head[2])
                    link = event_hash(head[1], stream_id, version, *fields, recorded_at)
                    row = await self.pool.fetchrow(
                        query("append_chained"), stream_id, version, *fields, recorded_at, link
                    )
                else:
                    row = await self.pool.fetchrow(query("append_next"), stream_id, expected_version, *fields)
                    if row is not None:
                        link, recorded_at = row[2], row[3]
        except asyncpg.UniqueViolationError:  # a racing writer took the version, or the event id is stored
            return None
        if row is None:
            return None
        # Only heads that committed are kept (this statement was its own transaction), so the next append
        # to the stream can chain from them without reading them back.
        self._heads[stream_id] = (version, link, recorded_at)
        if len(self._heads) > _HEADS_KEPT:
            del self._heads[next(iter(self._heads))]  # the stream written longest ago
        return AppendResult(stream_id, version, Position(row[1], row[0]))

    async def _with_retry_on_racing_duplicate(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        # Two retries of one append can race past the idempotency check; the loser hits the event id's
        # unique key. Running it again finds the winner's rows and returns them, as a retry should.
        for attempt in range(2):
            try:
                with translated():
                    async with self.pool.acquire() as conn:
                        return await work(conn)
            except asyncpg.UniqueViolationError as exc:
                if exc.constraint_name != _EVENT_ID_KEY:
                    raise EventStoreError(str(exc)) from exc
                if attempt:
                    # Still a clash with the version matching: the ids belong to events of another stream.
                    raise DuplicateEventIds(f"event ids already stored elsewhere: {exc.detail}") from exc
        raise AssertionError("unreachable")

    def notify_appended(self) -> None:
        """Tells subscribers new events committed; callers that appended on their own connection call it."""
        if self._on_append is not None:
            self._on_append()

    # -- reading ---------------------------------------------------------------------------------------

    async def read_stream(
        self,
        stream_id: str,
        *,
        from_version: int = 1,
        to_version: int | None = None,
        as_of: datetime | None = None,
        limit: int | None = None,
        conn: Connection | None = None,
    ) -> list[RecordedEvent]:
        """A stream's events in version order; `as_of` keeps only those recorded at or before that moment."""
        args = (stream_id, from_version, to_version or _LAST_VERSION, as_of, limit)
        with translated():
            if conn is not None:
                rows = await conn.fetch(query("read_stream"), *args)
            else:
                rows = await self.pool.fetch(query("read_stream"), *args)
        return [_row_to_event(r) for r in rows]

    async def stream_version(self, stream_id: str) -> int:
        """The stream's current version; 0 when it does not exist."""
        with translated():
            version: int = await self.pool.fetchval(query("stream_version"), stream_id)
        return version

    async def read_all(
        self,
        *,
        after: Position = START,
        limit: int = 1000,
        event_types: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
        conn: Connection | None = None,
    ) -> Page:
        """The next window of the global log after `after`, never past a transaction still in flight.

        `categories` are stream-id prefixes before the first '-' (`order` for `order-42`). The page's `end`
        is where the window stopped, filtered or not: pass it back as `after` to go on.
        """
        args = (after.transaction_id, after.global_position, limit, event_types, categories)
        with translated():
            if conn is not None:
                rows = await conn.fetch(query("read_all"), *args)
            else:
                rows = await self.pool.fetch(query("read_all"), *args)
        held_back = rows.pop()[11]  # the guard row comes last
        if not rows:  # the window is empty
            return Page([], None, 0, held_back)
        last = rows[-1]
        events = [_row_to_event(r) for r in rows if r[10]]
        return Page(events, Position(last[1], last[0]), len(rows), held_back)

    async def horizon(self) -> Position:
        """Where a reader of the global log starts to see everything that commits from now on, and skip
        (almost) all that already has. Unlike the last event's position, it is never past a transaction still
        in flight, whose events may yet commit with smaller positions."""
        with translated():
            xmin: int = await self.pool.fetchval(query("horizon"))
        return Position(xmin - 1, _LAST_POSITION)

    async def iterate_all(
        self, *, after: Position = START, batch_size: int = 5000, event_types: Sequence[str] | None = None
    ) -> AsyncIterator[RecordedEvent]:
        """Every event after `after` as it stands now, batch by batch (for rebuilds and audits)."""
        while True:
            page = await self.read_all(after=after, limit=batch_size, event_types=event_types)
            for event in page.events:
                yield event
            if page.end is None or page.scanned < batch_size:
                return
            after = page.end

    # -- snapshots -------------------------------------------------------------------------------------

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        with translated():
            await self.pool.execute(
                query("save_snapshot"),
                snapshot.stream_id,
                snapshot.version,
                snapshot.snapshot_type,
                snapshot.schema_version,
                snapshot.state,
            )

    async def load_snapshot(
        self, stream_id: str, *, max_version: int | None = None, as_of: datetime | None = None
    ) -> Snapshot | None:
        with translated():
            row = await self.pool.fetchrow(query("load_snapshot"), stream_id, max_version or _LAST_VERSION, as_of)
        return None if row is None else Snapshot(row[0], row[1], row[2], row[3], row[4])

    async def load(
        self, stream_id: str, *, as_of: datetime | None = None
    ) -> tuple[Snapshot | None, list[RecordedEvent]]:
        """The latest snapshot (as of a moment, if given) and the events after it: what a fold needs."""
        snapshot = await self.load_snapshot(stream_id, as_of=as_of)
        start = 1 if snapshot is None else snapshot.version + 1
        return snapshot, await self.read_stream(stream_id, from_version=start, as_of=as_of)

    async def load_many(self, stream_ids: Sequence[str]) -> dict[str, tuple[Snapshot | None, list[RecordedEvent]]]:
        """`load` for several streams in one round trip: each one's latest snapshot and the tail after it."""
        ids = list(dict.fromkeys(stream_ids))
        with translated():
            rows = await self.pool.fetch(query("load_streams"), ids)
        snapshots: dict[str, Snapshot] = {}
        tails: dict[str, list[RecordedEvent]] = {i: [] for i in ids}
        for row in rows:
            if row[13] is not None:
                snapshots[row[2]] = Snapshot(row[2], row[10], row[11], row[12], row[13])
            if row[0] is not None:
                tails[row[2]].append(_row_to_event(row))
        return {i: (snapshots.get(i), tails[i]) for i in ids}

    async def read_streams(self, stream_ids: Sequence[str]) -> dict[str, list[RecordedEvent]]:
        """Whole streams, several at once, in one round trip (audit trails for a page of aggregates)."""
        ids = list(dict.fromkeys(stream_ids))
        with translated():
            rows = await self.pool.fetch(query("read_streams"), ids, [1] * len(ids))
        found: dict[str, list[RecordedEvent]] = {i: [] for i in ids}
        for row in rows:
            found[row[2]].append(_row_to_event(row))
        return found

    # -- checkpoints -----------------------------------------------------------------------------------
    # A checkpoint is where a named reader of the global log stands. Readers move theirs in the transaction that
    # holds their effects, under the name's advisory lock (see follower.py), so any process can read how far
    # they have come.

    async def read_checkpoints(self, names: Sequence[str], *, conn: Connection | None = None) -> dict[str, Position]:
        """Where each named reader stands: START for a name never saved."""
        with translated():
            rows = await (conn or self.pool).fetch(query("read_checkpoints"), list(names))
        found = {r[0]: Position(r[1], r[2]) for r in rows}
        return {name: found.get(name, START) for name in names}

    async def save_checkpoints(
        self, conn: Connection, names: Sequence[str], position: Position, *, notify: str | None = None
    ) -> None:
        """Moves the named checkpoints to `position` in the caller's transaction; with `notify`, a NOTIFY on that
        channel goes out when it commits."""
        with translated():
            await conn.execute(
                query("save_checkpoints"), list(names), position.transaction_id, position.global_position, notify
            )

    async def lock_checkpoints(self, conn: Connection, names: Sequence[str], *, wait: bool = False) -> bool:
        """Takes the names' advisory locks until the caller's transaction ends: readers take turns per batch.

        Without `wait`, False at once if another transaction holds one of them; with it, waits for each in
        turn (always in the same order, so two waiting lockers cannot deadlock).
        """
        keys = sorted({crc32(name.encode()) for name in names})
        with translated():
            if not wait:
                return bool(await conn.fetchval(query("try_lock_checkpoints"), keys))
            for key in keys:
                await conn.execute(query("lock_checkpoint"), key)
        return True

    async def move_checkpoints(self, conn: Connection, to_names: Sequence[str], from_names: Sequence[str]) -> None:
        """Renames checkpoints pairwise (`from_names[i]` becomes `to_names[i]`), replacing any of that name."""
        with translated():
            await conn.execute(query("move_checkpoints"), list(to_names), list(from_names))

    async def delete_checkpoints(self, names: Sequence[str], *, conn: Connection | None = None) -> None:
        with translated():
            await (conn or self.pool).execute(query("delete_checkpoints"), list(names))

    # -- outbox ----------------------------------------------------------------------------------------

    async def enqueue(self, conn: Connection, messages: Sequence[OutboxMessage]) -> None:
        """Queues messages in the caller's transaction: they exist if and only if it commits."""
        with translated():
            await conn.execute(
                query("outbox_insert"),
                [m.topic for m in messages],
                [_json.encode(m.payload).decode() for m in messages],
            )

    async def drain_outbox(self, send: Callable[[OutboxRecord], Awaitable[None]], *, limit: int = 100) -> int:
        """Sends up to `limit` unsent messages and marks them sent; returns how many were sent.

        A message is marked only in the transaction that sent it, so a crash or a failing `send` leaves it
        to be sent again: delivery is at least once, and receivers deduplicate.
        """
        with translated():
            async with self.pool.acquire() as conn, conn.transaction():
                rows = await conn.fetch(query("outbox_claim"), limit)
                for row in rows:
                    await send(OutboxRecord(row[0], row[1], row[2], row[3]))
                if rows:
                    await conn.execute(query("outbox_mark_sent"), [r[0] for r in rows])
        return len(rows)
