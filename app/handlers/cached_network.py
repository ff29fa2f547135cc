"""The network the services source and quote on: locations from the log, availability from the read model.

Availability is a hint (the read side lags by milliseconds, or more if its runner is down); sourcing
reserves on the stock streams' own state and checks every backorder against the log, so a stale hint costs
a re-plan, never an oversell nor a needless backorder. Locations come from their streams (cached briefly),
so a stopped projection runner never hides the network.

A delivery quote is public and frequent, so everything it needs but the stock is kept in-process: the
locations and the active profile are reloaded in the background at most once per `ttl` (never by every
request at once), and the network prepared for quotes is rebuilt only when one of them really changed.
What is left per quote is one stock lookup, shared with the lookups of concurrent quotes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any, Generic, TypeVar

import asyncpg

from app.domain.locations import Location
from app.sourcing import Availability, PreparedNetwork, SourcingProfile
from eventstore import EventCodec, EventStore
from projections.queries import available_stock

from .network import LogNetwork
from .profiles import ProfileSource
from .sourcing import candidate

T = TypeVar("T")


class Refreshed(Generic[T]):
    """A value from `load`, kept for `ttl` seconds, then reloaded in the background while readers keep the
    old one: at most one load runs at a time (no stampede when it expires under load), and only the very
    first readers wait for it. A reload that returns an equal value keeps the old object, so a reader can
    tell "changed" by identity alone. A failed background reload leaves the old value; the next read retries.
    """

    def __init__(
        self, load: Callable[[], Awaitable[T]], *, ttl: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._load, self.ttl, self._monotonic = load, ttl, monotonic
        self._cached: tuple[T] | None = None  # boxed: T itself may admit None
        self._expires = 0.0
        self._reload: asyncio.Task[T] | None = None

    async def get(self) -> T:
        cached = self._cached
        if cached is not None and self._monotonic() < self._expires:
            return cached[0]
        if self._reload is None:
            self._reload = asyncio.create_task(self._reloaded())
            self._reload.add_done_callback(_retrieve)
        if cached is not None:
            return cached[0]
        # Shielded: a reader that gives up must not cancel the load the others are waiting for.
        return await asyncio.shield(self._reload)

    def invalidate(self) -> None:
        """The next read starts a reload (and still gets the current value if there is one)."""
        self._expires = 0.0

    async def _reloaded(self) -> T:
        try:
            value = await self._load()
            if self._cached is None or value != self._cached[0]:
                self._cached = (value,)
            self._expires = self._monotonic() + self.ttl
            return self._cached[0]
        finally:
            self._reload = None


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Marks a background failure as seen: it is reported to the readers who waited, or retried on next read."""
    if not task.cancelled():
        task.exception()


class SharedLookups:
    """Concurrent stock lookups share their queries.

    While one query is on the wire, new lookups gather into the next one (the union of their SKUs), and each
    caller gets the rows of its own SKUs. A query only starts after every lookup in it was asked, so nobody
    gets an older answer than a query of their own would have given; under load one query serves many calls,
    and at most one connection of the pool is busy with quotes' stock at a time.
    """

    def __init__(self, fetch: Callable[[list[str]], Awaitable[Availability]]) -> None:
        self._fetch = fetch
        self._skus: set[str] = set()
        self._next: asyncio.Future[Availability] | None = None  # the query being gathered
        self._driver: asyncio.Task[None] | None = None

    async def availability(self, skus: Collection[str]) -> Availability:
        wanted = set(skus)
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
            self._next.add_done_callback(_retrieve)
        self._skus |= wanted
        answer = self._next
        if self._driver is None:
            self._driver = asyncio.create_task(self._drive())
        rows = await asyncio.shield(answer)
        return {key: units for key, units in rows.items() if key[1] in wanted}

    async def _drive(self) -> None:
        try:
            while self._next is not None:
                answer, skus = self._next, sorted(self._skus)
                self._next, self._skus = None, set()
                try:
                    rows = await self._fetch(skus)
                except asyncio.CancelledError:
                    answer.cancel()
                    raise
                except Exception as failed:  # every caller of this query gets the error, not just one
                    answer.set_exception(failed)
                else:
                    answer.set_result(rows)
        finally:
            self._driver = None
            if self._next is not None and not self._next.done():  # cancelled between queries (shutdown)
                self._next.cancel()


class ReadModelNetwork:
    def __init__(self, pool: asyncpg.Pool, codec: EventCodec, *, locations_ttl: float = 1.0) -> None:
        self.pool = pool
        # The log network reloads on every call; `Refreshed` decides when, and keeps one reload in flight.
        self._log = LogNetwork(EventStore(pool), codec, locations_ttl=0.0)
        self._locations = Refreshed(self._log.locations, ttl=locations_ttl)
        self._stock = SharedLookups(self._fetch_stock)
        self._profiles: tuple[ProfileSource, Refreshed[SourcingProfile]] | None = None
        self._prepared: PreparedNetwork | None = None
        self._prepared_from: tuple[list[Location], SourcingProfile] | None = None

    async def locations(self) -> list[Location]:
        return await self._locations.get()

    async def availability(self, skus: Collection[str]) -> Availability:
        return await self._stock.availability(skus)

    async def prepared(self, profiles: ProfileSource) -> PreparedNetwork:
        """The network prepared for quotes under the active profile of `profiles`.

        Rebuilt only when the locations or the profile changed: both come from `Refreshed`, which keeps the
        same object while the value stays equal, so the check is two identity comparisons.
        """
        if self._profiles is None or self._profiles[0] is not profiles:
            self._profiles = (profiles, Refreshed(profiles.active, ttl=self._locations.ttl))
        locations = await self.locations()
        profile = await self._profiles[1].get()
        source = self._prepared_from
        if self._prepared is None or source is None or source[0] is not locations or source[1] is not profile:
            self._prepared = PreparedNetwork([candidate(loc) for loc in locations], profile)
            self._prepared_from = (locations, profile)
        return self._prepared

    def forget_profile(self) -> None:
        """A profile was defined here: the next quote waits for it to load again rather than quote on the old one
        while a background refresh runs (what `Refreshed.invalidate` would do)."""
        self._profiles = None

    async def _fetch_stock(self, skus: list[str]) -> Availability:
        return await available_stock(self.pool, skus)
