"""Stock aggregate: one SKU at one location (stream `stock-<location>:<sku>`).

Invariants, enforced by `decide` and preserved by `evolve`:
    0 ≤ reserved ≤ on hand;  a new reservation ≤ ATP;  ATP = max(0, on hand - reserved - safety stock).

A busy stream holds an event per order, so the state stays small (finished reservations and fully received
supplies are dropped) and is a msgspec Struct that round-trips through `msgspec.json` as a snapshot.

Cycle count below the reserved quantity: the count is a physical fact and is accepted, but the units it did
not find cannot stay promised. `decide` first releases the shortfall from the newest reservations
(`ReservationReleased(reason="SHORTFALL")`, newest first, so the oldest orders keep their stock), then records
`StockCounted`. The handler (or a reactor on SHORTFALL releases) tells the orders concerned to revert that
allocation (`orders.RevertAllocation`), which puts the quantity back on backorder.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import msgspec

from app.domain.errors import (
    Duplicate,
    InsufficientStock,
    InvalidInput,
    InvalidQuantity,
    LocationInactive,
    NotFound,
    UnknownLocation,
    require_not_negative,
    require_positive,
)
from app.domain.events import Event
from app.domain.locations import Location
from app.domain.stock_commands import (
    AdjustStock,
    CountStock,
    ExpectSupply,
    ReceiveStock,
    ReceiveSupply,
    ReleaseReservation,
    ReserveStock,
    ReturnStock,
    SetReorderPoint,
    SetSafetyStock,
    ShipStock,
    StockCommand,
    TransferReservation,
    WriteOffStock,
)
from app.domain.stock_events import (
    ReorderPointSet,
    ReplenishmentRequested,
    ReservationReleased,
    ReservationTransferred,
    SafetyStockSet,
    StockAdjusted,
    StockCounted,
    StockReceived,
    StockReserved,
    StockReturned,
    StockShipped,
    StockWrittenOff,
    SupplyExpected,
    SupplyReceived,
)
from app.domain.values import SupplyKind

SHORTFALL = "SHORTFALL"

__all__ = [
    "EMPTY_STOCK",
    "SHORTFALL",
    "AdjustStock",
    "CountStock",
    "ExpectSupply",
    "IncomingSupply",
    "ReceiveStock",
    "ReceiveSupply",
    "ReleaseReservation",
    "ReserveStock",
    "ReturnStock",
    "SetReorderPoint",
    "SetSafetyStock",
    "ShipStock",
    "StockCommand",
    "StockState",
    "TransferReservation",
    "WriteOffStock",
    "decide",
    "evolve",
    "fold",
]

# State


class IncomingSupply(msgspec.Struct, frozen=True, kw_only=True):
    kind: SupplyKind
    quantity: int  # still expected
    expected_at: datetime
    source_location_code: str | None = None


class StockState(msgspec.Struct, frozen=True, kw_only=True):
    sku: str = ""
    location_code: str = ""
    on_hand: int = 0
    safety_stock: int = 0
    reorder_point: int = 0
    reorder_quantity: int = 0
    # Open reservations only, in the order they were made (JSON objects keep it): SHORTFALL goes newest first.
    reservations: dict[str, int] = {}
    incoming: dict[str, IncomingSupply] = {}
    # Replenishment requested but not yet answered by a SupplyExpected: stops asking twice for the same gap.
    pending_replenishments: dict[str, int] = {}

    @property
    def reserved(self) -> int:
        return sum(self.reservations.values())

    @property
    def atp(self) -> int:
        return max(0, self.on_hand - self.reserved - self.safety_stock)

    @property
    def incoming_quantity(self) -> int:
        return sum(supply.quantity for supply in self.incoming.values())


EMPTY_STOCK = StockState()


def evolve(state: StockState, event: Event) -> StockState:
    return fold(state, (event,))


def fold(state: StockState, events: Iterable[Event]) -> StockState:
    """The state after `events`, one `evolve` after another, in one pass.

    The state is frozen, so evolving it one event at a time copies a dict at every reservation: quadratic on a
    busy stream with thousands of reservations open (and a rebuild folds such a stream in one go). Here each
    dict is copied at most once, on its first change, then changed in place; `state` itself is never touched.
    """
    sku, location_code, on_hand = state.sku, state.location_code, state.on_hand
    safety_stock, reorder_point, reorder_quantity = state.safety_stock, state.reorder_point, state.reorder_quantity
    reservations, incoming, pending = state.reservations, state.incoming, state.pending_replenishments
    own_reservations = own_incoming = own_pending = changed = False
    for event in events:
        match event:
            case StockReceived() | StockReturned():
                on_hand += event.quantity
            case StockAdjusted():
                on_hand += event.delta
            case StockCounted():
                on_hand = event.counted
            case StockWrittenOff():
                on_hand -= event.quantity
            case StockReserved():
                if not own_reservations:
                    reservations, own_reservations = dict(reservations), True
                reservations[event.reservation_id] = event.quantity
            case ReservationReleased() | StockShipped():
                # Open reservations hold at least one unit each (`decide` reserves positive quantities), so
                # only the one consumed can drop out. A partly consumed one keeps its place: SHORTFALL's
                # newest-first order is the order the reservations were made.
                held = reservations.get(event.reservation_id)
                if held is not None:
                    if not own_reservations:
                        reservations, own_reservations = dict(reservations), True
                    if held > event.quantity:
                        reservations[event.reservation_id] = held - event.quantity
                    else:
                        del reservations[event.reservation_id]
                if isinstance(event, StockShipped):
                    on_hand -= event.quantity
            case ReservationTransferred():
                # The new holder is the newest reservation: a SHORTFALL takes from it first, as from any new one.
                if not own_reservations:
                    reservations, own_reservations = dict(reservations), True
                reservations.pop(event.reservation_id, None)
                reservations[event.to_reservation_id] = event.quantity
            case SafetyStockSet():
                safety_stock = event.quantity
            case ReorderPointSet():
                reorder_point, reorder_quantity = event.reorder_point, event.reorder_quantity
            case SupplyExpected():
                if not own_incoming:
                    incoming, own_incoming = dict(incoming), True
                incoming[event.supply_id] = IncomingSupply(
                    kind=event.kind,
                    quantity=event.quantity,
                    expected_at=event.expected_at,
                    source_location_code=event.source_location_code,
                )
                if event.replenishment_id in pending:
                    if not own_pending:
                        pending, own_pending = dict(pending), True
                    del pending[event.replenishment_id]
            case SupplyReceived():
                on_hand += event.quantity
                arrived = incoming.get(event.supply_id)
                if arrived is not None:
                    if not own_incoming:
                        incoming, own_incoming = dict(incoming), True
                    # What is still to come moves to the end, as the supply's latest news.
                    del incoming[event.supply_id]
                    if arrived.quantity > event.quantity:
                        incoming[event.supply_id] = msgspec.structs.replace(
                            arrived, quantity=arrived.quantity - event.quantity
                        )
            case ReplenishmentRequested():
                if not own_pending:
                    pending, own_pending = dict(pending), True
                pending[event.replenishment_id] = event.quantity
            case _:
                continue
        sku, location_code, changed = event.sku, event.location_code, True
    if not changed:
        return state
    return StockState(
        sku=sku,
        location_code=location_code,
        on_hand=on_hand,
        safety_stock=safety_stock,
        reorder_point=reorder_point,
        reorder_quantity=reorder_quantity,
        reservations=reservations,
        incoming=incoming,
        pending_replenishments=pending,
    )


def decide(state: StockState, command: StockCommand, now: datetime, *, location: Location | None) -> list[Event]:
    """`location` is the state of the command's location (None if it was never created)."""
    if location is None:
        raise UnknownLocation(f"no location {command.location_code}", field=("locationCode",))
    # Goods may not enter or be promised from a closed location; what is there can still leave or be counted.
    if isinstance(command, ReceiveStock | ReserveStock | ReturnStock | ExpectSupply) and not location.active:
        raise LocationInactive(f"location {command.location_code} is inactive", field=("locationCode",))
    key = {"sku": command.sku, "location_code": command.location_code}
    match command:
        case ReceiveStock():
            require_positive(command.quantity, ("quantity",))
            return [StockReceived(**key, quantity=command.quantity, reference=command.reference)]
        case AdjustStock():
            if command.delta == 0:
                raise InvalidQuantity("an adjustment must change the quantity", field=("delta",))
            if state.on_hand + command.delta < state.reserved:
                # Reserved units are promised to orders: losing them is a count (which releases them).
                raise InsufficientStock(
                    f"on hand {state.on_hand} with {state.reserved} reserved cannot fall by {-command.delta}",
                    field=("delta",),
                )
            return [StockAdjusted(**key, delta=command.delta, reason=command.reason)]
        case CountStock():
            require_not_negative(command.counted, ("counted",))
            return [
                *_release_shortfall(state, state.reserved - command.counted, key),
                StockCounted(**key, counted=command.counted, variance=command.counted - state.on_hand),
            ]
        case ReserveStock():
            require_positive(command.quantity, ("quantity",))
            if not command.reservation_id:
                raise InvalidInput("a reservation needs an id", field=("reservationId",))
            if command.reservation_id in state.reservations:
                raise Duplicate(f"reservation {command.reservation_id} already exists", field=("reservationId",))
            if command.quantity > state.atp:
                raise InsufficientStock(
                    f"{command.quantity} of {command.sku} requested, {state.atp} available",
                    field=("quantity",),
                )
            return [StockReserved(**key, reservation_id=command.reservation_id, quantity=command.quantity)]
        case ReleaseReservation():
            held = _reservation(state, command.reservation_id)
            quantity = held if command.quantity is None else command.quantity
            require_positive(quantity, ("quantity",))
            if quantity > held:
                raise InvalidQuantity(f"cannot release {quantity}, only {held} reserved", field=("quantity",))
            return [
                ReservationReleased(
                    **key, reservation_id=command.reservation_id, quantity=quantity, reason=command.reason
                )
            ]
        case TransferReservation():
            held = _reservation(state, command.reservation_id)
            if not command.to_reservation_id or command.to_reservation_id in state.reservations:
                raise Duplicate(f"reservation {command.to_reservation_id} already exists", field=("reservationId",))
            return [
                ReservationTransferred(
                    **key,
                    reservation_id=command.reservation_id,
                    to_reservation_id=command.to_reservation_id,
                    quantity=held,
                )
            ]
        case ShipStock():
            held = _reservation(state, command.reservation_id)
            require_positive(command.quantity, ("quantity",))
            if command.quantity > held:
                raise InvalidQuantity(f"cannot ship {command.quantity}, only {held} reserved", field=("quantity",))
            return [StockShipped(**key, reservation_id=command.reservation_id, quantity=command.quantity)]
        case ReturnStock():
            require_positive(command.quantity, ("quantity",))
            return [StockReturned(**key, quantity=command.quantity, return_id=command.return_id)]
        case WriteOffStock():
            require_positive(command.quantity, ("quantity",))
            unreserved = state.on_hand - state.reserved
            if command.quantity > unreserved:
                raise InsufficientStock(
                    f"cannot write off {command.quantity}, only {unreserved} unreserved on hand",
                    field=("quantity",),
                )
            return [
                StockWrittenOff(**key, quantity=command.quantity, reason=command.reason, return_id=command.return_id)
            ]
        case SetSafetyStock():
            require_not_negative(command.quantity, ("quantity",))
            return [SafetyStockSet(**key, quantity=command.quantity)]
        case SetReorderPoint():
            require_not_negative(command.reorder_point, ("reorderPoint",))
            require_positive(command.reorder_quantity, ("reorderQuantity",))
            return [
                ReorderPointSet(**key, reorder_point=command.reorder_point, reorder_quantity=command.reorder_quantity)
            ]
        case ExpectSupply():
            require_positive(command.quantity, ("quantity",))
            if command.supply_id in state.incoming:
                raise Duplicate(f"supply {command.supply_id} is already expected", field=("supplyId",))
            if command.expected_at.tzinfo is None:
                raise InvalidInput("expected date must carry a time zone", field=("expectedAt",))
            return [
                SupplyExpected(
                    **key,
                    supply_id=command.supply_id,
                    kind=command.kind,
                    quantity=command.quantity,
                    expected_at=command.expected_at,
                    source_location_code=command.source_location_code,
                    replenishment_id=command.replenishment_id,
                )
            ]
        case ReceiveSupply():
            require_positive(command.quantity, ("quantity",))
            if command.supply_id not in state.incoming:
                raise NotFound(f"no supply {command.supply_id} is expected", field=("supplyId",))
            # Receiving more than expected is accepted: the goods are on the dock; the supply is then closed.
            return [SupplyReceived(**key, supply_id=command.supply_id, quantity=command.quantity)]
    raise InvalidInput(f"unknown stock command {type(command).__name__}")


def _reservation(state: StockState, reservation_id: str) -> int:
    if reservation_id not in state.reservations:
        raise NotFound(f"no open reservation {reservation_id}", field=("reservationId",))
    return state.reservations[reservation_id]


def _release_shortfall(state: StockState, shortfall: int, key: dict[str, str]) -> list[Event]:
    releases: list[Event] = []
    for reservation_id, quantity in reversed(state.reservations.items()):
        if shortfall <= 0:
            break
        released = min(quantity, shortfall)
        releases.append(ReservationReleased(**key, reservation_id=reservation_id, quantity=released, reason=SHORTFALL))
        shortfall -= released
    return releases
