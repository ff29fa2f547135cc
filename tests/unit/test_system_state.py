"""The names the API repeats from the workers (it does not import them) are the workers' own."""

from __future__ import annotations

from app.api.system_state import JOB_QUEUES, queue_key
from workers.broker import QUEUES


def test_the_api_watches_the_workers_queues() -> None:
    assert JOB_QUEUES == QUEUES
    assert queue_key("meridian", "orders") == "meridian:orders.msgs"  # dramatiq's RedisBroker: <ns>:<queue>.msgs
