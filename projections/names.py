"""Which projections exist, and the names of their checkpoints in the event store's `checkpoints` table.

Checkpoints are named `projection:<name>` (`projection:<name>@rebuild` for a replay's copy) and move in the
same transaction as the projection's rows, so any process can read how far the read models have come. With
the log split into P > 1 partitions (MERIDIAN_PROJECTION_PARTITIONS), each projection has one checkpoint per
partition, `projection:<name>#<i>/<P>`: a different count is a different set of names (see `former_layouts`).
"""

from __future__ import annotations

import re

from app.domain.registry import ALL_EVENTS
from eventstore import EventCodec, Partition

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


def partitions_of(count: int) -> list[Partition | None]:
    """The partitions of a log split `count` ways; [None] for an unsplit log (today's single checkpoint)."""
    if count < 1:
        raise ValueError(f"a log splits into at least one partition, not {count}")
    return [None] if count == 1 else [Partition(index, count) for index in range(count)]


def checkpoint_name(projection: Projection | str, *, rebuild: bool = False, partition: Partition | None = None) -> str:
    name = projection if isinstance(projection, str) else projection.name
    share = f"#{partition.index}/{partition.count}" if partition is not None else ""
    return f"projection:{name}{share}{REBUILD_SUFFIX if rebuild else ''}"


def checkpoint_names(*, rebuild: bool = False, partitions: int = 1) -> list[str]:
    """Every checkpoint of the projections split `partitions` ways: read-your-writes and lag wait for them all."""
    return [
        checkpoint_name(p, rebuild=rebuild, partition=share)
        for p in all_projections()
        for share in partitions_of(partitions)
    ]


def former_layouts(projection: Projection | str, *, rebuild: bool = False) -> str:
    """A regex matching the projection's checkpoints under any partition count (its live or its rebuilt ones)."""
    name = projection if isinstance(projection, str) else projection.name
    return f"^{re.escape(f'projection:{name}')}(#[0-9]+/[0-9]+)?{re.escape(REBUILD_SUFFIX) if rebuild else ''}$"
