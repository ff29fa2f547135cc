"""A link of a stream's hash chain, computed in Python: byte for byte what functions/event_hash.sql computes.

The append's fast path (fast_path.py) chains an event here onto a head the store knows and sends a plain INSERT,
so the database does no lookup and no hashing on the most common write. `verify` recomputes every link in SQL,
whoever chained it, which holds this copy to the same bytes (tests/integration/eventstore/test_chain.py too).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_SEPARATOR = "\x1f"


def event_hash(
    previous: bytes | None,
    stream_id: str,
    stream_version: int,
    event_id: uuid.UUID,
    event_type: str,
    schema_version: int,
    data: str,
    metadata: str,
    recorded_at: datetime,
) -> bytes:
    """sha256(previous link ‖ the event's fields joined by U+001F, the time as integer microseconds)."""
    fields = (
        stream_id,
        str(stream_version),
        str(event_id),
        event_type,
        str(schema_version),
        data,
        metadata,
        str((recorded_at - _EPOCH) // _MICROSECOND),
    )
    return hashlib.sha256((previous or b"") + _SEPARATOR.join(fields).encode()).digest()
