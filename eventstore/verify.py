"""Tamper evidence: walk every stream's hash chain and name the first event that does not belong.

A chain shows an event changed, rewritten or deleted in its middle, and a catalogued stream with no events
left. It cannot show a stream's tail cut off: what remains still links, and appends keep no head to compare
with (keeping one would cost every append an UPDATE).

`verification` is the one walk: it reports progress window by window, then the result, and `meridian verify`
and the API's `verifyLog` both read it. A whole-log result is recorded as an event on its own stream
(`record_verification`): the record of the log's integrity is itself chained, so it cannot be rewritten
unnoticed either, and `last_verification` reads it back.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime

import msgspec

from .driver import translated
from .records import ANY, Metadata, NewEvent
from .sql import query
from .store import EventStore

VERIFICATIONS = "ledger-verifications"  # the stream of whole-log results (category `ledger`)
WINDOW = 10_000  # events per step: a progress report each, and one statement's work


class BrokenLink(msgspec.Struct, frozen=True):
    stream_id: str
    version: int
    reason: str
    event_id: uuid.UUID | None = None
    global_position: int | None = None


class VerifyProgress(msgspec.Struct, frozen=True):
    """How far a verification has gone: events checked of those it will check, through which stream (the walk
    goes in stream id order)."""

    events_checked: int
    events_total: int
    stream_id: str | None = None


class VerifyReport(msgspec.Struct, frozen=True):
    events_checked: int
    streams_checked: int
    broken: list[BrokenLink]
    last_position: int | None = None  # the highest global position checked: the log verified runs up to it

    @property
    def ok(self) -> bool:
        return not self.broken


class LogVerified(msgspec.Struct, frozen=True):
    """The event a whole-log verification leaves on VERIFICATIONS; its time is the event's recorded_at."""

    started_at: datetime
    events_checked: int
    streams_checked: int
    last_position: int | None
    broken: list[BrokenLink]  # the first broken link of each stream, at most MAX_RECORDED of them
    broken_streams: int

    @property
    def ok(self) -> bool:
        return self.broken_streams == 0


MAX_RECORDED = 100  # a log broken everywhere still records a bounded event; the count says how many


async def verification(
    store: EventStore, stream_id: str | None = None, *, window: int = WINDOW
) -> AsyncIterator[VerifyProgress | VerifyReport]:
    """Recomputes the hash chains (one stream, or all), yielding progress after each window and then the
    report: the first broken link of each stream. One read-only snapshot throughout, so the count, the
    windows and the emptied streams all describe the same log; consume it to the end (it holds a
    connection until then)."""
    first: dict[str, BrokenLink] = {}
    statement = query("verify_window").replace("{stream}", "AND stream_id = $5" if stream_id else "")
    extra = (stream_id,) if stream_id else ()
    with translated():
        async with store.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            total: int = await conn.fetchval(query("count_events"), stream_id)
            checked, streams, highest = 0, 0, None
            after: tuple[str, int, bytes | None] = ("", 0, None)  # the last event checked: none yet
            yield VerifyProgress(0, total)
            while rows := await conn.fetch(statement, after[0], after[1], window, after[2], *extra):
                *links, summary = rows
                for r in links:
                    link = BrokenLink(
                        r["stream_id"], r["stream_version"], r["reason"], r["event_id"], r["global_position"]
                    )
                    first.setdefault(r["stream_id"], link)  # in stream order: the first one met is the first
                checked, streams = checked + summary["events"], streams + summary["streams"]
                highest = max(highest or 0, summary["global_position"])
                after = (summary["stream_id"], summary["stream_version"], summary["hash"])
                yield VerifyProgress(checked, total, summary["stream_id"])
            emptied = await conn.fetch(query("verify_streams"), stream_id)
    # An emptied stream has no chain to break: its first event is the one missing.
    for r in emptied:
        first[r["stream_id"]] = BrokenLink(r["stream_id"], 1, "stream registered but it has no events: events deleted")
    broken = sorted(first.values(), key=lambda b: (b.stream_id, b.version))
    yield VerifyReport(checked, streams, broken, highest)


async def verify(store: EventStore, stream_id: str | None = None) -> VerifyReport:
    """The report of a whole `verification`, without its progress."""
    async for step in verification(store, stream_id):
        if isinstance(step, VerifyReport):
            return step
    raise AssertionError("a verification always ends with its report")


class VerificationRecord(msgspec.Struct, frozen=True):
    """A recorded whole-log result, when it was recorded (the run's end) and by whom."""

    result: LogVerified
    recorded_at: datetime
    actor: str | None


async def recorded_verification(
    store: EventStore, *, actor: str, clock: Callable[[], datetime]
) -> AsyncIterator[VerifyProgress | VerificationRecord]:
    """A whole-log `verification` whose report is recorded on VERIFICATIONS and ends it as recorded: the one
    run of `meridian verify` and of the API's `verifyLog`."""
    started_at = clock()
    async for step in verification(store):
        if isinstance(step, VerifyProgress):
            yield step
            continue
        event = LogVerified(
            started_at=started_at,
            events_checked=step.events_checked,
            streams_checked=step.streams_checked,
            last_position=step.last_position,
            broken=step.broken[:MAX_RECORDED],
            broken_streams=len(step.broken),
        )
        metadata = msgspec.json.encode(Metadata(actor=actor)).decode()
        new = NewEvent(event_type="LogVerified", data=msgspec.json.encode(event).decode(), metadata=metadata)
        appended = await store.append(VERIFICATIONS, [new], ANY)  # any version: runs do not conflict
        recorded = await last_verification(store, appended.version)
        assert recorded is not None
        yield recorded


async def last_verification(store: EventStore, version: int | None = None) -> VerificationRecord | None:
    """The last recorded whole-log result (or the one at `version`); None before the first."""
    version = version or await store.stream_version(VERIFICATIONS)
    if version == 0:
        return None
    [recorded] = await store.read_stream(VERIFICATIONS, from_version=version, limit=1)
    return VerificationRecord(
        msgspec.json.decode(recorded.data, type=LogVerified), recorded.recorded_at, recorded.decoded_metadata().actor
    )
