"""The ledger itself, for auditors: its events (filtered by stream or category, type and recorded time, keyset-
paged in global order), and its verification: `verifyLog` runs `meridian verify`'s walk (eventstore/verify.py)
and streams its progress, then the recorded result, which `lastVerification` reads back. Who may do any of it
is `can_read_ledger` (access.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import msgspec
import strawberry

from eventstore import BrokenLink as Link
from eventstore import (
    LogFilter,
    RecordedEvent,
    VerificationRecord,
    VerifyProgress,
    last_verification,
    recorded_verification,
)

from .access import can_read_ledger
from .context import ANYONE, Info
from .errors import ApiError, forbidden
from .mutation_support import MAX_TEXT
from .scalars import JSON, MAX_PAGE, PageInfo

MAX_TYPES = 20  # event types in one filter: more than a person picks, few enough to plan


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


@strawberry.type(description="A link of a hash chain that does not hold: where, and why.")
class BrokenLink:
    stream_id: str
    version: int
    reason: str
    event_id: str | None
    global_position: str | None

    @classmethod
    def from_link(cls, link: Link) -> BrokenLink:
        position = None if link.global_position is None else str(link.global_position)
        event_id = None if link.event_id is None else str(link.event_id)
        return cls(
            stream_id=link.stream_id,
            version=link.version,
            reason=link.reason,
            event_id=event_id,
            global_position=position,
        )


@strawberry.type(description="A verification of the whole log, as recorded in it (stream ledger-verifications).")
class LogVerification:
    intact: bool
    started_at: datetime
    finished_at: datetime = strawberry.field(description="When its result was recorded.")
    events_checked: int
    streams_checked: int
    last_position: str | None = strawberry.field(description="The last global position checked.")
    broken_streams: int
    broken: list[BrokenLink] = strawberry.field(description="The first broken link of each stream (at most 100).")
    verified_by: str | None

    @classmethod
    def from_record(cls, record: VerificationRecord) -> LogVerification:
        result = record.result
        return cls(
            intact=result.ok,
            started_at=result.started_at,
            finished_at=record.recorded_at,
            events_checked=result.events_checked,
            streams_checked=result.streams_checked,
            last_position=None if result.last_position is None else str(result.last_position),
            broken_streams=result.broken_streams,
            broken=[BrokenLink.from_link(link) for link in result.broken],
            verified_by=record.actor,
        )


@strawberry.type(description="How far a verification has gone; the last step carries its result.")
class VerificationStep:
    events_checked: int
    events_total: int
    through_stream: str | None = strawberry.field(description="The walk goes in stream id order: the stream it is at.")
    result: LogVerification | None = None


def _caller(info: Info) -> str:
    """The ledger's reader, once its role is checked (access.py: can_read_ledger)."""
    principal = info.context.require(*ANYONE)
    if not can_read_ledger(principal):
        raise forbidden()
    return f"{principal.role.value}:{principal.subject}"


@strawberry.type
class LedgerQueries:
    @strawberry.field(
        description="The event log (admins only), oldest first: filtered by stream or category (a stream id's "
        "prefix before the first '-'), event types and recorded time [recordedFrom, recordedBefore)."
    )
    async def events(
        self,
        info: Info,
        first: int | None = 50,
        after: str | None = None,
        stream_id: str | None = None,
        category: str | None = None,
        types: list[str] | None = None,
        recorded_from: datetime | None = None,
        recorded_before: datetime | None = None,
    ) -> EventConnection:
        _caller(info)
        size = first if first is not None else 50
        if not 0 < size <= MAX_PAGE:
            raise ApiError(f"first must be between 1 and {MAX_PAGE}", "INVALID_ARGUMENT", "first")
        for name, text in (("streamId", stream_id), ("category", category), *(("types", t) for t in types or ())):
            if text is not None and len(text) > MAX_TEXT:
                raise ApiError(f"at most {MAX_TEXT} characters", "INVALID_ARGUMENT", name)
        if types is not None and len(types) > MAX_TYPES:
            raise ApiError(f"at most {MAX_TYPES} types", "INVALID_ARGUMENT", "types")
        if recorded_from and recorded_before and recorded_from >= recorded_before:
            raise ApiError("recordedFrom must come before recordedBefore", "INVALID_ARGUMENT", "recordedBefore")
        log_filter = LogFilter(
            stream_id=stream_id,
            category=category,
            event_types=types,
            recorded_from=recorded_from,
            recorded_before=recorded_before,
        )
        found = await info.context.services.store.read_log(
            log_filter, after=_position_cursor(after) if after else 0, limit=size + 1
        )
        edges = [EventEdge(cursor=str(e.global_position), node=EventRecord.from_event(e)) for e in found[:size]]
        return EventConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=len(found) > size, end_cursor=edges[-1].cursor if edges else None),
        )

    @strawberry.field(description="The last recorded verification of the whole log (admins only); null before one.")
    async def last_verification(self, info: Info) -> LogVerification | None:
        _caller(info)
        record = await last_verification(info.context.services.store)
        return None if record is None else LogVerification.from_record(record)


@strawberry.type
class LedgerSubscriptions:
    @strawberry.subscription(
        description="Verifies every hash chain of the log as `meridian verify` does (admins only): progress, then "
        "the recorded result. One verification runs at a time: asking while one runs follows that one."
    )
    async def verify_log(self, info: Info) -> AsyncGenerator[VerificationStep, None]:
        actor = _caller(info)
        services = info.context.services
        total = 0
        steps = services.verifications.follow(
            lambda: recorded_verification(services.store, actor=actor, clock=services.clock)
        )
        async for step in steps:
            if isinstance(step, VerifyProgress):
                total = step.events_total
                yield VerificationStep(
                    events_checked=step.events_checked, events_total=total, through_stream=step.stream_id
                )
            else:
                result = LogVerification.from_record(step)
                yield VerificationStep(
                    events_checked=result.events_checked,
                    events_total=max(total, result.events_checked),
                    through_stream=None,
                    result=result,
                )


def _position_cursor(cursor: str) -> int:
    if not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 19 and int(cursor) < 2**63):
        raise ApiError("not a cursor this query returned", "INVALID_CURSOR", "after")
    return int(cursor)
