"""The store answers what others once asked its tables: which streams exist, where the log ends, how far a
stream had got at a moment."""

from __future__ import annotations

from datetime import timedelta

from eventstore import NO_STREAM, EventStore

from .helpers import events


async def test_stream_ids_by_category_and_ending_take_no_character_as_a_pattern(store: EventStore) -> None:
    for sid in ("stock-DC2:A_%", "stock-DC1:A_%", "stock-DC1:AB%", "stock-DC1:Y:A_%", "stock-DC1:A_%x", "order-1"):
        await store.append(sid, events(1), NO_STREAM)
    assert await store.stream_ids("stock", ending=":A_%") == ["stock-DC1:A_%", "stock-DC1:Y:A_%", "stock-DC2:A_%"]
    assert await store.stream_ids("order") == ["order-1"]
    assert len(await store.stream_ids("stock")) == 5
    assert await store.stream_ids("return") == []


async def test_version_at_is_the_last_version_recorded_by_then(store: EventStore) -> None:
    sid = "thing-1"
    await store.append(sid, events(3), NO_STREAM)
    await store.append(sid, events(2), 3)
    recorded = await store.read_stream(sid)
    for event in recorded:
        # One append's events share their moment, and a later append may share it too: the last one counts.
        last_then = max(e.stream_version for e in recorded if e.recorded_at == event.recorded_at)
        assert await store.version_at(sid, event.recorded_at) == last_then
    assert await store.version_at(sid, recorded[0].recorded_at - timedelta(microseconds=1)) == 0
    assert await store.version_at("thing-missing", recorded[-1].recorded_at) == 0


async def test_head_and_event_count_follow_the_log(store: EventStore) -> None:
    assert await store.head() is None
    assert await store.event_count() == 0
    await store.append("thing-1", events(3), NO_STREAM)
    last = await store.append("thing-2", events(2), NO_STREAM)
    assert await store.head() == last.position
    assert await store.event_count() == 5
