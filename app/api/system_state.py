"""What the system has not done yet, read one way for everyone who reports it: /readyz, /metrics, admission's
sample (admission.py) and the console's `systemStatus` query. Each of them once read the log's head, the
readers' checkpoints and the queues with its own arithmetic; now they share these two functions, so the lag a
dashboard shows is the lag that takes the API out of rotation and the lag that refuses orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import Redis

from eventstore import EventStore

# The API does not import the workers: their names are repeated here, and a unit test keeps them equal.
JOB_QUEUES = ("orders", "bulk")  # workers/broker.py's QUEUES
DISPATCHER = "dispatcher"  # the dispatcher's checkpoint: workers/dispatcher.py's NAME


@dataclass(frozen=True)
class ReaderState:
    """Where one log reader (a projection, the dispatcher) stands."""

    name: str
    position: str  # its checkpoint, as the ledger writes positions ("<transaction>:<global>")
    lag_events: int  # events between the log's head and its checkpoint
    stalled: str | None  # why it stopped at an event its code cannot read; None while it reads on


async def reader_states(store: EventStore, names: Sequence[str]) -> list[ReaderState]:
    """Each named reader against the log's head: three small queries (head, checkpoints, stalled notes)."""
    head = await store.head()
    reached = await store.read_checkpoints(names)
    stalled = await store.stalled_checkpoints()
    top = head.global_position if head is not None else 0
    return [
        ReaderState(
            name=name,
            position=str(reached[name]),
            lag_events=max(0, top - reached[name].global_position),
            stalled=stalled.get(name),
        )
        for name in names
    ]


def queue_key(namespace: str, queue: str) -> str:
    """The Redis hash of a Dramatiq queue's messages enqueued and not yet acknowledged (held by a worker too)."""
    return f"{namespace}:{queue}.msgs"


async def queue_depths(redis: Redis, namespace: str, queues: Sequence[str]) -> dict[str, int]:
    """Jobs waiting or running in each queue of a Redis broker, in one round trip."""
    async with redis.pipeline(transaction=False) as pipe:
        for queue in queues:
            pipe.hlen(queue_key(namespace, queue))
        counts = await pipe.execute()
    return {queue: int(n) for queue, n in zip(queues, counts, strict=True)}
