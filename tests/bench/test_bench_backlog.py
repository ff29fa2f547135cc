"""The bulk backlog benchmark runs end to end (quick mode) and prints well-formed figures; none is asserted."""

from __future__ import annotations

import pytest

from tests.bench.bench_runs import assert_figures, quick_run

pytestmark = pytest.mark.slow


def test_quick_backlog_bench_prints_one_json_figure_per_line(postgres_dsn: str, redis_url: str) -> None:
    lines = quick_run("backlog.py", DATABASE_URL=postgres_dsn, REDIS_URL=redis_url)
    assert_figures(lines, "mode", "broker", "backlog")
    assert {(line["metric"], line["mode"]) for line in lines} == {
        (metric, mode)
        for metric in ("place_to_allocated_p50_ms", "place_to_allocated_max_ms", "backlog_left_jobs")
        for mode in ("one_queue", "split")
    }
