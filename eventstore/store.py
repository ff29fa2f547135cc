"""The event store: append to streams, read them back, read the global log.

The one append path. `append` (one stream) and `append_many` (several, atomically) are the same write,
`EventStore._append`:

- What is stored. Each event's `data` and `metadata` are JSON text, stored in `json` columns exactly as given
  (never re-rendered), which is also the text the hash chain covers. The first append to a stream enters it in
  the `streams` catalogue (id, type = the id's prefix before the first '-', creation time), once; a stream's
  version is its last event's, counting from 1.
- The write, in SQL (functions/append_events.sql), per stream: lock the stream (a transaction-scoped advisory
  lock on its id), read its version and head, compare with the expected version (an exact version, NO_STREAM = 0,
  or ANY = -1), insert the events chained onto the head, return the new version and the position to wait for.
  All streams of one call are one statement: all or nothing. They are locked in stream-id order, so two
  multi-stream appends never deadlock. A mismatch raises WrongExpectedVersion naming the stream, the expected and
  the actual version.
- Chaining. Every event stores hash = sha256(previous hash ‖ its fields joined by U+001F, with the payloads'
  exact text and recorded_at in integer microseconds) (functions/event_hash.sql, and chain.py byte for byte);
  `verify` recomputes them all. recorded_at never goes backwards within a stream.
- Idempotency. Re-appending events whose ids are all stored in that stream writes nothing and returns what the
  first append returned, so a caller may retry after a lost reply. Ids stored elsewhere, or only some of them
  stored, raise DuplicateEventIds. The (stream_id, stream_version) and event_id unique keys are the backstop.
- The fast path (fast_path.py, where its invariants are stated): one event at the version of a head this store
  saw commit is chained in Python and sent as one plain INSERT, without lock or lookup; if the head has moved on,
  the unique key refuses it and the general write above runs and explains, as if it had not been tried.
- Statistics. No lookup of the store depends on planner statistics to use its index (the append function forbids
  sequential scans); the store still keeps its tables analyzed itself as the log grows (statistics.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from zlib import crc32

import asyncpg

from .driver import Connection, translated
from .errors import DuplicateEventIds, EventStoreError
from .fast_path import FastPath
from .records import (
    START,
    AppendResult,
    LogFilter,
    NewEvent,
    Page,
    Partition,
    Position,
    RecordedEvent,
    Snapshot,
    StreamWrite,
)
from .sql import query
from .statistics import StatisticsKeeper

log = logging.getLogger(__name__)


_LAST_VERSION = 2**62
_LAST_POSITION = 2**63 - 1
_EVENT_ID_KEY = "events_event_id_key"
# A unique violation in the general write means a fast-path INSERT (which takes no lock) won a version first, or
# the event ids are stored elsewhere; trying again tells which. Each attempt sees a newer head, so few are needed.
_ATTEMPTS = 3

# read_log's conditions by LogFilter field, in the statement's parameter order; `n` is the parameter's number.
LOG_FILTERS = {
    "stream_id": "stream_id = ${n}",
    "category": "split_part(stream_id, '-', 1) = ${n}",
    "event_types": "event_type = ANY (${n}::TEXT[])",
    "recorded_from": "recorded_at >= ${n}",
    "recorded_before": "recorded_at < ${n}",
}


def _columns(writes: Sequence[StreamWrite]) -> tuple[Sequence[object], ...]:
    """append_events' arguments: per stream its id, expected version and event count, then the events' fields
    flattened across streams, in the order of `writes`."""
    events = [e for w in writes for e in w.events]
    return (
        [w.stream_id for w in writes],
        [w.expected_version for w in writes],
        [len(w.events) for w in writes],
        [e.event_id for e in events],
        [e.event_type for e in events],
        [e.schema_version for e in events],
        [e.data for e in events],
        [e.metadata for e in events],
    )


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
        # Appends chained here take this clock; those chained in the database take the server's.
        self._fast_path = FastPath(clock)
        # The store keeps its tables' planner statistics itself, autovacuum or not (statistics.py).
        self._statistics = StatisticsKeeper(pool)

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
        With `conn`, the append joins the caller's transaction (and the caller owns the commit and calling
        `notify_appended`).
        """
        [result] = await self._append([StreamWrite(stream_id, list(events), expected_version)], conn)
        return result

    async def append_many(self, writes: Sequence[StreamWrite]) -> list[AppendResult]:
        """Appends to several streams in one transaction: all or nothing. Results come in the order of `writes`."""
        if not writes:
            raise ValueError("append_many needs at least one stream write")
        results = {r.stream_id: r for r in await self._append(writes, None)}
        return [results[w.stream_id] for w in writes]

    async def _append(self, writes: Sequence[StreamWrite], conn: Connection | None) -> list[AppendResult]:
        """The one append path (see the module's docstring). Results come in stream-id order."""
        if any(not w.events for w in writes):
            raise ValueError("append needs at least one event")
        if len({w.stream_id for w in writes}) < len(writes):
            raise ValueError("append_many takes each stream once")
        self._statistics.appended(sum(len(w.events) for w in writes))
        if conn is None and (chained := await self._fast_path.append(self.pool, writes)) is not None:
            self.notify_appended()
            return [chained]

        ordered = sorted(writes, key=lambda w: w.stream_id)  # the lock order
        args = _columns(ordered)
        with translated(expected_of={w.stream_id: w.expected_version for w in ordered}):
            if conn is not None:  # the caller's transaction: a failed statement aborts it, so no second attempt
                rows = await conn.fetch(query("append"), *args)
            else:
                rows = await self._append_with_retries(args)
        results = [AppendResult(w.stream_id, r[0], Position(r[2], r[1])) for w, r in zip(ordered, rows, strict=True)]
        if conn is None:  # the statement was its own transaction: committed
            for result, row in zip(results, rows, strict=True):
                self._fast_path.remember(result.stream_id, result.version, row[3], row[4])
            self.notify_appended()
        return results

    async def _append_with_retries(self, args: tuple[Sequence[object], ...]) -> list[asyncpg.Record]:
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                return await self.pool.fetch(query("append"), *args)
            except asyncpg.UniqueViolationError as exc:
                if attempt < _ATTEMPTS:
                    continue
                if exc.constraint_name == _EVENT_ID_KEY:  # still there with the version matching: not a retry
                    raise DuplicateEventIds(f"event ids already stored elsewhere: {exc.detail}") from exc
                raise EventStoreError(str(exc)) from exc
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
        partitions: Sequence[Partition] | None = None,
        conn: Connection | None = None,
    ) -> Page:
        """The next window of the global log after `after`, never past a transaction still in flight.

        `categories` are stream-id prefixes before the first '-' (`order` for `order-42`); `partitions` (all of
        one count) keep the events of their streams. The page's `end` is where the window stopped, filtered or
        not: pass it back as `after` to go on.
        """
        count = partitions[0].count if partitions else None
        shares = [p.index for p in partitions] if partitions else None
        args = (after.transaction_id, after.global_position, limit, event_types, categories, count, shares)
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

    async def read_log(self, log_filter: LogFilter, *, after: int = 0, limit: int = 100) -> list[RecordedEvent]:
        """Events after global position `after` that pass `log_filter`, oldest first: for reading the log,
        not for following it (`read_all`)."""
        given = [(c, getattr(log_filter, f)) for f, c in LOG_FILTERS.items() if getattr(log_filter, f) is not None]
        conditions = "\n  ".join(f"AND {condition.format(n=n)}" for n, (condition, _) in enumerate(given, start=3))
        with translated():
            rows = await self.pool.fetch(
                query("read_log").replace("{filters}", conditions), after, limit, *(value for _, value in given)
            )
        return [_row_to_event(r) for r in rows]

    async def horizon(self) -> Position:
        """Where a reader of the global log starts to see everything that commits from now on, and skip
        (almost) all that already has. Unlike the last event's position, it is never past a transaction still
        in flight, whose events may yet commit with smaller positions."""
        with translated():
            xmin: int = await self.pool.fetchval(query("horizon"))
        return Position(xmin - 1, _LAST_POSITION)

    # -- catalogue and history ---------------------------------------------------------------------------
    # What other packages once asked the tables directly: which streams exist, where the log ends, what a
    # stream looked like at a moment.

    async def stream_ids(self, category: str, *, ending: str | None = None) -> list[str]:
        """The ids of the category's streams (`order` for `order-42`), in id order; with `ending`, only those
        whose id ends with it (`stream_ids("stock", ending=":SKU-1")`: that SKU's stock at every location)."""
        with translated():
            rows = await self.pool.fetch(query("stream_ids"), category, ending)
        return [r[0] for r in rows]

    async def version_at(self, stream_id: str, moment: datetime) -> int:
        """The version the stream had reached at `moment`: its last event recorded by then; 0 if none was."""
        with translated():
            version: int = await self.pool.fetchval(query("version_at"), stream_id, moment)
        return version

    async def head(self) -> Position | None:
        """The position of the last event in the log (in the readers' order); None for an empty log."""
        with translated():
            row = await self.pool.fetchrow(query("head"))
        return None if row is None else Position(row[0], row[1])

    async def event_count(self) -> int:
        """How many events the log holds (a full count: for progress meters, not for hot paths)."""
        with translated():
            count: int = await self.pool.fetchval(query("count_events"), None)  # the first column: events
        return count

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
        self, stream_id: str, snapshot_type: str, *, schema_version: int = 1, max_version: int | None = None
    ) -> Snapshot | None:
        """The stream's latest snapshot of this type and schema version (at or before `max_version`)."""
        args = (stream_id, snapshot_type, schema_version, max_version or _LAST_VERSION)
        with translated():
            row = await self.pool.fetchrow(query("load_snapshot"), *args)
        return None if row is None else Snapshot(row[0], row[1], row[2], row[3], row[4])

    async def load(
        self, stream_id: str, snapshot_type: str, *, schema_version: int = 1, as_of: datetime | None = None
    ) -> tuple[Snapshot | None, list[RecordedEvent]]:
        """The latest snapshot of this type and schema version and the events after it: what a fold needs
        (loading.load_state folds them). With `as_of`, both as they stood at that moment."""
        if as_of is None:
            return (await self.load_many({stream_id: (snapshot_type, schema_version)}))[stream_id]
        version = await self.version_at(stream_id, as_of)
        if not version:
            return None, []
        snapshot = await self.load_snapshot(
            stream_id, snapshot_type, schema_version=schema_version, max_version=version
        )
        start = 1 if snapshot is None else snapshot.version + 1
        return snapshot, await self.read_stream(stream_id, from_version=start, to_version=version)

    async def load_many(
        self, streams: Mapping[str, tuple[str, int]]
    ) -> dict[str, tuple[Snapshot | None, list[RecordedEvent]]]:
        """`load` for several streams in one round trip; `streams` maps each stream id to the snapshot type and
        schema version its fold reads."""
        ids = list(streams)
        with translated():
            rows = await self.pool.fetch(
                query("load_streams"), ids, [streams[i][0] for i in ids], [streams[i][1] for i in ids]
            )
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

    async def read_checkpoints(
        self, names: Sequence[str], *, conn: Connection | None = None, skip_stalled: bool = False
    ) -> dict[str, Position]:
        """Where each named reader stands: START for a name never saved. `skip_stalled` leaves out the readers
        stopped at an event they cannot read (`stall_checkpoint`)."""
        with translated():
            rows = await (conn or self.pool).fetch(query("read_checkpoints"), list(names))
        found = {r[0]: Position(r[1], r[2]) for r in rows}
        stalled = {r[0] for r in rows if r[3]} if skip_stalled else set()
        return {name: found.get(name, START) for name in names if name not in stalled}

    async def stall_checkpoint(self, name: str, reason: str) -> None:
        """Notes that the named reader stopped, and why (no payload in `reason`), for health checks in any
        process; its position stays, and the note goes when `save_checkpoints` next moves it."""
        with translated():
            await self.pool.execute(query("stall_checkpoint"), name, reason)

    async def stalled_checkpoints(self) -> dict[str, str]:
        """The readers stopped at an event they cannot read, and why."""
        with translated():
            rows = await self.pool.fetch(query("stalled_checkpoints"))
        return {r[0]: r[1] for r in rows}

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
        """Moves checkpoints pairwise (`to_names[i]` takes the position of `from_names[i]`, replacing any of that
        name), then deletes the `from_names`; one of them may feed several `to_names`."""
        with translated():
            await conn.execute(query("move_checkpoints"), list(to_names), list(from_names))

    async def adopt_checkpoints(self, names: Sequence[str], former: str) -> None:
        """Starts the named checkpoints not yet saved at the oldest of the former ones (names matching the regex
        `former`, other than `names`), and deletes those: a partitioned reader's layout changed. Only for readers
        whose effects are idempotent per event (see adopt_checkpoints.sql)."""
        with translated():
            await self.pool.execute(query("adopt_checkpoints"), list(names), former)

    async def delete_checkpoints(self, names: Sequence[str], *, conn: Connection | None = None) -> None:
        with translated():
            await (conn or self.pool).execute(query("delete_checkpoints"), list(names))
