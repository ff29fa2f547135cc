"""At most one verification of the log at a time in this process: whoever asks while one runs joins it.

A verification reads every event; two at once would only double the load for the same answer. The run belongs
to the process, not to the subscriber that started it: it goes on (and records its result) if that subscriber
leaves, and every subscriber, first or joining, follows its latest step.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from eventstore import VerificationRecord, VerifyProgress

Step = VerifyProgress | VerificationRecord


class _Run:
    def __init__(self, steps: AsyncIterator[Step]) -> None:
        self.latest: Step | None = None
        self.failure: BaseException | None = None
        self.done = False
        self._changed = asyncio.Event()
        self.task = asyncio.create_task(self._drive(steps))

    async def _drive(self, steps: AsyncIterator[Step]) -> None:
        try:
            async for step in steps:
                self.latest = step
                self._wake()
        except Exception as failed:  # handed to every follower, which raises it as its own
            self.failure = failed
        finally:
            self.done = True
            self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def follow(self) -> AsyncIterator[Step]:
        """The run's latest step, then each one after it (a slow follower skips progress, never the end)."""
        seen: Step | None = None
        while True:
            changed = self._changed  # taken before looking, so a step taken meanwhile still wakes us
            if self.latest is not None and self.latest is not seen:
                seen = self.latest
                yield seen
                continue  # look again: the run may have moved on, or ended, while we were away
            if self.done:
                if self.failure is not None:
                    raise self.failure
                return
            await changed.wait()


class LogVerifications:
    def __init__(self) -> None:
        self._run: _Run | None = None

    def follow(self, start: Callable[[], AsyncIterator[Step]]) -> AsyncIterator[Step]:
        """The running verification's steps; `start` begins one when none runs."""
        if self._run is None or self._run.done:
            self._run = _Run(start())
        return self._run.follow()

    async def close(self) -> None:
        if self._run is not None:
            self._run.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._run.task
