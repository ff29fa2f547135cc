"""A location's delivery capacity and time zone as settings, and the slots ledger of a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain import locations
from app.domain.delivery import (
    EMPTY_SLOTS,
    DeliveryCapacity,
    ReleaseSlot,
    ReserveSlot,
    SlotReleased,
    SlotReserved,
    WindowUnavailable,
    decide_slots,
    evolve_slots,
    slot_stream,
)
from app.domain.errors import DomainError, Refusals
from app.domain.locations import CreateLocation, LocationUpdated, UpdateLocation
from app.domain.values import Coordinates, LocationType
from tests.unit.domain.support import NOW, given

STORE = CreateLocation(code="ST1", name="Store 1", type=LocationType.STORE, coordinates=Coordinates(40.7, -74.0))
COURIER = DeliveryCapacity(
    window_minutes=120, deliveries_per_window=8, first_window_starts_at="10:00", last_window_ends_at="20:00"
)
START = datetime(2026, 6, 1, 14, tzinfo=UTC)


def store() -> locations.Location:
    found: locations.Location | None = given(locations.evolve, None, locations.decide(None, STORE, NOW))
    assert found is not None
    return found


def test_capacity_and_time_zone_are_settings_of_the_location() -> None:
    events = locations.decide(
        store(), UpdateLocation(code="ST1", delivery_capacity=COURIER, time_zone="America/New_York"), NOW
    )
    assert events == [LocationUpdated(code="ST1", delivery_capacity=COURIER, time_zone="America/New_York")]
    start: locations.Location | None = store()
    after = given(locations.evolve, start, events)
    assert after is not None and after.delivery_capacity == COURIER and after.time_zone == "America/New_York"
    # Restating them records nothing; None takes the capacity away.
    assert locations.decide(after, UpdateLocation(code="ST1", delivery_capacity=COURIER), NOW) == []
    cleared = locations.decide(after, UpdateLocation(code="ST1", delivery_capacity=None), NOW)
    assert cleared == [LocationUpdated(code="ST1", delivery_capacity=None)]


def test_an_invalid_capacity_names_every_field_at_fault() -> None:
    bad = DeliveryCapacity(
        window_minutes=721, deliveries_per_window=-2, first_window_starts_at="25:00", last_window_ends_at="10:00"
    )
    with pytest.raises(Refusals) as refused:
        locations.decide(store(), UpdateLocation(code="ST1", delivery_capacity=bad), NOW)
    assert {r.field for r in refused.value.reasons} == {
        ("windowMinutes",),
        ("deliveriesPerWindow",),
        ("firstWindowStartsAt",),
    }


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        locations.decide(store(), UpdateLocation(code="ST1", time_zone="Mars/Olympus"), NOW)
    assert refused.value.field == ("timeZone",)


def reserve(order_id: str, capacity: int = 2) -> ReserveSlot:
    return ReserveSlot(
        location_code="ST1", start=START, end=START + timedelta(hours=2), order_id=order_id, capacity=capacity
    )


def test_slots_are_taken_until_the_window_is_full_and_given_back() -> None:
    events = decide_slots(EMPTY_SLOTS, reserve("o1"), NOW)
    assert events == [
        SlotReserved(location_code="ST1", start=START, end=START + timedelta(hours=2), order_id="o1", capacity=2)
    ]
    state = given(
        evolve_slots,
        EMPTY_SLOTS,
        [*events, *decide_slots(given(evolve_slots, EMPTY_SLOTS, events), reserve("o2"), NOW)],
    )
    assert state.taken == 2
    assert decide_slots(state, reserve("o1"), NOW) == []  # the order holds one already
    with pytest.raises(WindowUnavailable) as full:
        decide_slots(state, reserve("o3"), NOW)
    assert (full.value.code, full.value.field) == ("WINDOW_UNAVAILABLE", ("deliveryWindow",))
    released = decide_slots(state, ReleaseSlot(location_code="ST1", start=START, order_id="o1"), NOW)
    assert released == [SlotReleased(location_code="ST1", start=START, order_id="o1", reason="")]
    freed = given(evolve_slots, state, released)
    assert freed.holders == ("o2",)
    assert decide_slots(freed, ReleaseSlot(location_code="ST1", start=START, order_id="o1"), NOW) == []
    assert decide_slots(freed, reserve("o3"), NOW)


def test_a_lowered_capacity_keeps_the_slots_taken_and_takes_no_more() -> None:
    state = given(evolve_slots, EMPTY_SLOTS, [*decide_slots(EMPTY_SLOTS, reserve("o1", 1), NOW)])
    with pytest.raises(WindowUnavailable):
        decide_slots(state, reserve("o2", 0), NOW)
    assert state.holders == ("o1",)


def test_a_slot_stream_is_named_by_location_and_utc_start() -> None:
    assert slot_stream("ST1", START) == "slots-ST1-2026-06-01T14:00Z"
