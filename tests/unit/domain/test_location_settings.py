"""Locations' capabilities and store settings: create, update, validation, and events written before them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import msgspec
import pytest

from app.domain import ALL_EVENTS, locations
from app.domain.errors import DomainError
from app.domain.events import Event
from app.domain.locations import (
    Capabilities,
    CreateLocation,
    LocationCreated,
    LocationDeactivated,
    LocationReactivated,
    LocationUpdated,
    UpdateLocation,
)
from app.domain.values import Coordinates, LocationType
from eventstore import EventCodec, RecordedEvent
from tests.unit.domain.support import NOW, given

STORE = CreateLocation(code="ST1", name="Store 1", type=LocationType.STORE, coordinates=Coordinates(40.7, -74.0))


def after(state: locations.Location | None, events: Sequence[Event]) -> locations.Location:
    folded = given(locations.evolve, state, events)
    assert folded is not None
    return folded


def created(command: CreateLocation = STORE) -> locations.Location:
    return after(None, locations.decide(None, command, NOW))


@pytest.mark.parametrize(
    ("kind", "ship", "pickup", "returns"),
    [
        (LocationType.STORE, True, True, True),
        (LocationType.DISTRIBUTION_CENTER, True, False, True),
        (LocationType.THIRD_PARTY_LOGISTICS, True, False, True),
        (LocationType.DROP_SHIP_VENDOR, True, False, False),
        (LocationType.RETURNS_CENTER, False, False, True),
    ],
)
def test_a_location_created_without_settings_gets_its_types_capabilities_and_a_five_day_hold(
    kind: LocationType, ship: bool, pickup: bool, returns: bool
) -> None:
    state = created(msgspec.structs.replace(STORE, type=kind))
    assert state.capabilities == Capabilities(ship=ship, pickup=pickup, returns=returns)
    assert (state.pick_sla_minutes, state.pickup_hold_days) == (None, 5)


def test_a_location_is_created_with_the_capabilities_and_settings_it_is_given() -> None:
    command = msgspec.structs.replace(
        STORE, capabilities=Capabilities(ship=False, pickup=True), pick_sla_minutes=90, pickup_hold_days=3
    )
    [event] = locations.decide(None, command, NOW)
    assert isinstance(event, LocationCreated)
    state = created(command)
    assert state.capabilities == Capabilities(ship=False, pickup=True, returns=False)
    assert (state.pick_sla_minutes, state.pickup_hold_days) == (90, 3)


def test_a_location_created_before_store_settings_decodes_with_the_defaults() -> None:
    codec = EventCodec(ALL_EVENTS)
    old = {
        "code": "ST0",
        "name": "Old store",
        "type": "STORE",
        "coordinates": {"latitude": 40.7, "longitude": -74.0},
        "capabilities": {"ship": True, "pickup": True, "returns": True},
        "daily_capacity": None,
        "handling_cost": 0.0,
    }
    recorded = _recorded("LocationCreated", old)
    event = codec.decode(recorded)
    assert isinstance(event, LocationCreated)
    assert (event.pick_sla_minutes, event.pickup_hold_days) == (None, 5)
    state = after(None, [event])
    assert state.capabilities.ship and state.capabilities.pickup


def test_an_update_records_only_what_changed() -> None:
    state = created()
    update = UpdateLocation(code="ST1", name="Store 1", pick_sla_minutes=30, handling_cost=0.0, pickup_hold_days=7)
    [event] = locations.decide(state, update, NOW)
    assert event == LocationUpdated(code="ST1", pick_sla_minutes=30, pickup_hold_days=7)
    codec = EventCodec(ALL_EVENTS)
    stored = msgspec.json.decode(codec.encode(event).data)
    assert stored == {"code": "ST1", "pick_sla_minutes": 30, "pickup_hold_days": 7}
    updated = after(state, [event])
    assert (updated.name, updated.pick_sla_minutes, updated.pickup_hold_days) == ("Store 1", 30, 7)
    assert updated.capabilities == state.capabilities


def test_an_update_can_clear_a_setting_and_restating_one_is_no_event() -> None:
    state = created(msgspec.structs.replace(STORE, pick_sla_minutes=60, daily_capacity=10))
    cleared = after(
        state,
        locations.decide(state, UpdateLocation(code="ST1", pick_sla_minutes=None, daily_capacity=None), NOW),
    )
    assert (cleared.pick_sla_minutes, cleared.daily_capacity) == (None, None)
    assert locations.decide(cleared, UpdateLocation(code="ST1", pick_sla_minutes=None, name=" Store 1 "), NOW) == []


def test_an_update_of_capabilities_and_activity() -> None:
    state = created()
    update = UpdateLocation(code="ST1", capabilities=Capabilities(ship=False, pickup=True), active=False)
    events = locations.decide(state, update, NOW)
    assert events == [
        LocationUpdated(code="ST1", capabilities=Capabilities(ship=False, pickup=True)),
        LocationDeactivated(code="ST1", reason="updated"),
    ]
    closed = after(state, events)
    assert not closed.active and not closed.capabilities.ship
    assert locations.decide(closed, UpdateLocation(code="ST1", active=True), NOW) == [LocationReactivated(code="ST1")]
    assert locations.decide(closed, UpdateLocation(code="ST1", active=False), NOW) == []


@pytest.mark.parametrize(
    ("update", "field"),
    [
        (UpdateLocation(code="ST1", pick_sla_minutes=-5), "pickSlaMinutes"),
        (UpdateLocation(code="ST1", pick_sla_minutes=0), "pickSlaMinutes"),
        (UpdateLocation(code="ST1", pickup_hold_days=0), "pickupHoldDays"),
        (UpdateLocation(code="ST1", capabilities=Capabilities(ship=False)), "capabilities"),
        (UpdateLocation(code="ST1", daily_capacity=-1), "dailyCapacity"),
        (UpdateLocation(code="ST1", handling_cost=-0.5), "handlingCost"),
        (UpdateLocation(code="ST1", name="  "), "name"),
        (UpdateLocation(code="NOPE", name="x"), "code"),
    ],
)
def test_an_update_is_refused_with_the_field_at_fault(update: UpdateLocation, field: str) -> None:
    state = created() if update.code == "ST1" else None
    with pytest.raises(DomainError) as refused:
        locations.decide(state, update, NOW)
    assert refused.value.field == (field,)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"pick_sla_minutes": -1}, "pickSlaMinutes"),
        ({"pickup_hold_days": 0}, "pickupHoldDays"),
        ({"capabilities": Capabilities(ship=False)}, "capabilities"),
    ],
)
def test_a_creation_with_bad_settings_is_refused(settings: dict[str, object], field: str) -> None:
    with pytest.raises(DomainError) as refused:
        locations.decide(None, msgspec.structs.replace(STORE, **settings), NOW)
    assert refused.value.field == (field,)


def _recorded(event_type: str, data: Mapping[str, object]) -> RecordedEvent:
    """A stored event as the store hands it back, with the payload an older release wrote."""
    return RecordedEvent(
        global_position=1,
        transaction_id=1,
        stream_id="location-ST0",
        stream_version=1,
        event_id=uuid.uuid4(),
        event_type=event_type,
        schema_version=1,
        data=msgspec.json.encode(data).decode(),
        metadata="{}",
        recorded_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
