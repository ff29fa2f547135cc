"""The overload benchmark runs (quick mode) and prints well-formed figures; of Meridian it asserts only what must
hold on any machine: every acknowledged order was allocated."""

from __future__ import annotations

import pytest

from tests.bench.bench_runs import assert_figures, quick_run

pytestmark = pytest.mark.slow

METRICS = {
    "sustainable_orders_per_s",
    "offered_orders_per_s",
    "accepted",
    "refused",
    "accepted_p50_ms",
    "accepted_p99_ms",
    "refused_p99_ms",
    "refused_max_ms",
    "acknowledged_not_allocated",
    "placed_not_acknowledged",
}


def test_quick_overload_bench_prints_one_json_figure_per_line(postgres_dsn: str, redis_url: str) -> None:
    lines = quick_run("overload.py", DATABASE_URL=postgres_dsn, REDIS_URL=redis_url)
    assert_figures(lines, "overload_factor")
    assert {line["bench"] for line in lines} == {"overload"}
    assert {line["metric"] for line in lines} == METRICS
    unallocated = next(line for line in lines if line["metric"] == "acknowledged_not_allocated")
    assert unallocated["runs"] == [0, 0, 0], unallocated
