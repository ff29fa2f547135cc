"""Shared GraphQL building blocks: the Node interface, enums (the domain's own), JSON, page info."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from app.domain.values import (
    ItemCondition,
    LocationType,
    OrderStatus,
    ReturnStatus,
    ServiceLevel,
    ShipmentStatus,
    TrackingStatus,
)

# The domain's own enums are the GraphQL enums: their values are their names, as the contract spells them.
for _enum in (ItemCondition, LocationType, OrderStatus, ReturnStatus, ServiceLevel, ShipmentStatus, TrackingStatus):
    strawberry.enum(_enum)

MAX_PAGE = 100


@strawberry.interface(description="Anything with a global id, fetchable with `node(id)`.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


__all__ = [
    "JSON",
    "MAX_PAGE",
    "ItemCondition",
    "LocationType",
    "Node",
    "OrderStatus",
    "PageInfo",
    "ReturnStatus",
    "ServiceLevel",
    "ShipmentStatus",
    "TrackingStatus",
]
