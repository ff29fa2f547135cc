"""A location's work: its fulfilment queue (shipments, oldest order first, by status) and its pick list
(PLANNED shipments grouped by SKU). Operators see their own locations' work only."""

from __future__ import annotations

import base64
from collections import defaultdict
from datetime import datetime

import strawberry

from app.domain.values import ShipmentStatus as DomainShipmentStatus
from projections import queries

from ..access import can_see_work_at
from ..context import STAFF, Info
from ..errors import ApiError, forbidden
from ..scalars import MAX_PAGE, PageInfo, ShipmentStatus
from .types import Shipment, shipments_of

_PICK_LIST_PAGE = 500  # rows per round trip while a pick list gathers every PLANNED shipment


@strawberry.type
class ShipmentEdge:
    cursor: str
    node: Shipment


@strawberry.type
class ShipmentConnection:
    edges: list[ShipmentEdge]
    page_info: PageInfo


@strawberry.type
class PickListLine:
    sku: str
    quantity: int
    shipments: list[Shipment]


def _cursor(placed_at: datetime, order_id: str, shipment_id: str) -> str:
    return base64.urlsafe_b64encode(f"{placed_at.isoformat()}|{order_id}|{shipment_id}".encode()).decode()


def _parse_cursor(cursor: str) -> tuple[datetime, str, str]:
    try:
        placed_at, order_id, shipment_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(placed_at), order_id, shipment_id
    except ValueError:
        raise ApiError("not a cursor this query returned", "INVALID_CURSOR", "after") from None


def _require_work_at(info: Info, location_code: str, operation: str) -> None:
    principal = info.context.require(*STAFF)
    if not can_see_work_at(principal, location_code):
        raise forbidden(f"{operation} at {location_code}")


async def _shipment(info: Info, order_id: str, shipment_id: str) -> Shipment | None:
    order = await info.context.loaders.orders.load(order_id)
    shipments = await shipments_of(info, order) if order is not None else []
    return next((s for s in shipments if s.id.endswith(f"/{shipment_id}")), None)


@strawberry.type
class FulfillmentQueueQueries:
    @strawberry.field(description="A location's shipments, oldest order first; only those in `status` if given.")
    async def fulfillment_queue(
        self,
        info: Info,
        location_code: str,
        status: list[ShipmentStatus] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ShipmentConnection:
        _require_work_at(info, location_code, "fulfillmentQueue")
        size = first if first is not None else 20
        if not 0 < size <= MAX_PAGE:
            raise ApiError(f"first must be between 1 and {MAX_PAGE}", "INVALID_ARGUMENT", "first")
        rows = await queries.shipments_page_at_location(
            info.context.services.read_pool,
            location_code,
            first=size + 1,
            statuses=None if status is None else [s.value for s in status],
            after=_parse_cursor(after) if after else None,
            released_by=info.context.services.handlers.ctx.clock(),
        )
        edges = []
        for row in rows[:size]:
            node = await _shipment(info, row["order_id"], row["shipment_id"])
            if node is not None:
                cursor = _cursor(row["placed_at"], row["order_id"], row["shipment_id"])
                edges.append(ShipmentEdge(cursor=cursor, node=node))
        return ShipmentConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=len(rows) > size, end_cursor=edges[-1].cursor if edges else None),
        )

    @strawberry.field(description="The PLANNED work at a location by SKU: how many to pick, for which shipments.")
    async def pick_list(self, info: Info, location_code: str) -> list[PickListLine]:
        _require_work_at(info, location_code, "pickList")
        planned = [DomainShipmentStatus.PLANNED.value]
        quantities: dict[str, int] = defaultdict(int)
        shipments: dict[str, list[Shipment]] = defaultdict(list)
        after: tuple[datetime, str, str] | None = None
        while True:
            rows = await queries.shipments_page_at_location(
                info.context.services.read_pool,
                location_code,
                first=_PICK_LIST_PAGE,
                statuses=planned,
                after=after,
                released_by=info.context.services.handlers.ctx.clock(),
            )
            for row in rows:
                node = await _shipment(info, row["order_id"], row["shipment_id"])
                if node is None:
                    continue
                for line in node.lines:
                    quantities[line.sku] += line.quantity
                    shipments[line.sku].append(node)
            if len(rows) < _PICK_LIST_PAGE:
                break
            after = (rows[-1]["placed_at"], rows[-1]["order_id"], rows[-1]["shipment_id"])
        return [PickListLine(sku=sku, quantity=quantities[sku], shipments=shipments[sku]) for sku in sorted(quantities)]
