import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from app.carriers.dhl import DhlTracking
from app.carriers.errors import (
    CarrierAuthenticationFailed,
    CarrierUnavailable,
    TrackingNotFound,
)
from app.domain.values import Scan, TrackingStatus
from tests.integration.carriers.fake_dhl import API_KEY, FakeDhl, dhl_event

NUMBER = "JJD000390007882476"


@pytest_asyncio.fixture
async def client(fake_dhl_url: str) -> AsyncIterator[DhlTracking]:
    async with DhlTracking(api_key=API_KEY, base_url=fake_dhl_url + "/", timeout=1.0) as adapter:
        yield adapter


async def test_normal_progression_records_each_checkpoint_once(fake_dhl: FakeDhl, client: DhlTracking) -> None:
    registered = dhl_event("pre-transit", "2025-03-01T08:00:00Z", "The shipment has been registered")
    picked_up = dhl_event("transit", "2025-03-01T15:30:00Z", "The shipment has been picked up", "Köln")
    loaded = dhl_event("transit", "2025-03-02T07:10:00Z", "Out for delivery", "Bonn")
    delivered = dhl_event("delivered", "2025-03-02T11:45:00Z", "Delivered to the recipient", "Bonn")
    history: list[str] = []
    known: list[Scan] = []
    for events, expected in [
        ([registered], TrackingStatus.PRE_TRANSIT),
        ([registered, picked_up], TrackingStatus.IN_TRANSIT),
        ([registered, picked_up], TrackingStatus.IN_TRANSIT),  # a re-poll with nothing new
        ([registered, picked_up, loaded], TrackingStatus.OUT_FOR_DELIVERY),
        ([registered, picked_up, loaded, delivered], TrackingStatus.DELIVERED),
    ]:
        fake_dhl.ship(NUMBER, events, eta="2025-03-02T18:00:00+01:00")
        snapshot = await client.track(NUMBER)
        assert snapshot.status is expected
        assert snapshot.tracking_number == NUMBER and snapshot.carrier == "dhl"
        fresh = [s for s in snapshot.scans if s.key not in {k.key for k in known}]
        known.extend(fresh)
        history.extend(c.status.value for c in fresh)
    assert history == ["PRE_TRANSIT", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"]
    assert known[1].location == "Köln"
    assert fake_dhl.requests[-1] == (API_KEY, NUMBER)


async def test_eta_is_revised(fake_dhl: FakeDhl, client: DhlTracking) -> None:
    picked_up = dhl_event("transit", "2025-03-01T15:30:00Z", "The shipment has been picked up")
    fake_dhl.ship(NUMBER, [picked_up], eta="2025-03-03T17:00:00Z")
    first = await client.track(NUMBER)
    delayed = dhl_event("transit", "2025-03-02T09:00:00Z", "Delay due to weather conditions", "Leipzig")
    fake_dhl.ship(NUMBER, [picked_up, delayed], eta="2025-03-05T17:00:00Z")
    second = await client.track(NUMBER)
    assert first.estimated_delivery == datetime(2025, 3, 3, 17, tzinfo=UTC)
    assert second.estimated_delivery is not None and first.estimated_delivery is not None
    assert second.estimated_delivery - first.estimated_delivery == timedelta(days=2)
    fake_dhl.ship(NUMBER, [picked_up, delayed])
    assert (await client.track(NUMBER)).estimated_delivery is None


async def test_unknown_number_is_not_found(fake_dhl: FakeDhl, client: DhlTracking) -> None:
    with pytest.raises(TrackingNotFound) as raised:
        await client.track("NOPE123")
    assert raised.value.tracking_number == "NOPE123"


@pytest.mark.parametrize("code", [429, 500, 502, 503])
async def test_rate_limits_and_server_errors_are_retryable(fake_dhl: FakeDhl, client: DhlTracking, code: int) -> None:
    fake_dhl.ship(NUMBER, [dhl_event("transit", "2025-03-01T15:30:00Z", "Picked up")])
    fake_dhl.fail(NUMBER, code)
    with pytest.raises(CarrierUnavailable) as raised:
        await client.track(NUMBER)
    assert raised.value.retry_after == (7.0 if code == 429 else None)
    # The carrier recovered: the retry succeeds.
    assert (await client.track(NUMBER)).status is TrackingStatus.IN_TRANSIT


async def test_timeout_is_retryable(fake_dhl: FakeDhl, fake_dhl_url: str) -> None:
    fake_dhl.ship(NUMBER, [dhl_event("transit", "2025-03-01T15:30:00Z", "Picked up")])
    fake_dhl.delay_seconds = 0.5
    async with DhlTracking(api_key=API_KEY, base_url=fake_dhl_url, timeout=0.1) as impatient:
        with pytest.raises(CarrierUnavailable, match="timed out"):
            await impatient.track(NUMBER)


async def test_bad_key_is_not_retryable(fake_dhl: FakeDhl, fake_dhl_url: str) -> None:
    async with DhlTracking(api_key="wrong", base_url=fake_dhl_url) as adapter:
        with pytest.raises(CarrierAuthenticationFailed):
            await adapter.track(NUMBER)


async def test_nothing_listening_is_retryable() -> None:
    # A bound socket that never listens: connections to its port are refused, and the port stays ours.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        async with DhlTracking(api_key=API_KEY, base_url=f"http://127.0.0.1:{port}", timeout=1.0) as adapter:
            with pytest.raises(CarrierUnavailable):
                await adapter.track(NUMBER)
