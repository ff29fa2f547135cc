"""`meridian up --demo`: simulated customers, warehouse staff and store associates, so the demo network moves.

Orders arrive at a steady rate to random US addresses. Warehouse staff pack and dispatch what is planned at
their locations (the pick implied). Store associates pick what is planned at their stores (`confirmPick`'s
command, through the handlers): most picks whole; about one in ten with a unit not found or damaged, which is
declined and sourced elsewhere at once; now and then one left to sit past the store's pick SLA, which the
worker's sweep expires and sources again. Picked shipments are packed and dispatched with the simulated carrier,
whose parcels then travel to delivery on their own (the tracking actor polls them).

About one order in five is click & collect at the active pickup store nearest the customer. Its pick makes it
ready at the counter with a code; most customers come and collect it (now and then mistyping the code first),
some never come, so the hold runs out and the sweep gives the units back and cancels the lines. A hold is counted
in business days, and the demo's handlers are given a short day (`MERIDIAN_DEMO_DAY_MINUTES`, default 2: a 5-day
hold lasts 10 minutes). Only holds this process's handlers decide are shortened; picks confirmed through the API
keep real days.

The associates live in demo time: `MERIDIAN_DEMO_TIME_SCALE` (or `meridian demo --time-scale`) divides their
waits. At the default 10 a pick comes 12 s to 1 min after the shipment was planned, and stores without a pick SLA
are given 3 minutes (30 demo minutes), so a forgotten pick is expired and re-sourced within minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
import msgspec

from app.carriers.simulated import tracking_number_for
from app.domain import ALL_EVENTS, locations
from app.domain import order_commands as oc
from app.domain.errors import DomainError
from app.domain.order_state import Order, Shipment
from app.domain.pickup_events import ConfirmCollection
from app.domain.values import (
    Address,
    Coordinates,
    DeliveryMethod,
    Line,
    LocationType,
    PickDeclineReason,
    ServiceLevel,
    ShipmentStatus,
)
from app.handlers import Context, Handlers
from app.handlers.cached_network import ReadModelNetwork
from app.seed import demo_skus
from eventstore import EventCodec, EventStore, Metadata
from projections import queries
from projections.schema import create_readmodel_pool

DEFAULT_TIME_SCALE = 10.0
DEFAULT_DAY_MINUTES = 2.0
PICKUP_RATE = 0.2  # of demo orders, collected at a store
CUSTOMER = Metadata(actor="demo:customer")
WAREHOUSE = Metadata(actor="demo:warehouse")
ASSOCIATE = Metadata(actor="demo:store-associate")
STORE = LocationType.STORE.value


async def run_demo(
    handlers: Handlers,
    pool: asyncpg.Pool,
    stop: asyncio.Event,
    rng: random.Random,
    *,
    per_second: float = 2.0,
    time_scale: float = DEFAULT_TIME_SCALE,
) -> None:
    skus = demo_skus()
    associates = StoreAssociates(handlers, pool, rng, time_scale=time_scale)
    counter = PickupCustomers(handlers, pool, rng)
    while not stop.is_set():
        await handlers.handle(await new_order(pool, rng, skus), CUSTOMER)
        await ship_from_warehouses(handlers, pool)
        await associates.step()
        await counter.step()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1 / per_second)


async def new_order(
    pool: asyncpg.Pool, rng: random.Random, skus: list[str], *, pickup_rate: float = PICKUP_RATE
) -> oc.PlaceOrder:
    """A customer somewhere in the US orders 1 to 3 SKUs: shipped to them, or (`pickup_rate`) collected at the
    active pickup store nearest them, when there is one (a pickup order needs no address)."""
    lines = {sku: rng.randint(1, 3) for sku in rng.sample(skus, k=rng.randint(1, min(3, len(skus))))}
    home = Coordinates(rng.uniform(30, 47), rng.uniform(-122, -72))
    order = oc.PlaceOrder(
        order_id=uuid.uuid4().hex,
        customer_id=f"demo-{rng.randint(1, 50)}",
        lines=tuple(Line(sku, qty) for sku, qty in lines.items()),
        ship_to=Address(coordinates=home, country="US"),
        service_level=rng.choice(list(ServiceLevel)),
        priority=rng.choice([0, 0, 0, 5]),
    )
    if rng.random() >= pickup_rate:
        return order
    stores = [r for r in await queries.all_locations(pool) if r["pickup"] and r["active"]]
    if not stores:
        return order
    store = min(stores, key=lambda r: home.distance_km(Coordinates(r["latitude"], r["longitude"])))
    return msgspec.structs.replace(
        order, ship_to=None, delivery_method=DeliveryMethod.PICKUP, pickup_location_code=store["code"]
    )


async def ship_from_warehouses(handlers: Handlers, pool: asyncpg.Pool) -> None:
    """Staff at every shipping location but the stores pack and dispatch what is planned there, oldest first."""
    for row in await queries.all_locations(pool):
        if row["type"] == STORE or not row["ship"]:
            continue
        for shipment in await queries.shipments_page_at_location(pool, row["code"], first=20, statuses=["PLANNED"]):
            await pack_and_dispatch(handlers, shipment["order_id"], shipment["shipment_id"], WAREHOUSE)


async def pack_and_dispatch(handlers: Handlers, order_id: str, shipment_id: str, meta: Metadata) -> None:
    try:
        await handlers.handle(oc.PackShipment(order_id=order_id, shipment_id=shipment_id), meta)
        number = tracking_number_for(f"{order_id[:8]}{shipment_id}", handlers.ctx.clock())
        dispatch = oc.DispatchShipment(
            order_id=order_id, shipment_id=shipment_id, carrier="simulated", tracking_number=number
        )
        await handlers.handle(dispatch, meta)
    except DomainError:
        pass  # someone else got there first, or nothing was left to ship: the demo moves on


# -- store associates --------------------------------------------------------------------------------------------
# What an associate does with a PLANNED shipment at a store, one function per action, chosen in
# `StoreAssociates._decide`. A picked PICKUP shipment is not packed: it waits at the counter for its customer.
Action = Callable[[Handlers, Order, Shipment, random.Random], Awaitable[None]]


async def pick_whole(handlers: Handlers, order: Order, shipment: Shipment, rng: random.Random) -> None:
    """Everything planned was found: picked, then packed and handed to the carrier (or, for a pickup, left at the
    counter)."""
    lines = tuple(oc.PickLine(sku=line.sku, picked=line.quantity) for line in shipment.lines)
    await _pick(handlers, order, shipment, lines)


async def decline_a_unit(handlers: Handlers, order: Order, shipment: Shipment, rng: random.Random) -> None:
    """One unit of one line is not on the shelf, or is damaged: it is declined and sourced elsewhere at once."""
    short = rng.randrange(len(shipment.lines))
    reason = rng.choice([PickDeclineReason.NOT_FOUND, PickDeclineReason.DAMAGED])
    lines = tuple(
        oc.PickLine(sku=line.sku, picked=line.quantity - 1, reason=reason)
        if i == short
        else oc.PickLine(sku=line.sku, picked=line.quantity)
        for i, line in enumerate(shipment.lines)
    )
    await _pick(handlers, order, shipment, lines)


async def let_it_sit(handlers: Handlers, order: Order, shipment: Shipment, rng: random.Random) -> None:
    """Nobody gets to it: it runs past the store's pick SLA, and the worker's sweep expires and re-sources it."""


async def _pick(handlers: Handlers, order: Order, shipment: Shipment, lines: tuple[oc.PickLine, ...]) -> None:
    pick = oc.ConfirmPick(order_id=order.order_id, shipment_id=shipment.shipment_id, lines=lines)
    await handlers.handle(pick, ASSOCIATE)
    if shipment.kind is not DeliveryMethod.PICKUP:  # a pickup is READY_FOR_PICKUP now, waiting for its customer
        await pack_and_dispatch(handlers, order.order_id, shipment.shipment_id, ASSOCIATE)  # empty: skipped


@dataclass(frozen=True)
class Habits:
    """How often associates decline a unit or forget a pick, and their times in demo minutes."""

    decline_rate: float = 0.10
    forget_rate: float = 0.05
    pick_after_minutes: tuple[float, float] = (2.0, 10.0)  # after they first see the shipment
    pick_sla_minutes: float = 30.0  # given to stores that have none, so a forgotten pick expires


class StoreAssociates:
    """Each PLANNED shipment at a store gets, when first seen, an action and a time to do it (from the injected
    `rng`); `step` does what has come due. Their memory is in-process: a restarted demo decides afresh."""

    def __init__(
        self,
        handlers: Handlers,
        pool: asyncpg.Pool,
        rng: random.Random,
        *,
        time_scale: float = DEFAULT_TIME_SCALE,
        habits: Habits = Habits(),  # frozen: one shared default is safe
    ) -> None:
        self.handlers, self.pool, self.rng, self.habits = handlers, pool, rng, habits
        self.time_scale = time_scale
        self._due: dict[tuple[str, str], tuple[datetime, Action]] = {}
        self._done: set[tuple[str, str]] = set()  # acted on, still PLANNED in the read model for a moment
        self._given_sla: set[str] = set()

    async def _give_pick_sla(self, store: asyncpg.Record) -> None:
        """A store without a pick SLA gets the demo's (scaled, at least a minute), once; one set by hand is kept.
        Checked every step: on a first start the read model may not list the seeded stores yet."""
        if store["pick_sla_minutes"] is not None or store["code"] in self._given_sla:
            return
        minutes = max(1, round(self.habits.pick_sla_minutes / self.time_scale))
        with contextlib.suppress(DomainError):
            sla = locations.UpdateLocation(code=store["code"], pick_sla_minutes=minutes)
            await self.handlers.handle(sla, ASSOCIATE)
        self._given_sla.add(store["code"])

    def _decide(self, now: datetime) -> tuple[datetime, Action]:
        roll = self.rng.random()
        action: Action = pick_whole
        if roll < self.habits.forget_rate:
            action = let_it_sit
        elif roll < self.habits.forget_rate + self.habits.decline_rate:
            action = decline_a_unit
        after = self.rng.uniform(*self.habits.pick_after_minutes) / self.time_scale
        return now + timedelta(minutes=after), action

    async def step(self) -> int:
        """One round over every active store's PLANNED shipments; returns how many were picked (whole or short)."""
        now = self.handlers.ctx.clock()
        planned: set[tuple[str, str]] = set()
        for row in await queries.all_locations(self.pool):
            if row["type"] != STORE or not row["active"]:
                continue
            await self._give_pick_sla(row)
            for s in await queries.shipments_page_at_location(self.pool, row["code"], first=100, statuses=["PLANNED"]):
                planned.add((s["order_id"], s["shipment_id"]))
        for key in planned - self._due.keys():
            self._due[key] = self._decide(now)
        for key in self._due.keys() - planned:  # picked, expired, or cancelled: forgotten
            del self._due[key]
        self._done &= planned
        acted = 0
        for key, (due, action) in sorted(self._due.items(), key=lambda item: item[1][0]):
            if due > now or key in self._done:
                continue
            self._done.add(key)
            order = await self._order(key[0])
            shipment = next((s for s in order.shipments if s.shipment_id == key[1]), None) if order else None
            if shipment is not None and shipment.awaiting_transfer:
                self._done.discard(key)  # not pickable until the transfer arrives: picked then
                continue
            if order is not None and shipment is not None and shipment.status is ShipmentStatus.PLANNED:
                with contextlib.suppress(DomainError):  # the sweep, or someone else, got there first
                    await action(self.handlers, order, shipment, self.rng)
                    acted += action is not let_it_sit
        return acted

    async def _order(self, order_id: str) -> Order | None:
        return await order_from(self.pool, order_id)


