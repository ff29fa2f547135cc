"""The unanalyzed-log benchmark runs (quick mode) and prints a well-formed figure; none is asserted."""

from __future__ import annotations

import pytest

from tests.bench.bench_runs import assert_figures, quick_run

pytestmark = pytest.mark.slow


def test_quick_unanalyzed_bench_prints_one_json_figure(postgres_dsn: str) -> None:
    lines = quick_run("unanalyzed.py", DATABASE_URL=postgres_dsn)
    assert_figures(lines, "seq_rows_read")
    assert [(line["bench"], line["metric"]) for line in lines] == [("unanalyzed", "append_any_per_s")]
