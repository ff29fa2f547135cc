"""The append's fast path: one event chained in Python onto a head the store knows, sent as one plain INSERT.

The most common write is one event onto a stream at the version this store last wrote to it. The general
append (functions/append_events.sql) would lock the stream, read its head and hash in the database; here the
store already knows the head, so it computes the new link itself (chain.py) and sends sql/append_chained.sql:
no lock, no lookup, no hashing in the database.

Invariants, and why they make it safe:

1. Each remembered head, (version, hash, recorded_at) for a stream id, is an event that committed to that stream:
   it is remembered only after a statement run in a transaction of its own returned it. Stored events never
   change, so the entry stays true for ever; it may merely have stopped being the head.
2. The INSERT is tried only when the caller's expected version is the remembered version. If the stream is still
   at that version, the remembered event is its head, and the link chained onto it is the one the database would
   compute. If the stream has moved on, another event holds the version being written and the INSERT fails on the
   (stream_id, stream_version) unique key, writing nothing. Versions have no gaps, so no third case exists.
   It takes no lock: a general append that read the same head meanwhile loses on that same key and runs again
   (EventStore._append_with_retries), seeing the new head. The lock orders general appends; the key decides.
3. When the INSERT fails on a unique key, nothing was written and this returns None: the caller runs the general
   append, which explains it exactly as if this had not been tried (a version mismatch, a retry of this very
   append, an event id stored elsewhere). The entry is dropped before trying, so a failure leaves none behind,
   and the general append remembers the head it finds or writes.
4. recorded_at is the store's clock, but never before the head's time, so it never goes backwards within a stream
   (as-of reads rely on it); the general append likewise never goes before the head's, whichever clock took it.
5. The INSERT runs in a transaction of its own, so its failure aborts nothing else; hence never with a caller's
   connection. Memory is bounded: the streams written longest ago are forgotten first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import asyncpg

from .chain import event_hash
from .driver import translated
from .records import AppendResult, Position, StreamWrite
from .sql import query

_HEADS_KEPT = 10_000


class FastPath:
    """Remembered heads, stream id -> (version, hash, recorded_at), and the chained INSERT that uses them."""

    __slots__ = ("_clock", "_heads")

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._heads: dict[str, tuple[int, bytes, datetime]] = {}  # oldest first

    def remember(self, stream_id: str, version: int, link: bytes, recorded_at: datetime) -> None:
        """Keeps a head the store saw commit (invariant 1), as the stream's most recently written."""
        self._heads.pop(stream_id, None)
        self._heads[stream_id] = (version, link, recorded_at)
        if len(self._heads) > _HEADS_KEPT:
            del self._heads[next(iter(self._heads))]

    async def append(self, pool: asyncpg.Pool, writes: Sequence[StreamWrite]) -> AppendResult | None:
        """Appends when `writes` is one event at a remembered head's version; None when it did not (nothing
        written: the general append runs)."""
        if len(writes) != 1 or len(writes[0].events) != 1:
            return None
        [write] = writes
        stream_id, [event] = write.stream_id, write.events
        head = self._heads.get(stream_id)
        if head is None or head[0] != write.expected_version:
            return None
        del self._heads[stream_id]  # invariant 3: a head that failed to chain is likely stale
        version, recorded_at = head[0] + 1, max(self._clock(), head[2])
        fields = (event.event_id, event.event_type, event.schema_version, event.data, event.metadata)
        link = event_hash(head[1], stream_id, version, *fields, recorded_at)
        try:
            with translated():
                row = await pool.fetchrow(query("append_chained"), stream_id, version, *fields, recorded_at, link)
        except asyncpg.UniqueViolationError:  # the version is taken, or the event id is stored: see invariant 3
            return None
        assert row is not None  # INSERT ... RETURNING of one row
        self.remember(stream_id, version, link, recorded_at)
        return AppendResult(stream_id, version, Position(row[1], row[0]))
