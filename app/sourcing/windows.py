"""Delivery windows: which windows a cart can be promised for, worked out on the promise model of `transit`
(cut-offs, processing days, transit) and `quotes` — not a second one.

Two kinds of window:

- **Capacity windows** of a location with a `DeliveryCapacity` (a store's same-day courier): windows of
  `window_minutes` in the location's local day, each taking a number of deliveries. The location delivers the
  whole cart itself by courier, so it must hold every line and be within the courier's reach. A window is
  offered when the location can still make it: its departure day (`transit.ship_date`, the cut-off read in
  the location's own time zone) is not after the window's day, and the window opens at least the pick lead
  after now (its cut-off). `release_at` is that latest pick start: the window's start minus the lead.
- **Scheduled windows** of the service levels without capacity limits: one day-long window per day of the
  horizon (local to the address), from the day a level's quote promises onwards, at the cheapest level that
  arrives by then. Picked `k` days later than now, the same plan arrives `k` days later, so a window `k` days
  after the earliest promise releases its shipments `k` days from now.

Local days come from the zoneinfo database. A window is a pair of wall-clock times on a day: one that starts
or ends in the hour skipped by a spring-forward change does not exist that day; on a fall-back day a wall time
that occurs twice is read at its first occurrence, so the day's windows still tile it without overlap (the
window that ends as the repeated hour ends is an hour longer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import msgspec
import tzfpy

from app.domain.delivery import ChosenWindow, DeliveryCapacity, minutes_of
from app.domain.values import Coordinates, ServiceLevel
from app.sourcing.lanes import Pricing, exclusion, priced
from app.sourcing.model import Availability, CandidateLocation, SourcingPlan, SourcingRequest
from app.sourcing.quotes import PreparedNetwork
from app.sourcing.transit import CarrierService, ship_date

UTC = ZoneInfo("UTC")
DEFAULT_PICK_LEAD = timedelta(minutes=60)  # pick, pack and drive before a courier window opens
DEFAULT_HORIZON = timedelta(days=7)


@lru_cache(maxsize=4096)
def _zone_name(latitude: float, longitude: float) -> str:
    return tzfpy.get_tz(longitude, latitude) or "UTC"  # open sea has no zone of its own: UTC


def zone_at(coordinates: Coordinates, explicit: str | None = None) -> ZoneInfo:
    """The time zone a place keeps: the one set explicitly, or the one its coordinates lie in."""
    if explicit:
        return ZoneInfo(explicit)
    return ZoneInfo(_zone_name(round(coordinates.latitude, 4), round(coordinates.longitude, 4)))


class Window(msgspec.Struct, frozen=True, order=True):
    start: datetime  # UTC
    end: datetime


def _instant(day: date, minutes: int, zone: ZoneInfo) -> datetime | None:
    """The instant a local wall time of `day` names (its first occurrence), or None when the clock skipped it."""
    wall = datetime.combine(day, time(), tzinfo=zone) + timedelta(minutes=minutes)  # wall-clock arithmetic
    instant = wall.replace(fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
        return None  # in a spring-forward gap: this wall time does not exist today
    return instant


@lru_cache(maxsize=16384)
def windows_of_day(capacity: DeliveryCapacity, day: date, zone: ZoneInfo) -> tuple[Window, ...]:
    """The location's windows on its local `day`, as UTC instants, in order (the same for every cart: kept)."""
    first, last, step = (
        minutes_of(capacity.first_window_starts_at),
        minutes_of(capacity.last_window_ends_at),
        capacity.window_minutes,
    )
    found: list[Window] = []
    for begin in range(first, last - step + 1, step):
        start, end = _instant(day, begin, zone), _instant(day, begin + step, zone)
        if start is not None and end is not None and end > start:
            found.append(Window(start, end))
    return tuple(found)


def day_window(day: date, zone: ZoneInfo) -> Window:
    """A whole local day (23 or 25 hours long on the days the clocks change)."""
    start = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
    return Window(start, datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC))


class DeliverySite(msgspec.Struct, frozen=True, kw_only=True):
    """A location that delivers windows: its capacity, its zone, and how long before a window it must start."""

    code: str
    capacity: DeliveryCapacity
    zone: ZoneInfo
    pick_lead: timedelta = DEFAULT_PICK_LEAD


