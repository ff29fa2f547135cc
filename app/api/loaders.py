"""DataLoaders: every nested lookup of a request is batched into one query per kind.

A page of 100 orders with their lines, shipments, locations, returns and sourcing decisions costs one query
for the page, one for the orders' states and one per kind of nested thing, whatever the page size.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property
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


class Loaders:
    """One request's DataLoaders, each made when first used: most requests need one kind or none, and six
    loaders built per request were a measurable share of a small query's cost."""

    def __init__(self, pool: asyncpg.Pool, store: EventStore) -> None:
        self._pool, self._store = pool, store

    @cached_property
    def orders(self) -> DataLoader[str, Order | None]:
        async def load(ids: Sequence[str]) -> list[Order | None]:
            found = {r[0]: _order.decode(r[1]) for r in await queries.order_states(self._pool, ids)}
            return [found.get(i) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def returns(self) -> DataLoader[str, Return | None]:
        async def load(ids: Sequence[str]) -> list[Return | None]:
            found = {r[0]: _return.decode(r[1]) for r in await queries.return_states(self._pool, ids)}
            return [found.get(i) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def returns_of_order(self) -> DataLoader[str, list[Return]]:
        async def load(ids: Sequence[str]) -> list[list[Return]]:
            found: dict[str, list[Return]] = defaultdict(list)
            for row in await queries.returns_of_orders(self._pool, ids):
                found[row[0]].append(_return.decode(row[2]))
            return [found.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def locations(self) -> DataLoader[str, asyncpg.Record | None]:
        async def load(codes: Sequence[str]) -> list[asyncpg.Record | None]:
            found = {r["code"]: r for r in await queries.locations_by_code(self._pool, codes)}
            return [found.get(c) for c in codes]

        return DataLoader(load_fn=load)

    @cached_property
    def decisions(self) -> DataLoader[str, asyncpg.Record | None]:
        async def load(ids: Sequence[str]) -> list[asyncpg.Record | None]:
            found = {r["order_id"]: r for r in await queries.sourcing_decisions_of_orders(self._pool, ids)}
            return [found.get(i) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def histories(self) -> DataLoader[str, list[RecordedEvent]]:
        async def load(ids: Sequence[str]) -> list[list[RecordedEvent]]:
            found = await self._store.read_streams([f"order-{i}" for i in ids])
            return [found.get(f"order-{i}", []) for i in ids]

        return DataLoader(load_fn=load)


def forget(loader: DataLoader[Any, Any], key: object) -> None:
    """Drops a cached value so the next load reads again (after a mutation changed it); fine if never loaded."""
    with contextlib.suppress(KeyError):
        loader.clear(key)
