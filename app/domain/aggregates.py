"""The aggregate kinds: where a stream's state starts, how it folds, how its snapshots are kept.

This is the one fold. Handlers (loading for a command), as-of reads (state at a past moment) and projections
(state kept in a read-model row) all rebuild state the same way: `kind.rehydrate(snapshot, events)`, the
snapshot being the state as JSON text at some version (or None: from the start) and `events` the ones after it.
Loading the snapshot and the events from the log is `eventstore.load_state`; it takes these kinds as they are.

The snapshot policy, one for every reader and writer:

- *Written* by the unit of work right after its append commits, when the stream's version crosses a multiple
  of `snapshot_every` (an append of several events may step over the multiple: crossing it is what counts).
  The writer holds the new state already, so a snapshot costs one insert and no fold. The interval is per kind
  because the cost of not having one is: a busy SKU at a DC gets an event per order, an order a few dozen in
  its life, a location or a profile a handful (never snapshotted). As-of reads and projections write none;
  a second writer on its own schedule (as-of reads once kept one at every 1,000 events) only adds rows.
- *Read* as the latest snapshot at or before the wanted version whose type is the kind's `name` and whose
  schema version is the kind's `schema_version`. Any other (an older state shape, another kind's) is ignored,
  which is always correct: the fold then starts further back. Bump `schema_version` when the state's shape
  changes and old snapshots fall out of use without a migration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import msgspec

from app.domain import (
    carts,
    delivery,
    locations,
    notifications,
    order_state,
    profiles,
    return_policy,
    returns,
    stock,
    substitutions,
)
from app.domain.events import Event

S = TypeVar("S")

_encoder = msgspec.json.Encoder()


@dataclass(frozen=True)
class AggregateKind(Generic[S]):
    name: str  # the snapshot type its snapshots are stored under
    initial: S  # the state of a stream with no events
    evolve: Callable[[S, Event], S]
    state_type: Any  # what msgspec decodes a snapshot into
    snapshot_every: int | None = None  # snapshot each time the version crosses a multiple of this
    fold_all: Callable[[S, Iterable[Event]], S] | None = None  # the domain's one-pass fold, when it has one
    schema_version: int = 1  # of the snapshot state's shape
    _decoder: msgspec.json.Decoder[Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_decoder", msgspec.json.Decoder(self.state_type))

    def fold(self, state: S, events: Iterable[Event]) -> S:
        if self.fold_all is not None:
            return self.fold_all(state, events)
        for event in events:
            state = self.evolve(state, event)
        return state

    def rehydrate(self, snapshot: str | None, events: Iterable[Event]) -> S:
        """The state after `events`, starting from `snapshot` (the state as JSON text) or from the start."""
        state: S = self.initial if snapshot is None else self._decoder.decode(snapshot)
        return self.fold(state, events)

    def freeze(self, state: S) -> str:
        """The state as snapshot text: what `rehydrate` starts from."""
        return _encoder.encode(state).decode()

    def snapshot_due(self, before: int, after: int) -> bool:
        """Whether an append taking the stream from version `before` to `after` should leave a snapshot."""
        every = self.snapshot_every
        return every is not None and after > before and after // every > before // every


LOCATION: AggregateKind[locations.Location | None] = AggregateKind(
    "Location", None, locations.evolve, locations.Location | None
)
STOCK: AggregateKind[stock.StockState] = AggregateKind(
    "StockState", stock.EMPTY_STOCK, stock.evolve, stock.StockState, snapshot_every=100, fold_all=stock.fold
)
ORDER: AggregateKind[order_state.Order | None] = AggregateKind(
    "Order",
    None,
    order_state.evolve,
    order_state.Order | None,
    snapshot_every=200,
    # 2: shipments carry `planned_at` (pick SLA expiry); an older snapshot would lack it and never expire.
    schema_version=2,
)
RETURN: AggregateKind[returns.Return | None] = AggregateKind("Return", None, returns.evolve, returns.Return | None)
PROFILE: AggregateKind[profiles.Profile | None] = AggregateKind(
    "Profile", None, profiles.evolve, profiles.Profile | None
)
NOTIFICATION: AggregateKind[notifications.Notification | None] = AggregateKind(
    "Notification", None, notifications.evolve, notifications.Notification | None
)
RETURN_POLICY: AggregateKind[return_policy.ReturnPolicies | None] = AggregateKind(
    "ReturnPolicies", None, return_policy.evolve, return_policy.ReturnPolicies | None
)
CART: AggregateKind[carts.Cart | None] = AggregateKind("Cart", None, carts.evolve, carts.Cart | None)
SUBSTITUTES: AggregateKind[substitutions.Substitution | None] = AggregateKind(
    "Substitution", None, substitutions.evolve, substitutions.Substitution | None
)
SLOTS: AggregateKind[delivery.Slots] = AggregateKind(
    "Slots", delivery.EMPTY_SLOTS, delivery.evolve_slots, delivery.Slots
)
