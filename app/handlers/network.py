"""What sourcing needs to know about the network: the locations, and a hint of where stock is.

The availability here is a *hint* for planning. Reservations are always decided on the stock streams' own
state and appended with their expected versions, so a stale hint costs a re-plan, never an oversell.
`LogNetwork` reads the event log (always correct, slower); the read-model network (projections) is the fast
one the service uses.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Protocol

from app.domain.aggregates import LOCATION, STOCK
from app.domain.locations import Location
from app.domain.streams import stock_stream
from app.sourcing import Availability
from eventstore import EventCodec, EventStore, load_states


class NetworkView(Protocol):
    async def locations(self) -> list[Location]: ...

    async def availability(self, skus: Collection[str]) -> Availability: ...


class LogNetwork:
    """The network straight from the log: every location stream, and the stock streams of the asked SKUs.

    Locations change rarely and are kept for `locations_ttl` seconds, so a burst of orders reads them once.
    """

    def __init__(self, store: EventStore, codec: EventCodec, *, locations_ttl: float = 1.0) -> None:
        self.store = store
        self.codec = codec
        self.locations_ttl = locations_ttl
        self._locations: list[Location] = []
        self._loaded_at = float("-inf")

    async def locations(self) -> list[Location]:
        if time.monotonic() - self._loaded_at <= self.locations_ttl:
            return self._locations
        ids = await self.store.stream_ids("location")
        loaded = await load_states(self.store, self.codec, dict.fromkeys(ids, LOCATION))
        states = [state for state, _ in loaded.values() if state is not None]
        self._locations = sorted(states, key=lambda loc: loc.code)
        self._loaded_at = time.monotonic()
        return self._locations

    async def availability(self, skus: Collection[str]) -> Availability:
        codes = [loc.code for loc in await self.locations()]
        streams = [stock_stream(sku, code) for code in codes for sku in skus]
        loaded = await load_states(self.store, self.codec, dict.fromkeys(streams, STOCK))
        result: dict[tuple[str, str], int] = {}
        for state, _ in loaded.values():
            if state.atp > 0:
                result[(state.location_code, state.sku)] = state.atp
        return result
