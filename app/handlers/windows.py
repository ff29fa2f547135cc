"""Placing an order for a delivery window, and giving its slot back.

A window order is placed and sourced in one append, not placed now and sourced later by the dispatcher like
other orders: `WINDOW_UNAVAILABLE` must be answered to the customer who asked, and the slot, the stock and the
order must commit together or not at all. The handler works the windows out again on the truth (the stock
streams of the sites that could deliver, the window's slots streams), takes the cheapest site that can still
make the window, and records the order, its allocation, the stock reservations and the slot; the append
checks every one of those streams' versions, so two customers never get the same last slot or unit. The
dispatcher's later sourcing job finds nothing left to allocate and does nothing.

Windows of a site with capacity are delivered by that site alone (one courier shipment). Scheduled day
windows are sourced by the engine at the window's service level, here and now, and refused unless every
shipment, released when the window's release says, still arrives by the window's end.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import msgspec

from app.domain import order_commands as oc
from app.domain import orders
from app.domain.aggregates import ORDER, SLOTS, STOCK
from app.domain.delivery import ChosenWindow, ReleaseSlot, ReserveSlot, WindowUnavailable, decide_slots, slot_stream
from app.domain.errors import InvalidInput
from app.domain.locations import Location
from app.domain.order_events import CandidateOutcome, PlannedShipment, PlannedShipmentCost, SourcingDecided
from app.domain.order_state import Order, order_status
from app.domain.streams import order_stream, stock_stream
from app.domain.values import Line, OrderStatus
from app.sourcing import PreparedNetwork, SourcingProfile
from app.sourcing.transit import CarrierService
from app.sourcing.windows import (
    DEFAULT_PICK_LEAD,
    DeliverySite,
    Window,
    WindowOffer,
    capacity_offers,
    offers_for,
    scheduled_offers,
    zone_at,
)

from .commands import SourceOrder
from .network import NetworkView
from .sourcing import candidate, reserve_planned, source_order
from .unit_of_work import UnitOfWork

# Placements racing for one window retry until the window is full or theirs: each lost attempt means another
# order took a slot (or units), so the losses are bounded by the window's slots plus the stock's other writers.
WINDOW_ATTEMPTS = 64


def delivery_sites(locations: Sequence[Location]) -> list[DeliverySite]:
    """The active shipping locations that deliver windows, with their zones and pick leads."""
    return [
        DeliverySite(
            code=loc.code,
            capacity=loc.delivery_capacity,
            zone=zone_at(loc.coordinates, loc.time_zone),
            pick_lead=timedelta(minutes=loc.pick_sla_minutes) if loc.pick_sla_minutes else DEFAULT_PICK_LEAD,
        )
        for loc in locations
        if loc.active and loc.capabilities.ship and loc.delivery_capacity is not None
    ]


def _unavailable(start: datetime) -> WindowUnavailable:
    return WindowUnavailable(
        f"the delivery window from {start.isoformat()} is not available for this cart",
        field=("deliveryWindow",),
    )


async def place_for_window(
    uow: UnitOfWork, command: oc.PlaceOrder, network: NetworkView, profile: SourcingProfile
) -> Order | None:
    asked = command.delivery_window
    assert asked is not None, "routed here only with a window"
    stream = order_stream(command.order_id)
    existing = await uow.get_new(ORDER, stream)
    if existing is not None:  # a retried placement: answered as any placement is
        return uow.record(ORDER, stream, orders.decide(existing, command, uow.now))
    orders.decide(None, command, uow.now)  # the cart's own faults first, each at its line
    if command.ship_to is None:  # a pickup is collected when the store has it ready, not delivered in a window
        raise InvalidInput("a delivery window is for orders shipped to an address", field=("deliveryWindow",))
    lines = {line.sku: line.quantity for line in command.lines}
    ship_to = command.ship_to.coordinates
    locations = await network.locations()
    prepared = PreparedNetwork([candidate(loc) for loc in locations], profile)
    span = Window(asked.start, asked.end)
    reach = profile.transit.courier_radius_km
    by_code = {loc.code: loc for loc in locations}
    sites = [s for s in delivery_sites(locations) if by_code[s.code].coordinates.distance_km(ship_to) <= reach]
    slots = {s.code: slot_stream(s.code, asked.start) for s in sites}
    held = [stock_stream(sku, s.code) for s in sites for sku in lines]
    await uow.load(dict.fromkeys(held, STOCK) | dict.fromkeys(slots.values(), SLOTS))
    truth = await uow.get_many(STOCK, held)
    availability = {(st.location_code, st.sku): st.atp for st in truth.values() if st.atp > 0}
    taken = {(code, asked.start): (await uow.get(SLOTS, s)).taken for code, s in slots.items()}
    found = capacity_offers(
        prepared, sites, lines, ship_to, availability, uow.now, span, taken, channel=command.channel
    )
    mine = offers_for(found, asked.start, asked.end)
    if mine:
        site = next(s for s in sites if s.code == mine[0].location_code)
        return await _place_with_slot(uow, command, mine[0], site, profile)
    hint = await network.availability(lines.keys())
    scheduled = offers_for(
        scheduled_offers(prepared, lines, ship_to, hint, uow.now, span, channel=command.channel),
        asked.start,
        asked.end,
    )
    if scheduled:
        return await _place_scheduled(uow, command, scheduled[0], network, profile)
    raise _unavailable(asked.start)


def _chosen(offer: WindowOffer) -> ChosenWindow:
    return ChosenWindow(
        start=offer.start,
        end=offer.end,
        service_level=offer.service_level,
        cost=offer.cost,
        location_code=offer.location_code,
        release_at=offer.release_at,
    )


async def _place_with_slot(
    uow: UnitOfWork, command: oc.PlaceOrder, offer: WindowOffer, site: DeliverySite, profile: SourcingProfile
) -> Order | None:
    """The order, one courier shipment from the site, its stock reserved and the window's slot taken."""
    stream, code = order_stream(command.order_id), site.code
    placing = msgspec.structs.replace(command, service_level=offer.service_level, delivery_window=_chosen(offer))
    placed = uow.record(ORDER, stream, orders.decide(None, placing, uow.now))
    assert placed is not None
    shipment = PlannedShipment(
        shipment_id="S1", location_code=code, lines=tuple(Line(s, q) for s, q in sorted(_lines(command).items()))
    )
    decided = SourcingDecided(
        order_id=command.order_id,
        decided_at=uow.now,
        algorithm="window",
        total_cost=offer.cost,
        objective=offer.cost,
        lower_bound=None,
        fallback_used=False,
        profile_version=profile.version,
        candidates=(CandidateOutcome(location_code=code, selected=True, cost=offer.cost),),
        shipments=(
            PlannedShipmentCost(
                shipment_id="S1",
                location_code=code,
                carrier_service=CarrierService.SAME_DAY_COURIER.value,
                cost=offer.cost,
                promised_delivery=offer.end,
            ),
        ),
        backordered=(),
    )
    allocation = orders.decide(placed, oc.AllocateOrder(order_id=command.order_id, shipments=(shipment,)), uow.now)
    after = uow.record(ORDER, stream, [decided, *allocation])
    await reserve_planned(uow, command.order_id, [shipment])
    slots = slot_stream(code, offer.start)
    take = ReserveSlot(
        location_code=code,
        start=offer.start,
        end=offer.end,
        order_id=command.order_id,
        capacity=site.capacity.deliveries_per_window,
    )
    uow.record(SLOTS, slots, decide_slots(await uow.get(SLOTS, slots), take, uow.now))
    return after


