"""Open-loop load: requests start on a fixed schedule whatever the server's latency, so a slow server builds a
queue instead of slowing the load down (no coordinated omission: latency counts from the scheduled start)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench._common import percentile

# One request: given its sequence number, performs it and returns True if the answer was a success.
Call = Callable[[int], Awaitable[bool]]


@dataclass
class Result:
    offered_per_s: float
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    dropped: int = 0  # not started: too many already in flight (the server fell that far behind)

    @property
    def achieved_per_s(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q) if self.latencies_ms else float("nan")


async def open_loop(call: Call, rate: float, seconds: float, *, max_in_flight: int = 1000) -> Result:
    """Starts `rate` calls per second for `seconds`, then waits for the stragglers (at most 30 s)."""
    total = max(1, round(rate * seconds))
    result = Result(offered_per_s=rate, seconds=0.0)
    in_flight: set[asyncio.Task[None]] = set()
    start = time.perf_counter()

    async def one(i: int, scheduled: float) -> None:
        try:
            ok = await call(i)
        except Exception:
            ok = False
        if ok:
            result.latencies_ms.append((time.perf_counter() - scheduled) * 1000)
        else:
            result.errors += 1

    for i in range(total):
        scheduled = start + i / rate
        if (delay := scheduled - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        if len(in_flight) >= max_in_flight:
            result.dropped += 1
            continue
        task = asyncio.create_task(one(i, scheduled))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    if in_flight:
        await asyncio.wait(in_flight, timeout=30)
    result.seconds = time.perf_counter() - start
    return result


async def closed_loop(call: Call, clients: int, seconds: float) -> Result:
    """`clients` callers back to back for `seconds`: the most the server does at that concurrency."""
    result = Result(offered_per_s=float("inf"), seconds=0.0)
    start = time.perf_counter()
    deadline = start + seconds
    counter = iter(range(10**9))

    async def client() -> None:
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                ok = await call(next(counter))
            except Exception:
                ok = False
            if ok:
                result.latencies_ms.append((time.perf_counter() - began) * 1000)
            else:
                result.errors += 1

    await asyncio.gather(*(client() for _ in range(clients)))
    result.seconds = time.perf_counter() - start
    return result
