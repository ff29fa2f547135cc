"""The end-to-end benchmark runs (quick mode) and prints well-formed figures; none is asserted."""

from __future__ import annotations

import pytest

from tests.bench.bench_runs import assert_figures, quick_run

pytestmark = pytest.mark.slow

METRICS = {
    "orders_per_s",
    *(f"{kind}_{q}_ms" for kind in ("place_order", "place_to_allocated") for q in ("p50", "p95", "p99")),
    "projection_lag_p50_events",
    "projection_lag_max_events",
    "db_cpu_share",
    *(f"cpu_ms_per_order_{kind}" for kind in ("api", "workers", "projections", "postgres", "sum", "load_generator")),
}


def test_quick_e2e_bench_prints_one_json_figure_per_line(postgres_dsn: str, redis_url: str) -> None:
    lines = quick_run("e2e.py", DATABASE_URL=postgres_dsn, REDIS_URL=redis_url)
    assert_figures(lines, "offered_per_s")
    assert {line["bench"] for line in lines} == {"e2e"}
    offered = {line["offered_per_s"] for line in lines}
    assert "max" in offered and len(offered) >= 2, offered
    for rate in offered:
        assert {line["metric"] for line in lines if line["offered_per_s"] == rate} == METRICS, rate
    at_50 = {line["metric"]: line["value"] for line in lines if line["offered_per_s"] == 50}
    # Each kind of process is told apart, and the sum (a median of per-run sums) covers the largest part.
    parts = [at_50[f"cpu_ms_per_order_{kind}"] for kind in ("api", "workers", "projections", "postgres")]
    assert all(part > 0 for part in parts) and at_50["cpu_ms_per_order_sum"] >= max(parts), at_50


def test_quick_e2e_bench_with_a_history_reports_each_step_on_both_logs(postgres_dsn: str, redis_url: str) -> None:
    lines = quick_run("e2e.py", "--rates", "50", "--log-events", "3000", DATABASE_URL=postgres_dsn, REDIS_URL=redis_url)
    timings = [line for line in lines if line["metric"] == "catch_up_s"]
    figures = [line for line in lines if line["metric"] != "catch_up_s"]
    assert_figures(figures, "offered_per_s", "log")
    [history] = [line for line in timings if line["log"] != "fresh"]
    assert history["log_events"] >= 3000 and history["log"] == str(history["log_events"]), history
    assert {line["log"] for line in timings} == {line["log"] for line in figures} == {"fresh", history["log"]}
    for log in ("fresh", history["log"]):
        assert {line["metric"] for line in figures if line["log"] == log} == METRICS, log
