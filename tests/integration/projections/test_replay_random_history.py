"""A seeded random history of thousands of commands through the real handlers, projected live as it happens;
then `replay` rebuilds every read model from the log and finds it identical, and finds a corrupted row.

The commands are drawn blind from what the test has seen succeed (ids, shipments, returns), so many are
refused by the domain: that is part of the history's shape, and a refusal appends nothing.
"""

from __future__ import annotations

import asyncio
import io
import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from app.domain import carts, locations, stock
from app.domain import order_commands as oc
from app.domain import returns as rc
from app.domain.errors import DomainError
from app.domain.money import Money
from app.domain.order_events import LinePrice, OrderAllocated, OrderPlaced, ShipmentDelivered
from app.domain.registry import ALL_EVENTS
from app.domain.return_events import ReceivedLine, RefundLine, ReturnLine, ReturnRequested
from app.domain.stock_events import ReplenishmentRequested
from app.domain.substitutions import SubstituteLine
from app.domain.values import (
    Address,
    Coordinates,
    DeliveryMethod,
    ItemCondition,
    Line,
    LocationType,
    Scan,
    ServiceLevel,
    SupplyKind,
    TrackingStatus,
)
from app.handlers import (
    CheckReplenishment,
    Context,
    FulfilReplenishment,
    Handlers,
    LogNetwork,
    SettleReturn,
    SourceOrder,
)
from eventstore import EventCodec, EventStore, Listener, Notifier, Position
from projections import ProjectionRunner, replay
from tests.integration.handlers.conftest import FixedClock

SEED = 20260311
COMMANDS = 2400
CONCURRENCY = 4  # commands in flight at once: live batches see interleaved, late-committing transactions

SITES = [
    ("DC-E", LocationType.DISTRIBUTION_CENTER, Coordinates(40.73, -74.17)),
    ("DC-C", LocationType.DISTRIBUTION_CENTER, Coordinates(41.88, -87.63)),
    ("DC-W", LocationType.DISTRIBUTION_CENTER, Coordinates(34.05, -118.24)),
    ("ST-NY", LocationType.STORE, Coordinates(40.76, -73.98)),
    ("3PL-TX", LocationType.THIRD_PARTY_LOGISTICS, Coordinates(32.78, -96.80)),
    ("RC-1", LocationType.RETURNS_CENTER, Coordinates(39.95, -75.17)),
]
CODES = [code for code, _, _ in SITES]
SKUS = [f"SKU-{i:02d}" for i in range(10)]


