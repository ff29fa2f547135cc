"""The sourcing-decisions read model keeps every decision of an order, and a replay rebuilds the same rows."""

from __future__ import annotations

import io

import asyncpg
import msgspec

from app.domain.order_events import CandidateOutcome, SourcingDecided
from app.domain.streams import order_stream
from app.domain.values import Line
from eventstore import EventStore
from projections import ProjectionRunner, replay
from tests.integration.projections.history import append, at, realistic_history


def decision(minutes: float, trigger: str, lower_bound: float | None, gap: float | None = None) -> SourcingDecided:
    return SourcingDecided(
        order_id="o-1",
        decided_at=at(minutes),
        algorithm="milp-highs",
        total_cost=10.0,
        objective=10.0,
        lower_bound=lower_bound,
        fallback_used=False,
        profile_version=2,
        candidates=(CandidateOutcome(location_code="ST1", selected=False, reason="declined this order's units"),),
        shipments=(),
        backordered=(Line("SKU-A", 1),),
        trigger=trigger,
        gap=gap,
    )


async def test_every_decision_is_kept_oldest_first_and_replay_matches(
    database_url: str, store: EventStore, readmodel: asyncpg.Pool
) -> None:
    await realistic_history(store)  # o-1's first decision, recorded without a trigger or gap
    await append(store, order_stream("o-1"), decision(500, "DECLINED", lower_bound=8.0))
    last = await append(store, order_stream("o-1"), decision(600, "SUPPLY", lower_bound=None, gap=0.0))
    assert await ProjectionRunner(readmodel, batch_size=3).wait_for(last.position, 30.0)

    rows = await readmodel.fetch(
        "SELECT trigger, decided_at, profile_version, gap, candidates::TEXT FROM sourcing_decisions"
        " WHERE order_id = 'o-1' ORDER BY stream_version"
    )
    assert [(r["trigger"], r["decided_at"], r["gap"]) for r in rows] == [
        ("PLACED", at(1), None),  # an old event: PLACED, and no bound to derive a gap from
        ("DECLINED", at(500), 0.2),  # derived from objective 10 and bound 8
        ("SUPPLY", at(600), 0.0),
    ]
    assert msgspec.json.decode(rows[1]["candidates"])[0]["reason"] == "declined this order's units"

    out = io.StringIO()
    assert await replay(database_url, swap=False, out=out) == 0, out.getvalue()
    assert "identical" in out.getvalue()
