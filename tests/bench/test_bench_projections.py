"""The projections benchmark runs end to end in quick mode and prints well-formed JSON lines."""

from __future__ import annotations

from tests.bench.bench_runs import quick_run

EXPECTED = {"log", "read_all", "rebuild", "asof_order_50_events", "asof_stock_stream"}


def test_quick_run_prints_every_metric(postgres_dsn: str) -> None:
    lines = quick_run("projections.py", timeout=300, DATABASE_URL=postgres_dsn)
    assert {line["metric"] for line in lines} == EXPECTED
    by_metric = {line["metric"]: line for line in lines}
    for metric in ("read_all", "rebuild"):
        assert {"events", "seconds", "events_per_s", "runs"} <= set(by_metric[metric])
        assert by_metric[metric]["runs"] >= 3
    for metric in ("asof_order_50_events", "asof_stock_stream"):
        assert {"p50_ms", "p99_ms", "samples", "runs"} <= set(by_metric[metric])
