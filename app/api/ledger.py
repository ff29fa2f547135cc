"""The ledger itself, for auditors: every event, in the global order or one stream's, with keyset paging."""

from __future__ import annotations

from datetime import datetime

import msgspec
import strawberry

from eventstore import START, Position, RecordedEvent

from .access import can_read_ledger
from .context import ANYONE, Info
from .errors import ApiError, forbidden
from .scalars import JSON, MAX_PAGE, PageInfo


@strawberry.type
class EventRecord:
    position: str
    stream_id: str
    version: int
    type: str
    at: datetime
    data: JSON
    metadata: JSON

    @classmethod
    def from_event(cls, e: RecordedEvent) -> EventRecord:
        return cls(
            position=str(e.position),
            stream_id=e.stream_id,
            version=e.stream_version,
            type=e.event_type,
            at=e.recorded_at,
            data=msgspec.json.decode(e.data),
            metadata=msgspec.json.decode(e.metadata),
        )


@strawberry.type
class EventEdge:
    cursor: str
    node: EventRecord


@strawberry.type
class EventConnection:
    edges: list[EventEdge]
    page_info: PageInfo


@strawberry.type
class LedgerQueries:
    @strawberry.field(description="The event log (admins only): all streams in log order, or one stream by version.")
    async def events(
        self, info: Info, first: int | None = 50, after: str | None = None, stream_id: str | None = None
    ) -> EventConnection:
        if not can_read_ledger(info.context.require(*ANYONE)):
            raise forbidden()
        size = first if first is not None else 50
        if not 0 < size <= MAX_PAGE:
            raise ApiError(f"first must be between 1 and {MAX_PAGE}", "INVALID_ARGUMENT", "first")
        store = info.context.services.store
        if stream_id is not None:
            start = _version_cursor(after) + 1 if after else 1
            found = await store.read_stream(stream_id, from_version=start, limit=size + 1)
            cursors = [str(e.stream_version) for e in found]
        else:
            page = await store.read_all(after=_position_cursor(after) if after else START, limit=size + 1)
            found = page.events
            cursors = [str(e.position) for e in found]
        edges = [EventEdge(cursor=c, node=EventRecord.from_event(e)) for c, e in zip(cursors, found, strict=True)]
        return EventConnection(
            edges=edges[:size],
            page_info=PageInfo(has_next_page=len(edges) > size, end_cursor=edges[:size][-1].cursor if edges else None),
        )


def _version_cursor(cursor: str) -> int:
    if not cursor.isdigit():
        raise ApiError("not a cursor this query returned", "INVALID_CURSOR", "after")
    return int(cursor)


def _position_cursor(cursor: str) -> Position:
    try:
        return Position.parse(cursor)
    except ValueError:
        raise ApiError("not a cursor this query returned", "INVALID_CURSOR", "after") from None
