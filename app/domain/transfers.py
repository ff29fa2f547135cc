"""Click & collect on the order: where a pickup order is collected, and transfers arriving at its store.

A PICKUP order is collected at its store (`pickup_location_code`). What the store holds is planned there as a
PICKUP shipment at once. The rest travels in a transfer: a SHIP shipment from another location whose
`destination` is the store, paired with a PICKUP shipment at the store (`fed_by` the transfer) that waits for it
(`awaiting_transfer`: PLANNED but not pickable, nothing reserved at the store, out of pick lists and pick SLAs).

The transfer's units are reserved at its source and shipped on dispatch like any shipment's. On arrival — the
carrier's DELIVERED, or the store's operator picking what arrived once the transfer is on its way — one
`TransferReceived` tells the handler to receive them into the store's stock and reserve them for the pickup
shipment in the same append, so no other order can take them in between.
"""

from __future__ import annotations

from datetime import datetime

from app.domain.errors import DomainError, InvalidInput, InvalidLocation, InvalidState
from app.domain.locations import Location
from app.domain.order_commands import PlaceOrder
from app.domain.order_events import PlannedShipment, ReservationRef, TransferReceived
from app.domain.order_state import ON_THE_ROAD, Order, Shipment, reservation_id
from app.domain.values import Address, DeliveryMethod, ShipmentStatus


def delivery_problems(command: PlaceOrder, pickup_location: Location | None) -> list[DomainError]:
    """What is wrong with how the order is to reach the customer (each named at its field)."""
    if command.delivery_method is DeliveryMethod.SHIP:
        problems: list[DomainError] = []
        if command.ship_to is None:
            problems.append(InvalidInput("a shipping address is required", field=("shipTo",)))
        if command.pickup_location_code is not None:
            problems.append(InvalidInput("only a PICKUP order names a pickup location", field=("pickupLocationCode",)))
        return problems
    code = command.pickup_location_code
    if not code or not code.strip():
        return [InvalidInput("a PICKUP order names its pickup location", field=("pickupLocationCode",))]
    if pickup_location is None:
        return [InvalidLocation(f"no location {code}", field=("pickupLocationCode",))]
    if not pickup_location.active:
        return [InvalidLocation(f"location {code} is inactive", field=("pickupLocationCode",))]
    if not pickup_location.capabilities.pickup:
        return [InvalidLocation(f"location {code} does not hand over pickups", field=("pickupLocationCode",))]
    return []


def destination_address(command: PlaceOrder, pickup_location: Location | None) -> Address:
    """The order's address: as given, else (a pickup without one) the store's own coordinates, where it goes."""
    if command.ship_to is not None:
        return command.ship_to
    assert pickup_location is not None  # delivery_problems refused a shipped order without an address
    return Address(coordinates=pickup_location.coordinates)


def check_pairs(planned: tuple[PlannedShipment, ...]) -> None:
    """Every transfer feeds one PICKUP shipment planned with it, at its destination, with the same lines (the
    units the customer collects are the ones it brings); every pickup shipment `fed_by` names such a transfer."""
    by_id = {p.shipment_id: p for p in planned}
    for i, p in enumerate(planned):
        if p.fed_by is None:
            continue
        transfer = by_id.get(p.fed_by)
        fits = transfer is not None and transfer.destination == p.location_code and transfer.lines == p.lines
        if p.kind is not DeliveryMethod.PICKUP or not fits:
            raise InvalidInput(
                f"{p.fed_by} is not a transfer bringing these lines here", field=("shipments", i, "fedBy")
            )
    fed = {p.fed_by for p in planned}
    for i, p in enumerate(planned):
        if p.destination is not None and p.shipment_id not in fed:
            raise InvalidInput("a transfer feeds a pickup shipment planned with it", field=("shipments", i))


def received(order: Order, transfer: Shipment, at: datetime) -> TransferReceived | None:
    """The receipt of `transfer` at its store, if it is one: everything it carried comes in; what the pickup
    shipment it fed still holds is reserved for it (nothing when that was cancelled while on the way)."""
    if transfer.destination is None:
        return None
    fed = next((s for s in order.shipments if s.fed_by == transfer.shipment_id), None)
    if fed is None:
        return None
    live = fed.awaiting_transfer and fed.status is ShipmentStatus.PLANNED
    rid = reservation_id(order.order_id, fed.shipment_id)
    return TransferReceived(
        order_id=order.order_id,
        shipment_id=transfer.shipment_id,
        pickup_shipment_id=fed.shipment_id,
        location_code=transfer.destination,
        received=transfer.lines,
        reserved=tuple(
            ReservationRef(location_code=fed.location_code, sku=line.sku, reservation_id=rid, quantity=line.quantity)
            for line in fed.lines
        )
        if live
        else (),
        received_at=at,
    )


def arrived_at_pick(order: Order, pickup: Shipment, now: datetime) -> list[TransferReceived]:
    """Picking a pickup shipment that waits for its transfer says the transfer arrived: allowed once the transfer
    is on its way (the store has what it picks), refused before."""
    if not pickup.awaiting_transfer or pickup.fed_by is None:
        return []
    transfer = next(s for s in order.shipments if s.shipment_id == pickup.fed_by)
    if transfer.status not in ON_THE_ROAD:
        raise InvalidState(
            f"shipment {pickup.shipment_id} waits for transfer {transfer.shipment_id}, which is {transfer.status}",
            field=("shipmentId",),
        )
    arrival = received(order, transfer, now)
    return [] if arrival is None else [arrival]
