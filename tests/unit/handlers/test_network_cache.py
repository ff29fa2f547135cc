"""The quote path's in-process caches: one reload at a time, stale values while it runs, shared stock queries."""

from __future__ import annotations

import asyncio

import pytest

from app.handlers.cached_network import Refreshed, SharedLookups
from app.sourcing import Availability


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Loader:
    """Counts loads; each waits for `release` so the test decides when a load lands."""

    def __init__(self) -> None:
        self.calls = 0
        self.value: list[str] = ["A"]
        self.release = asyncio.Event()
        self.fail = False

    async def __call__(self) -> list[str]:
        self.calls += 1
        await self.release.wait()
        if self.fail:
            raise RuntimeError("database down")
        return list(self.value)  # a new, equal object each time


async def test_concurrent_first_readers_share_one_load() -> None:
    load = Loader()
    cache = Refreshed(load, ttl=1.0, monotonic=Clock())
    readers = [asyncio.create_task(cache.get()) for _ in range(20)]
    await asyncio.sleep(0)
    load.release.set()
    values = await asyncio.gather(*readers)
    assert load.calls == 1
    assert all(v is values[0] for v in values)


async def test_an_expired_value_is_served_while_one_reload_runs() -> None:
    load, clock = Loader(), Clock()
    cache = Refreshed(load, ttl=1.0, monotonic=clock)
    load.release.set()
    first = await cache.get()
    load.release.clear()
    load.value = ["A", "B"]
    clock.now = 5.0
    stale = [await cache.get() for _ in range(10)]  # nobody waits for the reload, and only one starts
    await asyncio.sleep(0.01)
    assert all(v is first for v in stale) and load.calls == 2
    load.release.set()
    await asyncio.sleep(0.01)
    assert await cache.get() == ["A", "B"] and load.calls == 2  # fresh again: no further load


async def test_an_equal_reload_keeps_the_same_object() -> None:
    load, clock = Loader(), Clock()
    load.release.set()
    cache = Refreshed(load, ttl=1.0, monotonic=clock)
    first = await cache.get()
    clock.now = 5.0
    await cache.get()
    await asyncio.sleep(0.01)
    assert load.calls == 2 and await cache.get() is first  # identity tells readers nothing changed


async def test_a_failed_reload_keeps_the_old_value_and_is_retried() -> None:
    load, clock = Loader(), Clock()
    load.release.set()
    cache = Refreshed(load, ttl=1.0, monotonic=clock)
    first = await cache.get()
    load.fail, clock.now = True, 5.0
    assert await cache.get() is first
    await asyncio.sleep(0.01)
    assert await cache.get() is first  # still expired: this read starts another reload
    await asyncio.sleep(0.01)
    assert load.calls == 3
    load.fail, load.value = False, ["B"]
    await cache.get()
    await asyncio.sleep(0.01)
    assert await cache.get() == ["B"] and load.calls == 4


async def test_a_failed_first_load_reaches_its_readers_and_the_next_read_retries() -> None:
    load = Loader()
    load.fail = True
    load.release.set()
    cache = Refreshed(load, ttl=1.0, monotonic=Clock())
    with pytest.raises(RuntimeError, match="database down"):
        await cache.get()
    load.fail = False
    assert await cache.get() == ["A"] and load.calls == 2


class Stock:
    """A fake stock table; each query waits for `release` and records the SKUs it asked for."""

    def __init__(self) -> None:
        self.rows = {("DC1", "a"): 3, ("DC1", "b"): 1, ("DC2", "b"): 4, ("DC2", "c"): 2}
        self.queries: list[list[str]] = []
        self.release = asyncio.Event()
        self.fail = False

    async def __call__(self, skus: list[str]) -> Availability:
        self.queries.append(skus)
        await self.release.wait()
        if self.fail:
            raise RuntimeError("query failed")
        return {key: units for key, units in self.rows.items() if key[1] in skus}


async def test_lookups_made_during_a_query_share_the_next_one_and_get_only_their_skus() -> None:
    stock = Stock()
    lookups = SharedLookups(stock)
    first = asyncio.create_task(lookups.availability(["a"]))
    await asyncio.sleep(0)  # the first query is on the wire
    later = [asyncio.create_task(lookups.availability(skus)) for skus in (["b"], ["c", "b"], ["b"])]
    await asyncio.sleep(0)
    stock.release.set()
    assert await first == {("DC1", "a"): 3}
    assert await asyncio.gather(*later) == [
        {("DC1", "b"): 1, ("DC2", "b"): 4},
        {("DC1", "b"): 1, ("DC2", "b"): 4, ("DC2", "c"): 2},
        {("DC1", "b"): 1, ("DC2", "b"): 4},
    ]
    assert stock.queries == [["a"], ["b", "c"]]  # four lookups, two queries


async def test_a_failed_query_fails_every_lookup_in_it_and_the_next_lookup_queries_again() -> None:
    stock = Stock()
    stock.fail = True
    stock.release.set()
    lookups = SharedLookups(stock)
    results = await asyncio.gather(*(lookups.availability(["a"]) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results) and len(stock.queries) == 1
    stock.fail = False
    assert await lookups.availability(["a"]) == {("DC1", "a"): 3}


async def test_a_lookup_that_gives_up_does_not_cancel_the_query_of_the_others() -> None:
    stock = Stock()
    lookups = SharedLookups(stock)
    impatient = asyncio.create_task(lookups.availability(["a"]))
    patient = asyncio.create_task(lookups.availability(["a"]))
    await asyncio.sleep(0)
    impatient.cancel()
    stock.release.set()
    assert await patient == {("DC1", "a"): 3}
