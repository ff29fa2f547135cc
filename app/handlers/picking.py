"""Confirming a pick. Declined units are released, written down where they are gone, and re-sourced elsewhere,
all in the one transaction: a crash never leaves units released but not re-sourced."""

from __future__ import annotations

from app.domain import order_commands as oc
from app.domain import orders, stock
from app.domain.aggregates import LOCATION, ORDER, STOCK
from app.domain.order_events import ShipmentPicked
from app.domain.order_state import Order
from app.domain.streams import location_stream, order_stream, stock_stream
from app.domain.values import PickDeclineReason
from app.sourcing import SourcingProfile

from .commands import SourceOrder
from .network import NetworkView
from .sourcing import source_order
from .unit_of_work import UnitOfWork

DECLINED = "DECLINED"
# Units not found or found damaged are not on the shelf: the count is corrected. OTHER (say, the picker ran
# out of time) leaves them where they are, available to other orders.
_GONE = frozenset({PickDeclineReason.NOT_FOUND, PickDeclineReason.DAMAGED})


async def confirm_pick(
    uow: UnitOfWork, command: oc.ConfirmPick, network: NetworkView, profile: SourcingProfile
) -> Order | None:
    stream = order_stream(command.order_id)
    events = orders.decide(await uow.get(ORDER, stream), command, uow.now)
    after = uow.record(ORDER, stream, events)
    picked = next(e for e in events if isinstance(e, ShipmentPicked))
    if not picked.declines:
        return after
    refs = picked.released
    streams = [stock_stream(r.sku, r.location_code) for r in refs]
    await uow.load(
        {location_stream(r.location_code): LOCATION for r in refs} | dict.fromkeys(streams, STOCK)  # one round trip
    )
    for ref, decline, sid in zip(refs, picked.declines, streams, strict=True):
        location = await uow.get(LOCATION, location_stream(ref.location_code))
        key = {"sku": ref.sku, "location_code": ref.location_code}
        changes: list[stock.StockCommand] = [
            stock.ReleaseReservation(**key, reservation_id=ref.reservation_id, quantity=ref.quantity, reason=DECLINED)
        ]
        if decline.reason in _GONE:
            # After the release, so the correction never dips below what is still reserved for others.
            changes.append(stock.AdjustStock(**key, delta=-ref.quantity, reason=str(decline.reason)))
        for change in changes:
            uow.record(STOCK, sid, stock.decide(await uow.get(STOCK, sid), change, uow.now, location=location))
    await source_order(uow, SourceOrder(order_id=command.order_id), network, profile, trigger=DECLINED)
    return await uow.get(ORDER, stream)
