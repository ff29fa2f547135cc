"""The store's lookups use their indexes on a large `events` table that was never analyzed (issue 19 (a)).

The case: autovacuum off, the store's session first used while the log was small (so its statements' plans are
made and cached then), then the log grown in bulk to 200,000 events with nothing analyzing it. The plans the
session actually runs, the append function's nested statements included, are read with auto_explain in JSON
(EXPLAIN (FORMAT JSON) of each statement as executed): none may read `events` by sequential scan.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from eventstore import ANY, NO_STREAM, START, EventStore, NewEvent, Snapshot, WrongExpectedVersion, statistics
from eventstore.statistics import analyze_stale

pytestmark = pytest.mark.slow

BULK = """
INSERT INTO events (stream_id, stream_version, event_id, event_type, data, metadata, recorded_at, hash)
SELECT 'bulk-' || (g / 10), g % 10 + 1, gen_random_uuid(), 'Bulk', '{}', '{}', now(), '\\x00'
FROM generate_series(10, 200009) AS g
"""


def _events(n: int) -> list[NewEvent]:
    return [NewEvent(event_type="Tested", data="{}") for _ in range(n)]


class Session:
    """One connection, as the store's only one, whose executed plans are collected as JSON."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.store = EventStore(conn)  # type: ignore[arg-type]  # a connection answers the pool's calls used here
        self.plans: list[dict[str, Any]] = []
        conn.add_log_listener(self._heard)

    def _heard(self, _conn: object, message: asyncpg.PostgresLogMessage) -> None:
        text = message.message
        if "plan:" in text:
            self.plans.append(json.loads(text[text.index("{") :]))

    async def watch(self) -> None:
        await self.conn.execute(
            "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_format = json;"
            " SET auto_explain.log_nested_statements = on; SET client_min_messages = log"
        )
        self.plans.clear()

    async def use_every_lookup(self, tag: str) -> None:
        """Appends with each kind of expected version (a retry and a mismatch included) and reads every way."""
        store, conn = self.store, self.conn
        stream = f"lookup-{tag}"
        batch = _events(2)
        await store.append(stream, batch, NO_STREAM, conn=conn)
        await store.append(stream, batch, NO_STREAM, conn=conn)  # a retry: the ids are looked up, nothing written
        await store.append(stream, _events(2), ANY, conn=conn)
        await store.append(stream, _events(1), 4, conn=conn)
        await store.read_stream(stream, conn=conn)
        await store.read_stream(stream, as_of=datetime.now(UTC), conn=conn)
        await store.stream_version(stream)
        await store.version_at(stream, datetime.now(UTC))
        await store.load_many({stream: ("Tested", 1), "bulk-7": ("Tested", 1)})
        await store.read_streams([stream, "bulk-7"])
        await store.load_snapshot(stream, "Tested")
        await store.read_all(after=START, limit=10, conn=conn)
        await store.head()

    def sequential_scans_of_events(self) -> list[str]:
        found: list[str] = []

        def walk(node: dict[str, Any], text: str) -> None:
            if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == "events":
                found.append(text)
            for child in node.get("Plans", []):
                walk(child, text)

        for plan in self.plans:
            walk(plan["Plan"], plan["Query Text"])
        return found

    def indexes_used(self) -> set[str]:
        used: set[str] = set()

        def walk(node: dict[str, Any]) -> None:
            if "Index Name" in node:
                used.add(node["Index Name"])
            for child in node.get("Plans", []):
                walk(child)

        for plan in self.plans:
            walk(plan["Plan"])
        return used


@pytest.fixture
async def session(database_url: str) -> AsyncIterator[Session]:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("ALTER TABLE events SET (autovacuum_enabled = false)")
        await conn.execute("ALTER TABLE snapshots SET (autovacuum_enabled = false)")
        session = Session(conn)
        # The log is small: the session's plans are made now, a dozen times over (past the custom-plan phase).
        for n in range(12):
            await session.use_every_lookup(f"warm-{n}")
            await session.store.save_snapshot(Snapshot(f"lookup-warm-{n}", 2, "Tested", 1, "{}"))
        await conn.execute(BULK)  # then the log grows in bulk, and nothing analyzes it
        yield session
    finally:
        await conn.close()


async def test_the_append_function_looks_up_by_index_on_a_large_unanalyzed_log(session: Session) -> None:
    await session.watch()
    for n in range(6):
        stream = f"appended-{n}"
        batch = _events(3)
        await session.store.append(stream, batch, ANY, conn=session.conn)
        await session.store.append(stream, batch, ANY, conn=session.conn)  # a retry with ANY: ids looked up
        with pytest.raises(WrongExpectedVersion):  # a mismatch: the ids are looked up (is it a retry?)
            async with session.conn.transaction():
                await session.store.append(stream, _events(1), 1, conn=session.conn)
    assert session.sequential_scans_of_events() == []
    assert {"events_stream_version_key", "events_event_id_key"} <= session.indexes_used()
    assert not await session.conn.fetchval("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'events'")


async def test_once_the_store_has_analyzed_its_tables_every_lookup_uses_an_index(session: Session) -> None:
    assert "events" in await analyze_stale(session.conn)  # as the store does after migrations and as the log grows
    await session.watch()
    await session.use_every_lookup("after")
    assert session.sequential_scans_of_events() == []
    assert {"events_stream_version_key", "events_event_id_key", "events_global_order_idx"} <= session.indexes_used()


async def test_a_new_session_without_statistics_uses_the_indexes_for_every_lookup(
    session: Session, database_url: str
) -> None:
    fresh = Session(await asyncpg.connect(database_url))  # plans made now, on the large table, with no statistics
    try:
        await fresh.watch()
        await fresh.use_every_lookup("fresh")
        assert fresh.sequential_scans_of_events() == []
        assert not await fresh.conn.fetchval("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'events'")
    finally:
        await fresh.conn.close()


async def test_the_store_checks_its_statistics_as_it_appends(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statistics, "CHECK_EVERY", 3)
    await store.append("checked-1", _events(2), NO_STREAM)
    assert store._statistics._task is None  # not yet
    await store.append("checked-1", _events(1), 2)
    check = store._statistics._task
    assert check is not None
    await check  # ran in the background, through the pool, without failing
    assert check.exception() is None
