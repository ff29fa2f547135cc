"""One verification of the log at a time per process: a second caller joins the running one and sees its end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from app.api.verification import LogVerifications, Step
from eventstore import LogVerified, VerificationRecord, VerifyProgress

DONE = VerificationRecord(
    LogVerified(datetime(2026, 1, 1, tzinfo=UTC), 2, 1, 2, [], 0), datetime(2026, 1, 1, tzinfo=UTC), "admin:a"
)


async def test_a_second_caller_joins_the_running_verification_and_a_later_one_starts_another() -> None:
    started: list[int] = []
    gate = asyncio.Event()

    async def run() -> AsyncIterator[Step]:
        started.append(1)
        yield VerifyProgress(0, 2)
        await gate.wait()
        yield DONE

    runs = LogVerifications()
    first, second = runs.follow(run), runs.follow(run)
    assert await anext(first) == VerifyProgress(0, 2)
    assert await anext(second) == VerifyProgress(0, 2)  # joined: the latest step, not a new run
    gate.set()
    assert [step async for step in first] == [DONE]
    assert [step async for step in second] == [DONE]
    assert started == [1]

    assert [step async for step in runs.follow(run)][-1] == DONE  # the last one ended: this is a new run
    assert started == [1, 1]
    await runs.close()


async def test_a_failed_verification_fails_every_follower() -> None:
    async def broken() -> AsyncIterator[Step]:
        yield VerifyProgress(0, 2)
        raise ConnectionError("database gone")

    runs = LogVerifications()
    for follower in (runs.follow(broken), runs.follow(broken)):
        try:
            [step async for step in follower]
        except ConnectionError as failed:
            assert str(failed) == "database gone"
        else:
            raise AssertionError("the failure was not passed on")