class WindowOffer(msgspec.Struct, frozen=True, kw_only=True):
    """One window a cart may be promised for. `location_code` delivers it (None: a scheduled window, sourced
    by the engine at its service level); `remaining` is None for unlimited windows."""

    start: datetime
    end: datetime
    service_level: ServiceLevel
    cost: float
    available: bool
    remaining: int | None
    location_code: str | None = None
    release_at: datetime | None = None  # the latest pick start that still arrives in the window


def capacity_offers(
    prepared: PreparedNetwork,
    sites: Sequence[DeliverySite],
    lines: Mapping[str, int],
    ship_to: Coordinates,
    availability: Availability,
    now: datetime,
    span: Window,
    taken: Mapping[tuple[str, datetime], int],
    *,
    channel: str = "web",
) -> list[WindowOffer]:
    """Every capacity window of every delivering site in `span` that the site could still make for the cart:
    `available` when it holds the cart and a slot is left (`taken`: slots used per (site, window start))."""
    profile = prepared.profile
    model = profile.transit
    by_code = {loc.code: loc for loc in prepared.network}
    level = ServiceLevel.SAME_DAY
    types = profile.eligible_types(channel, level)
    request = SourcingRequest(order_id="windows", lines=lines, ship_to=ship_to, service_level=level, placed_at=now)
    pricing = Pricing(request, profile)
    max_km = profile.max_distance_km.get(level)
    offers: list[WindowOffer] = []
    for site in sites:
        loc = by_code.get(site.code)
        if loc is None or site.capacity.deliveries_per_window < 1:
            continue
        km = loc.coordinates.distance_km(ship_to)
        reachable = model.transit_days(CarrierService.SAME_DAY_COURIER, km) is not None
        if not reachable or (max_km is not None and km > max_km) or exclusion(loc, profile, types, channel, level):
            continue
        holds = all(availability.get((loc.code, sku), 0) >= qty for sku, qty in lines.items())
        offers += _site_offers(site, loc, prepared, pricing, lines, km, holds, now, span, taken)
    return offers


def _site_offers(
    site: DeliverySite,
    loc: CandidateLocation,
    prepared: PreparedNetwork,
    pricing: Pricing,
    lines: Mapping[str, int],
    km: float,
    holds: bool,
    now: datetime,
    span: Window,
    taken: Mapping[tuple[str, datetime], int],
) -> list[WindowOffer]:
    local_now = now.astimezone(site.zone)
    # The cut-off is the location's own: read in its time zone, as its staff read the clock.
    leaves = ship_date(local_now, cutoff_hour=loc.cutoff_hour, processing_days=loc.processing_days).date()
    day, last_day = span.start.astimezone(site.zone).date(), span.end.astimezone(site.zone).date()
    # One courier trip costs the same in every window: priced once per site.
    lane = priced(
        loc, prepared.profile, distance_km=km, service=CarrierService.SAME_DAY_COURIER, promise=now, held=dict(lines)
    )
    cost = round(pricing.shipment_cost(lane, lines), 2)
    offers: list[WindowOffer] = []
    while day <= last_day:
        if day >= leaves:
            for window in windows_of_day(site.capacity, day, site.zone):
                release = window.start - site.pick_lead
                if not (span.start <= window.start < span.end) or release < now:
                    continue  # outside the span asked, or its cut-off has passed
                left = max(0, site.capacity.deliveries_per_window - taken.get((site.code, window.start), 0))
                offers.append(
                    WindowOffer(
                        start=window.start,
                        end=window.end,
                        service_level=ServiceLevel.SAME_DAY,
                        cost=cost,
                        available=holds and left > 0,
                        remaining=left,
                        location_code=site.code,
                        release_at=release,
                    )
                )
        day += timedelta(days=1)
    return offers


