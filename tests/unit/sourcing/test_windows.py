"""Delivery windows: local days across time zones and DST, cut-offs, capacity, and the scheduled day windows."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.delivery import ChosenWindow, DeliveryCapacity, capacity_problems
from app.domain.values import Coordinates, LocationType, ServiceLevel
from app.sourcing import Explanation, PreparedNetwork, ShipmentPlan, SourcingPlan, default_profile
from app.sourcing.windows import (
    DeliverySite,
    Window,
    capacity_offers,
    day_window,
    delivery_windows,
    keep_window,
    merged,
    scheduled_offers,
    windows_of_day,
    zone_at,
)

from .conftest import NEAR, SHIP_TO, loc

NEW_YORK = ZoneInfo("America/New_York")
COURIER = DeliveryCapacity(
    window_minutes=120, deliveries_per_window=8, first_window_starts_at="10:00", last_window_ends_at="20:00"
)
NIGHT = DeliveryCapacity(
    window_minutes=60, deliveries_per_window=2, first_window_starts_at="00:00", last_window_ends_at="04:00"
)


def at(zone: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def test_a_zone_comes_from_coordinates_unless_set() -> None:
    assert zone_at(Coordinates(41.88, -87.63)).key == "America/Chicago"
    assert zone_at(Coordinates(51.5, -0.12)).key == "Europe/London"
    assert zone_at(Coordinates(-33.87, 151.21)).key == "Australia/Sydney"
    assert zone_at(Coordinates(41.88, -87.63), "America/New_York").key == "America/New_York"


def test_windows_of_an_ordinary_day_are_local_wall_times() -> None:
    windows = windows_of_day(COURIER, date(2026, 6, 1), NEW_YORK)
    assert [w.start for w in windows] == [at(NEW_YORK, 2026, 6, 1, h) for h in (10, 12, 14, 16, 18)]
    assert all(w.end - w.start == timedelta(hours=2) for w in windows)
    # The same setting in Sydney: the same wall times, other instants.
    sydney = windows_of_day(COURIER, date(2026, 6, 1), ZoneInfo("Australia/Sydney"))
    assert sydney[0].start == datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # 10:00 AEST is midnight UTC


def test_a_spring_forward_day_has_no_windows_in_the_skipped_hour() -> None:
    # 2026-03-08 in New York: 02:00 jumps to 03:00.
    windows = windows_of_day(NIGHT, date(2026, 3, 8), NEW_YORK)
    assert windows == (
        Window(at(NEW_YORK, 2026, 3, 8, 0), at(NEW_YORK, 2026, 3, 8, 1)),
        # 01:00-02:00 ends at a wall time that does not exist; 02:00-03:00 starts at one.
        Window(at(NEW_YORK, 2026, 3, 8, 3), at(NEW_YORK, 2026, 3, 8, 4)),
    )
    assert all(w.end - w.start == timedelta(hours=1) for w in windows)


def test_a_fall_back_day_tiles_without_overlap() -> None:
    # 2026-11-01 in New York: 02:00 EDT falls back to 01:00 EST; 01:00-02:00 happens twice.
    windows = windows_of_day(NIGHT, date(2026, 11, 1), NEW_YORK)
    assert len(windows) == 4
    assert all(a.end == b.start for a, b in itertools.pairwise(windows))
    assert windows[1] == Window(datetime(2026, 11, 1, 5, tzinfo=UTC), datetime(2026, 11, 1, 7, tzinfo=UTC))
    assert windows[0].start == datetime(2026, 11, 1, 4, tzinfo=UTC)
    assert windows[-1].end == datetime(2026, 11, 1, 9, tzinfo=UTC)  # 04:00 EST


def test_a_whole_day_is_23_or_25_hours_when_the_clocks_change() -> None:
    spring, autumn = day_window(date(2026, 3, 8), NEW_YORK), day_window(date(2026, 11, 1), NEW_YORK)
    assert spring.end - spring.start == timedelta(hours=23)
    assert autumn.end - autumn.start == timedelta(hours=25)


def test_capacity_settings_are_checked_at_their_fields() -> None:
    bad = DeliveryCapacity(
        window_minutes=10, deliveries_per_window=-1, first_window_starts_at="9:00", last_window_ends_at="24:00"
    )
    assert {p.field for p in capacity_problems(bad)} == {
        ("windowMinutes",),
        ("deliveriesPerWindow",),
        ("firstWindowStartsAt",),
        ("lastWindowEndsAt",),
    }
    backwards = DeliveryCapacity(
        window_minutes=60, deliveries_per_window=1, first_window_starts_at="18:00", last_window_ends_at="10:00"
    )
    assert [p.field for p in capacity_problems(backwards)] == [("lastWindowEndsAt",)]
    assert capacity_problems(COURIER) == []


STORE = loc("STORE1", NEAR, type=LocationType.STORE)
PREPARED = PreparedNetwork([STORE], default_profile())
SITE = DeliverySite(code="STORE1", capacity=COURIER, zone=NEW_YORK)
STOCKED = {("STORE1", "a"): 5}
DAY = Window(at(NEW_YORK, 2026, 6, 1, 0), at(NEW_YORK, 2026, 6, 2, 0))


def courier(now: datetime, *, stock: dict[tuple[str, str], int] = STOCKED, taken=None) -> list:  # type: ignore[no-untyped-def, type-arg]
    return capacity_offers(PREPARED, [SITE], {"a": 1}, SHIP_TO, stock, now, DAY, taken or {})


def test_a_window_whose_cut_off_passed_is_not_offered() -> None:
    # 11:30 local: the 10:00 window has begun, the 12:00 one needs an hour's lead (11:00), the 14:00 is fine.
    offers = courier(at(NEW_YORK, 2026, 6, 1, 11, 30))
    assert [o.start for o in offers] == [at(NEW_YORK, 2026, 6, 1, h) for h in (14, 16, 18)]
    assert offers[0].release_at == at(NEW_YORK, 2026, 6, 1, 13)
    assert all(o.available and o.remaining == 8 and o.service_level is ServiceLevel.SAME_DAY for o in offers)


def test_after_the_locations_cut_off_no_window_of_today_is_offered() -> None:
    # The store's cut-off (14:00) is read on its own clock: at 14:30 New York time, nothing leaves today.
    assert courier(at(NEW_YORK, 2026, 6, 1, 14, 30)) == []
    # 13:30 New York is 17:30 UTC, past 14:00 UTC: had the cut-off been read in UTC, this would be empty too.
    assert next(o.start for o in courier(at(NEW_YORK, 2026, 6, 1, 13, 30))) == at(NEW_YORK, 2026, 6, 1, 16)


def test_exhausted_capacity_and_missing_stock_make_a_window_unavailable() -> None:
    now = at(NEW_YORK, 2026, 6, 1, 8)
    full = courier(now, taken={("STORE1", at(NEW_YORK, 2026, 6, 1, 10)): 8})
    assert (full[0].available, full[0].remaining) == (False, 0)
    assert all(o.available for o in full[1:])
    assert not any(o.available for o in courier(now, stock={}))


def test_a_courier_only_delivers_locally() -> None:
    far = Coordinates(latitude=42.0, longitude=-80.0)
    assert capacity_offers(PREPARED, [SITE], {"a": 1}, far, STOCKED, at(NEW_YORK, 2026, 6, 1, 8), DAY, {}) == []


def test_scheduled_day_windows_start_at_the_promise_and_release_later_picks() -> None:
    dc = loc("DC1", Coordinates(latitude=41.0, longitude=-77.0))
    prepared = PreparedNetwork([dc], default_profile())
    now = at(NEW_YORK, 2026, 6, 1, 8)
    week = Window(now, now + timedelta(days=7))
    offers = scheduled_offers(prepared, {"a": 1}, SHIP_TO, {("DC1", "a"): 3}, now, week)
    days = [o.start.astimezone(NEW_YORK).date() for o in offers]
    assert days[0] == date(2026, 6, 2)  # ground from ~200 km: tomorrow
    assert days == [date(2026, 6, 2) + timedelta(days=i) for i in range(len(days))]
    assert all(o.remaining is None and o.available for o in offers)
    assert offers[0].release_at is None and offers[2].release_at == now + timedelta(days=2)
    assert offers[0].service_level is ServiceLevel.STANDARD


def test_sites_delivering_the_same_window_add_up_their_slots() -> None:
    other = DeliverySite(code="STORE2", capacity=COURIER, zone=NEW_YORK)
    prepared = PreparedNetwork([STORE, loc("STORE2", NEAR, type=LocationType.STORE)], default_profile())
    now = at(NEW_YORK, 2026, 6, 1, 8)
    stock = {("STORE1", "a"): 5, ("STORE2", "a"): 5}
    offers = delivery_windows(prepared, [SITE, other], {"a": 1}, SHIP_TO, stock, now, DAY, {})
    courier_windows = [o for o in offers if o.service_level is ServiceLevel.SAME_DAY and o.remaining is not None]
    assert len(courier_windows) == 5 and all(o.remaining == 16 for o in courier_windows)
    assert merged(courier_windows) == courier_windows


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Pacific/Auckland"])
def test_every_window_lies_on_its_local_day(zone: str) -> None:
    tz = ZoneInfo(zone)
    for day in (date(2026, 3, 8), date(2026, 3, 29), date(2026, 4, 5), date(2026, 9, 27), date(2026, 11, 1)):
        for window in windows_of_day(COURIER, day, tz):
            assert window.start.astimezone(tz).date() == day
            assert window.end - window.start == timedelta(hours=2)


def test_sourcing_keeps_the_window_a_late_shipment_waits_instead() -> None:
    now = at(NEW_YORK, 2026, 6, 1, 8)
    saturday = day_window(date(2026, 6, 6), NEW_YORK)

    def shipment(code: str, promise: datetime) -> ShipmentPlan:
        return ShipmentPlan(
            location_code=code, lines={code: 1}, carrier_service="GROUND", cost=5.0, promised_delivery=promise,
            distance_km=100.0,
        )  # fmt: skip

    why = Explanation(
        candidates=(),
        objective_value=10.0,
        algorithm="greedy",
        time_budget_exceeded=False,
        lower_bound=None,
        gap=None,
        profile_version=1,
        candidates_considered=2,
    )
    plan = SourcingPlan(
        order_id="o1",
        shipments=(shipment("near", now + timedelta(days=1)), shipment("far", now + timedelta(days=4))),
        backordered={},
        total_cost=10.0,
        explanation=why,
    )
    assert keep_window(plan, None, now) is plan
    # Released three days from now: the near parcel arrives on Friday, in time; the far one on Monday, too late.
    window = ChosenWindow(
        start=saturday.start, end=saturday.end, service_level=ServiceLevel.STANDARD, release_at=now + timedelta(days=3)
    )
    kept = keep_window(plan, window, now)
    assert [s.location_code for s in kept.shipments] == ["near"]
    assert kept.backordered == {"far": 1} and kept.total_cost == 5.0
    # Picked at once (the release has passed), both arrive by Saturday.
    assert keep_window(plan, window, now + timedelta(days=3)).shipments == plan.shipments
