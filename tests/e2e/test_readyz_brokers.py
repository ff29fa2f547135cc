"""/readyz says whether the job brokers answer — RabbitMQ with an amqp:// BROKER_URL, the workers' Redis — and,
when one does not, reports the API degraded (200: orders are still taken into the log) rather than failing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from app.api.app import create_app
from app.settings import Settings
from tests.integration.workers.conftest import RABBITMQ_URL, rabbitmq_reachable
from tests.support.redis_servers import free_port

from .conftest import SECRET, WEBHOOK_SECRET, serving


async def readyz(database_url: str, tmp_path: Path, broker_url: str, redis_url: str | None = None) -> tuple[int, Any]:
    settings = Settings(
        MERIDIAN_JWT_SECRET=SecretStr(SECRET),
        MERIDIAN_WEBHOOK_SECRET=SecretStr(WEBHOOK_SECRET),
        MERIDIAN_DATA_DIR=tmp_path,
        broker_url=broker_url,
    )
    async with serving(create_app(settings, database_url, redis_url=redis_url)) as url, httpx.AsyncClient() as client:
        response = await client.get(f"{url}/readyz")
    return response.status_code, response.json()


@pytest.fixture
def rabbitmq() -> Iterator[str]:
    if (down := rabbitmq_reachable(RABBITMQ_URL)) is not None:
        pytest.skip(down)
    yield RABBITMQ_URL


async def test_a_reachable_rabbitmq_and_redis_are_reported_ready(
    database_url: str, tmp_path: Path, rabbitmq: str, redis_url: str
) -> None:
    status, body = await readyz(database_url, tmp_path, rabbitmq, redis_url)
    assert (status, body["status"], body["brokers"]) == (200, "ready", {"redis": "ok", "rabbitmq": "ok"}), body


async def test_an_unreachable_rabbitmq_degrades_readiness_without_failing_it(database_url: str, tmp_path: Path) -> None:
    nobody = f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F"  # a free port: nothing listens there
    status, body = await readyz(database_url, tmp_path, nobody)
    assert (status, body["status"]) == (200, "degraded"), body
    assert body["brokers"] == {"rabbitmq": "AMQPConnectionError"}
    assert "guest" not in str(body)  # neither the URL nor its credentials


async def test_an_unreachable_redis_degrades_readiness_too(database_url: str, tmp_path: Path) -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    status, body = await readyz(database_url, tmp_path, nobody, nobody)
    assert (status, body["status"], body["brokers"]) == (200, "degraded", {"redis": "ConnectionError"}), body
