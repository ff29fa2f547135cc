"""What every projection shares: fold a batch of events with the domain's own `evolve`, per stream.

A batch is grouped by stream; the affected aggregates' states are loaded from the read model in one query
(each main row keeps its aggregate's state as msgspec-encoded jsonb, and the stream version it reflects),
evolved in memory, and handed back for the projection to write in bulk. A constant number of statements per
batch, however many events it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

import msgspec

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


def encode_json(value: object) -> str:
    return _encoder.encode(value).decode()


async def fold_batch(
    conn: Connection,
    events: Sequence[RecordedEvent],
    *,
    codec: EventCodec,
    key_of: Callable[[str], tuple[str, ...]],
    load_query: str,
    decoder: msgspec.json.Decoder[Any],
    evolve: Callable[[S, Any], S],
    initial: S,
    fold: Callable[[S, list[Any]], S] | None = None,
) -> list[Folded[S]]:
    """Evolves every aggregate the batch touches from its stored state; events already folded are skipped.

    `load_query` takes one text array per key column and returns the key columns, `state::TEXT`, `version`.
    `fold`, when the domain has one, folds a stream's events in one call (same result as `evolve` on each).
    """
    by_stream: dict[str, list[RecordedEvent]] = {}
    for event in events:
        by_stream.setdefault(event.stream_id, []).append(event)
    keys = {stream_id: key_of(stream_id) for stream_id in by_stream}
    width = len(next(iter(keys.values()))) if keys else 0
    columns = [[key[i] for key in keys.values()] for i in range(width)]
    rows = await conn.fetch(load_query, *columns) if keys else []
    stored = {tuple(row[:width]): (decoder.decode(row[width]), row[width + 1]) for row in rows}
    folded: list[Folded[S]] = []
    for stream_id, recorded in by_stream.items():
        key = keys[stream_id]
        state, version = stored.get(key, (initial, 0))
        item = Folded(key, state, version)
        for r in recorded:
            # The subscription already delivers each event once; this guards a hand-run batch repeated.
            if r.stream_version <= item.version:
                continue
            item.events.append(codec.decode(r))
            item.version = r.stream_version
            item.position = r.global_position
            item.recorded_at = r.recorded_at
        if not item.events:
            continue
        if fold is not None:
            item.state = fold(item.state, item.events)
        else:
            for event in item.events:
                item.state = evolve(item.state, event)
        folded.append(item)
    return folded
