"""DataLoaders: every nested lookup of a request is batched into one query per kind.

A page of 100 orders with their lines, shipments, locations, returns and sourcing decisions costs one query
for the page, one for the orders' states and one per kind of nested thing, whatever the page size.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any, TypeAlias, TypeVar

import asyncpg
import msgspec
from strawberry.dataloader import DataLoader

from app.domain.order_state import Order
from app.domain.returns import Return
from eventstore import EventStore, RecordedEvent
from projections import queries

V = TypeVar("V")
Loader: TypeAlias = "DataLoader[str, V | None]"

_order = msgspec.json.Decoder(Order)
_return = msgspec.json.Decoder(Return)


Fetch = Callable[[asyncpg.Pool, Sequence[str]], Awaitable[Iterable[asyncpg.Record]]]


def _one_each(pool: asyncpg.Pool, fetch: Fetch, key: str | int, value: Callable[[asyncpg.Record], V]) -> Loader[V]:
    """A loader for things that exist at most once per key: one query for all keys, None where missing."""

    async def load(keys: Sequence[str]) -> list[V | None]:
        found = {row[key]: value(row) for row in await fetch(pool, keys)}
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """One request's DataLoaders, each made when first used: most requests need one kind or none, and six
    loaders built per request were a measurable share of a small query's cost."""

    def __init__(self, pool: asyncpg.Pool, store: EventStore) -> None:
        self._pool, self._store = pool, store

    @cached_property
    def orders(self) -> Loader[Order]:
        return _one_each(self._pool, queries.order_states, 0, lambda row: _order.decode(row[1]))

    @cached_property
    def order_versions(self) -> Loader[int]:
        return _one_each(self._pool, queries.order_versions, 0, lambda row: int(row[1]))

    @cached_property
    def returns(self) -> Loader[Return]:
        return _one_each(self._pool, queries.return_states, 0, lambda row: _return.decode(row[1]))

    @cached_property
    def locations(self) -> Loader[asyncpg.Record]:
        return _one_each(self._pool, queries.locations_by_code, "code", lambda row: row)

    @cached_property
    def planned_since(self) -> DataLoader[tuple[str, datetime], int]:
        """Shipments planned at a location since a moment, cancelled ones excluded (capacity used that day); keyed
        by (location code, moment): one query per moment, which a request has one of."""

        async def load(keys: Sequence[tuple[str, datetime]]) -> list[int]:
            found: dict[tuple[str, datetime], int] = {}
            for since in {moment for _, moment in keys}:
                codes = sorted({code for code, moment in keys if moment == since})
                rows = await queries.shipments_planned_since(self._pool, codes, since)
                found.update({(row["location_code"], since): row["planned"] for row in rows})
            return [found.get(key, 0) for key in keys]

        return DataLoader(load_fn=load)

    @cached_property
    def decisions(self) -> DataLoader[str, list[asyncpg.Record]]:
        """Every sourcing decision of each order, oldest first."""

        async def load(ids: Sequence[str]) -> list[list[asyncpg.Record]]:
            found: dict[str, list[asyncpg.Record]] = defaultdict(list)
            for row in await queries.sourcing_decisions_of_orders(self._pool, ids):
                found[row["order_id"]].append(row)
            return [found.get(i, []) for i in ids]

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
    def histories(self) -> DataLoader[str, list[RecordedEvent]]:
        async def load(ids: Sequence[str]) -> list[list[RecordedEvent]]:
            found = await self._store.read_streams([f"order-{i}" for i in ids])
            return [found.get(f"order-{i}", []) for i in ids]

        return DataLoader(load_fn=load)


def forget(loader: DataLoader[Any, Any], key: object) -> None:
    """Drops a cached value so the next load reads again (after a mutation changed it); fine if never loaded."""
    with contextlib.suppress(KeyError):
        loader.clear(key)
