"""An order placed from a cart reservation is allocated in its placing append: the dispatcher sources it no more."""

from __future__ import annotations

import uuid

import msgspec

from app.domain.order_events import OrderPlaced
from app.domain.values import Address, Coordinates, Line, ServiceLevel
from workers import jobs
from workers.dispatcher import jobs_for

from .test_dispatcher_notifications import AT, CODEC, recorded


def placed(reservation_id: str | None) -> OrderPlaced:
    return OrderPlaced(
        order_id="o1",
        customer_id="c1",
        lines=(Line("A", 1),),
        ship_to=Address(coordinates=Coordinates(40.7, -74.0)),
        service_level=ServiceLevel.STANDARD,
        priority=0,
        channel="web",
        placed_at=AT,
        reservation_id=reservation_id,
    )


def test_only_an_order_placed_without_a_reservation_is_sent_to_sourcing() -> None:
    def sourcing(event: OrderPlaced) -> list[str]:
        names = [m.actor_name for m in jobs_for(CODEC, recorded(event, uuid.uuid4()))]
        return [n for n in names if n == jobs.source_order.actor_name]

    assert sourcing(placed(None)) == [jobs.source_order.actor_name]
    assert sourcing(placed("k1")) == []


def test_an_order_allocated_on_placement_is_not_sent_to_sourcing() -> None:
    def sourcing(event: OrderPlaced) -> list[str]:
        names = [m.actor_name for m in jobs_for(CODEC, recorded(event, uuid.uuid4()))]
        return [n for n in names if n == jobs.source_order.actor_name]

    fast = msgspec.structs.replace(placed(None), allocated_on_placement=True)
    assert sourcing(fast) == []
    # Its notification (if any) still goes out: only the sourcing job is skipped.
    assert [m.actor_name for m in jobs_for(CODEC, recorded(fast, uuid.uuid4()))] == [
        m.actor_name
        for m in jobs_for(CODEC, recorded(placed(None), uuid.uuid4()))
        if m.actor_name != jobs.source_order.actor_name
    ]
