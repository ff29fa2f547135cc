"""The hash chain when the store links events itself: Python's link is PostgreSQL's, payloads are stored as the
exact text that was hashed, and recorded_at never goes backwards within a stream whichever clock took it."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstore import NO_STREAM, EventStore, NewEvent, create_pool, migrate, verify
from eventstore.chain import event_hash
from eventstore.migrate import EVENTSTORE, MigrationSet
from tests.support.databases import Databases

from .helpers import events, stream

_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=12,
)
# The same value as clients might spell it: any key order, spacing, escaping.
_json_texts = st.builds(
    lambda value, ascii, spaced, sort: json.dumps(
        value, ensure_ascii=ascii, separators=(", ", ": ") if spaced else (",", ":"), sort_keys=sort
    ),
    _json_values,
    st.booleans(),
    st.booleans(),
    st.booleans(),
)


# event_hash's arguments: previous link, stream id, version, event id, type, schema version, data, metadata, time.
_Link = tuple[bytes | None, str, int, uuid.UUID, str, int, str, str, datetime]
_links = st.tuples(
    st.none() | st.binary(min_size=32, max_size=32),
    _text,
    st.integers(1, 2**62),
    st.uuids(),
    _text,
    st.integers(1, 2**31 - 1),
    _json_texts,
    _json_texts,
    st.datetimes(datetime(1900, 1, 1), datetime(2200, 1, 1), timezones=st.just(UTC)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(link=_links)
async def test_a_link_chained_in_python_is_the_link_postgresql_computes(pool: asyncpg.Pool, link: _Link) -> None:
    in_sql = await pool.fetchval("SELECT event_hash($1, $2, $3, $4, $5, $6, $7::JSON, $8::JSON, $9)", *link)
    assert event_hash(*link) == in_sql


async def test_payloads_are_stored_as_the_exact_text_that_was_chained(store: EventStore) -> None:
    sid = stream()
    spelled = ['{"b": 1,   "a": [1.0, 1e2]}', '{"é":"\\u00e9", "a" :2}', '{"z": {"y": 0.10}, "a": null}']
    await store.append(sid, events(1), NO_STREAM)
    for version, data in enumerate(spelled, start=1):  # chained here, onto the head the previous append returned
        await store.append(sid, [NewEvent(event_type="Spelled", data=data, metadata='{"actor":  "me"}')], version)
    stored = await store.read_stream(sid)
    assert [e.data for e in stored[1:]] == spelled
    assert {e.metadata for e in stored[1:]} == {'{"actor":  "me"}'}
    assert (await verify(store, sid)).ok


async def test_a_clock_ahead_of_the_servers_never_makes_a_stream_go_back_in_time(store: EventStore) -> None:
    sid = stream()
    ahead = datetime.now(UTC) + timedelta(hours=1)
    hurried = EventStore(store.pool, clock=lambda: ahead)
    await hurried.append(sid, events(1), NO_STREAM)  # linked by the database, on its clock
    await hurried.append(sid, events(1, start=1), 1)  # chained here (the fast path), on the clock that runs ahead
    await hurried.append(sid, events(1, start=2), 2)  # and again
    await EventStore(store.pool).append(sid, events(1, start=3), 3)  # another process: linked by the database
    await store.append(sid, events(2, start=4), 4)  # several events: linked by the database
    times = [e.recorded_at for e in await store.read_stream(sid)]
    assert times[1] == times[2] == ahead  # the chained appends took the store's clock ...
    assert times[3:] == [ahead, ahead, ahead]  # ... and the server's later appends never went before it
    assert (await verify(store, sid)).ok


async def test_a_clock_behind_the_servers_never_makes_a_stream_go_back_in_time(store: EventStore) -> None:
    sid = stream()
    behind = datetime.now(UTC) - timedelta(hours=1)
    late = EventStore(store.pool, clock=lambda: behind)
    await late.append(sid, events(1), NO_STREAM)
    await late.append(sid, events(1, start=1), 1)  # chained here: behind its head, so it takes the head's time
    await late.append(sid, events(1, start=2), 2)  # and again
    times = [e.recorded_at for e in await store.read_stream(sid)]
    assert times[0] > behind
    assert times[2] == times[1] == times[0]
    assert (await verify(store, sid)).ok


class _BeforeExactPayloads(MigrationSet):
    """The event store's schema as it was before payloads became exact json text (0007)."""

    def scripts(self) -> list[tuple[str, str, bool]]:
        return [s for s in super().scripts() if not s[2] and s[0] < "eventstore/migrations/0007"]


