"""The API benchmark runs end to end (quick mode) and prints well-formed figures; none is asserted."""

from __future__ import annotations

import pytest

from tests.bench.bench_runs import assert_figures, quick_run

pytestmark = pytest.mark.slow


def test_quick_api_bench_prints_one_json_figure_per_line(postgres_dsn: str, redis_url: str) -> None:
    lines = quick_run("api.py", DATABASE_URL=postgres_dsn, REDIS_URL=redis_url)
    assert_figures(lines, min_runs=1)
    assert {line["bench"] for line in lines} == {"api"}
    metrics = {(line["metric"], line.get("endpoint")) for line in lines}
    for op in ("place_order", "order"):
        for endpoint in ("graphql", "bare"):
            assert {(f"{op}_{m}", endpoint) for m in ("per_s", "p50_ms", "p99_ms")} <= metrics, metrics
        assert {(f"{op}_graphql_over_bare_p50", None), (f"{op}_graphql_over_bare_p99", None)} <= metrics, metrics
    for op, endpoint in (
        ("fulfillment_options", "graphql"),
        ("fulfillment_options_max", "graphql"),
        ("smallest_query_max", "graphql"),
        ("liveness_max", "starlette"),
    ):
        assert {(f"{op}_{m}", endpoint) for m in ("per_s", "p50_ms", "p99_ms")} <= metrics, metrics
    for op in ("fulfillment_options", "smallest_query", "liveness"):
        assert (f"{op}_serve_cpu_ms_per_call", None) in metrics, metrics
