"""Partitioned projections: each partition fed once, claims shared out fairly and taken over, layouts adopted."""

from __future__ import annotations

import asyncio
import io

import asyncpg

from eventstore import EventStore, PartitionClaims
from projections import ProjectionRunner, checkpoint_names, replay, wait_for
from tests.integration.projections.history import churn, create_locations, realistic_history
from tests.integration.workers.conftest import eventually


async def test_partitioned_read_models_equal_a_rebuild(
    database_url: str, store: EventStore, readmodel: asyncpg.Pool
) -> None:
    await realistic_history(store)
    last = await churn(store, 0, 40)
    # Small batches: partitions stand at different positions within and across batches.
    assert await ProjectionRunner(readmodel, batch_size=5, partitions=4).wait_for(last.position, 30.0)
    assert await wait_for(readmodel, last.position, 0, names=checkpoint_names(partitions=4))
    assert not await wait_for(readmodel, last.position, 0)  # the unpartitioned checkpoints never moved
    out = io.StringIO()
    assert await replay(database_url, swap=False, out=out, partitions=4) == 0, out.getvalue()

    # A swap moves the rebuilt copy's position to every partition's checkpoint, and they go on from there.
    out = io.StringIO()
    assert await replay(database_url, swap=True, out=out, partitions=4) == 0, out.getvalue()
    names = {r["name"] for r in await readmodel.fetch("SELECT name FROM checkpoints")}
    assert names == set(checkpoint_names(partitions=4))
    later = await churn(store, 40, 5)
    assert await ProjectionRunner(readmodel, partitions=4).wait_for(later.position, 30.0)
    out = io.StringIO()
    assert await replay(database_url, swap=False, out=out, partitions=4) == 0, out.getvalue()


async def test_claims_are_shared_fairly_and_a_leavers_are_taken_over(readmodel: asyncpg.Pool) -> None:
    members = [PartitionClaims(readmodel, "test-group", 6, interval=0) for _ in range(3)]
    try:
        for claims in members:  # each joins, alone at first it takes more than its share
            await claims.rebalance()
        assert sum(len(c.held) for c in members) == 6
        # Two more rounds: the first gives back what is above the share, the next takes up the free ones.
        for _ in range(2):
            for claims in members:
                await claims.rebalance()
        assert sorted(len(c.held) for c in members) == [2, 2, 2]
        assert set().union(*(c.held for c in members)) == set(range(6))
        # One leaves (a dead process's connection goes the same way: its locks go with it).
        await members[0].close()
        for claims in members[1:]:
            await claims.rebalance()
        assert sorted(len(c.held) for c in members[1:]) == [3, 3]
        assert members[1].held | members[2].held == set(range(6))
    finally:
        for claims in members:
            await claims.close()


async def test_changing_the_partition_count_moves_the_checkpoints_over(
    database_url: str, store: EventStore, readmodel: asyncpg.Pool
) -> None:
    await create_locations(store)
    first = await churn(store, 0, 20)
    assert await ProjectionRunner(readmodel).wait_for(first.position, 30.0)
    # Three competing runners of a 3-way split: each adopts the former checkpoints, claims a share, feeds it.
    stop = asyncio.Event()
    runners = [ProjectionRunner(readmodel, partitions=3, claim=True, poll_interval=0.05) for _ in range(3)]
    tasks = [asyncio.create_task(r.run(stop)) for r in runners]
    try:
        later = await churn(store, 20, 20)
        assert await wait_for(readmodel, later.position, 30.0, names=checkpoint_names(partitions=3))
        names = {r["name"] for r in await readmodel.fetch("SELECT name FROM checkpoints")}
        assert names == set(checkpoint_names(partitions=3))  # the unpartitioned ones are gone

        async def balanced() -> bool:  # the first to start took all three; each gives back or takes up, a look a second
            return sorted(len(r.claims.held) for r in runners if r.claims is not None) == [1, 1, 1]

        await eventually(balanced, 20.0)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    out = io.StringIO()
    assert await replay(database_url, swap=False, out=out, partitions=3) == 0, out.getvalue()
