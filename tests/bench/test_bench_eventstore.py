"""The event store benchmark runs end to end (quick mode) and prints well-formed figures; no figure is asserted."""

from __future__ import annotations

import importlib.util

import pytest

from tests.bench.bench_runs import assert_figures, quick_run

pytestmark = pytest.mark.slow

OTHER_FIGURES = {
    ("batch_append", "best_events_rate"),
    ("read_all_decode", "events_rate"),
    ("wakeup_latency", "p50_ms"),
    ("wakeup_latency", "p99_ms"),
}


def per_writer_figures() -> set[tuple[str, str, int]]:
    metrics = ["eventstore_rate", "raw_insert_rate", "ratio_vs_raw_insert"]
    if importlib.util.find_spec("eventsourcing") is not None:  # the bench extra is optional
        metrics += ["eventsourcing_rate", "ratio_vs_eventsourcing"]
    figures = {("single_event_append", metric, writers) for metric in metrics for writers in (1, 16)}
    batch_metrics = ["events_rate", "raw_insert_events_rate", "ratio_vs_raw_insert"]
    return figures | {("batch_append", metric, writers) for metric in batch_metrics for writers in (1, 16)}


def test_quick_bench_prints_one_json_figure_per_line(postgres_dsn: str) -> None:
    lines = quick_run("eventstore.py", timeout=300, DATABASE_URL=postgres_dsn)
    assert_figures(lines)
    assert per_writer_figures() <= {(line["bench"], line["metric"], line.get("writers")) for line in lines}
    assert {(line["bench"], line["metric"]) for line in lines} >= OTHER_FIGURES
    loads = {line["background_appends_per_s"] > 0 for line in lines if line["bench"] == "wakeup_latency"}
    assert loads == {False, True}, "latency is measured both at idle and under load"
