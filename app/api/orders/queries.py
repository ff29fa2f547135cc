"""Reading orders: one by id (now or as of a moment), and pages of them."""

from __future__ import annotations

import base64
from datetime import datetime

import strawberry

from projections import queries
from projections.asof import versioned_order_as_of

from ..access import can_see_order, orders_in_reach, visible_order
from ..context import ANYONE, Info
from ..errors import ApiError, forbidden
from ..ids import key_of
from ..scalars import MAX_PAGE, OrderStatus, PageInfo
from .types import Order, OrderConnection, OrderEdge


def _cursor(placed_at: datetime, order_id: str) -> str:
    return base64.urlsafe_b64encode(f"{placed_at.isoformat()}|{order_id}".encode()).decode()


def _parse_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        placed_at, _, order_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(placed_at), order_id
    except ValueError:
        raise ApiError("not a cursor this query returned", "INVALID_CURSOR", "after") from None


@strawberry.type
class OrderQueries:
    @strawberry.field(description="An order, or null if it does not exist or the caller may not see it.")
    async def order(self, info: Info, id: strawberry.ID, as_of: datetime | None = None) -> Order | None:
        info.context.require(*ANYONE)
        order_id = key_of(id, "Order")
        if as_of is None:
            found = await visible_order(info, order_id)
            return None if found is None else Order.from_state(found)
        services = info.context.services
        # The order and its stream's version then, from one read of the log.
        found, version = await versioned_order_as_of(services.store, services.codec, order_id, as_of)
        found = found if found is not None and can_see_order(info.context.principal, found) else None
        return None if found is None else Order.from_state(found, version=version)

    @strawberry.field(
        description="Orders by placement time, oldest first, filtered by every argument given (placedFrom "
        "inclusive, placedTo exclusive; sku: with a line of it; locationCode: with a shipment from it). Customers "
        "see only their own; operators only those with a shipment at their locations."
    )
    async def orders(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        status: OrderStatus | None = None,
        customer_id: str | None = None,
        sku: str | None = None,
        location_code: str | None = None,
        placed_from: datetime | None = None,
        placed_to: datetime | None = None,
    ) -> OrderConnection:
        principal = info.context.require(*ANYONE)
        size = first if first is not None else 20
        if not 0 < size <= MAX_PAGE:
            raise ApiError(f"first must be between 1 and {MAX_PAGE}", "INVALID_ARGUMENT", "first")
        if placed_from is not None and placed_to is not None and placed_from > placed_to:
            raise ApiError("placedFrom must not be after placedTo", "INVALID_ARGUMENT", "placedFrom")
        reach = orders_in_reach(principal, customer_id, location_code)
        if reach is None:
            raise forbidden(f"orders at {location_code}" if location_code is not None else "orders")
        search = queries.OrderSearch(
            customer_id=reach.customer_id,
            status=status.value if status else None,
            sku=sku,
            location_codes=reach.location_codes,
            placed_from=placed_from,
            placed_to=placed_to,
        )
        rows = await queries.orders_page(
            info.context.services.read_pool, search, first=size + 1, after=_parse_cursor(after) if after else None
        )
        page = rows[:size]
        states = await info.context.loaders.orders.load_many([r["order_id"] for r in page])
        edges = [
            OrderEdge(cursor=_cursor(r["placed_at"], r["order_id"]), node=Order.from_state(s))
            for r, s in zip(page, states, strict=True)
            if s is not None and can_see_order(principal, s)
        ]
        return OrderConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=len(rows) > size, end_cursor=edges[-1].cursor if edges else None),
        )