class World:
    """What the commands so far have produced, as far as the test needs to aim the next ones."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.orders: list[str] = []
        self.lines: dict[str, tuple[Line, ...]] = {}
        self.shipments: list[tuple[str, str]] = []  # (order id, shipment id)
        self.delivered: list[str] = []
        self.transfers: set[tuple[str, str]] = set()  # stock moving to a pickup store: delivered to no customer
        self.returns: list[str] = []
        self.returned: dict[str, str] = {}  # return id -> the SKU it asks to return
        self.replenishments: list[ReplenishmentRequested] = []
        self.supplies: list[tuple[str, str, str]] = []  # (sku, location, supply id)
        self.serial = 0

    def new_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"

    def learn(self, events: list[Any]) -> None:
        for event in events:
            match event:
                case OrderPlaced():
                    self.orders.append(event.order_id)
                    self.lines[event.order_id] = event.lines
                case OrderAllocated():
                    self.shipments += [(event.order_id, s.shipment_id) for s in event.shipments]
                    self.transfers |= {(event.order_id, s.shipment_id) for s in event.shipments if s.destination}
                case ShipmentDelivered() if (event.order_id, event.shipment_id) not in self.transfers:
                    self.delivered.append(event.order_id)
                case ReplenishmentRequested():
                    self.replenishments.append(event)
                case ReturnRequested():
                    self.returns.append(event.return_id)
                    self.returned[event.return_id] = event.lines[0].sku

    def update_location(self, code: str) -> locations.UpdateLocation:
        """Some settings of a location, now and then one the domain refuses (a zero SLA, no capability)."""
        rng = self.rng
        ship, pickup, returns = (rng.random() < 0.8 for _ in range(3))
        return locations.UpdateLocation(
            code=code,
            capabilities=locations.Capabilities(ship=ship, pickup=pickup, returns=returns),
            pick_sla_minutes=rng.choice([None, 0, 30, 240]),
            pickup_hold_days=rng.randint(1, 7),
            handling_cost=rng.choice([0.0, 1.5]),
        )

    def command(self, clock: FixedClock) -> Any:
        rng = self.rng
        sku, code = rng.choice(SKUS), rng.choice(CODES)
        q = rng.randint(1, 6)
        roll = rng.random()
        if roll < 0.015:
            return rng.choice([locations.DeactivateLocation(code=code), locations.ReactivateLocation(code=code)])
        if roll < 0.025:
            return self.update_location(code)
        if roll < 0.12:
            return stock.ReceiveStock(sku=sku, location_code=code, quantity=rng.randint(1, 30))
        if roll < 0.15:
            return stock.AdjustStock(sku=sku, location_code=code, delta=rng.randint(-5, 5), reason="recount")
        if roll < 0.17:
            return stock.CountStock(sku=sku, location_code=code, counted=rng.randint(0, 20))
        if roll < 0.19:
            return stock.SetSafetyStock(sku=sku, location_code=code, quantity=rng.randint(0, 3))
        if roll < 0.21:
            return stock.SetReorderPoint(sku=sku, location_code=code, reorder_point=q + 4, reorder_quantity=10)
        if roll < 0.24:
            return CheckReplenishment(sku=sku, location_code=code)
        if roll < 0.26 and self.replenishments:
            r = rng.choice(self.replenishments)
            return FulfilReplenishment(
                sku=r.sku,
                location_code=r.location_code,
                replenishment_id=r.replenishment_id,
                source_location_code=r.source_location_code,
            )
        if roll < 0.28:
            supply_id = self.new_id("sup-")
            self.supplies.append((sku, code, supply_id))
            return stock.ExpectSupply(
                sku=sku,
                location_code=code,
                supply_id=supply_id,
                kind=rng.choice(list(SupplyKind)),
                quantity=rng.randint(5, 20),
                expected_at=clock.now + timedelta(days=rng.randint(1, 5)),
                source_location_code="DC-C" if rng.random() < 0.5 else None,
            )
        if roll < 0.30 and self.supplies:
            s_sku, s_code, supply_id = rng.choice(self.supplies)
            return stock.ReceiveSupply(sku=s_sku, location_code=s_code, supply_id=supply_id, quantity=q * 2)
        if roll < 0.44:
            order_id = self.new_id("o-")
            lines = tuple(Line(s, rng.randint(1, 3)) for s in rng.sample(SKUS, rng.randint(1, 3)))
            # Every other order is priced (without drawing from the generator: the history stays the same).
            prices = tuple(
                LinePrice(
                    sku=line.sku, unit_price=Money(amount=Decimal(f"{i + 4}.{self.serial % 100:02d}"), currency="USD")
                )
                for i, line in enumerate(lines)
                if self.serial % 2 == 0
            )
            if rng.random() < 0.25:  # click & collect at the store: its shelf, or transfers brought in
                return oc.PlaceOrder(
                    order_id=order_id,
                    customer_id=f"c-{rng.randrange(25)}",
                    lines=lines,
                    ship_to=None,
                    delivery_method=DeliveryMethod.PICKUP,
                    pickup_location_code="ST-NY",
                    prices=prices,
                )
            return oc.PlaceOrder(
                order_id=order_id,
                customer_id=f"c-{rng.randrange(25)}",
                lines=lines,
                ship_to=Address(coordinates=Coordinates(rng.uniform(30, 45), rng.uniform(-120, -72))),
                service_level=rng.choice(list(ServiceLevel)),
                priority=rng.randint(0, 5),
                # Without drawing from rng (the history stays as it was): some orders carry a substitute line.
                substitutions=(SubstituteLine(sku=lines[0].sku, replaces=f"was-{lines[0].sku}"),)[: len(lines) - 1],
                prices=prices,
            )
        if roll < 0.56 and self.orders:
            return SourceOrder(order_id=rng.choice(self.orders[-40:]))
        if roll < 0.58 and self.orders:
            order_id = rng.choice(self.orders)
            pick = rng.random()
            if pick < 0.35:
                return oc.CancelOrder(order_id=order_id, reason="customer")
            if pick < 0.7:
                return oc.CancelOrderLines(order_id=order_id, lines=(Line(self.lines[order_id][0].sku, 1),))
            # An edit: other quantities, a SKU more or less, sometimes a new address (a whole re-plan).
            kept = self.lines[order_id][: rng.randint(1, 3)]
            lines = tuple(Line(line.sku, rng.randint(1, 4)) for line in kept)
            extra = rng.choice(SKUS)
            if all(line.sku != extra for line in lines):
                lines += (Line(extra, rng.randint(1, 2)),)
            moved = Address(coordinates=Coordinates(rng.uniform(30, 45), rng.uniform(-120, -72)))
            return oc.EditOrder(order_id=order_id, lines=lines, ship_to=moved if rng.random() < 0.3 else None)
        if roll < 0.59 and self.orders:
            order_id = rng.choice(self.orders)
            if rng.random() < 0.5:
                return oc.PlaceOrderOnHold(order_id=order_id, reason="fraud check")
            return oc.ReleaseOrderHold(order_id=order_id)
        if roll < 0.80 and self.shipments:
            order_id, shipment_id = rng.choice(self.shipments[-60:])
            step = rng.randrange(6)
            if step == 0:
                return oc.PackShipment(order_id=order_id, shipment_id=shipment_id)
            if step == 1:
                return oc.DispatchShipment(
                    order_id=order_id,
                    shipment_id=shipment_id,
                    carrier=rng.choice(["ups", "fedex"]),
                    tracking_number=self.new_id("1Z"),
                    promised_delivery=clock.now + timedelta(days=3),
                )
            if step in (2, 3):
                return oc.RecordScans(
                    order_id=order_id,
                    shipment_id=shipment_id,
                    scans=(
                        Scan(
                            status=rng.choice([TrackingStatus.IN_TRANSIT, TrackingStatus.OUT_FOR_DELIVERY]),
                            occurred_at=clock.now,
                            message="scan",
                        ),
                    ),
                    estimated_delivery=clock.now + timedelta(days=rng.randint(1, 3)),
                )
            if step == 4:
                return oc.MarkShipmentDelivered(order_id=order_id, shipment_id=shipment_id, delivered_at=clock.now)
            return oc.ReportShipmentException(order_id=order_id, shipment_id=shipment_id, reason="damaged")
        if roll < 0.86 and self.delivered:
            order_id = rng.choice(self.delivered)
            return_id = self.new_id("r-")
            line = rng.choice(self.lines[order_id])
            if rng.random() < 0.3:  # an exchange: its replacement held until the receipt, or sourced in advance
                return rc.RequestExchange(
                    return_id=return_id,
                    order_id=order_id,
                    lines=(ReturnLine(sku=line.sku, quantity=1, reason="size"),),
                    replacement_order_id=self.new_id("o-"),
                    replacement_lines=(Line(rng.choice(SKUS), 1),),
                    advance=rng.random() < 0.5,
                )
            return rc.RequestReturn(
                return_id=return_id,
                order_id=order_id,
                lines=(ReturnLine(sku=line.sku, quantity=1, reason="size"),),
            )
        if self.returns:
            return_id = rng.choice(self.returns[-20:])
            returned = self.returned[return_id]
            step = rng.choices(range(8), weights=[3, 1, 1, 4, 4, 2, 1, 3])[0]
            if step == 0:
                return rc.ApproveReturn(return_id=return_id)
            if step == 1:
                return rc.RecordReturnPickup(return_id=return_id, carrier="ups", tracking_number=self.new_id("RT"))
            if step == 2:
                return rc.RecordReturnTracking(
                    return_id=return_id, status=TrackingStatus.IN_TRANSIT, occurred_at=clock.now
                )
            if step == 3:
                return rc.ReceiveReturn(
                    return_id=return_id,
                    location_code=rng.choice(["RC-1", "RC-1", "ST-NY", "DC-W"]),
                    lines=(ReceivedLine(sku=returned, quantity=1, condition=rng.choice(list(ItemCondition))),),
                )
            if step == 4:
                return rc.RefundReturn(return_id=return_id, lines=(RefundLine(sku=returned, amount=Decimal("12.50")),))
            if step == 5:
                return SettleReturn(return_id=return_id)
            if step == 6:
                return rc.ReplaceReturn(return_id=return_id, replacement_order_id=self.new_id("o-"))
            if rng.random() < 0.7:  # withdrawn (most) or rejected, while still requested or approved
                return rc.CancelReturn(return_id=return_id, reason="kept it")
            return rc.RejectReturn(return_id=return_id, reason="worn")
        return stock.ReceiveStock(sku=sku, location_code=code, quantity=10)


NEAR_DC_E = Coordinates(40.74, -74.0)


def scripted_returns(clock: FixedClock) -> list[Any]:
    """An order delivered, one unit returned and refunded, another requested and withdrawn."""
    order, sku = "o-scripted", SKUS[0]
    one = (ReturnLine(sku=sku, quantity=1, reason="size"),)
    return [
        oc.PlaceOrder(
            order_id=order, customer_id="c-0", lines=(Line(sku, 2),), ship_to=Address(coordinates=SITES[0][2])
        ),
        SourceOrder(order_id=order),
        oc.PackShipment(order_id=order, shipment_id="S1"),
        oc.DispatchShipment(order_id=order, shipment_id="S1", carrier="ups", tracking_number="1Z-scripted"),
        oc.MarkShipmentDelivered(order_id=order, shipment_id="S1", delivered_at=clock.now),
        rc.RequestReturn(return_id="r-scripted-1", order_id=order, lines=one),
        rc.ApproveReturn(return_id="r-scripted-1"),
        rc.ReceiveReturn(
            return_id="r-scripted-1",
            location_code="RC-1",
            lines=(ReceivedLine(sku=sku, quantity=1, condition=ItemCondition.RESELLABLE),),
        ),
        rc.RefundReturn(return_id="r-scripted-1", lines=(RefundLine(sku=sku, amount=Decimal("12.50")),)),
        rc.RequestReturn(return_id="r-scripted-2", order_id=order, lines=one),
        rc.CancelReturn(return_id="r-scripted-2", reason="kept it"),
    ]


async def run_history(handlers: Handlers, clock: FixedClock, world: World) -> tuple[Counter[str], Position]:
    """Issues COMMANDS commands, CONCURRENCY at a time; returns accepted/refused counts and the last position."""
    outcomes: Counter[str] = Counter()
    last = Position(0, 0)

    async def issue(command: Any) -> None:
        nonlocal last
        try:
            outcome = await handlers.handle(command)
        except DomainError:
            outcomes["refused"] += 1
            return
        outcomes["accepted"] += 1
        world.learn(outcome.events)
        if outcome.position is not None:
            last = max(last, outcome.position)

    for code, kind, where in SITES:
        await issue(locations.CreateLocation(code=code, name=code, type=kind, coordinates=where))
    for sku in SKUS:
        for code in CODES[:3]:
            await issue(stock.ReceiveStock(sku=sku, location_code=code, quantity=world.rng.randint(5, 40)))
    # Returns end in a refund or a withdrawal only now and then in the random mix (it depends on how the
    # concurrent commands interleave): one order's life scripted first makes sure the history holds both.
    for command in scripted_returns(clock):
        before = outcomes["accepted"]
        await issue(command)
        assert outcomes["accepted"] == before + 1, f"the scripted {type(command).__name__} was refused"
    for _ in range(0, COMMANDS, CONCURRENCY):
        clock.advance(minutes=world.rng.randint(1, 90))
        await asyncio.gather(*(issue(world.command(clock)) for _ in range(CONCURRENCY)))
    # Whether the random mix ever falls below a reorder point depends on how the concurrent commands interleave;
    # one location short by construction makes sure the history holds a replenishment request and its answer.
    sku, code = SKUS[0], CODES[0]
    await issue(stock.SetReorderPoint(sku=sku, location_code=code, reorder_point=10_000, reorder_quantity=10))
    await issue(CheckReplenishment(sku=sku, location_code=code))
    # Cart reservations, each ending its own way: a held cart needs a shipping location with stock, which the
    # random mix may have closed, so one is made sure of here. With plenty of stock: a count in the mix can leave
    # fewer units on hand than are reserved, and 10 more then left nothing to promise (seen once, in CI).
    capabilities = locations.Capabilities(ship=True, pickup=True, returns=True)
    await issue(locations.UpdateLocation(code=code, active=True, capabilities=capabilities))
    await issue(stock.ReceiveStock(sku=sku, location_code=code, quantity=10_000))
    home, cart = Address(coordinates=SITES[0][2]), (Line(sku, 1),)
    for cart_id in ("k-1", "k-2", "k-3"):
        before = outcomes["accepted"]
        await issue(carts.ReserveCart(cart_id=cart_id, customer_id="c-1", lines=cart, ship_to=home, ttl_seconds=60))
        assert outcomes["accepted"] == before + 1, f"cart {cart_id} was refused"
    await issue(oc.PlaceOrder(order_id="o-cart", customer_id="c-1", lines=cart, ship_to=home, reservation_id="k-1"))
    await issue(carts.ReleaseCart(cart_id="k-2"))
    clock.advance(minutes=2)
    await issue(carts.ExpireCart(cart_id="k-3"))
    return outcomes, last


async def test_replay_rebuilds_a_random_history_identically(
    database_url: str, store: EventStore, readmodel: asyncpg.Pool
) -> None:
    clock, world = FixedClock(), World(SEED)
    ids = iter(range(10**9))
    listener, notifier = Listener(database_url), Notifier(database_url)
    await listener.start()
    store = EventStore(store.pool, on_append=notifier.poke)
    codec = EventCodec(ALL_EVENTS)
    # Locations read fresh for every command (the default keeps them for a second): the scripted carts at the
    # end reopen a location the random mix may have just closed, and must be planned on it at once.
    handlers = Handlers(
        Context(store, codec, clock=clock, new_id=lambda: f"id-{next(ids)}"),
        network=LogNetwork(store, codec, locations_ttl=0.0),
    )
    # Small live batches: other boundaries than the rebuild's (thousands of events per batch).
    runner = ProjectionRunner(readmodel, listener=listener, batch_size=25, poll_interval=0.05)
    stop = asyncio.Event()
    live = asyncio.create_task(runner.run(stop))
    try:
        outcomes, last = await run_history(handlers, clock, world)
        assert await runner.wait_for(last, 30.0)
        out = io.StringIO()
        # The live runner keeps going meanwhile: replay brings both sides to the same position itself.
        assert await replay(database_url, swap=False, out=out) == 0, out.getvalue()
        assert "read models identical" in out.getvalue()
    finally:
        stop.set()
        await live
        await listener.close()
        await notifier.close()

    # The history is the one intended: most kinds of event happened, and the domain refused plenty.
    assert outcomes["accepted"] > COMMANDS // 3 and outcomes["refused"] > COMMANDS // 20, outcomes
    happened = {r["event_type"] for r in await readmodel.fetch("SELECT DISTINCT event_type FROM events")}
    wanted = {
        "StockReserved", "StockShipped", "ReservationReleased", "StockCounted", "SafetyStockSet",
        "ReplenishmentRequested", "SupplyExpected", "SupplyReceived", "OrderPlaced", "SourcingDecided",
        "OrderAllocated", "OrderBackordered", "ShipmentDispatched", "TrackingUpdated", "ShipmentDelivered",
        "OrderCancelled", "OrderEdited", "ReturnRequested", "ReturnCancelled", "ReturnReceived", "ReturnRefunded",
        "LocationDeactivated", "LocationUpdated", "CartReserved", "CartConsumed", "CartReleased", "CartExpired",
        "ReservationTransferred", "OrderRefunded",
    }  # fmt: skip
    assert not wanted - happened, (wanted - happened, outcomes)
    assert await readmodel.fetchval("SELECT count(*) FROM orders") > 200  # placements among ~20 kinds of command
    assert await readmodel.fetchval("SELECT count(*) FROM orders WHERE state->>'replacement_for' IS NOT NULL") > 0

    # A row the log does not produce is found and named.
    await readmodel.execute(
        "UPDATE order_lines SET shipped = shipped + 1"
        " WHERE (order_id, line_no) = (SELECT order_id, line_no FROM order_lines ORDER BY order_id, line_no LIMIT 1)"
    )
    out = io.StringIO()
    assert await replay(database_url, swap=False, out=out) == 1
    assert "order_lines [" in out.getvalue() and ": shipped live " in out.getvalue(), out.getvalue()
    assert "1 rows differ" in out.getvalue()
