"""The aggregate kinds the handlers load: where a stream's state starts, how it folds, how it is snapshotted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec

from app.domain import locations, order_state, profiles, returns, stock
from app.domain.events import Event
from eventstore import EventCodec, RecordedEvent, Snapshot

S = TypeVar("S")


@dataclass(frozen=True)
class AggregateKind(Generic[S]):
    name: str
    initial: S
    evolve: Callable[[S, Event], S]
    state_type: Any  # what msgspec decodes a snapshot into
    snapshot_every: int | None = None  # take a snapshot each time the version crosses a multiple of this

    def fold(self, state: S, events: list[Event]) -> S:
        for event in events:
            state = self.evolve(state, event)
        return state


LOCATION: AggregateKind[locations.Location | None] = AggregateKind(
    "Location", None, locations.evolve, locations.Location | None
)
# A busy SKU at a DC gets an event per order: snapshots keep its load to a snapshot and a short tail.
STOCK: AggregateKind[stock.StockState] = AggregateKind(
    "StockState", stock.EMPTY_STOCK, stock.evolve, stock.StockState, snapshot_every=100
)
ORDER: AggregateKind[order_state.Order | None] = AggregateKind(
    "Order", None, order_state.evolve, order_state.Order | None, snapshot_every=200
)
RETURN: AggregateKind[returns.Return | None] = AggregateKind("Return", None, returns.evolve, returns.Return | None)
PROFILE: AggregateKind[profiles.Profile | None] = AggregateKind(
    "Profile", None, profiles.evolve, profiles.Profile | None
)


def rehydrate(
    kind: AggregateKind[S], codec: EventCodec, snapshot: Snapshot | None, tail: list[RecordedEvent]
) -> tuple[S, int]:
    """The state and version of a stream from its latest snapshot (if any) and the events after it."""
    state: S = kind.initial if snapshot is None else msgspec.json.decode(snapshot.state, type=kind.state_type)
    for recorded in tail:
        state = kind.evolve(state, codec.decode(recorded))
    version = tail[-1].stream_version if tail else (snapshot.version if snapshot else 0)
    return state, version
