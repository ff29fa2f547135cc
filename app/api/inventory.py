"""Inventory: stock per SKU and location, its network rollup, and the stock mutations."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import strawberry

from app.domain import stock
from app.domain.stock import StockState
from projections import queries
from projections.asof import inventory_as_of

from .access import can_act_at, can_see_stock_at
from .context import STAFF, Info
from .errors import UserError, forbidden, user_error
from .locations import Location, location
from .mutation_support import check_text, execute


@strawberry.type
class StockLevel:
    location_code: strawberry.Private[str]
    sku: str
    on_hand: int
    reserved: int
    safety_stock: int
    available: int
    incoming: int

    @strawberry.field(name="location")
    async def location_(self, info: Info) -> Location:
        found = await location(info, self.location_code)
        assert found is not None  # stock exists only at known locations
        return found

    @classmethod
    def from_row(cls, r: asyncpg.Record) -> StockLevel:
        return cls(
            location_code=r["location_code"],
            sku=r["sku"],
            on_hand=r["on_hand"],
            reserved=r["reserved"],
            safety_stock=r["safety_stock"],
            available=r["available"],
            incoming=r["incoming"],
        )

    @classmethod
    def from_state(cls, s: StockState) -> StockLevel:
        return cls(
            location_code=s.location_code,
            sku=s.sku,
            on_hand=s.on_hand,
            reserved=s.reserved,
            safety_stock=s.safety_stock,
            available=s.atp,
            incoming=s.incoming_quantity,
        )


@strawberry.type
class Inventory:
    sku: str
    levels: list[StockLevel]

    @strawberry.field
    def on_hand(self) -> int:
        return sum(level.on_hand for level in self.levels)

    @strawberry.field
    def reserved(self) -> int:
        return sum(level.reserved for level in self.levels)

    @strawberry.field
    def available(self) -> int:
        return sum(level.available for level in self.levels)


@strawberry.type
class InventoryQueries:
    @strawberry.field(description="A SKU across the network, now or as of a past moment (from the log).")
    async def inventory(self, info: Info, sku: str, as_of: datetime | None = None) -> Inventory:
        principal = info.context.require(*STAFF)
        services = info.context.services
        if as_of is None:
            levels = [StockLevel.from_row(r) for r in await queries.stock_levels_of_sku(services.read_pool, sku)]
        else:
            states = await inventory_as_of(services.store, services.codec, sku, as_of)
            levels = [StockLevel.from_state(s) for _, s in sorted(states.items())]
        levels = [level for level in levels if can_see_stock_at(principal, level.location_code)]
        return Inventory(sku=sku, levels=levels)


@strawberry.input
class ReceiveStockInput:
    location_code: str
    sku: str
    quantity: int


@strawberry.input
class AdjustStockInput:
    location_code: str
    sku: str
    delta: int
    reason: str


@strawberry.input
class SetSafetyStockInput:
    location_code: str
    sku: str
    quantity: int


@strawberry.type
class StockPayload:
    level: StockLevel | None
    user_errors: list[UserError]


async def _stock(info: Info, command: stock.StockCommand) -> StockPayload:
    principal = info.context.require(*STAFF)
    if not can_act_at(principal, command.location_code):
        raise forbidden(f"stock changes at {command.location_code}")
    errors = [
        e
        for e in (check_text(command.sku, "input", "sku"), check_text(command.location_code, "input", "locationCode"))
        if e
    ]
    if not errors:
        _, errors = await execute(info, command)
    if errors:
        return StockPayload(level=None, user_errors=errors)
    row = await queries.stock_level(info.context.services.read_pool, command.sku, command.location_code)
    return StockPayload(level=None if row is None else StockLevel.from_row(row), user_errors=[])


@strawberry.type
class InventoryMutations:
    @strawberry.mutation
    async def receive_stock(self, info: Info, input: ReceiveStockInput) -> StockPayload:
        return await _stock(
            info, stock.ReceiveStock(sku=input.sku, location_code=input.location_code, quantity=input.quantity)
        )

    @strawberry.mutation
    async def adjust_stock(self, info: Info, input: AdjustStockInput) -> StockPayload:
        if error := check_text(input.reason, "input", "reason"):
            return StockPayload(level=None, user_errors=[error])
        return await _stock(
            info,
            stock.AdjustStock(sku=input.sku, location_code=input.location_code, delta=input.delta, reason=input.reason),
        )

    @strawberry.mutation
    async def set_safety_stock(self, info: Info, input: SetSafetyStockInput) -> StockPayload:
        if input.quantity < 0:
            return StockPayload(
                level=None, user_errors=[user_error("INVALID_QUANTITY", "must not be negative", "input", "quantity")]
            )
        return await _stock(
            info, stock.SetSafetyStock(sku=input.sku, location_code=input.location_code, quantity=input.quantity)
        )
