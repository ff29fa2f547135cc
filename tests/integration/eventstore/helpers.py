from __future__ import annotations

import asyncio
import uuid
from typing import Any

import msgspec

from eventstore import EventStore, Metadata, NewEvent, Page, Position


def events(n: int, *, event_type: str = "Happened", start: int = 0) -> list[NewEvent]:
    """n distinct events whose data says which one they are."""
    return [
        NewEvent(event_type=event_type, data=msgspec.json.encode({"n": start + i}).decode(), event_id=uuid.uuid4())
        for i in range(n)
    ]


def with_metadata(event: NewEvent, metadata: Metadata) -> NewEvent:
    return msgspec.structs.replace(event, metadata=msgspec.json.encode(metadata).decode())


def stream(prefix: str = "thing") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def readable(store: EventStore, position: Position, timeout: float = 30.0) -> None:
    """Waits until one read of the log reaches `position`: until no transaction in flight anywhere on the
    server (other tests', other databases') holds it back behind the xmin guard. A test asserting on what one
    pass of a reader returns waits for this first, so it checks the reader, not what else runs on the server."""

    async def poll() -> None:
        interval = 0.002
        while await store.horizon() < position:
            await asyncio.sleep(interval)  # a transaction in flight may end without a word: look again, backing off
            interval = min(interval * 2, 0.05)

    await asyncio.wait_for(poll(), timeout)


class CountingStore(EventStore):
    """The same store, counting how many events each read of the log scanned (one entry per read)."""

    def __init__(self, store: EventStore) -> None:
        super().__init__(store.pool)
        self.scanned: list[int] = []

    async def read_all(self, **kwargs: Any) -> Page:
        page = await super().read_all(**kwargs)
        self.scanned.append(page.scanned)
        return page
