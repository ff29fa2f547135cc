"""Meridian's event store: an append-only ledger in PostgreSQL. Generic: it knows nothing of orders.

store = EventStore(await create_pool(dsn))
await store.append("order-42", [NewEvent(event_type="OrderPlaced", data="{...}")], NO_STREAM)
"""

from .claims import PartitionClaims
from .codec import EventCodec
from .driver import Connection, create_pool
from .errors import (
    DuplicateEventIds,
    EventStoreError,
    StoreUnavailable,
    UnknownEventType,
    UnreadableEvent,
    WrongExpectedVersion,
)
from .follower import CheckpointWatch, Consumer, LogFollower, read_until
from .loading import Aggregate, load_state, load_states, rehydrate
from .migrate import EVENTSTORE, MigrationSet, migrate
from .records import (
    ANY,
    NO_STREAM,
    START,
    AppendResult,
    LogFilter,
    Metadata,
    NewEvent,
    Page,
    Partition,
    Position,
    RecordedEvent,
    Snapshot,
    StreamWrite,
    partition_of,
)
from .store import EventStore
from .verify import (
    VERIFICATIONS,
    BrokenLink,
    LogVerified,
    VerificationRecord,
    VerifyProgress,
    VerifyReport,
    last_verification,
    recorded_verification,
    verification,
    verify,
)
from .wakeups import Listener, Notifier

__all__ = [
    "ANY",
    "EVENTSTORE",
    "NO_STREAM",
    "START",
    "VERIFICATIONS",
    "Aggregate",
    "AppendResult",
    "BrokenLink",
    "CheckpointWatch",
    "Connection",
    "Consumer",
    "DuplicateEventIds",
    "EventCodec",
    "EventStore",
    "EventStoreError",
    "Listener",
    "LogFilter",
    "LogFollower",
    "LogVerified",
    "Metadata",
    "MigrationSet",
    "NewEvent",
    "Notifier",
    "Page",
    "Partition",
    "PartitionClaims",
    "Position",
    "RecordedEvent",
    "Snapshot",
    "StoreUnavailable",
    "StreamWrite",
    "UnknownEventType",
    "UnreadableEvent",
    "VerificationRecord",
    "VerifyProgress",
    "VerifyReport",
    "WrongExpectedVersion",
    "create_pool",
    "last_verification",
    "load_state",
    "load_states",
    "migrate",
    "partition_of",
    "read_until",
    "recorded_verification",
    "rehydrate",
    "verification",
    "verify",
]
