"""Click & collect promises: where near a shopper a cart can be collected, and by when (backs `pickupOptions`).

The promise is the shipping promise's own model (app/sourcing/transit.py), applied to a counter instead of a
doorstep:

- a store that holds every line itself has it ready once it has processed it: `ready_at` from now, with the
  store's cut-off and processing days, as if it were shipping it;
- otherwise the rest is brought in by a transfer from the nearest location that may ship (active, SHIP
  capability, admitted by the sourcing profile for the channel) and holds all of the rest: that location's
  departure and the cheapest carrier's transit to the store (`cheapest_service`, as a shipment would go), then
  the store's own processing from the transfer's arrival (`via_transfer`);
- when neither is possible the store is still listed, `available` False, after every available store, so a
  shopper sees "not available at this store" rather than the store vanishing. Its `ready_by` is then when it
  could have it ready from its own stock (the earliest any promise there could be), `via_transfer` False.

Only active stores with the PICKUP capability within the radius are listed; the available ones by readiness,
then distance (then code, so the order is total), the unavailable ones by distance.

`source_pickup` plans a placed PICKUP order on the same terms: the store's own stock first (`holding`), the rest
by transfer, each readied `ready_after` its arrival. Unlike the promise, which names one nearby source, the
order's transfers are chosen by the sourcing engine's costs (`source`, shipping to the store), so they honour
the profile, capabilities, capacity and the order's excluded locations like any shipment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import msgspec

from app.domain.values import Coordinates, ServiceLevel
from app.sourcing.engine import source
from app.sourcing.lanes import holding, services_by_price
from app.sourcing.model import (
    Availability,
    CandidateLocation,
    CandidateReport,
    Explanation,
    ShipmentPlan,
    SourcingPlan,
    SourcingProfile,
    SourcingRequest,
)
from app.sourcing.quotes import PreparedNetwork
from app.sourcing.transit import TransitModel, cheapest_service, ready_at

PICKUP_SERVICE = "PICKUP"  # the carrier service of a shipment the customer collects: no carrier, no cost


class PickupOption(msgspec.Struct, frozen=True, kw_only=True):
    """One store a cart could be collected at. `transfer_from` names the location the transfer would come from."""

    location_code: str
    distance_km: float
    ready_by: datetime
    available: bool
    via_transfer: bool
    transfer_from: str | None = None


def pickup_options(
    prepared: PreparedNetwork,
    lines: Mapping[str, int],
    near: Coordinates,
    availability: Availability,
    now: datetime,
    *,
    radius_km: float,
    first: int,
    channel: str = "web",
) -> list[PickupOption]:
    """At most `first` stores within `radius_km` of `near` where `lines` could be collected (module docstring)."""
    profile = prepared.profile
    skus = sorted(lines)
    shippers = set().union(*(prepared.admitted(channel, level) for level in ServiceLevel))
    # Every location that may send a transfer, with what it holds of the cart: read once, used for every store.
    # Nearest to the shopper first, with that distance: what lets `_nearest` stop early.
    sources = sorted(
        (loc.coordinates.distance_km(near), loc.code, loc, held)
        for loc in prepared.network
        if loc.code in shippers and (held := holding(loc, skus, lines, availability))
    )
    services = services_by_price(profile)
    able: dict[tuple[tuple[str, int], ...], list[tuple[float, CandidateLocation]]] = {}
    found: list[PickupOption] = []
    for store in prepared.network:
        if not (store.active and store.can_pickup):
            continue
        km = store.coordinates.distance_km(near)
        if km > radius_km:
            continue
        own = ready_after(profile.transit, store, now)
        held = holding(store, skus, lines, availability)
        rest = {sku: lines[sku] - held.get(sku, 0) for sku in skus if held.get(sku, 0) < lines[sku]}
        if not rest:
            found.append(PickupOption(location_code=store.code, distance_km=km, ready_by=own, available=True,
                                      via_transfer=False))  # fmt: skip
            continue
        key = tuple(rest.items())
        covering = able.get(key)
        if covering is None:  # most stores lack the same (often the whole cart): who covers it is worked out once
            covering = able[key] = [
                (from_near, loc) for from_near, _, loc, holds in sources if all(holds.get(s, 0) >= n for s, n in key)
            ]
        transfer = _nearest(store, km, covering)
        arrival = None
        if transfer is not None:
            source, to_store = transfer
            choice = cheapest_service(
                profile.transit,
                now,
                services=services,
                distance_km=to_store,
                cutoff_hour=source.cutoff_hour,
                processing_days=source.processing_days,
                max_days=None,
            )
            arrival = None if choice is None else choice[1]
        if transfer is None or arrival is None:
            found.append(PickupOption(location_code=store.code, distance_km=km, ready_by=own, available=False,
                                      via_transfer=False))  # fmt: skip
            continue
        ready = ready_after(profile.transit, store, arrival)
        found.append(PickupOption(location_code=store.code, distance_km=km, ready_by=ready, available=True,
                                  via_transfer=True, transfer_from=transfer[0].code))  # fmt: skip
    found.sort(key=_rank)
    return found[:first]


def _nearest(
    store: CandidateLocation, store_from_near: float, covering: list[tuple[float, CandidateLocation]]
) -> tuple[CandidateLocation, float] | None:
    """The location of `covering` nearest to `store` (ties by code), and its distance; None if there is none.
    One source only: a pickup waits for its last transfer, and one transfer is what the store receives and checks.

    `covering` is sorted by distance from the shopper: by the triangle inequality a source `d` from the shopper is
    at least `d - store_from_near` from the store, so the search stops once that passes the best found (exact,
    and it spares most distance computations over a large network)."""
    best: tuple[float, str, CandidateLocation] | None = None
    for from_near, loc in covering:
        if best is not None and from_near - store_from_near > best[0]:
            break
        if loc.code == store.code:
            continue
        km = loc.coordinates.distance_km(store.coordinates)
        if best is None or (km, loc.code) < best[:2]:
            best = (km, loc.code, loc)
    return None if best is None else (best[2], best[0])


def _rank(option: PickupOption) -> tuple[bool, datetime | None, float, str]:
    # Unavailable stores last, by distance only: their `ready_by` promises nothing.
    ready = option.ready_by if option.available else None
    return (not option.available, ready, option.distance_km, option.location_code)


def ready_after(transit: TransitModel, store: CandidateLocation, at: datetime) -> datetime:
    """When the store has what it holds at `at` ready at its counter: its cut-off and processing days."""
    return ready_at(transit, at, cutoff_hour=store.cutoff_hour, processing_days=store.processing_days)


def source_pickup(
    request: SourcingRequest,
    store: CandidateLocation,
    network: Sequence[CandidateLocation],
    availability: Availability,
    profile: SourcingProfile,
    now: datetime,
) -> SourcingPlan:
    """Plan a PICKUP order's `request.lines` for collection at `store`.

    The plan's shipment at `store` (carrier service PICKUP, no cost, promised when ready) is served from the
    store's own stock; every other shipment is a transfer to the store, chosen by the engine's costs as if the
    store were the customer, promised at its arrival (the pickup it feeds is ready `ready_after` that). The
    store itself never sends a transfer; its own stock is not used once this order excluded it (a decline or a
    missed pick SLA there); a store that no longer takes pickups gets nothing (all backordered, said why).
    """
    if not (store.active and store.can_pickup):
        return _nothing(request, profile, store.code, "the pickup store no longer hands over pickups")
    skus = sorted(request.lines)
    usable = store.code not in request.excluded_locations
    own = holding(store, skus, request.lines, availability) if usable else {}
    rest = {sku: request.lines[sku] - own.get(sku, 0) for sku in skus if own.get(sku, 0) < request.lines[sku]}
    shipments: list[ShipmentPlan] = []
    if own:
        ready = ready_after(profile.transit, store, now)
        shipments.append(
            ShipmentPlan(location_code=store.code, lines=own, carrier_service=PICKUP_SERVICE, cost=0.0,
                         promised_delivery=ready, distance_km=0.0)
        )  # fmt: skip
    if usable:
        reason = None if own else "the pickup store: holds none of the ordered SKUs"
    else:
        reason = "the pickup store: let this order's units go at a pick (declined or past its pick SLA)"
    mine = CandidateReport(location_code=store.code, selected=bool(own), reason=reason, cost=0.0 if own else None)
    if not rest:
        return _combined(request, profile, shipments, mine, None)
    # Transfers travel the cheapest way, as the promise assumed: the order's service level is the counter's.
    inbound = msgspec.structs.replace(
        request, lines=rest, ship_to=store.coordinates, service_level=ServiceLevel.STANDARD
    )
    sources = [loc for loc in network if loc.code != store.code]
    return _combined(request, profile, shipments, mine, source(inbound, sources, availability, profile, now))


def _combined(
    request: SourcingRequest,
    profile: SourcingProfile,
    own: list[ShipmentPlan],
    store: CandidateReport,
    transfers: SourcingPlan | None,
) -> SourcingPlan:
    if transfers is None:
        explanation = Explanation(
            candidates=(store,), objective_value=0.0, algorithm="pickup-own-stock", time_budget_exceeded=False,
            lower_bound=0.0, gap=0.0, profile_version=profile.version, candidates_considered=1,
        )  # fmt: skip
        return SourcingPlan(
            order_id=request.order_id, shipments=tuple(own), backordered={}, total_cost=0.0, explanation=explanation
        )
    why = transfers.explanation
    candidates = tuple(sorted((*why.candidates, store), key=lambda c: c.location_code))
    return SourcingPlan(
        order_id=request.order_id,
        shipments=(*own, *transfers.shipments),
        backordered=dict(transfers.backordered),
        total_cost=transfers.total_cost,
        explanation=msgspec.structs.replace(why, candidates=candidates),
    )


def _nothing(request: SourcingRequest, profile: SourcingProfile, code: str, reason: str) -> SourcingPlan:
    waiting = {sku: qty for sku, qty in sorted(request.lines.items()) if qty > 0}
    penalty = profile.cost.backorder_penalty_per_unit * sum(waiting.values())
    explanation = Explanation(
        candidates=(CandidateReport(location_code=code, selected=False, reason=reason),),
        objective_value=penalty, algorithm="pickup-own-stock", time_budget_exceeded=False, lower_bound=penalty,
        gap=0.0, profile_version=profile.version, candidates_considered=0,
    )  # fmt: skip
    return SourcingPlan(
        order_id=request.order_id, shipments=(), backordered=waiting, total_cost=0.0, explanation=explanation
    )
