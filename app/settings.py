"""Settings from the environment (and a `.env` file if present). Built once, by the composition root."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    """PostgreSQL DSN. Unset: an embedded server under `data_dir` (development)."""

    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    """Redis URL for the job queue. Unset: an embedded Redis under `data_dir` (development)."""

    data_dir: Path = Field(default=Path("var"), alias="MERIDIAN_DATA_DIR")
    environment: Literal["development", "production"] = Field(default="development", alias="MERIDIAN_ENV")
    host: str = Field(default="127.0.0.1", alias="MERIDIAN_HOST")
    port: int = Field(default=8000, alias="MERIDIAN_PORT")
    jwt_secret: str | None = Field(default=None, alias="MERIDIAN_JWT_SECRET")
    webhook_secret: str | None = Field(default=None, alias="MERIDIAN_WEBHOOK_SECRET")
    db_pool_min: int = Field(default=2, alias="MERIDIAN_DB_POOL_MIN")
    db_pool_max: int = Field(default=20, alias="MERIDIAN_DB_POOL_MAX")
    log_level: str = Field(default="INFO", alias="MERIDIAN_LOG_LEVEL")
    log_format: Literal["json", "console"] = Field(default="json", alias="MERIDIAN_LOG_FORMAT")
    """JSON lines on stderr (production, log shippers) or `console` for people at a terminal."""
    broker_namespace: str = Field(default="meridian", alias="MERIDIAN_BROKER_NAMESPACE")
    worker_threads: int = Field(default=4, alias="MERIDIAN_WORKER_THREADS")
    worker_heartbeat_ms: int = Field(default=15_000, alias="MERIDIAN_WORKER_HEARTBEAT_MS")
    broker_maintenance_chance: int = Field(default=10_000, alias="MERIDIAN_BROKER_MAINTENANCE_CHANCE")

    @property
    def development(self) -> bool:
        return self.environment == "development"
