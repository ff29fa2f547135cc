"""Tamper evidence: walk every stream's hash chain and name the first event that does not belong.

A chain shows an event changed, rewritten or deleted in its middle, and a catalogued stream with no events
left. It cannot show a stream's tail cut off: what remains still links, and appends keep no head to compare
with (keeping one would cost every append an UPDATE).
"""

from __future__ import annotations

import uuid

import msgspec

from .driver import translated
from .sql import query
from .store import EventStore


class BrokenLink(msgspec.Struct, frozen=True):
    stream_id: str
    version: int
    reason: str
    event_id: uuid.UUID | None = None
    global_position: int | None = None


class VerifyReport(msgspec.Struct, frozen=True):
    events_checked: int
    streams_checked: int
    broken: list[BrokenLink]

    @property
    def ok(self) -> bool:
        return not self.broken


async def verify(store: EventStore, stream_id: str | None = None) -> VerifyReport:
    """Recomputes the hash chains (one stream, or all) and reports the first broken link of each stream."""
    with translated():
        async with store.pool.acquire() as conn:
            counts = await conn.fetchrow(query("count_events"), stream_id)
            links = await conn.fetch(query("verify_chains"), stream_id)
            emptied = await conn.fetch(query("verify_streams"), stream_id)
    broken = [
        BrokenLink(r["stream_id"], r["stream_version"], r["reason"], r["event_id"], r["global_position"]) for r in links
    ]
    # An emptied stream has no chain to break: its first event is the one missing.
    broken += [BrokenLink(r["stream_id"], 1, "stream registered but it has no events: events deleted") for r in emptied]
    assert counts is not None
    return VerifyReport(counts["events"], counts["streams"], sorted(broken, key=lambda b: (b.stream_id, b.version)))
