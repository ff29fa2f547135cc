"""The stores benchmark runs end to end (quick mode) and prints well-formed figures; none is asserted."""

from __future__ import annotations

import pytest

from tests.bench.bench_runs import assert_figures, quick_run

pytestmark = pytest.mark.slow

DECLINES = {
    "decline_to_replanned_p50_ms",
    "decline_to_replanned_p99_ms",
    "confirm_pick_p50_ms",
    "confirm_pick_p99_ms",
    "declines_per_s",
    "orders_per_s",
    "declines_backordered",
    "serve_cpu_share",
}
PICKUP = {
    "pickup_options_per_s",
    "pickup_options_p50_ms",
    "pickup_options_p99_ms",
    "pickup_options_serve_cpu_ms_per_call",
}


def test_quick_stores_bench_prints_one_json_figure_per_line(postgres_dsn: str, redis_url: str) -> None:
    lines = quick_run("stores.py", DATABASE_URL=postgres_dsn, REDIS_URL=redis_url)
    assert_figures(lines, min_runs=1)
    assert {line["bench"] for line in lines} == {"stores"}
    assert {line["metric"] for line in lines} == DECLINES | PICKUP
    for line in lines:
        if line["metric"] in DECLINES:
            assert {"declines_via", "declines", "declines_backordered", "offered_declines_per_s"} <= line.keys()
        else:
            assert {"clients", "locations", "errors"} <= line.keys()
