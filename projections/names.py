"""Which projections exist, and the names of their checkpoints in the event store's `checkpoints` table.

Checkpoints are named `projection:<name>` (`projection:<name>@rebuild` for a replay's copy) and move in the
same transaction as the projection's rows, so any process can read how far the read models have come.
"""

from __future__ import annotations

from app.domain.registry import ALL_EVENTS
from eventstore import EventCodec

from .base import Projection
from .carts import CartsProjection
from .inventory import LocationsProjection, StockProjection
from .orders import OrdersProjection
from .returns import ReturnsProjection
from .slots import DeliverySlotsProjection

REBUILD_SUFFIX = "@rebuild"
PROJECTED = "meridian_projected"  # NOTIFY channel: a batch of live projections committed (read-your-writes)


def all_projections(codec: EventCodec | None = None) -> list[Projection]:
    codec = codec or EventCodec(ALL_EVENTS)
    return [
        LocationsProjection(codec),
        StockProjection(codec),
        OrdersProjection(codec),
        ReturnsProjection(codec),
        CartsProjection(codec),
        DeliverySlotsProjection(codec),
    ]


def checkpoint_name(projection: Projection | str, *, rebuild: bool = False) -> str:
    name = projection if isinstance(projection, str) else projection.name
    return f"projection:{name}{REBUILD_SUFFIX if rebuild else ''}"


def checkpoint_names(*, rebuild: bool = False) -> list[str]:
    return [checkpoint_name(p, rebuild=rebuild) for p in all_projections()]
