"""Property: whatever sequence of appends with right and wrong expected versions, a stream's versions are
exactly 1..n with no gap, n is the number of events in the appends that succeeded, and only the appends whose
expectation held succeeded."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstore import ANY, NO_STREAM, EventStore, WrongExpectedVersion

from .helpers import events

# Each step: how many events, and what the writer believes the version is (relative to the truth).
steps = st.lists(
    st.tuples(st.integers(1, 4), st.sampled_from(["exact", "any", "stale", "ahead", "no_stream"])),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=steps)
async def test_stream_versions_stay_contiguous_and_count_successful_events(
    store: EventStore, plan: list[tuple[int, str]]
) -> None:
    sid = f"prop-{uuid.uuid4().hex}"
    version = 0
    for count, belief in plan:
        expected = {
            "exact": version,
            "any": ANY,
            "stale": version - 1 if version > 0 else 99,
            "ahead": version + 1,
            "no_stream": NO_STREAM,
        }[belief]
        should_succeed = expected in (ANY, version)
        try:
            result = await store.append(sid, events(count), expected)
        except WrongExpectedVersion as error:
            assert not should_succeed
            assert error.actual == version
        else:
            assert should_succeed
            version += count
            assert result.version == version
    stored = await store.read_stream(sid)
    assert [e.stream_version for e in stored] == list(range(1, version + 1))
    assert await store.stream_version(sid) == version
