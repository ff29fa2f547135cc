from datetime import UTC, datetime, timedelta

import pytest

from app.carriers.base import PollPolicy, TrackingSnapshot, is_terminal, next_poll_delay, parse_status
from app.domain.values import Scan, TrackingStatus

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def cp(status: TrackingStatus, minutes: int, message: str = "scan") -> Scan:
    return Scan(status=status, message=message, occurred_at=T0 + timedelta(minutes=minutes))


def snapshot(*checkpoints: Scan) -> TrackingSnapshot:
    return TrackingSnapshot(
        carrier="dhl",
        tracking_number="123",
        status=checkpoints[-1].status if checkpoints else TrackingStatus.UNKNOWN,
        scans=checkpoints,
    )


def test_snapshot_rejects_a_naive_scan_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        snapshot(Scan(status=TrackingStatus.IN_TRANSIT, message="x", occurred_at=datetime(2025, 1, 1)))


def test_snapshot_rejects_naive_eta_and_unsorted_checkpoints() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        TrackingSnapshot(
            carrier="c",
            tracking_number="t",
            status=TrackingStatus.UNKNOWN,
            estimated_delivery=datetime(2025, 1, 1),
        )
    with pytest.raises(ValueError, match="sorted"):
        snapshot(cp(TrackingStatus.IN_TRANSIT, 10), cp(TrackingStatus.PRE_TRANSIT, 0))


def test_status_parse_is_tolerant() -> None:
    assert parse_status("out_for_delivery") is TrackingStatus.OUT_FOR_DELIVERY
    assert parse_status(" Delivered ") is TrackingStatus.DELIVERED
    assert parse_status("teleported") is TrackingStatus.UNKNOWN


@pytest.mark.parametrize(
    ("status", "terminal"),
    [
        (TrackingStatus.DELIVERED, True),
        (TrackingStatus.RETURN_TO_SENDER, True),
        (TrackingStatus.CANCELLED, True),
        (TrackingStatus.FAILURE, False),
        (TrackingStatus.IN_TRANSIT, False),
        (TrackingStatus.UNKNOWN, False),
    ],
)
def test_is_terminal(status: TrackingStatus, terminal: bool) -> None:
    assert is_terminal(status) is terminal


def test_poll_delay_grows_and_is_bounded() -> None:
    policy = PollPolicy(first=timedelta(minutes=10), ceiling=timedelta(hours=2), factor=2.0)
    delays = [next_poll_delay(n, TrackingStatus.OUT_FOR_DELIVERY, policy) for n in range(10)]
    assert delays[:4] == [timedelta(minutes=m) for m in (10, 20, 40, 80)]
    assert delays[4:] == [timedelta(hours=2)] * 6
    assert next_poll_delay(10**9, TrackingStatus.IN_TRANSIT, policy) == timedelta(hours=2)


def test_poll_delay_depends_on_status_and_stops_when_terminal() -> None:
    out = next_poll_delay(0, TrackingStatus.OUT_FOR_DELIVERY)
    transit = next_poll_delay(0, TrackingStatus.IN_TRANSIT)
    assert out is not None and transit is not None and out < transit
    for status in (TrackingStatus.DELIVERED, TrackingStatus.RETURN_TO_SENDER, TrackingStatus.CANCELLED):
        assert next_poll_delay(0, status) is None
    for status in TrackingStatus:
        if not is_terminal(status):
            delay = next_poll_delay(3, status)
            assert delay is not None and timedelta(0) < delay <= PollPolicy().ceiling


def test_poll_delay_rejects_negative_attempt_and_scales() -> None:
    with pytest.raises(ValueError):
        next_poll_delay(-1, TrackingStatus.IN_TRANSIT)
    fast = PollPolicy().scaled(1 / 1000)
    assert next_poll_delay(50, TrackingStatus.IN_TRANSIT, fast) == PollPolicy().ceiling / 1000
    with pytest.raises(ValueError):
        PollPolicy(first=timedelta(hours=2), ceiling=timedelta(hours=1))
