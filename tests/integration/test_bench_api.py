"""The API benchmark runs end to end (quick mode) and prints well-formed figures; none is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_quick_api_bench_prints_one_json_figure_per_line(postgres_dsn: str, redis_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": postgres_dsn, "REDIS_URL": redis_url}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "api.py"), "--quick"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines, "the bench printed nothing"
    for line in lines:
        assert {"bench", "metric", "value", "unit", "runs"} <= line.keys(), line
        assert line["bench"] == "api" and isinstance(line["value"], int | float), line
        assert all(isinstance(run, int | float) for run in line["runs"]), line
    metrics = {(line["metric"], line.get("endpoint")) for line in lines}
    for op in ("place_order", "order"):
        for endpoint in ("graphql", "bare"):
            assert {(f"{op}_{m}", endpoint) for m in ("per_s", "p50_ms", "p99_ms")} <= metrics, metrics
        assert {(f"{op}_graphql_over_bare_p50", None), (f"{op}_graphql_over_bare_p99", None)} <= metrics, metrics
    for op in ("fulfillment_options", "fulfillment_options_max"):
        assert {(f"{op}_{m}", "graphql") for m in ("per_s", "p50_ms", "p99_ms")} <= metrics, metrics
