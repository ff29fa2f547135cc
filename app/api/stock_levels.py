"""`stockLevels`: the inventory read model listed page by page, by location code then SKU (keyset cursors).

Operators list their own locations' stock only (`access.can_see_stock_at`, as `inventory`); naming a location
that is not theirs is FORBIDDEN, as for a location's queue.
"""

from __future__ import annotations

import base64
import json

import strawberry

from projections import queries

from .access import can_see_stock_at, stock_locations_of
from .context import STAFF, Info
from .errors import ApiError, forbidden
from .inventory import StockLevel
from .scalars import MAX_PAGE, PageInfo


@strawberry.type
class StockLevelEdge:
    cursor: str
    node: StockLevel


@strawberry.type
class StockLevelConnection:
    edges: list[StockLevelEdge]
    page_info: PageInfo


def _cursor(location_code: str, sku: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([location_code, sku]).encode()).decode()


def _parse_cursor(cursor: str) -> tuple[str, str]:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        decoded = None  # not base64 or not JSON: refused below like any other cursor we did not make
    match decoded:
        case [str() as location_code, str() as sku]:
            return location_code, sku
    raise ApiError("not a cursor this query returned", "INVALID_CURSOR", "after")


@strawberry.type
class StockLevelQueries:
    @strawberry.field(description="Stock levels by location code then SKU; only one location's or SKU's if given.")
    async def stock_levels(
        self,
        info: Info,
        location_code: str | None = None,
        sku: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> StockLevelConnection:
        principal = info.context.require(*STAFF)
        if location_code is not None and not can_see_stock_at(principal, location_code):
            raise forbidden(f"stockLevels at {location_code}")
        size = first if first is not None else 20
        if not 0 < size <= MAX_PAGE:
            raise ApiError(f"first must be between 1 and {MAX_PAGE}", "INVALID_ARGUMENT", "first")
        codes = [location_code] if location_code is not None else stock_locations_of(principal)
        rows = await queries.stock_levels_page(
            info.context.services.read_pool,
            first=size + 1,
            after=_parse_cursor(after) if after else None,
            sku=sku,
            location_codes=None if codes is None else sorted(codes),
        )
        edges = [
            StockLevelEdge(cursor=_cursor(row["location_code"], row["sku"]), node=StockLevel.from_row(row))
            for row in rows[:size]
            if can_see_stock_at(principal, row["location_code"])
        ]
        return StockLevelConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=len(rows) > size, end_cursor=edges[-1].cursor if edges else None),
        )
