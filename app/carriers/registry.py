"""Which carriers we poll, and how: the built-in adapters by name, built from explicit settings.

Any other carrier is tracked by its webhooks alone (`adapter_for` returns None). Build adapters in a
composition root (worker start-up), never at import time.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx
import msgspec

from app.carriers import dhl, simulated
from app.carriers.base import CarrierAdapter
from app.carriers.errors import CarrierNotConfigured
from app.clock import Clock, system_clock

# The carriers we poll through their own API. Their tracking comes from there alone: a webhook naming one
# of them is not taken (it would put a second, unordered source of scans beside the poll).
POLLED = frozenset({simulated.CARRIER, dhl.CARRIER})


class CarrierSettings(msgspec.Struct, frozen=True, kw_only=True):
    simulated_seed: int = 0
    simulated_time_scale: float = 1.0
    simulated_exception_rate: float = 0.05
    dhl_api_key: str | None = None
    dhl_base_url: str = dhl.DEFAULT_BASE_URL
    dhl_timeout_seconds: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CarrierSettings:
        """Read `MERIDIAN_SIMULATED_SEED`, `..._TIME_SCALE`, `..._EXCEPTION_RATE`, `MERIDIAN_DHL_API_KEY`,
        `MERIDIAN_DHL_BASE_URL`, `MERIDIAN_DHL_TIMEOUT`; unset ones keep their defaults."""
        defaults = cls()
        return cls(
            simulated_seed=int(env.get("MERIDIAN_SIMULATED_SEED", defaults.simulated_seed)),
            simulated_time_scale=float(env.get("MERIDIAN_SIMULATED_TIME_SCALE", defaults.simulated_time_scale)),
            simulated_exception_rate=float(
                env.get("MERIDIAN_SIMULATED_EXCEPTION_RATE", defaults.simulated_exception_rate)
            ),
            dhl_api_key=env.get("MERIDIAN_DHL_API_KEY") or None,
            dhl_base_url=env.get("MERIDIAN_DHL_BASE_URL", defaults.dhl_base_url),
            dhl_timeout_seconds=float(env.get("MERIDIAN_DHL_TIMEOUT", defaults.dhl_timeout_seconds)),
        )


def normalise_carrier_name(name: str) -> str:
    return name.strip().lower()


def tracked_by_webhook(carrier_name: str) -> bool:
    """True for a carrier whose scans arrive by webhook, False for one we poll (case-insensitive)."""
    return normalise_carrier_name(carrier_name) not in POLLED


def adapter_for(
    carrier_name: str,
    settings: CarrierSettings,
    *,
    clock: Clock = system_clock,
    http_client: httpx.AsyncClient | None = None,
) -> CarrierAdapter | None:
    """The polling adapter for a carrier name (case-insensitive), or None for a webhook-only carrier.

    A DHL adapter built without `http_client` owns its own connection pool: call its `aclose()` when done, or
    pass one shared client for all. `CarrierNotConfigured` if DHL is asked for without an API key.
    """
    name = normalise_carrier_name(carrier_name)
    if name == simulated.CARRIER:
        config = simulated.SimulationConfig(
            seed=settings.simulated_seed,
            time_scale=settings.simulated_time_scale,
            exception_rate=settings.simulated_exception_rate,
        )
        return simulated.SimulatedCarrier(config, clock=clock)
    if name == dhl.CARRIER:
        if not settings.dhl_api_key:
            raise CarrierNotConfigured("carrier 'dhl' needs MERIDIAN_DHL_API_KEY (dhl_api_key)")
        return dhl.DhlTracking(
            api_key=settings.dhl_api_key,
            base_url=settings.dhl_base_url,
            timeout=settings.dhl_timeout_seconds,
            client=http_client,
        )
    return None
