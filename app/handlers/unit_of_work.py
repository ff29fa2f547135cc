"""The shell around the domain: load state, let the domain decide, append with expected versions, retry.

Every handler has the same shape:

    async def receive_stock(uow: UnitOfWork, command: ReceiveStock) -> None:
        location = await uow.get(LOCATION, location_stream(command.location_code))
        state = await uow.get(STOCK, stock_stream(command.sku, command.location_code))
        uow.record(STOCK, stock_stream(...), stock.decide(state, command, uow.now, location=location))

and `execute` runs it: a fresh unit of work per attempt, one atomic `append_many` over every stream it
recorded to (each with the version it was loaded at), and a bounded retry when another writer got there first.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, TypeVar

from app.clock import Clock, system_clock
from app.domain.aggregates import AggregateKind
from app.domain.errors import DomainError
from app.domain.events import Event
from eventstore import (
    NO_STREAM,
    EventCodec,
    EventStore,
    Metadata,
    Position,
    Snapshot,
    StreamWrite,
    WrongExpectedVersion,
    load_states,
)

S = TypeVar("S")
T = TypeVar("T")

MAX_ATTEMPTS = 8


class ConcurrencyConflict(DomainError):
    """Other writers kept changing the same streams; the command was not applied. Safe to try again."""

    code = "CONFLICT"


@dataclass
class Context:
    """What every handler may use. Built once by the composition root; tests pass a fixed clock."""

    store: EventStore
    codec: EventCodec
    clock: Clock = system_clock
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)
    # A business day: a pickup hold of N days lasts N of these. The demo shortens it, so holds run out in minutes.
    day: timedelta = timedelta(days=1)


@dataclass
class _Tracked:
    kind: AggregateKind[Any]
    state: Any
    version: int
    pending: list[Event] = field(default_factory=list)


class UnitOfWork:
    def __init__(self, ctx: Context, metadata: Metadata, *, attempt: int = 0) -> None:
        self.ctx = ctx
        self.metadata = metadata
        self.attempt = attempt
        self.now = ctx.clock()
        self._streams: dict[str, _Tracked] = {}

    async def get(self, kind: AggregateKind[S], stream_id: str) -> S:
        """The stream's current state, including what this unit of work has recorded on it so far."""
        if stream_id not in self._streams:
            await self.get_many(kind, [stream_id])
        state: S = self._streams[stream_id].state
        return state

    async def get_new(self, kind: AggregateKind[S], stream_id: str) -> S:
        """A stream expected not to exist yet: on the first attempt its empty state, unread (the append then
        insists on a new stream); on a retry, after that insistence failed, what the log holds."""
        if self.attempt == 0 and stream_id not in self._streams:
            self._streams[stream_id] = _Tracked(kind, kind.initial, NO_STREAM)
        return await self.get(kind, stream_id)

    async def get_many(self, kind: AggregateKind[S], stream_ids: Sequence[str]) -> dict[str, S]:
        """Several streams of one kind in one round trip."""
        await self.load({s: kind for s in stream_ids})
        return {s: self._streams[s].state for s in stream_ids}

    async def load(self, kinds: Mapping[str, AggregateKind[Any]]) -> None:
        """Loads streams of any kinds (stream id -> kind) in one round trip, so later `get`s need no query."""
        missing = {s: kind for s, kind in kinds.items() if s not in self._streams}
        if missing:
            for stream_id, (state, version) in (await load_states(self.ctx.store, self.ctx.codec, missing)).items():
                self._streams[stream_id] = _Tracked(kinds[stream_id], state, version)

    def version(self, stream_id: str) -> int:
        """The version the stream (which must have been loaded) was read at: what the append will expect."""
        return self._streams[stream_id].version

    def record(self, kind: AggregateKind[S], stream_id: str, events: Sequence[Event]) -> S:
        """Queues events for the stream (which must have been loaded) and returns its state after them."""
        tracked = self._streams[stream_id]
        tracked.pending += events
        tracked.state = kind.fold(tracked.state, list(events))
        state: S = tracked.state
        return state

    @property
    def recorded(self) -> list[Event]:
        return [e for t in self._streams.values() for e in t.pending]

    async def commit(self) -> Position | None:
        """Appends everything recorded, atomically; None when the domain decided nothing needed to happen."""
        codec, meta = self.ctx.codec, self.metadata
        writes = [
            StreamWrite(stream_id, [codec.encode(e, metadata=meta) for e in t.pending], t.version)
            for stream_id, t in self._streams.items()
            if t.pending
        ]
        if not writes:
            return None
        results = await self.ctx.store.append_many(writes)
        await self._snapshot_where_due()
        return max(r.position for r in results)

    async def _snapshot_where_due(self) -> None:
        # The one snapshot writer (the policy: app.domain.aggregates): the state after the append is at hand.
        for stream_id, t in self._streams.items():
            kind, new_version = t.kind, t.version + len(t.pending)
            if kind.snapshot_due(t.version, new_version):
                snapshot = Snapshot(stream_id, new_version, kind.name, kind.schema_version, kind.freeze(t.state))
                await self.ctx.store.save_snapshot(snapshot)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a command did: the handler's value, the events it recorded, and where they are in the log."""

    value: T
    events: list[Event]
    position: Position | None


async def execute(
    ctx: Context, metadata: Metadata, work: Callable[[UnitOfWork], Awaitable[T]], *, attempts: int = MAX_ATTEMPTS
) -> Outcome[T]:
    """Runs `work` in a fresh unit of work and commits it, retrying with fresh state on a version conflict.

    A DomainError from `work` propagates and nothing is appended.
    """
    for attempt in range(attempts):
        uow = UnitOfWork(ctx, metadata, attempt=attempt)
        value = await work(uow)
        try:
            position = await uow.commit()
        except WrongExpectedVersion:
            # Someone wrote to one of our streams between load and append. Back off a little, with jitter so
            # that racing writers spread out, then decide again on the new state.
            await asyncio.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 7)))
            continue
        return Outcome(value, uow.recorded, position)
    raise ConcurrencyConflict(f"gave up after {attempts} attempts: the data kept changing underneath")
