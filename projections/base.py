"""What every projection shares: fold a batch of events with the domain's own fold, per stream.

A batch is grouped by stream; the affected aggregates' states are loaded from the read model in one query
(each main row keeps its aggregate's state as msgspec-encoded jsonb, and the stream version it reflects),
folded in memory, and handed back for the projection to write in bulk. A constant number of statements per
batch, however many events it holds. The row is to a projection what a snapshot is to a handler: the fold
is the same `kind.rehydrate(state, events after it)` (app.domain.aggregates).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

import msgspec

from app.domain.aggregates import AggregateKind
from eventstore import Connection, EventCodec, RecordedEvent

S = TypeVar("S")

_encoder = msgspec.json.Encoder()


class Projection(Protocol):
    """A read model fed from the log. `apply` runs inside the subscription's transaction."""

    @property
    def name(self) -> str: ...

    @property
    def categories(self) -> tuple[str, ...]: ...

    @property
    def tables(self) -> tuple[str, ...]: ...

    async def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None: ...


@dataclass
class Folded(Generic[S]):
    """One aggregate after a batch: its key, new state and version, and what the batch did to it."""

    key: tuple[str, ...]
    state: S
    version: int
    position: int = 0
    recorded_at: datetime | None = None
    events: list[Any] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)  # each event's version in its stream, beside `events`


def encode_json(value: object) -> str:
    return _encoder.encode(value).decode()


async def fold_batch(
    conn: Connection,
    events: Sequence[RecordedEvent],
    *,
    kind: AggregateKind[S],
    codec: EventCodec,
    key_of: Callable[[str], tuple[str, ...]],
    load_query: str,
) -> list[Folded[S]]:
    """Folds every aggregate the batch touches on from its stored state; events already folded are skipped.

    `load_query` takes one text array per key column and returns the key columns, `state::TEXT`, `version`.
    """
    by_stream: dict[str, list[RecordedEvent]] = {}
    for event in events:
        by_stream.setdefault(event.stream_id, []).append(event)
    keys = {stream_id: key_of(stream_id) for stream_id in by_stream}
    width = len(next(iter(keys.values()))) if keys else 0
    columns = [[key[i] for key in keys.values()] for i in range(width)]
    rows = await conn.fetch(load_query, *columns) if keys else []
    stored: dict[tuple[str, ...], tuple[str | None, int]] = {
        tuple(row[:width]): (row[width], row[width + 1]) for row in rows
    }
    folded: list[Folded[S]] = []
    for stream_id, recorded in by_stream.items():
        key = keys[stream_id]
        state, version = stored.get(key, (None, 0))
        tail: list[RecordedEvent] = []
        for r in recorded:
            # The subscription already delivers each event once; this guards a hand-run batch repeated.
            if r.stream_version > (tail[-1].stream_version if tail else version):
                tail.append(r)
        if not tail:
            continue
        decoded = [codec.decode(r) for r in tail]
        last = tail[-1]
        state_after = kind.rehydrate(state, decoded)
        versions = [r.stream_version for r in tail]
        folded.append(
            Folded(key, state_after, last.stream_version, last.global_position, last.recorded_at, decoded, versions)
        )
    return folded
