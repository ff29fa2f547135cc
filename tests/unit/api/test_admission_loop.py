"""The admission sampler stops when cancelled, even when the cancel comes out of a sample as a timeout."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from app.api.admission import Admission, Pressure
from app.settings import Settings


class CancelBecomesTimeout(Admission):
    """A sample whose I/O turns a cancel into a timeout, as a timeout racing a cancel can in Python 3.11 (seen
    once in the suite: the API's shutdown then waited for the sampler forever)."""

    sampling = asyncio.Event()
    swallow = True

    async def sample(self) -> Pressure:
        self.sampling.set()
        try:
            await asyncio.Event().wait()  # I/O that never answers
        except asyncio.CancelledError:
            if self.swallow:
                raise TimeoutError from None
            raise
        return Pressure()


async def test_a_cancel_swallowed_by_a_sample_still_ends_the_sampler() -> None:
    admission = CancelBecomesTimeout(Settings(MERIDIAN_OVERLOAD_SAMPLE_MS=1), cast(Any, None), None)
    sampler = asyncio.create_task(admission.run())
    await admission.sampling.wait()
    sampler.cancel()
    try:
        await asyncio.wait({sampler}, timeout=10)  # at once, unless the loop samples on (as it did)
        assert sampler.cancelled()
    finally:
        admission.swallow = False  # a failed run leaves no sampler behind
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
