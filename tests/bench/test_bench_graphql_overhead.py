"""The in-process GraphQL overhead bench runs (quick mode) and prints well-formed figures for each operation
and mode; none is asserted."""

from __future__ import annotations

import pytest

from tests.bench.bench_runs import assert_figures, quick_run

pytestmark = pytest.mark.slow

METRICS = {"calls_per_s", "p50_ms", "p99_ms", "cpu_us_per_call", "gc_us_per_call", "full_collections"}


def test_quick_graphql_overhead_bench_prints_each_operation_and_mode(postgres_dsn: str, redis_url: str) -> None:
    lines = quick_run("graphql_overhead.py", DATABASE_URL=postgres_dsn, REDIS_URL=redis_url)
    assert_figures(lines, "operation")
    assert {line["bench"] for line in lines} == {"graphql_overhead"}
    for operation in ("fulfillment_options", "place_order", "smallest_query"):
        for mode in ("text", "persisted"):
            metrics = {line["metric"] for line in lines if (line["operation"], line.get("mode")) == (operation, mode)}
            assert metrics == METRICS, (operation, mode)
        saved = [line for line in lines if line["operation"] == operation and line["metric"].startswith("persisted_")]
        assert len(saved) == 1, operation
