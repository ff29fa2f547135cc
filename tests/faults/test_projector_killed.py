"""kill -9 of one of three projection processes in the middle of a batch, while events are written.

The log is split 6 ways (MERIDIAN_PROJECTION_PARTITIONS) and three `meridian project` processes share the
partitions, two each. When to kill is decided by what the test sees, never by how fast the machine is: the test
holds an advisory lock, and the victim alone runs with MERIDIAN_TEST_HOLD_PROJECTION_BATCHES naming it, so its
first batch that handles events waits for that lock inside its transaction, after writing its rows and moving its
checkpoints, before committing. The test waits until pg_locks shows that wait, and only then kills the process:
it is mid-batch, with half a story written and nothing committed.

Then the test lets the lock go (the dead client's backend then finds its client gone and rolls the batch back),
writes more, and expects the two survivors to take the victim's partitions over (three each) and bring every
partition's checkpoint to the log's head with read models identical to a rebuild (`meridian replay`).
"""

from __future__ import annotations

import asyncpg

from eventstore import EventStore
from eventstore.claims import claim_key
from projections import checkpoint_names, wait_for
from projections.runner import log_head
from tests.integration.projections.history import churn, create_locations

from .checks import eventually
from .conftest import Meridian

PARTITIONS = 6
HOLD = 0x51A1_0019  # the advisory lock key the victim's batches wait for
CLAIMS = [claim_key(f"projections#{i}/{PARTITIONS}") for i in range(PARTITIONS)]


async def claims_by_process(db: asyncpg.Pool) -> list[int]:
    """How many partitions each process holding any claims, fewest first."""
    rows = await db.fetch(
        "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 0"
        " AND objid::BIGINT = ANY ($1::BIGINT[]) GROUP BY pid ORDER BY n",
        CLAIMS,
    )
    return [r["n"] for r in rows]


async def test_a_projector_killed_mid_batch_leaves_read_models_equal_to_a_rebuild(
    meridian: Meridian, db: asyncpg.Pool
) -> None:
    meridian.settings["MERIDIAN_PROJECTION_PARTITIONS"] = str(PARTITIONS)
    store = EventStore(db)
    assert await log_head(db) is None  # nothing to project yet: no batch is held before the test says
    async with db.acquire() as holder:
        await holder.execute("SELECT pg_advisory_lock($1)", HOLD)
        victim = meridian.start_projector(MERIDIAN_TEST_HOLD_PROJECTION_BATCHES=str(HOLD))
        survivors = [meridian.start_projector(), meridian.start_projector()]

        async def shared_out() -> bool:
            return await claims_by_process(db) == [2, 2, 2]

        # Started first, the victim may claim more than its share, and a held batch cannot give any back: the
        # events wait until the three have shared the partitions out.
        await eventually(shared_out, 60.0, "three projectors with two partitions each")
        await create_locations(store)
        await churn(store, 0, 30)

        async def victim_is_mid_batch() -> bool:
            waiting: int = await db.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid::BIGINT = $1",
                HOLD,
            )
            return waiting == 1

        await eventually(victim_is_mid_batch, 60.0, "the victim waiting inside a batch")
        # Its batch holds its partitions' checkpoint locks: the survivors cannot handle them meanwhile.
        await meridian.kill(victim)
        await holder.execute("SELECT pg_advisory_unlock($1)", HOLD)

    last = await churn(store, 30, 30)

    async def taken_over() -> bool:
        return await claims_by_process(db) == [3, 3]

    await eventually(taken_over, 60.0, "the survivors holding three partitions each")
    names = checkpoint_names(partitions=PARTITIONS)

    async def projected() -> bool:
        head = await log_head(db)
        return head is not None and head >= last.position and await wait_for(db, head, 0, names=names)

    await eventually(projected, 60.0, "every partition of every projection at the log's head")
    assert all(p.poll() is None for p in survivors)
    replayed, out = await meridian.cli("replay")
    assert replayed == 0, out
    assert "read models identical" in out