async def _place_scheduled(
    uow: UnitOfWork, command: oc.PlaceOrder, offer: WindowOffer, network: NetworkView, profile: SourcingProfile
) -> Order | None:
    """The order sourced now by the engine at the window's level; refused unless all of it arrives in time."""
    stream = order_stream(command.order_id)
    placing = msgspec.structs.replace(command, service_level=offer.service_level, delivery_window=_chosen(offer))
    uow.record(ORDER, stream, orders.decide(None, placing, uow.now))
    plan = await source_order(uow, SourceOrder(order_id=command.order_id), network, profile, trigger="PLACED")
    wait = offer.release_at - uow.now if offer.release_at is not None else timedelta()
    if plan is None or any(plan.backordered.values()):
        raise _unavailable(offer.start)
    if any(s.promised_delivery + wait >= offer.end for s in plan.shipments):
        raise _unavailable(offer.start)
    return await uow.get(ORDER, stream)


def _lines(command: oc.PlaceOrder) -> dict[str, int]:
    return {line.sku: line.quantity for line in command.lines}


async def give_back_slot(uow: UnitOfWork, order: Order | None, reason: str) -> None:
    """A cancelled window order's slot returns to its window (nothing when it holds none)."""
    window = order.delivery_window if order is not None else None
    if order is None or window is None or window.location_code is None:
        return
    if order_status(order) is not OrderStatus.CANCELLED:
        return
    slots = slot_stream(window.location_code, window.start)
    give = ReleaseSlot(location_code=window.location_code, start=window.start, order_id=order.order_id, reason=reason)
    uow.record(SLOTS, slots, decide_slots(await uow.get(SLOTS, slots), give, uow.now))
