from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from eventstore import (
    NO_STREAM,
    VERIFICATIONS,
    EventStore,
    VerificationRecord,
    VerifyProgress,
    VerifyReport,
    last_verification,
    migrate,
    recorded_verification,
    verification,
    verify,
)
from eventstore.migrate import EVENTSTORE

from .helpers import events, stream


async def test_an_untouched_log_verifies(store: EventStore) -> None:
    for _ in range(3):
        await store.append(stream(), events(4), NO_STREAM)
    report = await verify(store)
    assert report.ok
    assert (report.events_checked, report.streams_checked) == (12, 3)


async def test_an_updated_row_is_named_as_the_first_broken_event(store: EventStore) -> None:
    victim, bystander = stream(), stream()
    await store.append(victim, events(5), NO_STREAM)
    await store.append(bystander, events(5), NO_STREAM)
    tampered = (await store.read_stream(victim))[2]
    await store.pool.execute("UPDATE events SET data = '{\"n\": 999}' WHERE event_id = $1", tampered.event_id)

    report = await verify(store)
    assert not report.ok
    assert [(b.stream_id, b.version, b.event_id) for b in report.broken] == [(victim, 3, tampered.event_id)]
    assert report.broken[0].reason == "hash mismatch"


async def test_a_rewritten_hash_breaks_the_next_link(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(4), NO_STREAM)
    await store.pool.execute(
        "UPDATE events SET data = '{\"n\": 1}', hash = sha256('forged') WHERE stream_id = $1 AND stream_version = 2",
        sid,
    )
    report = await verify(store, sid)
    assert [b.version for b in report.broken] == [2]


async def test_a_deleted_stream_is_caught_by_its_catalogue_row(store: EventStore) -> None:
    sid, bystander = stream(), stream()
    await store.append(sid, events(4), NO_STREAM)
    await store.append(bystander, events(2), NO_STREAM)
    await store.pool.execute("DELETE FROM events WHERE stream_id = $1", sid)
    report = await verify(store)
    assert [(b.stream_id, b.version) for b in report.broken] == [(sid, 1)]
    assert "no events" in report.broken[0].reason
    assert (await verify(store, bystander)).ok


async def test_a_deleted_middle_event_is_a_version_gap(store: EventStore) -> None:
    sid = stream()
    await store.append(sid, events(4), NO_STREAM)
    await store.pool.execute("DELETE FROM events WHERE stream_id = $1 AND stream_version = 2", sid)
    report = await verify(store)
    assert [(b.version, b.reason) for b in report.broken] == [(3, "version gap")]


async def test_migrations_are_idempotent(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        assert await migrate(conn, [EVENTSTORE]) == []  # the template already ran them
        await conn.execute("DELETE FROM schema_migrations WHERE name LIKE '%functions%'")
        reapplied = await migrate(conn, [EVENTSTORE])
        assert reapplied and all("functions" in name for name in reapplied)
    finally:
        await conn.close()


async def test_a_verification_reports_window_by_window_then_the_report(store: EventStore) -> None:
    victim = stream()
    await store.append(victim, events(5), NO_STREAM)
    await store.append(stream(), events(2), NO_STREAM)
    await store.pool.execute(
        "UPDATE events SET data = '{\"n\": 7}' WHERE stream_id = $1 AND stream_version = 4", victim
    )

    *steps, report = [step async for step in verification(store, window=3)]
    progress = [p for p in steps if isinstance(p, VerifyProgress)]
    assert [(p.events_checked, p.events_total) for p in progress] == [(0, 7), (3, 7), (6, 7), (7, 7)]
    assert isinstance(report, VerifyReport) and report.events_checked == 7
    assert [(b.stream_id, b.version, b.reason) for b in report.broken] == [(victim, 4, "hash mismatch")]
    assert report.last_position == await store.pool.fetchval("SELECT max(global_position) FROM events")


async def test_a_recorded_verification_is_read_back_and_chained_like_any_event(store: EventStore) -> None:
    assert await last_verification(store) is None
    await store.append(stream(), events(2), NO_STREAM)
    started = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    *_, ran = [step async for step in recorded_verification(store, actor="admin:auditor", clock=lambda: started)]

    assert ran == await last_verification(store)
    assert isinstance(ran, VerificationRecord)
    assert (ran.result.ok, ran.result.events_checked, ran.result.started_at, ran.actor) == (
        True,
        2,
        started,
        "admin:auditor",
    )
    assert (await verify(store, VERIFICATIONS)).ok
