from datetime import UTC, datetime

import pytest

from app.carriers.dhl import DhlTracking
from app.carriers.errors import CarrierNotConfigured
from app.carriers.registry import CarrierSettings, adapter_for
from app.carriers.simulated import SimulatedCarrier


def fixed_clock() -> datetime:
    return datetime(2025, 1, 1, tzinfo=UTC)


def test_simulated_is_built_from_settings() -> None:
    settings = CarrierSettings(simulated_seed=9, simulated_time_scale=50.0)
    adapter = adapter_for(" Simulated ", settings, clock=fixed_clock)
    assert isinstance(adapter, SimulatedCarrier)
    assert adapter.config.seed == 9 and adapter.config.time_scale == 50.0


async def test_dhl_needs_a_key() -> None:
    with pytest.raises(CarrierNotConfigured):
        adapter_for("dhl", CarrierSettings())
    adapter = adapter_for("DHL", CarrierSettings(dhl_api_key="k"))
    assert isinstance(adapter, DhlTracking)
    await adapter.aclose()


def test_other_carriers_are_webhook_only() -> None:
    assert adapter_for("USPS", CarrierSettings(dhl_api_key="k")) is None
    assert adapter_for("dhl_express", CarrierSettings(dhl_api_key="k")) is None


def test_settings_from_env() -> None:
    settings = CarrierSettings.from_env(
        {
            "MERIDIAN_SIMULATED_TIME_SCALE": "1000",
            "MERIDIAN_DHL_API_KEY": "abc",
            "MERIDIAN_DHL_TIMEOUT": "2.5",
        }
    )
    assert settings.simulated_time_scale == 1000.0
    assert settings.dhl_api_key == "abc" and settings.dhl_timeout_seconds == 2.5
    assert CarrierSettings.from_env({}) == CarrierSettings()
