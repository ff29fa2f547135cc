"""Confirming a pick, and expiring one that missed its SLA. Units declined (or expired) are released, written
down where they are gone, and re-sourced elsewhere, all in the one transaction: a crash never leaves units
released but not re-sourced."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.domain import order_commands as oc
from app.domain import orders, stock
from app.domain.aggregates import LOCATION, ORDER, STOCK
from app.domain.order_events import ReservationRef, ShipmentExpired, ShipmentPicked
from app.domain.order_state import Order
from app.domain.streams import location_stream, order_stream, stock_stream
from app.domain.values import PickDeclineReason
from app.sourcing import SourcingProfile

from .commands import SourceOrder
from .network import NetworkView
from .pickup_counter import for_the_counter
from .sourcing import source_order
from .transfers import receive_transfers
from .unit_of_work import UnitOfWork

DECLINED = "DECLINED"
EXPIRED = "EXPIRED"
# Units not found or found damaged are not on the shelf: the count is corrected. OTHER (say, the picker ran
# out of time) leaves them where they are, available to other orders; so does an expired pick.
_GONE = frozenset({PickDeclineReason.NOT_FOUND, PickDeclineReason.DAMAGED})


async def confirm_pick(
    uow: UnitOfWork, command: oc.ConfirmPick, network: NetworkView, profile: SourcingProfile
) -> Order | None:
    stream = order_stream(command.order_id)
    order = await uow.get(ORDER, stream)
    command, hold = await for_the_counter(uow, order, command)  # a pickup waits at the counter with a code
    events = orders.decide(order, command, uow.now, pickup_hold=hold)
    after = uow.record(ORDER, stream, events)
    await receive_transfers(uow, events)  # picking what a transfer brought: it arrived
    picked = next(e for e in events if isinstance(e, ShipmentPicked))
    if not picked.declines:
        return after
    pairs = zip(picked.released, picked.declines, strict=True)
    gone = {ref: str(decline.reason) for ref, decline in pairs if decline.reason in _GONE}
    await _release_and_resource(uow, command.order_id, picked.released, gone, network, profile, DECLINED)
    return await uow.get(ORDER, stream)


async def expire_pick(
    uow: UnitOfWork, command: oc.ExpirePick, network: NetworkView, profile: SourcingProfile
) -> Order | None:
    """Idempotent: a shipment already picked, expired or not yet overdue appends nothing."""
    stream = order_stream(command.order_id)
    order = await uow.get(ORDER, stream)
    shipment = next((s for s in order.shipments if s.shipment_id == command.shipment_id), None) if order else None
    location = await uow.get(LOCATION, location_stream(shipment.location_code)) if shipment else None
    sla = location.pick_sla_minutes if location is not None else None
    events = orders.decide(order, command, uow.now, pick_sla_minutes=sla)
    after = uow.record(ORDER, stream, events)
    expired = next((e for e in events if isinstance(e, ShipmentExpired)), None)
    if expired is None:
        return after
    await _release_and_resource(uow, command.order_id, expired.released, {}, network, profile, EXPIRED)
    return await uow.get(ORDER, stream)


async def _release_and_resource(
    uow: UnitOfWork,
    order_id: str,
    released: Sequence[ReservationRef],
    gone: Mapping[ReservationRef, str],
    network: NetworkView,
    profile: SourcingProfile,
    trigger: str,
) -> None:
    """Releases `released` (reason `trigger`), writes the units `gone` off the shelf (with the reason given),
    and sources the order again; the order already excludes the location."""
    await release(uow, released, gone, trigger)
    await source_order(uow, SourceOrder(order_id=order_id), network, profile, trigger=trigger)


async def release(
    uow: UnitOfWork, released: Sequence[ReservationRef], gone: Mapping[ReservationRef, str], reason: str
) -> None:
    """Releases each reservation's quantity (reason `reason`), writing the units `gone` off the shelf."""
    streams = [stock_stream(r.sku, r.location_code) for r in released]
    await uow.load(
        {location_stream(r.location_code): LOCATION for r in released} | dict.fromkeys(streams, STOCK)  # one trip
    )
    for ref, sid in zip(released, streams, strict=True):
        location = await uow.get(LOCATION, location_stream(ref.location_code))
        key = {"sku": ref.sku, "location_code": ref.location_code}
        changes: list[stock.StockCommand] = [
            stock.ReleaseReservation(**key, reservation_id=ref.reservation_id, quantity=ref.quantity, reason=reason)
        ]
        if ref in gone:
            # After the release, so the correction never dips below what is still reserved for others.
            changes.append(stock.AdjustStock(**key, delta=-ref.quantity, reason=gone[ref]))
        for change in changes:
            uow.record(STOCK, sid, stock.decide(await uow.get(STOCK, sid), change, uow.now, location=location))
