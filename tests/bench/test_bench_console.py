"""The console bench runs end to end (quick mode) in Chromium and prints well-formed figures, the timing ones with
their targets beside them; none is asserted."""

from __future__ import annotations

import pytest

from app.api.console import CONSOLE_DIST
from tests.bench.bench_runs import assert_figures, quick_run
from tests.e2e.test_graphiql import CHROMIUM

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (`apt-get install chromium`)"),
    pytest.mark.skipif(not (CONSOLE_DIST / "index.html").exists(), reason="the console is not built"),
]

SIZES = {"entry_js_bytes", "entry_js_gzip_bytes", "entry_css_bytes", "entry_css_gzip_bytes"}
TIMES = {"first_screen_interactive_ms", "first_contentful_paint_ms", "order_page_after_navigation_ms"}


def test_quick_console_bench_prints_one_json_figure_per_line(postgres_dsn: str, redis_url: str) -> None:
    lines = quick_run("console.py", DATABASE_URL=postgres_dsn, REDIS_URL=redis_url)
    assert_figures(lines, min_runs=1)
    assert {line["bench"] for line in lines} == {"console"}
    assert {line["metric"] for line in lines} == SIZES | TIMES
    figures = {line["metric"]: line for line in lines}
    assert all(figures[m]["value"] > 0 and len(figures[m]["runs"]) == 3 for m in TIMES)
    assert figures["entry_js_gzip_bytes"]["value"] < figures["entry_js_bytes"]["value"]
    assert figures["first_screen_interactive_ms"]["target_ms"] == 1500
    assert figures["order_page_after_navigation_ms"]["target_ms"] == 300
