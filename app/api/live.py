"""Live updates for subscriptions, fed by the log's wake-ups: one reader per process, fanned out in memory.

The feed is a live log follower (no checkpoint: it starts at the horizon, about now, not history) and, for
every order or stock event, wakes the subscribers of that order or SKU, and for an order event that touches
shipments, the subscribers of each location those shipments are at. Subscribers then read the read model once
per change; nobody polls the database per client.

Most order events name a shipment but not its location: the feed remembers where the shipments it saw planned
are (a bounded memory). An event about a shipment it never saw planned (planned before the feed started
reading) goes to `UNPLACED`, which every location's subscribers also hear; they look the shipment up.

The same reading counts the order flow (orders placed, allocated, shipped) for `orderFlow`'s subscribers: one
running total per process, which each subscriber reads once a second, so a thousand dashboards cost the process
one pass over the events, as one does.

While nobody subscribes, the feed reads no events: the follower only moves its position up to the log's
horizon (one small query per poll interval), so the first subscriber is served from at most that far back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterator, Sequence

import msgspec

from app.domain.streams import parse_stock_stream
from eventstore import EventStore, Listener, LogFollower, Position, RecordedEvent

UNPLACED = "location:?"  # changes to shipments whose location the feed does not know
_REMEMBERED_ORDERS = 100_000  # orders whose shipments' locations the feed keeps (least recently touched go)
# The order flow: which events count as what. A re-sourcing is another allocation; a shipment, one dispatch.
FLOW = {"OrderPlaced": "placed", "OrderAllocated": "allocated", "ShipmentDispatched": "shipped"}


def location_topic(location_code: str) -> str:
    return f"location:{location_code}"


class Change(msgspec.Struct, frozen=True):
    """Something happened to a subscribed order, SKU or location: which event, and where it is in the log.

    For a location's subscribers, `order_id` and `shipment_ids` say which of its shipments changed (no ids: any
    of that order's shipments there)."""

    event_type: str
    position: Position
    order_id: str | None = None
    shipment_ids: tuple[str, ...] = ()


class _At(msgspec.Struct):
    shipment_id: str = ""
    location_code: str = ""


class _TouchedShipments(msgspec.Struct):
    """What an order event says about the shipments it touched; every other field is skipped when decoding."""

    shipment_id: str | None = None  # picked, packed, dispatched, tracked, ...
    shipments: list[_At] = []  # planned (OrderAllocated)
    reductions: list[_At] = []  # lines cut out of shipments (OrderLinesCancelled)
    released: list[_At] = []  # reservations let go, at these locations (cancellations, declines, expiries)


