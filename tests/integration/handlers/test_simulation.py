from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from app.domain.values import LocationType
from app.handlers import Handlers, SourceOrder
from app.handlers.simulation import TooManyOrders, simulate_sourcing
from app.sourcing import EligibilityRule, default_profile
from app.sourcing.simulation import SimulationReport
from eventstore import EventCodec, EventStore

from .conftest import FixedClock
from .support import CHICAGO, NEWARK, location, place, receive

DAY_FROM = datetime(2026, 11, 2, tzinfo=UTC)  # the FixedClock starts at 09:00 that day
DAY_TO = datetime(2026, 11, 3, tzinfo=UTC)


async def history(handlers: Handlers, clock: FixedClock) -> None:
    """Newark (near the customers) has one unit, Chicago five. o1 takes Newark's; o2 must go to Chicago.
    Newark is restocked afterwards, and o3 is placed the next day (outside the period)."""
    await location(handlers, "NWK", NEWARK)
    await location(handlers, "CHI", CHICAGO)
    await receive(handlers, "NWK", "TEE", 1)
    await receive(handlers, "CHI", "TEE", 5)
    for order_id in ("o1", "o2"):
        await handlers.handle(place(order_id, ("TEE", 1)))
        await handlers.handle(SourceOrder(order_id=order_id))
        clock.advance(minutes=1)
    await receive(handlers, "NWK", "TEE", 50)
    clock.advance(days=1)
    await handlers.handle(place("o3", ("TEE", 1)))
    await handlers.handle(SourceOrder(order_id="o3"))


async def test_the_live_rules_replayed_on_the_stock_of_the_time_decide_as_live_did(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await history(handlers, clock)
    same = msgspec.structs.replace(default_profile(), version=1)
    report = await simulate_sourcing(store, codec, same, period_from=DAY_FROM, period_to=DAY_TO)
    assert report.live.orders == report.draft.orders == 2  # o3 is outside the period
    # o2 met an empty Newark, then and in the replay (today's restocked Newark would have changed it).
    assert report.changed == ()
    assert report.draft == report.live
    assert report.live_versions == (0,)


async def test_a_draft_excluding_the_nearest_site_costs_more_and_ships_further(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await history(handlers, clock)
    draft = msgspec.structs.replace(
        default_profile(),
        version=2,
        eligibility=(EligibilityRule(location_types=frozenset({LocationType.DISTRIBUTION_CENTER})),),
        excluded_locations=frozenset({"NWK"}),
    )
    report = await simulate_sourcing(store, codec, draft, period_from=DAY_FROM, period_to=DAY_TO)
    assert [c.order_id for c in report.changed] == ["o1"]
    assert report.draft.total_cost > report.live.total_cost
    assert report.draft.avg_distance_km is not None and report.live.avg_distance_km is not None
    assert report.draft.avg_distance_km > report.live.avg_distance_km
    assert report.draft.avg_promised_days is not None and report.live.avg_promised_days is not None
    assert report.draft.avg_promised_days >= report.live.avg_promised_days
    assert report.draft.backordered_units == report.live.backordered_units == 0


async def test_a_period_with_more_orders_than_allowed_is_refused_before_any_is_sourced(
    handlers: Handlers, store: EventStore, codec: EventCodec, clock: FixedClock
) -> None:
    await history(handlers, clock)
    draft = msgspec.structs.replace(default_profile(), version=2)
    with pytest.raises(TooManyOrders) as refused:
        await simulate_sourcing(store, codec, draft, period_from=DAY_FROM, period_to=DAY_TO, max_orders=1)
    assert (refused.value.code, refused.value.field) == ("TOO_MANY_ORDERS", ("to",))
    report = await simulate_sourcing(store, codec, draft, period_from=DAY_FROM, period_to=DAY_TO, max_orders=2)
    assert report.live.orders == 2


async def test_meridian_simulate_prints_the_report_as_json(
    handlers: Handlers, clock: FixedClock, database_url: str, tmp_path: Path
) -> None:
    await history(handlers, clock)
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps({"excluded_locations": ["NWK"]}))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.cli", "simulate", "--from", "2026-11-02", "--to", "2026-11-03",
        "--profile", str(draft),
        env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    report = msgspec.json.decode(stdout, type=SimulationReport)
    assert report.draft_version == 1  # the version it would become: none is defined yet
    assert [c.order_id for c in report.changed] == ["o1"]
