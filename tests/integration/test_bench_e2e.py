"""The end-to-end benchmark runs (quick mode) and prints well-formed figures; none is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

METRICS = {
    "orders_per_s",
    *(f"{kind}_{q}_ms" for kind in ("place_order", "place_to_allocated") for q in ("p50", "p95", "p99")),
    "projection_lag_p50_events",
    "projection_lag_max_events",
    "db_cpu_share",
}


def test_quick_e2e_bench_prints_one_json_figure_per_line(postgres_dsn: str, redis_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": postgres_dsn, "REDIS_URL": redis_url}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "e2e.py"), "--quick"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines, "the bench printed nothing"
    for line in lines:
        assert {"bench", "metric", "value", "unit", "runs", "offered_per_s"} <= line.keys(), line
        assert line["bench"] == "e2e" and isinstance(line["value"], int | float) and len(line["runs"]) >= 3, line
        assert all(isinstance(run, int | float) for run in line["runs"]), line
    offered = {line["offered_per_s"] for line in lines}
    assert "max" in offered and len(offered) >= 2, offered
    for rate in offered:
        assert {line["metric"] for line in lines if line["offered_per_s"] == rate} == METRICS, rate
