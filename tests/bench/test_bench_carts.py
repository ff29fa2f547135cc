"""The cart reservations benchmark runs (quick mode) and prints well-formed figures; none is asserted."""

from __future__ import annotations

import pytest

from tests.bench.bench_runs import assert_figures, quick_run

pytestmark = pytest.mark.slow

METRICS = {
    *(f"{kind}_{q}_ms" for kind in ("reserve_cart", "place_from_reservation", "checkout", "expiry_lag")
      for q in ("p50", "p99")),
    "expiry_lag_max_ms",
}  # fmt: skip


def test_quick_carts_bench_prints_one_json_figure_per_line(postgres_dsn: str, redis_url: str) -> None:
    lines = quick_run("carts.py", DATABASE_URL=postgres_dsn, REDIS_URL=redis_url)
    assert_figures(lines, "offered_carts_per_s", min_runs=1)
    assert {line["bench"] for line in lines} == {"carts"}
    assert {line["metric"] for line in lines} == METRICS
