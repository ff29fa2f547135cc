from datetime import UTC, datetime, timedelta

import pytest

from app.carriers.errors import TrackingNotFound
from app.carriers.simulated import (
    SimulatedCarrier,
    SimulationConfig,
    dispatched_at_of,
    parcel_snapshot,
    tracking_number_for,
)
from app.domain.values import TrackingStatus

DISPATCHED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
HAPPY = [
    TrackingStatus.PRE_TRANSIT,
    TrackingStatus.IN_TRANSIT,
    TrackingStatus.OUT_FOR_DELIVERY,
    TrackingStatus.DELIVERED,
]


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def test_tracking_number_carries_its_dispatch_time() -> None:
    number = tracking_number_for("shp_42", DISPATCHED)
    assert number == f"SIM-{int(DISPATCHED.timestamp())}-shp_42"
    assert dispatched_at_of(number) == DISPATCHED
    with pytest.raises(TrackingNotFound):
        dispatched_at_of("1Z999AA10123456784")
    with pytest.raises(ValueError):
        tracking_number_for("has spaces", DISPATCHED)
    with pytest.raises(ValueError):
        tracking_number_for("x", datetime(2025, 1, 1))


def test_same_inputs_give_the_same_parcel() -> None:
    config = SimulationConfig(seed=7)
    number = tracking_number_for("a", DISPATCHED)
    for h in (0, 5, 30, 80):
        now = DISPATCHED + hours(h)
        assert parcel_snapshot(number, DISPATCHED, now, config) == parcel_snapshot(
            number, DISPATCHED, now, SimulationConfig(seed=7)
        )


def test_seed_and_tracking_number_change_the_schedule() -> None:
    late = DISPATCHED + hours(200)

    def delivery_times(seed: int) -> list[datetime]:
        config = SimulationConfig(seed=seed, exception_rate=0.0)
        return [
            parcel_snapshot(tracking_number_for(f"p{i}", DISPATCHED), DISPATCHED, late, config).scans[-1].occurred_at
            for i in range(5)
        ]

    assert len(set(delivery_times(1))) == 5
    assert delivery_times(1) != delivery_times(2)


def test_parcel_progresses_in_order_and_history_only_grows() -> None:
    config = SimulationConfig(seed=3, exception_rate=0.0)
    number = tracking_number_for("ord-1", DISPATCHED)
    before = parcel_snapshot(number, DISPATCHED, DISPATCHED - hours(1), config)
    assert before.status is TrackingStatus.UNKNOWN and before.scans == ()

    seen: list[TrackingStatus] = []
    previous = before
    for minutes in range(0, 80 * 60, 30):
        current = parcel_snapshot(number, DISPATCHED, DISPATCHED + timedelta(minutes=minutes), config)
        assert current.scans[: len(previous.scans)] == previous.scans
        assert current.estimated_delivery is not None
        if not seen or seen[-1] is not current.status:
            seen.append(current.status)
        previous = current
    assert seen == HAPPY
    delivered = previous.scans[-1]
    assert delivered.status is TrackingStatus.DELIVERED
    assert previous.estimated_delivery == delivered.occurred_at
    assert hours(20) <= delivered.occurred_at - DISPATCHED <= hours(66)
    assert all(c.occurred_at.utcoffset() == timedelta(0) for c in previous.scans)


def test_time_scale_delivers_within_seconds() -> None:
    config = SimulationConfig(seed=1, time_scale=100_000, exception_rate=0.0)
    number = tracking_number_for("fast", DISPATCHED)
    assert parcel_snapshot(number, DISPATCHED, DISPATCHED + timedelta(seconds=3), config).status is (
        TrackingStatus.DELIVERED
    )


def test_exceptions_happen_at_about_the_configured_rate() -> None:
    config = SimulationConfig(seed=11)
    late = DISPATCHED + hours(400)
    snapshots = [
        parcel_snapshot(tracking_number_for(f"p{i}", DISPATCHED), DISPATCHED, late, config) for i in range(2000)
    ]
    exceptional = [s for s in snapshots if any(c.status is TrackingStatus.FAILURE for c in s.scans)]
    assert 0.03 <= len(exceptional) / len(snapshots) <= 0.07
    assert {s.status for s in snapshots} == {TrackingStatus.DELIVERED, TrackingStatus.RETURN_TO_SENDER}


def test_a_delayed_parcel_recovers_and_its_eta_is_revised() -> None:
    config = SimulationConfig(seed=5, exception_rate=1.0)
    late = DISPATCHED + hours(400)
    numbers = (tracking_number_for(f"d{i}", DISPATCHED) for i in range(100))
    number = next(n for n in numbers if parcel_snapshot(n, DISPATCHED, late, config).status is TrackingStatus.DELIVERED)
    final = parcel_snapshot(number, DISPATCHED, late, config)
    failure = next(c for c in final.scans if c.status is TrackingStatus.FAILURE)
    assert (failure.message or "").startswith("Shipment delayed")

    just_before = parcel_snapshot(number, DISPATCHED, failure.occurred_at - timedelta(seconds=1), config)
    at_failure = parcel_snapshot(number, DISPATCHED, failure.occurred_at, config)
    assert at_failure.status is TrackingStatus.FAILURE
    assert just_before.estimated_delivery is not None and at_failure.estimated_delivery is not None
    assert at_failure.estimated_delivery - just_before.estimated_delivery >= hours(12)
    assert final.estimated_delivery == at_failure.estimated_delivery == final.scans[-1].occurred_at
    after = final.scans[final.scans.index(failure) + 1]
    assert after.status is TrackingStatus.IN_TRANSIT


def test_an_undeliverable_parcel_returns_to_sender_without_eta() -> None:
    config = SimulationConfig(seed=5, exception_rate=1.0)
    late = DISPATCHED + hours(400)
    numbers = (tracking_number_for(f"u{i}", DISPATCHED) for i in range(100))
    number = next(
        n for n in numbers if parcel_snapshot(n, DISPATCHED, late, config).status is TrackingStatus.RETURN_TO_SENDER
    )
    final = parcel_snapshot(number, DISPATCHED, late, config)
    assert [c.status for c in final.scans[-3:]] == [
        TrackingStatus.OUT_FOR_DELIVERY,
        TrackingStatus.FAILURE,
        TrackingStatus.RETURN_TO_SENDER,
    ]
    assert final.estimated_delivery is None
    assert TrackingStatus.DELIVERED not in {c.status for c in final.scans}


async def test_adapter_reads_the_injected_clock() -> None:
    now = [DISPATCHED]
    carrier = SimulatedCarrier(SimulationConfig(seed=2, exception_rate=0.0), clock=lambda: now[0])
    number = tracking_number_for("clocked", DISPATCHED)
    first = await carrier.track(number)
    assert first.status is TrackingStatus.PRE_TRANSIT and first.carrier == "simulated"
    now[0] = DISPATCHED + hours(100)
    last = await carrier.track(number)
    assert last.status is TrackingStatus.DELIVERED
    assert last.scans[:1] == first.scans and len(last.scans) > 1  # the story goes on
    with pytest.raises(TrackingNotFound):
        await carrier.track("not-simulated")


def test_config_is_validated() -> None:
    with pytest.raises(ValueError):
        SimulationConfig(time_scale=0)
    with pytest.raises(ValueError):
        SimulationConfig(exception_rate=1.5)
