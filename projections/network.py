"""The network for sourcing and delivery quotes: locations from the log, availability from the read model.

Availability is a hint (the read side lags by milliseconds, or more if its runner is down); sourcing
reserves on the stock streams' own state and checks every backorder against the log, so a stale hint costs
a re-plan, never an oversell nor a needless backorder. Locations come from their streams (cached briefly),
so a stopped projection runner never hides the network.
"""

from __future__ import annotations

from collections.abc import Collection

import asyncpg

from app.domain.locations import Location
from app.handlers.network import LogNetwork
from eventstore import EventCodec, EventStore

from .sql import query


class ReadModelNetwork:
    def __init__(self, pool: asyncpg.Pool, codec: EventCodec, *, locations_ttl: float = 1.0) -> None:
        self.pool = pool
        self._log = LogNetwork(EventStore(pool), codec, locations_ttl=locations_ttl)

    async def locations(self) -> list[Location]:
        return await self._log.locations()

    async def availability(self, skus: Collection[str]) -> dict[tuple[str, str], int]:
        rows = await self.pool.fetch(query("available_stock"), list(skus))
        return {(r[0], r[1]): r[2] for r in rows}
