"""The values that cross the store's boundary: what is appended, what is read back, and where it sits."""

from __future__ import annotations

import functools
import hashlib
import uuid
from datetime import datetime
from typing import Final

import msgspec

NO_STREAM: Final = 0
"""Expected version for "this stream must not exist yet". Stream versions count events, starting at 1."""

ANY: Final = -1
"""Expected version for "append whatever the stream's version" (no concurrency check)."""


class Partition(msgspec.Struct, frozen=True):
    """One of `count` shares of the log's streams. A stream belongs to one partition for good, so all of its
    events, in order, reach the one consumer of a partitioned reader that holds it, whatever process runs it."""

    index: int
    count: int

    def holds(self, stream_id: str) -> bool:
        return partition_of(stream_id, self.count) == self.index


@functools.lru_cache(maxsize=1 << 16)  # a window hashes the same busy streams again and again, once per partition
def partition_of(stream_id: str, count: int) -> int:
    """The partition of a stream among `count`: the first 4 bytes of the MD5 of its UTF-8 id, big-endian, mod
    `count`. Stable across processes and versions (Python's `hash` is salted per process), and the same in SQL
    (read_all.sql), so a reader's window brings the payloads of its own partitions' events only."""
    return int.from_bytes(hashlib.md5(stream_id.encode(), usedforsecurity=False).digest()[:4], "big") % count


class Position(msgspec.Struct, frozen=True, order=True):
    """A place in the global order: (writing transaction id, global position).

    Tuples compare in the same order readers see events, so `checkpoint >= written` means "caught up".
    The text form `"<transaction_id>:<global_position>"` is what clients and cursors carry.
    """

    transaction_id: int
    global_position: int

    def __str__(self) -> str:
        return f"{self.transaction_id}:{self.global_position}"

    @classmethod
    def parse(cls, text: str) -> Position:
        """Reads the text form back; raises ValueError for anything else."""
        tx, sep, gp = text.partition(":")
        if not sep or not tx.isdigit() or not gp.isdigit():
            raise ValueError(f"not a log position: {text!r}")
        return cls(int(tx), int(gp))


START: Final = Position(0, 0)


class Metadata(msgspec.Struct, frozen=True, omit_defaults=True):
    """Who did it and why: carried on every event."""

    correlation_id: str | None = None
    causation_id: str | None = None
    actor: str | None = None
    idempotency_key: str | None = None


class NewEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An event about to be appended. `data` and `metadata` are JSON text, already encoded."""

    event_type: str
    data: str
    schema_version: int = 1
    metadata: str = "{}"
    event_id: uuid.UUID = msgspec.field(default_factory=uuid.uuid4)


class RecordedEvent(msgspec.Struct, frozen=True, gc=False):
    """An event as stored. `data` and `metadata` stay JSON text until someone decodes them."""

    global_position: int
    transaction_id: int
    stream_id: str
    stream_version: int
    event_id: uuid.UUID
    event_type: str
    schema_version: int
    data: str
    metadata: str
    recorded_at: datetime

    @property
    def position(self) -> Position:
        return Position(self.transaction_id, self.global_position)

    def decoded_metadata(self) -> Metadata:
        return msgspec.json.decode(self.metadata, type=Metadata)


class AppendResult(msgspec.Struct, frozen=True):
    """What an append wrote: the stream's new version and the position a reader must reach to see it."""

    stream_id: str
    version: int
    position: Position


class StreamWrite(msgspec.Struct, frozen=True):
    """One stream's share of an atomic multi-stream append."""

    stream_id: str
    events: list[NewEvent]
    expected_version: int


class Snapshot(msgspec.Struct, frozen=True):
    """Aggregate state at a stream version; `state` is JSON text, its type named by `snapshot_type`."""

    stream_id: str
    version: int
    snapshot_type: str
    schema_version: int
    state: str


class LogFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Which events `EventStore.read_log` lists: each field left None does not filter. `category` is a stream
    id's prefix before the first '-' (`order` for `order-42`); recorded time runs over [recorded_from,
    recorded_before)."""

    stream_id: str | None = None
    category: str | None = None
    event_types: list[str] | None = None
    recorded_from: datetime | None = None
    recorded_before: datetime | None = None


class Page(msgspec.Struct, frozen=True):
    """A window of the global log: the wanted events in it, how far the window reached, and whether committed
    events wait behind a transaction still in flight (the xmin guard held them back)."""

    events: list[RecordedEvent]
    end: Position | None
    scanned: int
    held_back: bool = False
