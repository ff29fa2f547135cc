"""DataLoaders: every nested lookup of a request is batched into one query per kind.

A page of 100 orders with their lines, shipments, locations, returns and sourcing decisions costs one query
for the page, one for the orders' states and one per kind of nested thing, whatever the page size.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import msgspec
from strawberry.dataloader import DataLoader

from app.domain.order_state import Order
from app.domain.returns import Return
from eventstore import EventStore, RecordedEvent
from projections import queries

_order = msgspec.json.Decoder(Order)
_return = msgspec.json.Decoder(Return)


@dataclass
class Loaders:
    orders: DataLoader[str, Order | None]
    returns: DataLoader[str, Return | None]
    returns_of_order: DataLoader[str, list[Return]]
    locations: DataLoader[str, asyncpg.Record | None]
    decisions: DataLoader[str, asyncpg.Record | None]
    histories: DataLoader[str, list[RecordedEvent]]


def make_loaders(pool: asyncpg.Pool, store: EventStore) -> Loaders:
    async def orders(ids: Sequence[str]) -> list[Order | None]:
        found = {r[0]: _order.decode(r[1]) for r in await queries.order_states(pool, ids)}
        return [found.get(i) for i in ids]

    async def returns(ids: Sequence[str]) -> list[Return | None]:
        found = {r[0]: _return.decode(r[1]) for r in await queries.return_states(pool, ids)}
        return [found.get(i) for i in ids]

    async def returns_of_order(ids: Sequence[str]) -> list[list[Return]]:
        found: dict[str, list[Return]] = defaultdict(list)
        for row in await queries.returns_of_orders(pool, ids):
            found[row[0]].append(_return.decode(row[2]))
        return [found.get(i, []) for i in ids]

    async def locations(codes: Sequence[str]) -> list[asyncpg.Record | None]:
        found = {r["code"]: r for r in await queries.locations_by_code(pool, codes)}
        return [found.get(c) for c in codes]

    async def decisions(ids: Sequence[str]) -> list[asyncpg.Record | None]:
        found = {r["order_id"]: r for r in await queries.sourcing_decisions_of_orders(pool, ids)}
        return [found.get(i) for i in ids]

    async def histories(ids: Sequence[str]) -> list[list[RecordedEvent]]:
        found = await store.read_streams([f"order-{i}" for i in ids])
        return [found.get(f"order-{i}", []) for i in ids]

    return Loaders(
        orders=DataLoader(load_fn=orders),
        returns=DataLoader(load_fn=returns),
        returns_of_order=DataLoader(load_fn=returns_of_order),
        locations=DataLoader(load_fn=locations),
        decisions=DataLoader(load_fn=decisions),
        histories=DataLoader(load_fn=histories),
    )


def forget(loader: DataLoader[Any, Any], key: object) -> None:
    """Drops a cached value so the next load reads again (after a mutation changed it); fine if never loaded."""
    with contextlib.suppress(KeyError):
        loader.clear(key)
