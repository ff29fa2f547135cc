"""The shell of what-if sourcing: rebuild each past order's situation from the log, then `simulate` (pure).

    report = await simulate_sourcing(store, codec, draft, period_from=..., period_to=...)

Which orders: those whose `OrderPlaced.placed_at` (the business's clock) falls in [period_from, period_to)
and that the live profile sourced (their first `SourcingDecided`, the decision made at placement; later ones
are backorder fills after supply and are not compared).

What each order meets: the network and the stock exactly as the live profile met them, i.e. replayed from the
log up to the transaction that recorded the live decision (that transaction's own reservations excluded).
This is the apples-to-apples choice: the draft answers "what would these rules have done in that situation".
Its limits: the draft's choices do not feed forward (had it taken stock elsewhere, later orders would have
met different stock; they meet the stock the live decisions left), and the replay reads the location and
stock history from the start of the log in one pass, which is fine for a planning tool but not for a hot path
(a projection's as-of tables could start the pass nearer the period).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

from app.domain import locations, stock
from app.domain.errors import InvalidInput
from app.domain.events import Event
from app.domain.locations import Location
from app.domain.order_events import OrderPlaced, SourcingDecided
from app.domain.stock import StockState
from app.domain.streams import parse_stock_stream, stream_category
from app.sourcing import SourcingProfile, SourcingRequest
from app.sourcing.simulation import Decision, SimulationCase, SimulationReport, days_between, simulate
from eventstore import EventCodec, EventStore, RecordedEvent, read_until

from .sourcing import candidate

WATCHED = ("location", "stock", "order")
ORDER_EVENTS = frozenset({OrderPlaced.__name__, SourcingDecided.__name__})


class TooManyOrders(InvalidInput):
    """The period holds more orders than one simulation re-sources: a shorter period answers in time."""

    code = "TOO_MANY_ORDERS"


async def simulate_sourcing(
    store: EventStore,
    codec: EventCodec,
    draft: SourcingProfile,
    *,
    period_from: datetime,
    period_to: datetime,
    baseline: SourcingProfile | None = None,
    max_orders: int | None = None,
) -> SimulationReport:
    """The draft over the orders placed in [period_from, period_to), against the live decisions (or, given a
    `baseline`, against that profile: see `simulate`). More than `max_orders` orders raise TooManyOrders before
    any is sourced. The solving runs in a thread, so a server's other requests go on meanwhile."""
    cases, undecided = await _cases(store, codec, period_from, period_to, max_orders)
    return await asyncio.to_thread(
        simulate, cases, draft, period_from=period_from, period_to=period_to, undecided_orders=undecided,
        baseline=baseline,
    )  # fmt: skip


class _Replay:
    """The network and the stock as of a point in the log, advanced one transaction at a time."""

    def __init__(self) -> None:
        self.locations: dict[str, Location] = {}
        self.stock: dict[tuple[str, str], StockState] = {}  # (location code, sku)

    def apply(self, category: str, stream_id: str, event: Event) -> None:
        if category == "location":
            code = stream_id.split("-", 1)[1]
            state = locations.evolve(self.locations.get(code), event)
            if state is not None:
                self.locations[code] = state
        elif category == "stock":
            sku, code = parse_stock_stream(stream_id)
            before = self.stock.get((code, sku), stock.EMPTY_STOCK)
            self.stock[(code, sku)] = stock.evolve(before, event)

    def case(self, placed: OrderPlaced, decided: SourcingDecided) -> SimulationCase:
        lines: dict[str, int] = {}
        for line in placed.lines:
            lines[line.sku] = lines.get(line.sku, 0) + line.quantity
        ship_to = placed.ship_to.coordinates
        request = SourcingRequest(
            order_id=placed.order_id,
            lines=lines,
            ship_to=ship_to,
            service_level=placed.service_level,
            priority=placed.priority,
            channel=placed.channel,
            placed_at=placed.placed_at,
        )
        availability = {key: state.atp for key, state in self.stock.items() if key[1] in lines and state.atp > 0}
        promises = [s.promised_delivery for s in decided.shipments if s.promised_delivery is not None]
        live = Decision(
            profile_version=decided.profile_version,
            cost=decided.total_cost,
            distances_km=tuple(
                round(self.locations[s.location_code].coordinates.distance_km(ship_to), 1)
                for s in decided.shipments
                if s.location_code in self.locations
            ),
            promised_days=days_between(placed.placed_at, max(promises)) if promises else None,
            backordered_units=sum(line.quantity for line in decided.backordered),
            locations=tuple(s.location_code for s in decided.shipments),
        )
        network = [candidate(loc) for _, loc in sorted(self.locations.items())]
        return SimulationCase(request=request, network=network, availability=availability, now=decided.decided_at,
                              live=live)  # fmt: skip


async def _cases(
    store: EventStore, codec: EventCodec, period_from: datetime, period_to: datetime, max_orders: int | None = None
) -> tuple[list[SimulationCase], int]:
    replay = _Replay()
    placed: dict[str, OrderPlaced] = {}  # in the period, not decided yet
    cases: list[SimulationCase] = []
    seen = 0  # orders placed in the period so far
    async for transaction in _transactions(store):
        # Decisions first, on the state before their transaction: its reservations are the decision's result.
        decoded = [(r, codec.decode(r)) for r in transaction if _wanted(r)]
        # An order allocated on placement (the fast path) is decided in its placing transaction, on the same
        # state before it: the pair is a case like any other.
        fast = {e.order_id: e for _, e in decoded if isinstance(e, OrderPlaced) and e.allocated_on_placement}
        for _, event in decoded:
            if isinstance(event, SourcingDecided) and event.order_id in fast:
                order = fast[event.order_id]
                if period_from <= order.placed_at < period_to:
                    seen += 1
                    _check_count(seen, max_orders)
                    cases.append(replay.case(order, event))
        for _, event in decoded:
            if isinstance(event, SourcingDecided) and event.order_id in placed:
                cases.append(replay.case(placed.pop(event.order_id), event))
        for recorded, event in decoded:
            if (
                isinstance(event, OrderPlaced)
                and event.order_id not in fast
                and period_from <= event.placed_at < period_to
            ):
                placed[event.order_id] = event
                seen += 1
                _check_count(seen, max_orders)
            replay.apply(stream_category(recorded.stream_id), recorded.stream_id, event)
    return cases, len(placed)


def _check_count(seen: int, max_orders: int | None) -> None:
    if max_orders is not None and seen > max_orders:
        raise TooManyOrders(
            f"more than {max_orders} orders were placed in the period: simulate a shorter one", field=("to",)
        )


def _wanted(recorded: RecordedEvent) -> bool:
    return stream_category(recorded.stream_id) != "order" or recorded.event_type in ORDER_EVENTS


async def _transactions(store: EventStore) -> AsyncIterator[list[RecordedEvent]]:
    """The log's location, stock and order events as it stands now, grouped by the transaction that wrote them."""
    current: list[RecordedEvent] = []
    if (until := await store.head()) is not None:
        async for page in read_until(store, until, categories=WATCHED):
            for recorded in page.events:
                if current and current[0].transaction_id != recorded.transaction_id:
                    yield current
                    current = []
                current.append(recorded)
    if current:
        yield current
