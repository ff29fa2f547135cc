"""Running a benchmark script in quick mode from a test: the benches check themselves, not Meridian's speed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIGURE = {"bench", "metric", "value", "unit", "runs"}  # what every JSON line of bench/_common.emit carries


def quick_run(script: str, *args: str, timeout: float = 600, **env: str) -> list[dict[str, Any]]:
    """`bench/<script> --quick <args>` with `env` added; its JSON lines, once it exited cleanly and printed some."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--quick", *args],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert lines, "the bench printed nothing"
    return lines


def assert_figures(lines: list[dict[str, Any]], *extra_keys: str, min_runs: int = 3) -> None:
    """Every line is one figure: a number, with the runs it is the median of."""
    for line in lines:
        assert FIGURE | set(extra_keys) <= line.keys(), line
        assert isinstance(line["value"], int | float) and len(line["runs"]) >= min_runs, line
        assert all(isinstance(run, int | float) for run in line["runs"]), line
