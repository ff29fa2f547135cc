"""A pick, decided on a PLANNED shipment: what was found, and what was declined and why."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.errors import DomainError, Duplicate, InvalidInput, InvalidQuantity, NotFound, refuse_all
from app.domain.order_commands import ConfirmPick
from app.domain.order_events import PickDecline, ReservationRef, ShipmentExpired, ShipmentPicked
from app.domain.order_state import Shipment, reservation_id
from app.domain.values import ShipmentStatus


def confirm(order_id: str, shipment: Shipment, command: ConfirmPick, now: datetime) -> ShipmentPicked:
    """Every SKU of the shipment listed once; fewer than planned needs a reason. The declined units'
    reservations are listed in `released` for the handler, which re-sources them in the same transaction.
    Every line at fault is named at once, as for an order's lines."""
    planned = {line.sku: line.quantity for line in shipment.lines}
    problems: list[DomainError] = []
    declines: list[PickDecline] = []
    seen: set[str] = set()
    for i, line in enumerate(command.lines):
        if line.sku not in planned:
            problems.append(
                NotFound(f"{line.sku} is not on shipment {shipment.shipment_id}", field=("lines", i, "sku"))
            )
            continue
        if line.sku in seen:
            problems.append(Duplicate(f"{line.sku} appears twice", field=("lines", i, "sku")))
            continue
        seen.add(line.sku)
        if not 0 <= line.picked <= planned[line.sku]:
            problems.append(
                InvalidQuantity(f"picked must be between 0 and {planned[line.sku]}", field=("lines", i, "picked"))
            )
        elif line.picked < planned[line.sku]:
            if line.reason is None:
                problems.append(InvalidInput("a short pick needs a reason", field=("lines", i, "reason")))
            else:
                declines.append(PickDecline(sku=line.sku, quantity=planned[line.sku] - line.picked, reason=line.reason))
    problems += [
        InvalidInput(f"{sku} is missing: list every SKU of the shipment", field=("lines",))
        for sku in planned
        if sku not in seen
    ]
    refuse_all(problems)
    rid = reservation_id(order_id, shipment.shipment_id)
    return ShipmentPicked(
        order_id=order_id,
        shipment_id=shipment.shipment_id,
        picked_at=now,
        declines=tuple(declines),
        released=tuple(
            ReservationRef(location_code=shipment.location_code, sku=d.sku, reservation_id=rid, quantity=d.quantity)
            for d in declines
        ),
    )


def expire(order_id: str, shipment: Shipment, pick_sla_minutes: int | None, now: datetime) -> list[ShipmentExpired]:
    """The shipment expires when it is still PLANNED and more than `pick_sla_minutes` (its location's SLA) have
    passed since it was planned; otherwise nothing happens, so the sweep that asks may ask again, or too early.
    Every unit's reservation is `released` for the handler, which re-sources them in the same transaction."""
    if shipment.status is not ShipmentStatus.PLANNED or pick_sla_minutes is None or shipment.planned_at is None:
        return []
    if shipment.awaiting_transfer:  # not pickable yet: its SLA starts when the transfer arrives
        return []
    # A shipment for a later window may not be picked before its release: its SLA runs from then.
    if now - (shipment.release_at or shipment.planned_at) <= timedelta(minutes=pick_sla_minutes):
        return []
    rid = reservation_id(order_id, shipment.shipment_id)
    released = tuple(
        ReservationRef(location_code=shipment.location_code, sku=line.sku, reservation_id=rid, quantity=line.quantity)
        for line in shipment.lines
    )
    return [ShipmentExpired(order_id=order_id, shipment_id=shipment.shipment_id, expired_at=now, released=released)]
