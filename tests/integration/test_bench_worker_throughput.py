"""The worker throughput benchmark runs end to end (quick mode) and prints well-formed figures; none is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_quick_worker_bench_prints_one_json_figure_per_line(postgres_dsn: str, redis_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": postgres_dsn, "REDIS_URL": redis_url}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "worker_throughput.py"), "--quick"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines, "the bench printed nothing"
    for line in lines:
        assert {"bench", "metric", "value", "unit", "runs", "workers"} <= line.keys(), line
        assert isinstance(line["value"], int | float) and len(line["runs"]) >= 3, line
        assert all(isinstance(run, int | float) for run in line["runs"]), line
    assert {(line["bench"], line["metric"], line["workers"]) for line in lines} == {
        ("worker_throughput", "sourced_orders_per_s", 1),
        ("worker_throughput", "sourced_orders_per_s", 2),
    }
