"""Histories of domain events appended straight to the store (there are no command handlers yet)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest

from app.domain.events import Event
from app.domain.locations import Capabilities, LocationCreated, LocationDeactivated
from app.domain.order_events import (
    CandidateOutcome,
    OrderAllocated,
    OrderBackordered,
    OrderCancelled,
    OrderPlaced,
    OrderPlacedOnHold,
    OrderReturnClosed,
    OrderReturnOpened,
    PlannedShipment,
    PlannedShipmentCost,
    ReservationRef,
    ShipmentDelivered,
    ShipmentDispatched,
    ShipmentPacked,
    SourcingDecided,
    TrackingUpdated,
)
from app.domain.registry import ALL_EVENTS
from app.domain.return_events import (
    ReceivedLine,
    RefundLine,
    ReturnApproved,
    ReturnLine,
    ReturnReceived,
    ReturnRefunded,
    ReturnRequested,
)
from app.domain.stock_events import (
    ReservationReleased,
    SafetyStockSet,
    StockCounted,
    StockReceived,
    StockReserved,
    StockShipped,
    SupplyExpected,
    SupplyReceived,
)
from app.domain.streams import location_stream, order_stream, return_stream, stock_stream
from app.domain.values import (
    Address,
    Coordinates,
    ItemCondition,
    Line,
    LocationType,
    ServiceLevel,
    SupplyKind,
    TrackingStatus,
)
from eventstore import ANY, AppendResult, EventCodec, EventStore
from projections.schema import create_readmodel_pool

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
codec = EventCodec(ALL_EVENTS)


@pytest.fixture
async def readmodel(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_readmodel_pool(database_url, max_size=10)
    yield pool
    await pool.close()


async def append(store: EventStore, stream_id: str, *events: Event) -> AppendResult:
    return await store.append(stream_id, [codec.encode(e) for e in events], ANY)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def create_locations(store: EventStore) -> None:
    for code, kind, lat, lon in (
        ("DC1", LocationType.DISTRIBUTION_CENTER, 40.71, -74.00),
        ("ST1", LocationType.STORE, 40.73, -73.99),
        ("DC2", LocationType.DISTRIBUTION_CENTER, 34.05, -118.24),
    ):
        await append(
            store,
            location_stream(code),
            LocationCreated(
                code=code,
                name=f"{code} site",
                type=kind,
                coordinates=Coordinates(lat, lon),
                capabilities=Capabilities(ship=True, pickup=kind is LocationType.STORE, returns=True),
                daily_capacity=500,
                handling_cost=1.5,
            ),
        )


def _stock(sku: str, code: str) -> dict[str, str]:
    return {"sku": sku, "location_code": code}


SHIP_TO = Address(coordinates=Coordinates(40.7, -74.0), postal_code="10001", country="US")


def _placed(
    order_id: str,
    customer_id: str,
    lines: tuple[Line, ...],
    level: ServiceLevel,
    priority: int,
    channel: str,
    minute: float,
) -> OrderPlaced:
    return OrderPlaced(
        order_id=order_id,
        customer_id=customer_id,
        lines=lines,
        ship_to=SHIP_TO,
        service_level=level,
        priority=priority,
        channel=channel,
        placed_at=at(minute),
    )


async def realistic_history(store: EventStore) -> AppendResult:
    """Locations, stock, an order that goes all the way to a refunded return, a cancelled order, a backorder.

    Returns the result of the last append.
    """
    await create_locations(store)
    await append(store, location_stream("DC2"), LocationDeactivated(code="DC2", reason="closed"))
    await append(
        store,
        stock_stream("SKU-A", "DC1"),
        StockReceived(**_stock("SKU-A", "DC1"), quantity=10),
        SafetyStockSet(**_stock("SKU-A", "DC1"), quantity=1),
    )
    await append(store, stock_stream("SKU-B", "ST1"), StockReceived(**_stock("SKU-B", "ST1"), quantity=3))
    await append(
        store,
        stock_stream("SKU-C", "DC1"),
        SupplyExpected(
            **_stock("SKU-C", "DC1"),
            supply_id="PO-1",
            kind=SupplyKind.PURCHASE_ORDER,
            quantity=20,
            expected_at=at(60 * 24),
        ),
        SupplyExpected(
            **_stock("SKU-C", "DC1"),
            supply_id="TR-1",
            kind=SupplyKind.TRANSFER,
            quantity=5,
            expected_at=at(60 * 48),
            source_location_code="DC2",
        ),
    )
    await append(
        store, stock_stream("SKU-C", "DC1"), SupplyReceived(**_stock("SKU-C", "DC1"), supply_id="PO-1", quantity=8)
    )

    # Order o-1: two shipments from two locations, all the way to delivery, then a return.
    await append(
        store,
        order_stream("o-1"),
        _placed("o-1", "c-1", (Line("SKU-A", 2), Line("SKU-B", 1)), ServiceLevel.EXPRESS, 5, "web", 0),
    )
    await append(
        store,
        order_stream("o-1"),
        SourcingDecided(
            order_id="o-1",
            decided_at=at(1),
            algorithm="milp",
            total_cost=12.5,
            objective=12.5,
            lower_bound=None,
            fallback_used=False,
            profile_version=1,
            candidates=(
                CandidateOutcome(location_code="DC1", selected=True, cost=8.0),
                CandidateOutcome(location_code="DC2", selected=False, reason="inactive"),
            ),
            shipments=(
                PlannedShipmentCost(
                    shipment_id="s1",
                    location_code="DC1",
                    carrier_service="ups-ground",
                    cost=8.0,
                    promised_delivery=at(60 * 48),
                ),
            ),
            backordered=(),
        ),
        OrderAllocated(
            order_id="o-1",
            allocated_at=at(1),
            shipments=(
                PlannedShipment(shipment_id="s1", location_code="DC1", lines=(Line("SKU-A", 2),)),
                PlannedShipment(shipment_id="s2", location_code="ST1", lines=(Line("SKU-B", 1),)),
            ),
        ),
        OrderBackordered(order_id="o-1", lines=()),
    )
    await append(
        store,
        stock_stream("SKU-A", "DC1"),
        StockReserved(**_stock("SKU-A", "DC1"), reservation_id="o-1/s1", quantity=2),
    )
    await append(
        store,
        stock_stream("SKU-B", "ST1"),
        StockReserved(**_stock("SKU-B", "ST1"), reservation_id="o-1/s2", quantity=1),
    )
    for sid, code, sku, qty, tn in (("s1", "DC1", "SKU-A", 2, "1Z001"), ("s2", "ST1", "SKU-B", 1, "1Z002")):
        await append(
            store,
            order_stream("o-1"),
            ShipmentPacked(order_id="o-1", shipment_id=sid, packed_at=at(10)),
            ShipmentDispatched(
                order_id="o-1",
                shipment_id=sid,
                carrier="ups",
                tracking_number=tn,
                promised_delivery=at(60 * 48),
                dispatched_at=at(20),
            ),
        )
        await append(
            store, stock_stream(sku, code), StockShipped(**_stock(sku, code), reservation_id=f"o-1/{sid}", quantity=qty)
        )
    await append(
        store,
        order_stream("o-1"),
        TrackingUpdated(
            order_id="o-1",
            shipment_id="s1",
            status=TrackingStatus.IN_TRANSIT,
            message="departed",
            occurred_at=at(120),
            location="Newark",
            estimated_delivery=at(60 * 30),
        ),
        TrackingUpdated(
            order_id="o-1",
            shipment_id="s1",
            status=TrackingStatus.OUT_FOR_DELIVERY,
            message="on the van",
            occurred_at=at(60 * 24),
        ),
        ShipmentDelivered(order_id="o-1", shipment_id="s1", delivered_at=at(60 * 26)),
    )
    # Return of one unit of SKU-A: requested, approved, received damaged, refunded.
    await append(
        store, order_stream("o-1"), OrderReturnOpened(order_id="o-1", return_id="r-1", lines=(Line("SKU-A", 1),))
    )
    await append(
        store,
        return_stream("r-1"),
        ReturnRequested(
            return_id="r-1",
            order_id="o-1",
            requested_at=at(60 * 72),
            lines=(ReturnLine(sku="SKU-A", quantity=1, reason="broken"),),
        ),
        ReturnApproved(return_id="r-1", approved_at=at(60 * 73)),
    )
    await append(
        store,
        return_stream("r-1"),
        ReturnReceived(
            return_id="r-1",
            location_code="DC1",
            received_at=at(60 * 96),
            lines=(ReceivedLine(sku="SKU-A", quantity=1, condition=ItemCondition.DAMAGED),),
        ),
        ReturnRefunded(
            return_id="r-1", refunded_at=at(60 * 97), lines=(RefundLine(sku="SKU-A", amount=Decimal("19.99")),)
        ),
    )
    await append(
        store, order_stream("o-1"), OrderReturnClosed(order_id="o-1", return_id="r-1", returned=(Line("SKU-A", 1),))
    )

    # Order o-2: allocated, then cancelled (its reservation released).
    await append(
        store,
        order_stream("o-2"),
        _placed("o-2", "c-2", (Line("SKU-A", 3),), ServiceLevel.STANDARD, 0, "store", 30),
        OrderAllocated(
            order_id="o-2",
            allocated_at=at(31),
            shipments=(PlannedShipment(shipment_id="s1", location_code="DC1", lines=(Line("SKU-A", 3),)),),
        ),
    )
    await append(
        store,
        stock_stream("SKU-A", "DC1"),
        StockReserved(**_stock("SKU-A", "DC1"), reservation_id="o-2/s1", quantity=3),
    )
    ref = ReservationRef(location_code="DC1", sku="SKU-A", reservation_id="o-2/s1", quantity=3)
    await append(
        store,
        order_stream("o-2"),
        OrderCancelled(order_id="o-2", reason="customer", released=(ref,), cancelled_at=at(40)),
    )
    await append(
        store,
        stock_stream("SKU-A", "DC1"),
        ReservationReleased(**_stock("SKU-A", "DC1"), reservation_id="o-2/s1", quantity=3, reason="CANCELLED"),
        StockCounted(**_stock("SKU-A", "DC1"), counted=7, variance=-1),
    )

    # Orders o-3 and o-4: nothing anywhere, backordered (o-4 has the higher priority).
    for oid, priority, minute in (("o-3", 1, 50), ("o-4", 9, 55)):
        await append(
            store,
            order_stream(oid),
            _placed(oid, "c-1", (Line("SKU-Z", 4),), ServiceLevel.SAME_DAY, priority, "app", minute),
            OrderBackordered(order_id=oid, lines=(Line("SKU-Z", 4),)),
        )
    return await append(
        store,
        order_stream("o-5"),
        _placed("o-5", "c-3", (Line("SKU-A", 1),), ServiceLevel.STANDARD, 0, "web", 70),
    )


async def churn(store: EventStore, first: int, count: int) -> AppendResult:
    """`count` rounds of appends over many streams (round `first` on): an order placed, later put on hold, and
    a stock receipt on one of 12 streams; so rows are written by several batches and partitions. Returns the last
    append's result. Needs `create_locations`' sites."""
    last: AppendResult | None = None
    for n in range(first, first + count):
        await append(
            store,
            order_stream(f"p-{n}"),
            _placed(f"p-{n}", f"c-{n % 7}", (Line("SKU-A", 1),), ServiceLevel.STANDARD, 1, "web", n),
        )
        sku, code = f"SKU-{n % 4}", ("DC1", "ST1", "DC2")[n % 3]
        last = await append(store, stock_stream(sku, code), StockReceived(**_stock(sku, code), quantity=1 + n % 5))
        if n % 3 == 0 and n > first:
            last = await append(
                store, order_stream(f"p-{n - 1}"), OrderPlacedOnHold(order_id=f"p-{n - 1}", reason="check")
            )
    assert last is not None
    return last