# How appends chained events before 0007: over jsonb's rendering of the payloads.
_OLD_APPEND = """
INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at,
                    hash)
VALUES ($1, $2, $3, 'Old', 1, $4::JSONB, '{}'::JSONB, $6, sha256(coalesce($5::BYTEA, ''::BYTEA)
    || convert_to(concat_ws(E'\\x1f', $1::TEXT, $2::BIGINT, $3::UUID, 'Old', 1, $4::JSONB::TEXT, '{}'::JSONB::TEXT,
                            (extract(EPOCH FROM $6::TIMESTAMPTZ) * 1000000)::BIGINT), 'UTF8')))
RETURNING hash, recorded_at
"""


async def test_a_log_written_before_payloads_were_exact_text_still_verifies_and_goes_on(databases: Databases) -> None:
    name = databases.new_name()
    dsn = await databases.create(name)
    sid, link = stream(), None
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn, [_BeforeExactPayloads(EVENTSTORE.package)])
        await conn.execute("INSERT INTO streams (stream_id, type) VALUES ($1, 'thing')", sid)
        for version, data in enumerate(['{"b":1,"a":2}', '{"n": 1.50}'], start=1):
            row = await conn.fetchrow(_OLD_APPEND, sid, version, uuid.uuid4(), data, link, datetime.now(UTC))
            assert row is not None
            link = row["hash"]
        await migrate(conn, [EVENTSTORE])
    finally:
        await conn.close()
    pool = await create_pool(dsn)
    try:
        store = EventStore(pool)
        assert [e.data for e in await store.read_stream(sid)] == ['{"a": 2, "b": 1}', '{"n": 1.50}']
        await store.append(sid, events(1), 2)  # chained in the database from the old head
        await store.append(sid, events(1, start=1), 3)  # chained here
        report = await verify(store, sid)
        assert report.ok and report.events_checked == 4
    finally:
        await pool.close()
        await databases.drop(name)


class _BeforeOneAppend(MigrationSet):
    """The event store's schema as it was before the one append function (0008) and the outbox's removal (0009)."""

    def scripts(self) -> list[tuple[str, str, bool]]:
        return [s for s in super().scripts() if not s[2] and s[0] < "eventstore/migrations/0008"]


# The functions 0008 replaces, by their signatures (their bodies do not matter to the migration).
_OLD_FUNCTIONS = [
    "CREATE FUNCTION append_events(TEXT, BIGINT, UUID[], TEXT[], INTEGER[], TEXT[], TEXT[]) RETURNS BIGINT"
    " LANGUAGE sql AS 'SELECT 0::BIGINT'",
    "CREATE FUNCTION append_streams(TEXT[], BIGINT[], INTEGER[], UUID[], TEXT[], INTEGER[], TEXT[], TEXT[])"
    " RETURNS BIGINT LANGUAGE sql AS 'SELECT 0::BIGINT'",
]


async def test_a_log_with_the_old_append_functions_and_an_outbox_migrates_to_the_one_append(
    databases: Databases,
) -> None:
    name = databases.new_name()
    dsn = await databases.create(name)
    sid, link = stream(), None
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn, [_BeforeOneAppend(EVENTSTORE.package)])
        for statement in _OLD_FUNCTIONS:
            await conn.execute(statement)
        await conn.execute("INSERT INTO outbox (topic, payload) VALUES ('jobs', '{}')")
        await conn.execute("INSERT INTO streams (stream_id, type) VALUES ($1, 'thing')", sid)
        for version in (1, 2):  # chained as before: event_hash over exact json text (0007)
            at, event_id = datetime.now(UTC), uuid.uuid4()
            link = event_hash(link, sid, version, event_id, "Old", 1, '{"n": 1}', "{}", at)
            await conn.execute(
                "INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata,"
                " recorded_at, hash) VALUES ($1, $2, $3, 'Old', 1, '{\"n\": 1}', '{}', $4, $5)",
                *(sid, version, event_id, at, link),
            )
        await migrate(conn, [EVENTSTORE])
        appends = await conn.fetch("SELECT pg_get_function_identity_arguments(oid) AS args FROM pg_proc"
                                   " WHERE proname IN ('append_events', 'append_streams')")  # fmt: skip
        assert [r["args"].count("[]") for r in appends] == [8]  # one function, taking arrays of streams
        assert await conn.fetchval("SELECT to_regclass('outbox')") is None
    finally:
        await conn.close()
    pool = await create_pool(dsn)
    try:
        store = EventStore(pool)
        await store.append(sid, events(2), 2)  # the general append, from the old head
        await store.append(sid, events(1, start=2), 4)  # the fast path
        report = await verify(store, sid)
        assert report.ok and report.events_checked == 5
    finally:
        await pool.close()
        await databases.drop(name)
