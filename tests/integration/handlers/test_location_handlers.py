"""Location settings through the handlers on PostgreSQL: an update is stored and folded back, and sourcing
never ships from a location that lost its SHIP capability (its candidate says why)."""

from __future__ import annotations

import pytest

from app.domain.aggregates import LOCATION
from app.domain.errors import DomainError
from app.domain.locations import Capabilities, LocationUpdated, UpdateLocation
from app.domain.order_events import SourcingDecided
from app.domain.streams import location_stream
from app.handlers import Handlers, SourceOrder
from eventstore import EventCodec, EventStore, load_state

from .support import CHICAGO, NEWARK, location, place, receive
from .test_order_handlers import order_state

PICKUP_ONLY = Capabilities(ship=False, pickup=True, returns=False)


async def test_an_update_is_stored_and_restating_it_appends_nothing(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "NWK", NEWARK)
    update = UpdateLocation(code="NWK", capabilities=PICKUP_ONLY, pick_sla_minutes=45, pickup_hold_days=2)
    outcome = await handlers.handle(update)
    assert outcome.events == [
        LocationUpdated(code="NWK", capabilities=PICKUP_ONLY, pick_sla_minutes=45, pickup_hold_days=2)
    ]
    state, version = await load_state(store, codec, LOCATION, location_stream("NWK"))
    assert state is not None and version == 2
    assert (state.capabilities, state.pick_sla_minutes, state.pickup_hold_days) == (PICKUP_ONLY, 45, 2)
    again = await handlers.handle(update)
    assert again.position is None and again.events == []


async def test_a_refused_update_appends_nothing(handlers: Handlers, store: EventStore, codec: EventCodec) -> None:
    await location(handlers, "NWK", NEWARK)
    with pytest.raises(DomainError) as refused:
        await handlers.handle(UpdateLocation(code="NWK", pickup_hold_days=0))
    assert refused.value.field == ("pickupHoldDays",)
    _, version = await load_state(store, codec, LOCATION, location_stream("NWK"))
    assert version == 1


async def test_a_location_without_ship_is_never_chosen_to_ship_and_the_decision_says_why(
    handlers: Handlers, store: EventStore, codec: EventCodec
) -> None:
    await location(handlers, "NWK", NEWARK)  # nearest to the customer, and well stocked
    await location(handlers, "CHI", CHICAGO)
    await handlers.handle(UpdateLocation(code="NWK", capabilities=PICKUP_ONLY))
    await receive(handlers, "NWK", "TEE", 50)
    await receive(handlers, "CHI", "TEE", 5)
    await handlers.handle(place("o1", ("TEE", 2)))
    outcome = await handlers.handle(SourceOrder(order_id="o1"))
    decision = next(e for e in outcome.events if isinstance(e, SourcingDecided))
    reasons = {c.location_code: c.reason for c in decision.candidates}
    assert reasons["NWK"] is not None and "cannot ship" in reasons["NWK"]
    order = await order_state(store, codec, "o1")
    assert [s.location_code for s in order.shipments] == ["CHI"]
