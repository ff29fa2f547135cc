"""A simulated carrier for demos and end-to-end tests: parcels advance on a seeded, time-driven schedule.

A parcel's state is a pure function of (seed, tracking number, dispatch time, now): there is no stored
state and no hidden randomness, so every worker process, and every replay, sees the same parcel. The dispatch
time travels inside the tracking number (`tracking_number_for`), which lets `track(tracking_number)` stay
stateless.

Schedule, in carrier time (divided by `time_scale` for wall-clock time): label created at dispatch; picked
up 2-8 h later; through a sort hub and the destination facility; out for delivery; delivered 20-66 h after
dispatch. About `exception_rate` of parcels hit an exception: two thirds are delayed at the hub by 12-60 h
(a `failure` scan, then back in transit, ETA pushed back), one third fail the delivery attempt and go
back to the sender (ETA withdrawn).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import msgspec

from app.carriers.base import TrackingSnapshot, sorted_scans
from app.carriers.errors import TrackingNotFound
from app.clock import Clock, system_clock
from app.domain.values import Scan, TrackingStatus

CARRIER = "simulated"
HOUR = 3600.0

_TRACKING_NUMBER = re.compile(r"SIM-(\d{1,12})-([A-Za-z0-9][A-Za-z0-9_-]{0,63})")
_HUBS = ("Memphis, TN", "Louisville, KY", "Indianapolis, IN", "Ontario, CA", "Dallas, TX", "Allentown, PA")
_CITIES = ("Chicago, IL", "Denver, CO", "Atlanta, GA", "Seattle, WA", "Boston, MA", "Phoenix, AZ")
_DELAYS = ("severe weather at the hub", "a line-haul truck breakdown", "a damaged label, relabelled")
_UNDELIVERABLE = ("address not found", "recipient refused the parcel", "no safe place and nobody home")


class SimulationConfig(msgspec.Struct, frozen=True, kw_only=True):
    """`time_scale` is carrier seconds per wall-clock second: 100_000 delivers a parcel within seconds."""

    seed: int = 0
    time_scale: float = 1.0
    exception_rate: float = 0.05

    def __post_init__(self) -> None:
        if not self.time_scale > 0:
            raise ValueError(f"time_scale must be positive, got {self.time_scale}")
        if not 0.0 <= self.exception_rate <= 1.0:
            raise ValueError(f"exception_rate must be within [0, 1], got {self.exception_rate}")


def tracking_number_for(reference: str, dispatched_at: datetime) -> str:
    """Mint a simulated tracking number that carries its dispatch time (whole seconds, UTC).

    `reference` (a shipment id, say) keeps numbers unique and gives each parcel its own schedule.
    """
    if dispatched_at.utcoffset() is None:
        raise ValueError("dispatched_at must be timezone-aware")
    number = f"SIM-{int(dispatched_at.timestamp())}-{reference}"
    if _TRACKING_NUMBER.fullmatch(number) is None:
        raise ValueError(f"reference must be 1-64 letters, digits, '-' or '_', got {reference!r}")
    return number


def dispatched_at_of(tracking_number: str) -> datetime:
    """The dispatch time encoded in a simulated tracking number; `TrackingNotFound` for any other string."""
    match = _TRACKING_NUMBER.fullmatch(tracking_number)
    if match is None:
        raise TrackingNotFound(CARRIER, tracking_number)
    return datetime.fromtimestamp(int(match.group(1)), UTC)


def _uniform(seed: int, tracking_number: str, label: str) -> float:
    """A stable draw in [0, 1): blake2b, not hash(), so it is the same in every process."""
    digest = hashlib.blake2b(f"{seed}\x1f{tracking_number}\x1f{label}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _pick(options: tuple[str, ...], draw: float) -> str:
    return options[int(draw * len(options))]


class _Step(msgspec.Struct, frozen=True):
    at: float  # carrier seconds after dispatch
    status: TrackingStatus
    message: str
    location: str | None
    eta: float | None  # the ETA in force once this step is visible, carrier seconds after dispatch


def _timeline(config: SimulationConfig, tracking_number: str) -> list[_Step]:
    def u(label: str) -> float:
        return _uniform(config.seed, tracking_number, label)

    origin, hub, city = _pick(_HUBS, u("origin")), _pick(_HUBS, u("hub")), _pick(_CITIES, u("city"))
    pickup = (2 + 6 * u("pickup")) * HOUR
    at_hub = pickup + (8 + 16 * u("line-haul")) * HOUR
    leave_hub = at_hub + (1 + 3 * u("sort")) * HOUR
    at_destination = leave_hub + (6 + 18 * u("final-leg")) * HOUR
    out = at_destination + (2 + 8 * u("load")) * HOUR
    delivered = out + (1 + 7 * u("round")) * HOUR
    eta = delivered

    steps = [
        _Step(0.0, TrackingStatus.PRE_TRANSIT, "Shipping label created, awaiting pickup", None, eta),
        _Step(pickup, TrackingStatus.IN_TRANSIT, "Picked up by the carrier", origin, eta),
        _Step(at_hub, TrackingStatus.IN_TRANSIT, "Arrived at sort facility", hub, eta),
    ]
    exceptional = u("exception") < config.exception_rate
    delayed = exceptional and u("exception-kind") < 2 / 3
    if delayed:
        held_at = (at_hub + leave_hub) / 2
        delay = (12 + 48 * u("delay")) * HOUR
        eta += delay
        reason = _pick(_DELAYS, u("delay-reason"))
        steps.append(_Step(held_at, TrackingStatus.FAILURE, f"Shipment delayed: {reason}", hub, eta))
        steps.append(_Step(held_at + delay, TrackingStatus.IN_TRANSIT, "Back in transit after delay", hub, eta))
        leave_hub, at_destination, out, delivered = (t + delay for t in (leave_hub, at_destination, out, delivered))
    steps += [
        _Step(leave_hub, TrackingStatus.IN_TRANSIT, "Departed sort facility", hub, eta),
        _Step(at_destination, TrackingStatus.IN_TRANSIT, "Arrived at destination facility", city, eta),
        _Step(out, TrackingStatus.OUT_FOR_DELIVERY, "Out for delivery", city, eta),
    ]
    if exceptional and not delayed:
        reason = _pick(_UNDELIVERABLE, u("failure-reason"))
        returned = delivered + (24 + 24 * u("return")) * HOUR
        steps.append(_Step(delivered, TrackingStatus.FAILURE, f"Delivery attempt failed: {reason}", city, None))
        steps.append(_Step(returned, TrackingStatus.RETURN_TO_SENDER, "Returned to sender", origin, None))
    else:
        steps.append(_Step(delivered, TrackingStatus.DELIVERED, "Delivered", city, eta))
    return steps


def parcel_snapshot(
    tracking_number: str, dispatched_at: datetime, now: datetime, config: SimulationConfig
) -> TrackingSnapshot:
    """The parcel as the carrier reports it at `now`: a pure function of its arguments."""
    if dispatched_at.utcoffset() is None or now.utcoffset() is None:
        raise ValueError("dispatched_at and now must be timezone-aware")

    def wall(carrier_seconds: float) -> datetime:
        return dispatched_at + timedelta(seconds=carrier_seconds / config.time_scale)

    visible = [step for step in _timeline(config, tracking_number) if wall(step.at) <= now]
    if not visible:
        return TrackingSnapshot(carrier=CARRIER, tracking_number=tracking_number, status=TrackingStatus.UNKNOWN)
    latest = visible[-1]
    return TrackingSnapshot(
        carrier=CARRIER,
        tracking_number=tracking_number,
        status=latest.status,
        estimated_delivery=None if latest.eta is None else wall(latest.eta),
        scans=sorted_scans(
            Scan(status=s.status, message=s.message, occurred_at=wall(s.at), location=s.location) for s in visible
        ),
    )


class SimulatedCarrier:
    """The `simulated` carrier adapter. `now` comes from the injected clock; nothing else varies."""

    def __init__(self, config: SimulationConfig | None = None, *, clock: Clock = system_clock) -> None:
        self._config = config or SimulationConfig()
        self._clock = clock

    @property
    def config(self) -> SimulationConfig:
        return self._config

    async def track(self, tracking_number: str) -> TrackingSnapshot:
        dispatched_at = dispatched_at_of(tracking_number)
        return parcel_snapshot(tracking_number, dispatched_at, self._clock(), self._config)
