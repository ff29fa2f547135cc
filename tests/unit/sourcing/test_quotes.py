"""A prepared network quotes exactly what a quote from scratch (`evaluate` per level, then the greedy) gives."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.values import Coordinates, LocationType, ServiceLevel
from app.sourcing import (
    CandidateLocation,
    EligibilityRule,
    FulfillmentOption,
    PreparedNetwork,
    SourcingProfile,
    SourcingRequest,
    default_profile,
    heuristics,
)
from app.sourcing.lanes import Pricing, evaluate

from .conftest import FAR, NEAR, NOW, SHIP_TO, loc

SKUS = ("a", "b", "c", "d")
CODES = [f"L{i}" for i in range(9)]


def from_scratch(
    lines: Mapping[str, int],
    ship_to: Coordinates,
    network: Sequence[CandidateLocation],
    availability: Mapping[tuple[str, str], int],
    profile: SourcingProfile,
    now: datetime,
    channel: str,
) -> list[FulfillmentOption]:
    """The quote as the engine made it before networks were prepared: every level evaluated on its own."""
    options = []
    for level in ServiceLevel:
        request = SourcingRequest(
            order_id="quote", lines=lines, ship_to=ship_to, service_level=level, channel=channel, placed_at=now
        )
        lanes, _ = evaluate(request, network, availability, profile, now)
        pricing = Pricing(request, profile)
        allocation = heuristics.greedy(lanes, pricing, max_shipments=profile.max_shipments)
        by_code = {lane.code: lane for lane in lanes}
        promises = [by_code[code].promise for code in allocation]
        options.append(
            FulfillmentOption(
                service_level=level,
                promised_delivery=max(promises) if promises else None,
                cost=round(sum(pricing.shipment_cost(by_code[c], ln) for c, ln in allocation.items()), 2),
                shipments=len(allocation),
                available=sum(sum(ln.values()) for ln in allocation.values()) == sum(lines.values()),
            )
        )
    return options


@st.composite
def locations(draw: st.DrawFn) -> list[CandidateLocation]:
    return [
        CandidateLocation(
            code=f"L{i}",
            type=draw(st.sampled_from(list(LocationType))),
            coordinates=Coordinates(latitude=draw(st.floats(38.0, 42.0)), longitude=draw(st.floats(-90.0, -73.0))),
            active=draw(st.booleans() | st.just(True)),
            can_ship=draw(st.booleans() | st.just(True)),
            capacity_left_today=draw(st.none() | st.integers(0, 6)),
            handling_cost=draw(st.floats(0.0, 5.0)),
            processing_days=draw(st.integers(0, 2)),
            cutoff_hour=draw(st.integers(0, 23)),
        )
        for i in range(draw(st.integers(0, 9)))
    ]


@st.composite
def profiles(draw: st.DrawFn) -> SourcingProfile:
    codes = st.frozensets(st.sampled_from(CODES), max_size=3)
    types = st.frozensets(st.sampled_from(list(LocationType)), min_size=1)
    rules = draw(
        st.lists(
            st.builds(
                EligibilityRule,
                channel=st.none() | st.sampled_from(["web", "store"]),
                service_level=st.none() | st.sampled_from(list(ServiceLevel)),
                location_types=types,
            ),
            max_size=3,
        )
    )
    return msgspec.structs.replace(
        default_profile(),
        eligibility=(*rules, *default_profile().eligibility),
        max_distance_km=draw(st.dictionaries(st.sampled_from(list(ServiceLevel)), st.floats(50.0, 1500.0))),
        excluded_locations=draw(codes),
        preferred_locations=draw(codes),
        max_shipments=draw(st.none() | st.integers(1, 3)),
    )


@settings(max_examples=300, deadline=None)
@given(
    network=locations(),
    atp=st.dictionaries(st.tuples(st.sampled_from(CODES), st.sampled_from(SKUS)), st.integers(0, 6)),
    lines=st.dictionaries(st.sampled_from(SKUS), st.integers(1, 6), min_size=1),
    profile=profiles(),
    minutes=st.integers(0, 2 * 24 * 60),
    channel=st.sampled_from(["web", "store"]),
)
def test_prepared_quote_equals_the_quote_from_scratch(
    network: list[CandidateLocation],
    atp: dict[tuple[str, str], int],
    lines: dict[str, int],
    profile: SourcingProfile,
    minutes: int,
    channel: str,
) -> None:
    now = NOW + timedelta(minutes=minutes)  # before and after every cut-off hour
    prepared = PreparedNetwork(network, profile)
    expected = from_scratch(lines, SHIP_TO, network, atp, profile, now, channel)
    assert prepared.quote(lines, SHIP_TO, atp, now, channel=channel) == expected
    # Reused for a second cart, it still answers like a fresh one (nothing from the first cart lingers).
    other = {"a": 1}
    assert prepared.quote(other, SHIP_TO, atp, now, channel=channel) == from_scratch(
        other, SHIP_TO, network, atp, profile, now, channel
    )


def test_prepared_network_reflects_the_rules_per_channel() -> None:
    web_only_dcs = EligibilityRule(channel="web", location_types=frozenset({LocationType.DISTRIBUTION_CENTER}))
    profile = msgspec.structs.replace(default_profile(), eligibility=(web_only_dcs, *default_profile().eligibility))
    network = [loc("DC", FAR), loc("S", NEAR, type=LocationType.STORE)]
    prepared = PreparedNetwork(network, profile)
    assert prepared.admitted("web", ServiceLevel.STANDARD) == {"DC"}
    assert prepared.admitted("store", ServiceLevel.STANDARD) == {"DC", "S"}
    atp = {("DC", "a"): 1, ("S", "a"): 1}
    web, store = (prepared.quote({"a": 1}, SHIP_TO, atp, NOW, channel=c)[0] for c in ("web", "store"))
    # The store next door is cheaper (2.5 + 5.0 + 0.4 + 3.0 store penalty against 2.5 + 9.0 + 1.0 from the far DC),
    # but only the store channel may use it.
    assert (web.cost, store.cost) == (12.5, 10.9)