async def order_from(pool: asyncpg.Pool, order_id: str) -> Order | None:
    states = await queries.order_states(pool, [order_id])
    return msgspec.json.decode(states[0][1], type=Order) if states else None


# -- customers at the pickup counter -----------------------------------------------------------------------------
# What the customer of a READY_FOR_PICKUP shipment does, one function per action, chosen in
# `PickupCustomers._decide`. The code is the one their confirmation gave them (read from the order's state).


async def collect(handlers: Handlers, order: Order, shipment: Shipment, rng: random.Random) -> None:
    """The customer comes with the code and takes the parcel home: the units leave the store's stock."""
    come = ConfirmCollection(order_id=order.order_id, shipment_id=shipment.shipment_id, pickup_code=_code(shipment))
    await handlers.handle(come, CUSTOMER)


async def collect_after_a_wrong_code(handlers: Handlers, order: Order, shipment: Shipment, rng: random.Random) -> None:
    """One digit mistyped first (refused, and counted towards the lock), then the right code."""
    code = _code(shipment)
    at = rng.randrange(len(code))
    digit = rng.choice([d for d in "0123456789" if d != code[at]])
    wrong = ConfirmCollection(
        order_id=order.order_id, shipment_id=shipment.shipment_id, pickup_code=code[:at] + digit + code[at + 1 :]
    )
    await handlers.handle(wrong, CUSTOMER)
    await collect(handlers, order, shipment, rng)


