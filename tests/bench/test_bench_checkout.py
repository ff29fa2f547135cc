"""The checkout benchmark runs end to end (quick mode) and prints well-formed figures; none is asserted."""

from __future__ import annotations

import pytest

from tests.bench.bench_runs import assert_figures, quick_run

pytestmark = pytest.mark.slow


def test_quick_checkout_bench_prints_one_json_figure_per_line(postgres_dsn: str, redis_url: str) -> None:
    lines = quick_run("checkout.py", DATABASE_URL=postgres_dsn, REDIS_URL=redis_url)
    assert_figures(lines)
    assert {line["bench"] for line in lines} == {"checkout"}
    metrics = {line["metric"] for line in lines}
    for operation in ("alternatives", "delivery_windows"):
        for mode in ("", "_max"):
            expected = {f"{operation}{mode}_{m}" for m in ("per_s", "p50_ms", "p99_ms", "nonempty_fraction")}
            assert expected <= metrics, metrics
    assert next(line for line in lines if line["metric"] == "alternatives_per_s")["errors"] == 0
