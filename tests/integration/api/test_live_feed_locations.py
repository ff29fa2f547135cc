"""The live feed's location topics: a location hears the order events that change its shipments, once per
transaction, and nothing of other locations'; a change to a shipment it never saw planned goes to UNPLACED."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from app.api.live import UNPLACED, Change, LiveFeed, location_topic
from app.domain.events import Event
from app.domain.order_events import (
    OrderAllocated,
    OrderCancelled,
    PlannedShipment,
    PlannedShipmentCost,
    ReservationRef,
    ShipmentPacked,
    ShipmentPicked,
    SourcingDecided,
)
from app.domain.values import Line
from eventstore import ANY, AppendResult, EventStore
from tests.integration.eventstore.helpers import CountingStore
from tests.integration.projections.history import codec

from .test_live_feed import feed, notifier, store

__all__ = ["feed", "notifier", "store"]

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TEE = (Line("TEE", 1),)


def allocated(order_id: str, *where: tuple[str, str]) -> list[Event]:
    """What sourcing appends in one transaction: its decision and the allocation, both naming the shipments."""
    return [
        SourcingDecided(
            order_id=order_id,
            decided_at=NOW,
            algorithm="greedy",
            total_cost=1.0,
            objective=1.0,
            lower_bound=None,
            fallback_used=False,
            profile_version=1,
            candidates=(),
            shipments=tuple(
                PlannedShipmentCost(
                    shipment_id=s, location_code=c, carrier_service="ground", cost=1.0, promised_delivery=None
                )
                for s, c in where
            ),
            backordered=(),
        ),
        OrderAllocated(
            order_id=order_id,
            shipments=tuple(PlannedShipment(shipment_id=s, location_code=c, lines=TEE) for s, c in where),
            allocated_at=NOW,
        ),
    ]


async def append(store: EventStore, order_id: str, *events: Event) -> AppendResult:
    return await store.append(f"order-{order_id}", [codec.encode(e) for e in events], ANY)


async def heard(changes: asyncio.Queue[Change]) -> tuple[str | None, tuple[str, ...], str]:
    change = await asyncio.wait_for(changes.get(), 5)
    return change.order_id, change.shipment_ids, change.event_type


async def test_a_location_hears_its_shipments_changes_once_per_transaction_and_no_one_elses(
    feed: tuple[LiveFeed, CountingStore], store: EventStore
) -> None:
    live, _ = feed
    with live.subscribe(location_topic("CHI")) as chicago, live.subscribe(location_topic("NWK")) as newark:
        await append(store, "o-1", *allocated("o-1", ("S1", "CHI"), ("S2", "NWK")))
        await append(store, "o-1", ShipmentPicked(order_id="o-1", shipment_id="S1", picked_at=NOW))
        await append(store, "o-2", *allocated("o-2", ("S1", "NWK")))
        await append(store, "o-1", ShipmentPacked(order_id="o-1", shipment_id="S1", packed_at=NOW))
        released = (ReservationRef(location_code="NWK", sku="TEE", reservation_id="o-1/S2", quantity=1),)
        await append(store, "o-1", OrderCancelled(order_id="o-1", reason="", released=released, cancelled_at=NOW))
        assert [await heard(chicago) for _ in range(3)] == [
            ("o-1", ("S1",), "OrderAllocated"),  # SourcingDecided and OrderAllocated: one change, as committed
            ("o-1", ("S1",), "ShipmentPicked"),
            ("o-1", ("S1",), "ShipmentPacked"),
        ]
        assert [await heard(newark) for _ in range(3)] == [
            ("o-1", ("S2",), "OrderAllocated"),
            ("o-2", ("S1",), "OrderAllocated"),
            ("o-1", (), "OrderCancelled"),  # order-wide: any of o-1's shipments where it let stock go
        ]
        assert chicago.empty() and newark.empty()


async def test_a_shipment_planned_before_anyone_listened_is_heard_as_unplaced_until_its_location_shows(
    feed: tuple[LiveFeed, CountingStore], store: EventStore
) -> None:
    live, _ = feed
    planned = await append(store, "o-9", *allocated("o-9", ("S1", "CHI")))
    assert await live.follower.wait_for(planned.position, 5)  # passed by while nobody listened: never read
    with live.subscribe(location_topic("CHI"), UNPLACED) as chicago:
        await append(store, "o-9", ShipmentPacked(order_id="o-9", shipment_id="S1", packed_at=NOW))
        assert await heard(chicago) == ("o-9", ("S1",), "ShipmentPacked")  # through UNPLACED: the location looks
        with live.subscribe(location_topic("CHI")) as only_chicago:
            declined = ReservationRef(location_code="CHI", sku="TEE", reservation_id="o-9/S1", quantity=1)
            picked = ShipmentPicked(order_id="o-9", shipment_id="S1", picked_at=NOW, released=(declined,))
            await append(store, "o-9", picked)
            assert await heard(only_chicago) == ("o-9", ("S1",), "ShipmentPicked")  # its reservation says where
        assert await heard(chicago) == ("o-9", ("S1",), "ShipmentPicked")
