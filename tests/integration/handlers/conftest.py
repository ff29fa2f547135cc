from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain import ALL_EVENTS
from app.handlers import Context, Handlers
from eventstore import EventCodec, EventStore


class FixedClock:
    """A clock the test moves by hand, so every decision's time is known."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def codec() -> EventCodec:
    return EventCodec(ALL_EVENTS)


@pytest.fixture
def handlers(store: EventStore, codec: EventCodec, clock: FixedClock) -> Handlers:
    return Handlers(Context(store, codec, clock=clock))