class LiveFeed:
    def __init__(self, store: EventStore, listener: Listener, *, poll_interval: float = 0.5) -> None:
        self._topics: dict[str, set[asyncio.Queue[Change]]] = defaultdict(set)
        self._located: OrderedDict[str, dict[str, str]] = OrderedDict()  # order id -> {shipment id: location}
        self._flow_watchers = 0
        self.flow: Counter[str] = Counter()  # FLOW's kinds read while someone watched, since the process started
        self.follower = LogFollower(
            store,
            on_events=self._publish_all,
            active=lambda: bool(self._topics) or self._flow_watchers > 0,
            categories=["order", "stock"],
            batch_size=1000,
            poll_interval=poll_interval,
            listener=listener,
        )

    @contextlib.contextmanager
    def subscribe(self, *topics: str) -> Iterator[asyncio.Queue[Change]]:
        """One queue of the changes to `topics` (`order:<id>`, `sku:<sku>`, `location:<code>`, `UNPLACED`) for
        as long as the block runs."""
        queue: asyncio.Queue[Change] = asyncio.Queue(maxsize=1000)
        for topic in topics:
            self._topics[topic].add(queue)
        self.follower.wake()  # stop idling
        try:
            yield queue
        finally:
            for topic in topics:
                self._topics[topic].discard(queue)
                if not self._topics[topic]:
                    del self._topics[topic]

    @contextlib.contextmanager
    def watching_flow(self) -> Iterator[Counter[str]]:
        """The running totals of the order flow (`flow`), kept counting for as long as the block runs."""
        self._flow_watchers += 1
        self.follower.wake()
        try:
            yield self.flow
        finally:
            self._flow_watchers -= 1

    def listening(self, topic: str) -> int:
        """How many subscribers `topic` has now (tests wait for a subscription to be registered)."""
        return len(self._topics.get(topic, ()))

    async def run(self) -> None:
        await self.follower.run()

    def _publish_all(self, events: Sequence[RecordedEvent]) -> None:
        if self._flow_watchers:
            self.flow.update(FLOW[e.event_type] for e in events if e.event_type in FLOW)
        locations_heard = any(topic.startswith("location:") for topic in self._topics)
        # A location hears one change per order per transaction (an allocation is SourcingDecided and
        # OrderAllocated together): its subscribers read the shipment once, as it stands after all of it.
        at_locations: dict[tuple[str, str, int], Change] = {}
        for event in events:
            self._publish(_topic(event.stream_id), Change(event.event_type, event.position))
            if locations_heard and event.stream_id.startswith("order-"):
                for topic, change in self._shipment_changes(event):
                    key = (topic, event.stream_id, event.transaction_id)
                    earlier = at_locations.get(key)
                    at_locations[key] = change if earlier is None else _merged(earlier, change)
        for (topic, _, _), change in at_locations.items():
            self._publish(topic, change)

    def _shipment_changes(self, event: RecordedEvent) -> list[tuple[str, Change]]:
        """(topic, change) for every location where this order event changed a shipment."""
        order_id = event.stream_id.removeprefix("order-")
        try:
            touched = msgspec.json.decode(event.data, type=_TouchedShipments)
        except msgspec.ValidationError:  # an event naming its shipments otherwise: no location hears it, the
            return []  # orders' and SKUs' subscribers still do (a crash here would end every subscription)
        learnt = {s.shipment_id: s.location_code for s in touched.shipments}
        if touched.shipment_id is not None and touched.released:
            learnt[touched.shipment_id] = touched.released[0].location_code  # its reservations are where it is
        known = self._located.get(order_id, {})
        if learnt:
            known = self._remember(order_id, {**known, **learnt})
        named = [s.shipment_id for s in touched.shipments + touched.reductions]
        named += [touched.shipment_id] if touched.shipment_id is not None else []
        at: dict[str, list[str]] = defaultdict(list)  # topic -> the named shipments there
        for shipment_id in dict.fromkeys(named):
            where = known.get(shipment_id)
            at[UNPLACED if where is None else location_topic(where)].append(shipment_id)
        if not named:  # an order-wide change (a cancellation): any of its shipments where it let stock go
            at.update({location_topic(r.location_code): [] for r in touched.released})
        return [(topic, Change(event.event_type, event.position, order_id, tuple(ids))) for topic, ids in at.items()]

    def _remember(self, order_id: str, located: dict[str, str]) -> dict[str, str]:
        self._located[order_id] = located
        self._located.move_to_end(order_id)
        if len(self._located) > _REMEMBERED_ORDERS:
            self._located.popitem(last=False)
        return located

    def _publish(self, topic: str | None, change: Change) -> None:
        for queue in self._topics.get(topic or "", ()):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled client loses intermediate states only
                queue.put_nowait(change)


def _merged(earlier: Change, later: Change) -> Change:
    """Two changes to one order's shipments at one location as one: the later position, both sets of shipments
    (no ids on either side: any of the order's shipments there)."""
    both = earlier.shipment_ids + later.shipment_ids if earlier.shipment_ids and later.shipment_ids else ()
    return Change(later.event_type, later.position, later.order_id, tuple(dict.fromkeys(both)))


def _topic(stream_id: str) -> str | None:
    if stream_id.startswith("order-"):
        return f"order:{stream_id.removeprefix('order-')}"
    if stream_id.startswith("stock-"):
        return f"sku:{parse_stock_stream(stream_id)[0]}"
    return None
