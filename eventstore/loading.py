"""Loading state: a stream's latest usable snapshot and the events after it, folded. The one way to do it.

    order, version = await load_state(store, codec, ORDER, order_stream("42"))
    then = await load_state(store, codec, ORDER, order_stream("42"), as_of=moment)

Handlers, as-of reads and workers all load through here; the fold itself is the aggregate kind's own
(`app.domain.aggregates`, which also states the snapshot policy). The store stays generic: a kind is anything
with a snapshot type, a schema version and a `rehydrate`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from .codec import EventCodec
from .records import RecordedEvent, Snapshot
from .store import EventStore

S = TypeVar("S")
S_co = TypeVar("S_co", covariant=True)


class Aggregate(Protocol[S_co]):
    """What loading needs of an aggregate kind."""

    @property
    def name(self) -> str: ...  # the snapshot type; snapshots of any other are ignored

    @property
    def schema_version(self) -> int: ...  # of the snapshot state; snapshots of any other are ignored

    def rehydrate(self, snapshot: str | None, events: Sequence[Any]) -> S_co: ...


def rehydrate(
    kind: Aggregate[S], codec: EventCodec, snapshot: Snapshot | None, tail: Sequence[RecordedEvent]
) -> tuple[S, int]:
    """The state and version after `snapshot` (if any) and the events `tail` holds after it."""
    state = kind.rehydrate(None if snapshot is None else snapshot.state, [codec.decode(r) for r in tail])
    version = tail[-1].stream_version if tail else (0 if snapshot is None else snapshot.version)
    return state, version


async def load_state(
    store: EventStore, codec: EventCodec, kind: Aggregate[S], stream_id: str, *, as_of: datetime | None = None
) -> tuple[S, int]:
    """A stream's state and version now, or as it stood at `as_of` (the kind's initial state and 0 before its
    first event)."""
    snapshot, tail = await store.load(stream_id, kind.name, schema_version=kind.schema_version, as_of=as_of)
    return rehydrate(kind, codec, snapshot, tail)


async def load_states(
    store: EventStore, codec: EventCodec, kinds: Mapping[str, Aggregate[Any]]
) -> dict[str, tuple[Any, int]]:
    """`load_state` for several streams (stream id -> its kind), in one round trip."""
    loaded = await store.load_many({s: (kind.name, kind.schema_version) for s, kind in kinds.items()})
    return {s: rehydrate(kinds[s], codec, snapshot, tail) for s, (snapshot, tail) in loaded.items()}
