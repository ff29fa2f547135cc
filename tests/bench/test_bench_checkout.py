"""The checkout benchmark runs (quick mode) and prints well-formed figures; none is asserted."""

from __future__ import annotations

import pytest

from tests.bench.bench_runs import assert_figures, quick_run

pytestmark = pytest.mark.slow


def test_quick_checkout_bench_prints_one_json_figure_per_line() -> None:
    lines = quick_run("checkout.py")
    assert_figures(lines, "locations", "horizon_days")
    assert {line["bench"] for line in lines} == {"checkout"}
    assert {line["metric"] for line in lines} == {f"delivery_windows_{m}" for m in ("per_s", "p50_ms", "p99_ms")}
