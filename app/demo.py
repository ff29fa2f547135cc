"""`meridian up --demo`: a stream of simulated customers and warehouse staff, so the demo network moves.

Orders arrive at a steady rate to random US addresses; allocated shipments are packed and dispatched with the
simulated carrier, whose parcels then travel to delivery on their own (the tracking actor polls them).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import uuid

import asyncpg
import msgspec

from app.carriers.simulated import tracking_number_for
from app.domain import ALL_EVENTS
from app.domain import order_commands as oc
from app.domain.errors import DomainError
from app.domain.order_state import Order
from app.domain.values import Address, Coordinates, Line, ServiceLevel, ShipmentStatus
from app.handlers import Context, Handlers
from app.handlers.cached_network import ReadModelNetwork
from app.seed import demo_skus
from eventstore import EventCodec, EventStore, Metadata
from projections import queries
from projections.schema import create_readmodel_pool


async def run_demo(handlers: Handlers, pool: asyncpg.Pool, stop: asyncio.Event, *, per_second: float = 2.0) -> None:
    rng = random.Random(11)
    skus = demo_skus()
    customer_meta, staff_meta = Metadata(actor="demo:customer"), Metadata(actor="demo:warehouse")
    while not stop.is_set():
        lines = {sku: rng.randint(1, 3) for sku in rng.sample(skus, k=rng.randint(1, 3))}
        place = oc.PlaceOrder(
            order_id=uuid.uuid4().hex,
            customer_id=f"demo-{rng.randint(1, 50)}",
            lines=tuple(Line(sku, qty) for sku, qty in lines.items()),
            ship_to=Address(coordinates=Coordinates(rng.uniform(30, 47), rng.uniform(-122, -72)), country="US"),
            service_level=rng.choice(list(ServiceLevel)),
            priority=rng.choice([0, 0, 0, 5]),
        )
        await handlers.handle(place, customer_meta)
        await _ship_what_is_allocated(handlers, pool, staff_meta)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1 / per_second)


async def _ship_what_is_allocated(handlers: Handlers, pool: asyncpg.Pool, meta: Metadata) -> None:
    for row in await queries.orders_page(pool, first=20, status="ALLOCATED"):
        states = await queries.order_states(pool, [row["order_id"]])
        if not states:
            continue
        order = msgspec.json.decode(states[0][1], type=Order)
        for shipment in order.shipments:
            if shipment.status is not ShipmentStatus.PLANNED:
                continue
            oid, sid = order.order_id, shipment.shipment_id
            try:
                await handlers.handle(oc.PackShipment(order_id=oid, shipment_id=sid), meta)
                number = tracking_number_for(f"{oid[:8]}{sid}", handlers.ctx.clock())
                dispatch = oc.DispatchShipment(
                    order_id=oid, shipment_id=sid, carrier="simulated", tracking_number=number
                )
                await handlers.handle(dispatch, meta)
            except DomainError:
                continue  # someone else got there first; the demo moves on


async def main(dsn: str, *, per_second: float) -> None:
    """The `meridian demo` process: its own pool and handlers, until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    pool = await create_readmodel_pool(dsn, min_size=1, max_size=4)
    try:
        codec = EventCodec(ALL_EVENTS)
        handlers = Handlers(Context(EventStore(pool), codec), network=ReadModelNetwork(pool, codec))
        await run_demo(handlers, pool, stop, per_second=per_second)
    finally:
        await pool.close()
