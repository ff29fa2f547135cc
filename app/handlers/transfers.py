"""Transfers arriving at a pickup store: the carrier's DELIVERED (or a delivery marked by hand) and the store
picking what arrived both decide a `TransferReceived`; here its units go into the store's stock and are reserved
for the pickup shipment they feed, in the same append as the order's events."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain import order_commands as oc
from app.domain import orders, stock
from app.domain.aggregates import LOCATION, ORDER, STOCK
from app.domain.events import Event
from app.domain.order_events import TransferReceived
from app.domain.order_state import Order
from app.domain.streams import location_stream, order_stream, stock_stream

from .unit_of_work import UnitOfWork


async def track(uow: UnitOfWork, command: oc.RecordScans | oc.MarkShipmentDelivered) -> Order | None:
    """A carrier's scans, or a delivery marked by hand: on the order stream, plus the receipt of a transfer."""
    stream = order_stream(command.order_id)
    events = orders.decide(await uow.get(ORDER, stream), command, uow.now)
    after = uow.record(ORDER, stream, events)
    await receive_transfers(uow, events)
    return after


async def receive_transfers(uow: UnitOfWork, events: Sequence[Event]) -> None:
    """Every unit a transfer carried is received at its store, then what its pickup shipment holds is reserved
    there: received before reserved, in one append, so the units are never available to anyone else."""
    for arrival in (e for e in events if isinstance(e, TransferReceived)):
        store = await uow.get(LOCATION, location_stream(arrival.location_code))
        streams = [stock_stream(line.sku, arrival.location_code) for line in arrival.received]
        await uow.load(dict.fromkeys(streams, STOCK))
        reference = f"transfer {arrival.order_id}/{arrival.shipment_id}"
        for line, sid in zip(arrival.received, streams, strict=True):
            receive = stock.ReceiveStock(
                sku=line.sku, location_code=arrival.location_code, quantity=line.quantity, reference=reference
            )
            uow.record(STOCK, sid, stock.decide(await uow.get(STOCK, sid), receive, uow.now, location=store))
        for ref in arrival.reserved:
            sid = stock_stream(ref.sku, ref.location_code)
            reserve = stock.ReserveStock(
                sku=ref.sku, location_code=ref.location_code, reservation_id=ref.reservation_id, quantity=ref.quantity
            )
            uow.record(STOCK, sid, stock.decide(await uow.get(STOCK, sid), reserve, uow.now, location=store))
