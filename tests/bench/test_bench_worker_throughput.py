"""The worker throughput benchmark runs end to end (quick mode) and prints well-formed figures; none is asserted."""

from __future__ import annotations

import pytest

from tests.bench.bench_runs import assert_figures, quick_run
from tests.integration.workers.conftest import RABBITMQ_URL, rabbitmq_reachable

pytestmark = pytest.mark.slow


def test_quick_worker_bench_prints_one_json_figure_per_line(postgres_dsn: str, redis_url: str) -> None:
    lines = quick_run("worker_throughput.py", DATABASE_URL=postgres_dsn, REDIS_URL=redis_url)
    assert_figures(lines, "broker")
    assert {(line["bench"], line["metric"], line.get("workers"), line.get("batch")) for line in lines} == {
        ("worker_throughput", "sent_jobs_per_s", None, 1),
        ("worker_throughput", "sent_jobs_per_s", None, 100),
        ("worker_throughput", "sourced_orders_per_s", 1, None),
        ("worker_throughput", "sourced_orders_per_s", 2, None),
    }


def test_quick_worker_bench_on_rabbitmq(postgres_dsn: str, redis_url: str) -> None:
    if (down := rabbitmq_reachable(RABBITMQ_URL)) is not None:
        pytest.skip(down)
    lines = quick_run("worker_throughput.py", "--broker", "rabbitmq", DATABASE_URL=postgres_dsn, REDIS_URL=redis_url)
    assert_figures(lines, "broker")
    assert {line["broker"] for line in lines} == {"rabbitmq"}
