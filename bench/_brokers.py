"""The job broker of a bench run: Redis (REDIS_URL, default the local one) or RabbitMQ (RABBITMQ_URL, default the
local one with guest/guest), each run in a namespace of its own that `clean_up` removes."""

from __future__ import annotations

import os

import pika
import redis

from workers.broker import QUEUES, BrokerSettings

BROKERS = ("redis", "rabbitmq")


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def rabbitmq_url() -> str:
    return os.environ.get("RABBITMQ_URL") or "amqp://guest:guest@127.0.0.1:5672/%2F"


def broker_env(broker: str, namespace: str) -> dict[str, str]:
    """What a `meridian worker` of the run needs in its environment (with RabbitMQ, Redis keeps the job counters)."""
    env = {"REDIS_URL": redis_url(), "MERIDIAN_BROKER_NAMESPACE": namespace}
    return env | {"BROKER_URL": rabbitmq_url()} if broker == "rabbitmq" else env


def broker_settings(broker: str, namespace: str) -> BrokerSettings:
    rabbitmq = rabbitmq_url() if broker == "rabbitmq" else None
    return BrokerSettings(redis_url=redis_url(), namespace=namespace, rabbitmq_url=rabbitmq)


def clean_up(broker: str, namespace: str) -> None:
    client = redis.Redis.from_url(redis_url())
    for key in client.scan_iter(f"{namespace}*"):
        client.delete(key)
    client.close()
    if broker == "rabbitmq":
        connection = pika.BlockingConnection(pika.URLParameters(rabbitmq_url()))
        channel = connection.channel()
        for queue in QUEUES:
            for suffix in ("", ".DQ", ".XQ"):
                channel.queue_delete(f"{namespace}.{queue}{suffix}")
        connection.close()