async def never_come(handlers: Handlers, order: Order, shipment: Shipment, rng: random.Random) -> None:
    """The customer never comes: at the end of the hold the worker's sweep expires it, the units go back on the
    shelf and the lines are cancelled (and refunded, when priced)."""


def _code(shipment: Shipment) -> str:
    return shipment.pickup_code or ""


@dataclass(frozen=True)
class ShopperHabits:
    """How often pickup customers never come or mistype their code, and when the others come, as a share of the
    hold left when the parcel was ready (so a shortened demo day brings them sooner too)."""

    no_show_rate: float = 0.15
    wrong_code_rate: float = 0.10
    come_within: tuple[float, float] = (0.05, 0.5)


class PickupCustomers:
    """Each READY_FOR_PICKUP shipment at a store gets, when first seen, an action and a time for its customer
    (from the injected `rng`; one action per order: a customer who never comes leaves all its parcels); `step`
    does what has come due. In-process memory, like the associates'."""

    def __init__(
        self, handlers: Handlers, pool: asyncpg.Pool, rng: random.Random, *, habits: ShopperHabits = ShopperHabits()
    ) -> None:
        self.handlers, self.pool, self.rng, self.habits = handlers, pool, rng, habits
        self._due: dict[tuple[str, str], tuple[datetime, Action]] = {}
        self._customer: dict[str, Action] = {}  # by order: what its customer does with every parcel of it

    def _decide(self, now: datetime, order: Order, shipment: Shipment) -> tuple[datetime, Action]:
        if order.order_id not in self._customer:
            roll = self.rng.random()
            action: Action = collect
            if roll < self.habits.no_show_rate:
                action = never_come
            elif roll < self.habits.no_show_rate + self.habits.wrong_code_rate:
                action = collect_after_a_wrong_code
            self._customer[order.order_id] = action
        left = (shipment.expires_at - now) if shipment.expires_at is not None else timedelta()
        return now + self.rng.uniform(*self.habits.come_within) * left, self._customer[order.order_id]

    async def step(self) -> int:
        """One round over every active store's READY_FOR_PICKUP shipments; returns how many customers came."""
        now = self.handlers.ctx.clock()
        waiting: set[tuple[str, str]] = set()
        for row in await queries.all_locations(self.pool):
            if row["type"] != STORE or not row["active"]:
                continue
            ready = await queries.shipments_page_at_location(
                self.pool, row["code"], first=100, statuses=[ShipmentStatus.READY_FOR_PICKUP.value]
            )
            waiting |= {(s["order_id"], s["shipment_id"]) for s in ready}
        for key in self._due.keys() - waiting:  # collected or expired: forgotten
            del self._due[key]
        orders_waiting = {order_id for order_id, _ in waiting}
        self._customer = {o: a for o, a in self._customer.items() if o in orders_waiting}
        came = 0
        for key in sorted(waiting):
            known = self._due.get(key)
            if known is not None and (known[0] > now or known[1] is never_come):
                continue  # not yet, or never (a customer who came is recorded as never coming again)
            order = await order_from(self.pool, key[0])
            shipment = next((s for s in order.shipments if s.shipment_id == key[1]), None) if order else None
            if order is None or shipment is None or shipment.status is not ShipmentStatus.READY_FOR_PICKUP:
                continue
            if known is None:
                self._due[key] = self._decide(now, order, shipment)
                continue  # decided on first sight; acted on in a later round, when due
            self._due[key] = (now, never_come)  # until the read model no longer lists it
            with contextlib.suppress(DomainError):  # locked, or expired meanwhile: the customer goes home
                await known[1](self.handlers, order, shipment, self.rng)
                came += 1
        return came


async def main(
    dsn: str, *, per_second: float, time_scale: float = DEFAULT_TIME_SCALE, day_minutes: float = DEFAULT_DAY_MINUTES
) -> None:
    """The `meridian demo` process: its own pool and handlers, until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    pool = await create_readmodel_pool(dsn, min_size=1, max_size=4)
    try:
        codec = EventCodec(ALL_EVENTS)
        ctx = Context(EventStore(pool), codec, day=timedelta(minutes=day_minutes))  # pickup holds in minutes
        handlers = Handlers(ctx, network=ReadModelNetwork(pool, codec))
        await run_demo(handlers, pool, stop, random.Random(11), per_second=per_second, time_scale=time_scale)
    finally:
        await pool.close()
