"""Which broker the settings choose: RabbitMQ for an amqp:// BROKER_URL, else Redis (REDIS_URL's name still works)."""

from __future__ import annotations

import pytest

from app.settings import Settings

RABBIT = "amqp://guest:guest@127.0.0.1:5672/%2F"


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name in ("BROKER_URL", "MERIDIAN_BROKER_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_an_amqp_broker_url_chooses_rabbitmq_and_keeps_redis_for_the_counters(monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = settings(monkeypatch, BROKER_URL=RABBIT, REDIS_URL="redis://127.0.0.1:6379/0")
    assert (chosen.rabbitmq_url, chosen.redis_url) == (RABBIT, "redis://127.0.0.1:6379/0")
    assert settings(monkeypatch, MERIDIAN_BROKER_URL=RABBIT).rabbitmq_url == RABBIT


def test_redis_stays_the_default_under_either_name(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings(monkeypatch).rabbitmq_url is None
    assert settings(monkeypatch, REDIS_URL="redis://r:6379/1").redis_url == "redis://r:6379/1"
    by_broker_url = settings(monkeypatch, BROKER_URL="redis://r:6379/2")
    assert (by_broker_url.rabbitmq_url, by_broker_url.redis_url) == (None, "redis://r:6379/2")