def scheduled_offers(
    prepared: PreparedNetwork,
    lines: Mapping[str, int],
    ship_to: Coordinates,
    availability: Availability,
    now: datetime,
    span: Window,
    *,
    channel: str = "web",
) -> list[WindowOffer]:
    """A day-long window per local day of the address in `span`, at the cheapest service level whose quote
    arrives by that day (available ones first); days no level reaches are not offered."""
    zone = zone_at(ship_to)
    quotes = [
        (q, q.promised_delivery.astimezone(zone).date())
        for q in prepared.quote(lines, ship_to, availability, now, channel=channel)
        if q.promised_delivery is not None
    ]
    offers: list[WindowOffer] = []
    day, last_day = span.start.astimezone(zone).date(), span.end.astimezone(zone).date()
    while day <= last_day:
        window = day_window(day, zone)
        reaching = [(q, arrives) for q, arrives in quotes if arrives <= day]
        if reaching and window.end > now and span.start <= window.start < span.end:
            quote, arrives = min(reaching, key=lambda qa: (not qa[0].available, qa[0].cost, qa[1]))
            wait = (day - arrives).days
            offers.append(
                WindowOffer(
                    start=window.start,
                    end=window.end,
                    service_level=quote.service_level,
                    cost=round(quote.cost, 2),
                    available=quote.available,
                    remaining=None,
                    release_at=now + timedelta(days=wait) if wait > 0 else None,
                )
            )
        day += timedelta(days=1)
    return offers


def merged(offers: Sequence[WindowOffer]) -> list[WindowOffer]:
    """One offer per (start, end, level): several sites delivering the same window add up their slots; the
    cheapest site that can make it stands for them. In order of start, then end."""
    groups: dict[tuple[datetime, datetime, ServiceLevel], list[WindowOffer]] = {}
    for offer in offers:
        groups.setdefault((offer.start, offer.end, offer.service_level), []).append(offer)
    result: list[WindowOffer] = []
    for key in sorted(groups, key=lambda k: (k[0], k[1], k[2].value)):
        group = groups[key]
        best = min(group, key=lambda o: (not o.available, o.cost, o.location_code or ""))
        if best.remaining is None:
            result.append(best)
            continue
        left = sum(o.remaining or 0 for o in group if o.available)
        result.append(msgspec.structs.replace(best, remaining=left if best.available else best.remaining))
    return result


def delivery_windows(
    prepared: PreparedNetwork,
    sites: Sequence[DeliverySite],
    lines: Mapping[str, int],
    ship_to: Coordinates,
    availability: Availability,
    now: datetime,
    span: Window,
    taken: Mapping[tuple[str, datetime], int],
    *,
    channel: str = "web",
) -> list[WindowOffer]:
    """The windows a cart can be promised for over `span`: capacity windows and scheduled day windows."""
    found = capacity_offers(prepared, sites, lines, ship_to, availability, now, span, taken, channel=channel)
    found += scheduled_offers(prepared, lines, ship_to, availability, now, span, channel=channel)
    return merged(found)


def offers_for(offers: Sequence[WindowOffer], start: datetime, end: datetime) -> list[WindowOffer]:
    """The unmerged offers of the window asked for, available ones only, cheapest first: the sites to try."""
    chosen = [o for o in offers if o.start == start and o.end == end and o.available]
    return sorted(chosen, key=lambda o: (o.cost, o.location_code or ""))


def keep_window(plan: SourcingPlan, window: ChosenWindow | None, now: datetime) -> SourcingPlan:
    """Sourcing keeps an order's delivery window as a hard constraint: a shipment that would arrive after the
    window ends (picked at the window's release, or now once that has passed) is not planned, and its units wait
    for supply (backordered) rather than arrive late. Plans of orders without a window pass unchanged."""
    if window is None:
        return plan
    wait = max(timedelta(), window.release_at - now) if window.release_at is not None else timedelta()
    kept = tuple(s for s in plan.shipments if s.promised_delivery + wait <= window.end)
    if len(kept) == len(plan.shipments):
        return plan
    waiting = dict(plan.backordered)
    for late in plan.shipments:
        if late not in kept:
            for sku, quantity in late.lines.items():
                waiting[sku] = waiting.get(sku, 0) + quantity
    cost = round(sum(s.cost for s in kept), 2)
    return msgspec.structs.replace(plan, shipments=kept, backordered=waiting, total_cost=cost)
