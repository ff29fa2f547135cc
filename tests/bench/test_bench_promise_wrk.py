"""The wrk-driven promise bench runs (quick mode) and prints well-formed figures for both modes; none is
asserted but that every call succeeded."""

from __future__ import annotations

import shutil

import pytest

from tests.bench.bench_runs import assert_figures, quick_run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)"),
]

METRICS = {
    "calls_per_s",
    "p50_ms",
    "p99_ms",
    "serve_cpu_ms_per_call",
    "postgres_cpu_ms_per_call",
    "wrk_cpu_ms_per_call",
}


def test_quick_promise_wrk_bench_prints_both_modes_figures(postgres_dsn: str, redis_url: str) -> None:
    lines = quick_run("promise_wrk.py", DATABASE_URL=postgres_dsn, REDIS_URL=redis_url)
    assert_figures(lines, "mode", "connections")
    assert {line["bench"] for line in lines} == {"promise_wrk"}
    for mode in ("text", "persisted"):
        figures = {line["metric"]: line for line in lines if line["mode"] == mode}
        assert figures.keys() == METRICS, mode
        assert figures["calls_per_s"]["value"] > 0 and figures["calls_per_s"]["failed"] == 0, figures
