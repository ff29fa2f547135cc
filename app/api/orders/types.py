"""Orders, their shipments and returns, as clients see them. Built from the domain's own state (the read
model keeps it), so status and quantities are derived by the same functions the write side uses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import asyncpg
import msgspec
import strawberry

from app.domain import money
from app.domain import order_state as domain
from app.domain.returns import Return as ReturnState
from app.security import Principal
from eventstore import RecordedEvent

from ..access import can_read_pickup_code, history_entry_view, sees_network, visible_order
from ..context import Info
from ..ids import global_id, shipment_key
from ..locations import Location, location
from ..money import Money
from ..scalars import (
    JSON,
    DeliveryMethod,
    ItemCondition,
    Node,
    OrderStatus,
    PageInfo,
    PickDeclineReason,
    ReturnStatus,
    ServiceLevel,
    ShipmentStatus,
    TrackingStatus,
)
from ..substitutions import AlternativeLine
from ..window_types import DeliveryWindow


@strawberry.type
class OrderLine:
    sku: str
    quantity: int
    allocated: int
    backordered: int
    shipped: int
    delivered: int
    cancelled: int
    returned: int
    unit_price: Money | None = strawberry.field(default=None, description="The price paid per unit; null: unpriced.")


@strawberry.type
class ShipmentLine:
    sku: str
    quantity: int


@strawberry.type
class TrackingEvent:
    status: TrackingStatus
    message: str | None
    occurred_at: datetime
    location: str | None


@strawberry.type
class PickDecline:
    sku: str
    quantity: int
    reason: PickDeclineReason
    at: datetime


@strawberry.type
class Shipment(Node):
    order_id: strawberry.Private[str]
    location_code: strawberry.Private[str]
    status: ShipmentStatus
    lines: list[ShipmentLine]
    carrier: str | None
    tracking_number: str | None
    promised_delivery: datetime | None
    estimated_delivery: datetime | None
    tracking: list[TrackingEvent]
    picked_at: datetime | None
    declines: list[PickDecline]
    ready_at: datetime | None
    expires_at: datetime | None = strawberry.field(description="When a READY_FOR_PICKUP shipment expires.")
    code: strawberry.Private[str | None] = None

    @strawberry.field(
        description="Only for admins, the order's customer and operators of the shipment's location; null otherwise."
    )
    async def pickup_code(self, info: Info) -> str | None:
        if self.code is None:
            return None
        order = await info.context.loaders.orders.load(self.order_id)
        allowed = order is not None and can_read_pickup_code(info.context.principal, order, self.location_code)
        return self.code if allowed else None

    kind: DeliveryMethod = strawberry.field(description="PICKUP: the customer collects it at `location`.")
    destination_code: strawberry.Private[str | None] = None

    @strawberry.field(description="A transfer's destination: the pickup store it feeds.")
    async def destination(self, info: Info) -> Location | None:
        return None if self.destination_code is None else await location(info, self.destination_code)

    release_at: datetime | None = strawberry.field(
        description="When a scheduled shipment becomes pickable (ship later, arrive on time); null: now."
    )

    @strawberry.field
    async def order(self, info: Info) -> Annotated[Order, strawberry.lazy("app.api.orders.types")]:
        state = await info.context.loaders.orders.load(self.order_id)
        assert state is not None  # a shipment exists only inside its order
        return Order.from_state(state)

    @strawberry.field(name="location")
    async def location_(self, info: Info) -> Location:
        found = await location(info, self.location_code)
        assert found is not None  # shipments are planned only at known locations
        return found

    @classmethod
    def from_state(cls, order_id: str, s: domain.Shipment, promised: datetime | None) -> Shipment:
        return cls(
            id=strawberry.ID(global_id("Shipment", shipment_key(order_id, s.shipment_id))),
            order_id=order_id,
            location_code=s.location_code,
            status=ShipmentStatus(s.status),
            lines=[ShipmentLine(sku=line.sku, quantity=line.quantity) for line in s.lines],
            carrier=s.carrier,
            tracking_number=s.tracking_number,
            promised_delivery=s.promised_delivery or promised,
            estimated_delivery=s.estimated_delivery,
            tracking=[
                TrackingEvent(
                    status=TrackingStatus(t.status), message=t.message, occurred_at=t.occurred_at, location=t.location
                )
                for t in s.tracking
            ],
            picked_at=s.picked_at,
            release_at=s.release_at,
            # Every decline is made at the pick, so it carries the pick's time.
            declines=[
                PickDecline(sku=d.sku, quantity=d.quantity, reason=PickDeclineReason(d.reason), at=s.picked_at)
                for d in s.declines
                if s.picked_at is not None
            ],
            ready_at=s.ready_at,
            expires_at=s.expires_at,
            code=s.pickup_code,
            kind=DeliveryMethod(s.kind),
            destination_code=s.destination,
        )


@strawberry.type
class SourcingCandidate:
    location_code: strawberry.Private[str]
    selected: bool
    reason: str | None
    cost: float | None

    @strawberry.field(name="location")
    async def location_(self, info: Info) -> Location:
        found = await location(info, self.location_code)
        assert found is not None
        return found


@strawberry.type
class SourcingDecision:
    algorithm: str
    total_cost: float
    decided_at: datetime
    candidates: list[SourcingCandidate]
    trigger: str
    profile_version: int
    gap: float | None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> SourcingDecision:
        return cls(
            algorithm=row["algorithm"],
            total_cost=row["total_cost"],
            decided_at=row["decided_at"],
            candidates=[
                SourcingCandidate(
                    location_code=c["location_code"], selected=c["selected"], reason=c.get("reason"), cost=c.get("cost")
                )
                for c in msgspec.json.decode(row["candidates"])
            ],
            trigger=row["trigger"],
            profile_version=row["profile_version"],
            gap=row["gap"],
        )


@strawberry.type
class HistoryEntry:
    position: str
    type: str
    at: datetime
    actor: str | None
    data: JSON

    @classmethod
    def from_event(cls, e: RecordedEvent, principal: Principal | None) -> HistoryEntry:
        """The entry as `principal` may see it (a customer: its order's facts, not the network's reasoning)."""
        data, actor = history_entry_view(
            principal, e.event_type, msgspec.json.decode(e.data), e.decoded_metadata().actor
        )
        return cls(position=str(e.position), type=e.event_type, at=e.recorded_at, actor=actor, data=data)


@strawberry.type
class ReturnLine:
    sku: str
    quantity: int
    reason: str | None
    condition: ItemCondition | None


@strawberry.type
class Return(Node):
    state: strawberry.Private[ReturnState]
    status: ReturnStatus
    refund_amount: float | None
    refund: Money | None = strawberry.field(description="What the return refunded, exactly; null: not yet.")

    @strawberry.field
    def lines(self) -> list[ReturnLine]:
        conditions: dict[str, ItemCondition] = {r.sku: ItemCondition(r.condition) for r in self.state.received}
        return [
            ReturnLine(sku=line.sku, quantity=line.quantity, reason=line.reason, condition=conditions.get(line.sku))
            for line in self.state.lines
        ]

    @strawberry.field
    async def order(self, info: Info) -> Annotated[Order, strawberry.lazy("app.api.orders.types")]:
        state = await info.context.loaders.orders.load(self.state.order_id)
        assert state is not None
        return Order.from_state(state)

    @strawberry.field(description="The order replacing the returned goods (an exchange's, or a replaced return's).")
    async def replacement(self, info: Info) -> Annotated[Order, strawberry.lazy("app.api.orders.types")] | None:
        found = await visible_order(info, self.state.replacement_order_id) if self.state.replacement_order_id else None
        return None if found is None else Order.from_state(found)

    @classmethod
    def from_state(cls, r: ReturnState) -> Return:
        amount = r.refund_amount
        return cls(
            id=strawberry.ID(global_id("Return", r.return_id)),
            state=r,
            status=ReturnStatus(r.status),
            refund_amount=None if amount is None else float(amount),
            refund=Money.of(r.refund),
        )


@strawberry.type(description="Where an order goes: its coordinates are the ones sourcing measured distances from.")
class ShipTo:
    latitude: float
    longitude: float
    postal_code: str | None
    country: str | None


@strawberry.type
class Order(Node):
    state: strawberry.Private[domain.Order]
    customer_id: str
    status: OrderStatus
    service_level: ServiceLevel
    priority: int
    placed_at: datetime
    delivery_method: DeliveryMethod
    channel: str
    total: Money | None = strawberry.field(
        description="Sum of unitPrice x quantity over priced lines, cancelled units excluded; null: no prices."
    )
    refunded: Money | None = strawberry.field(description="Σ refunds issued so far; null: no prices.")
    known_version: strawberry.Private[int | None] = None  # as of a moment; None: the read model's, when asked

    @classmethod
    def from_state(cls, order: domain.Order, *, version: int | None = None) -> Order:
        return cls(
            id=strawberry.ID(global_id("Order", order.order_id)),
            state=order,
            customer_id=order.customer_id,
            status=OrderStatus(domain.order_status(order)),
            service_level=ServiceLevel(order.service_level),
            priority=order.priority,
            placed_at=order.placed_at,
            known_version=version,
            delivery_method=DeliveryMethod(order.delivery_method),
            channel=order.channel,
            total=Money.of(domain.order_total(order)),
            refunded=Money.of(order.refunded or (money.zero(order.paid.currency) if order.paid else None)),
        )

    @strawberry.field(description="The order stream's version: editOrder's expectedVersion.")
    async def version(self, info: Info) -> int:
        if self.known_version is not None:
            return self.known_version
        return await info.context.loaders.order_versions.load(self.state.order_id) or 0

    @strawberry.field(description="Where a PICKUP order is collected; null for a shipped order.")
    async def pickup_location(self, info: Info) -> Location | None:
        code = self.state.pickup_location_code
        return None if code is None else await location(info, code)

    @strawberry.field(description="Where the order goes (as of the moment asked, after any edit of it).")
    def ship_to(self) -> ShipTo:
        address = self.state.ship_to
        return ShipTo(
            latitude=address.coordinates.latitude,
            longitude=address.coordinates.longitude,
            postal_code=address.postal_code,
            country=address.country,
        )

    @strawberry.field(description="The window the order must arrive in, when the customer chose one.")
    def delivery_window(self) -> DeliveryWindow | None:
        window = self.state.delivery_window
        return None if window is None else DeliveryWindow.of_order(window)

    @strawberry.field
    def lines(self) -> list[OrderLine]:
        return [
            OrderLine(
                sku=s.sku,
                quantity=s.ordered,
                allocated=s.allocated,
                backordered=s.backordered,
                shipped=s.shipped,
                delivered=s.delivered,
                cancelled=s.cancelled,
                returned=s.returned,
                unit_price=Money.of(self.state.prices.get(s.sku)),
            )
            for s in domain.line_summaries(self.state)
        ]

    @strawberry.field
    async def shipments(self, info: Info) -> list[Shipment]:
        return await shipments_of(info, self.state)

    @strawberry.field(description="The order an exchange (or a replaced return) replaced.")
    async def replacement_for(self, info: Info) -> Order | None:
        found = await visible_order(info, self.state.replacement_for) if self.state.replacement_for else None
        return None if found is None else Order.from_state(found)

    @strawberry.field(description="Lines the customer accepted as substitutes, each with the SKU it replaces.")
    def substitutions(self) -> list[AlternativeLine]:
        ordered = {line.sku: line.quantity for line in self.state.lines}
        return [
            AlternativeLine(sku=s.sku, quantity=ordered.get(s.sku, 0), replaces=s.replaces)
            for s in self.state.substitutions
        ]

    @strawberry.field
    async def returns(self, info: Info) -> list[Return]:
        return [Return.from_state(r) for r in await info.context.loaders.returns_of_order.load(self.state.order_id)]

    @strawberry.field(description="The order's own event trail, oldest first.")
    async def history(self, info: Info) -> list[HistoryEntry]:
        events = await info.context.loaders.histories.load(self.state.order_id)
        return [HistoryEntry.from_event(e, info.context.principal) for e in events]

    @strawberry.field
    async def sourcing_decision(self, info: Info) -> SourcingDecision | None:
        decisions = await self.sourcing_decisions(info)
        return decisions[-1] if decisions else None

    @strawberry.field(description="Every sourcing decision, oldest first; sourcingDecision is the latest.")
    async def sourcing_decisions(self, info: Info) -> list[SourcingDecision]:
        # Staff only: every candidate location with its cost is the network's reasoning. A customer learns
        # where its order ships from (its shipments' locations) through `shipments`, and gets nothing here.
        if not sees_network(info.context.principal):
            return []
        return [
            SourcingDecision.from_row(row) for row in await info.context.loaders.decisions.load(self.state.order_id)
        ]


class _Planned(msgspec.Struct):
    shipment_id: str
    promised_delivery: datetime | None = None


async def shipments_of(info: Info, order: domain.Order) -> list[Shipment]:
    """The order's shipments; a planned one's promised date comes from the sourcing decision that planned it."""
    promises: dict[str, datetime | None] = {}
    # Each shipment was planned by one of the order's decisions (a re-sourced order has several).
    for row in await info.context.loaders.decisions.load(order.order_id) if order.shipments else []:
        planned = msgspec.json.decode(row["shipments"], type=list[_Planned])
        promises.update({p.shipment_id: p.promised_delivery for p in planned})
    return [Shipment.from_state(order.order_id, s, promises.get(s.shipment_id)) for s in order.shipments]


@strawberry.type
class OrderEdge:
    cursor: str
    node: Order


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo
