from __future__ import annotations

import msgspec
import pytest

from app.domain.errors import DomainError, InvalidInput
from app.domain.order_events import SourcingDecided
from app.domain.streams import order_stream
from app.domain.values import LocationType
from app.handlers import DefineSourcingProfile, Handlers, LogProfiles, SourceOrder
from app.handlers.profiles import BUILTIN, parse_profile, rules_of
from app.sourcing import EligibilityRule, SourcingProfile, default_profile
from eventstore import EventCodec, EventStore

from .support import CHICAGO, NEWARK, location, place, receive

DC_ONLY = msgspec.structs.replace(
    default_profile(),
    eligibility=(EligibilityRule(location_types=frozenset({LocationType.DISTRIBUTION_CENTER})),),
    excluded_locations=frozenset({"NWK"}),
)


async def decision(store: EventStore, codec: EventCodec, order_id: str) -> SourcingDecided:
    found = [codec.decode(r) for r in await store.read_stream(order_stream(order_id))]
    decided = [e for e in found if isinstance(e, SourcingDecided)]
    assert len(decided) == 1
    return decided[0]


async def test_sourcing_applies_the_defined_profile_and_records_its_version(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "NWK", NEWARK)
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "NWK", "TEE", 5)
    await receive(handlers, "CHI", "TEE", 5)

    await handlers.handle(place("before", ("TEE", 1)))
    await handlers.handle(SourceOrder(order_id="before"))
    first = await decision(store, codec, "before")
    assert first.profile_version == BUILTIN.version == 0
    assert [s.location_code for s in first.shipments] == ["NWK"]  # nearest to Manhattan

    outcome = await handlers.handle(DefineSourcingProfile(rules=rules_of(DC_ONLY), reason="keep Newark for walk-ins"))
    assert outcome.value == 1
    await handlers.handle(place("after", ("TEE", 1)))
    await handlers.handle(SourceOrder(order_id="after"))
    second = await decision(store, codec, "after")
    assert second.profile_version == 1
    assert [s.location_code for s in second.shipments] == ["CHI"]
    assert any(c.location_code == "NWK" and not c.selected for c in second.candidates)


async def test_a_profile_round_trips_through_the_log(handlers: Handlers, store: EventStore, codec: EventCodec) -> None:
    await location(handlers, "NWK", NEWARK)
    await handlers.handle(DefineSourcingProfile(rules=rules_of(DC_ONLY)))
    again = await handlers.handle(DefineSourcingProfile(rules=rules_of(DC_ONLY)))
    assert again.position is None and again.value == 1  # same rules: no new version
    await handlers.handle(DefineSourcingProfile(rules=rules_of(msgspec.structs.replace(DC_ONLY, max_shipments=1))))
    active = await LogProfiles(store, codec).active()
    assert active == msgspec.structs.replace(DC_ONLY, max_shipments=1, version=2)


async def test_a_new_version_applies_at_once_in_every_process(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "NWK", NEWARK)
    elsewhere = LogProfiles(store, codec)  # another process's view: nobody tells it of the definition
    assert await elsewhere.active() == BUILTIN
    await handlers.handle(DefineSourcingProfile(rules=rules_of(DC_ONLY)))
    assert (await elsewhere.active()).version == 1
    assert await elsewhere.active() is await elsewhere.active()  # loaded again only when the version moved


async def test_unsound_rules_are_refused_each_at_its_field(handlers: Handlers, store: EventStore) -> None:
    await location(handlers, "NWK", NEWARK)
    rules = {
        **rules_of(default_profile()),
        "eligibility": [{"location_types": []}],
        "excluded_locations": ["NWK", "NOWHERE"],
        "max_distance_km": {"STANDARD": -5.0},
        "max_shipments": 0,
    }
    with pytest.raises(DomainError) as refused:
        await handlers.handle(DefineSourcingProfile(rules=rules))
    assert {(r.code, r.field) for r in refused.value.reasons} == {
        ("INVALID_INPUT", ("eligibility",)),
        ("UNKNOWN_LOCATION", ("excludedLocations", "1")),
        ("INVALID_INPUT", ("maxDistanceKm", "0", "value")),
        ("INVALID_INPUT", ("maxShipments",)),
    }
    assert await store.stream_version("profile-default") == 0


async def test_a_draft_may_hold_only_what_it_changes() -> None:
    draft = parse_profile(b'{"max_shipments": 1, "excluded_locations": ["NWK"]}')
    assert isinstance(draft, SourcingProfile)
    assert draft.max_shipments == 1 and draft.excluded_locations == frozenset({"NWK"})
    assert draft.eligibility == default_profile().eligibility
    with pytest.raises(InvalidInput):
        parse_profile(b'{"max_shipments": "many"}')
    with pytest.raises(InvalidInput):
        parse_profile(b"[1, 2]")
