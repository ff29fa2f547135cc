"""Normalised tracking: what every carrier adapter translates its own vocabulary into.

Statuses are the domain's `TrackingStatus` (EasyPost's set, upper-cased), and what a carrier reports are the
domain's `Scan`s, so a snapshot goes into `RecordScans` as it is; the order aggregate decides which scans are
new.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

import msgspec

from app.domain.values import Scan, TrackingStatus


def parse_status(value: str) -> TrackingStatus:
    """A status as EasyPost spells it (`in_transit`); one we have never heard of is `UNKNOWN`, not an error."""
    try:
        return TrackingStatus(value.strip().upper())
    except ValueError:
        return TrackingStatus.UNKNOWN


# `failure` is deliberately not terminal: carriers report a failed attempt or a held parcel as a failure
# and then recover (redelivery, return), so we keep polling, with backoff.
TERMINAL_STATUSES = frozenset({TrackingStatus.DELIVERED, TrackingStatus.RETURN_TO_SENDER, TrackingStatus.CANCELLED})


def is_terminal(status: TrackingStatus) -> bool:
    """True once nothing further will happen to the parcel: stop polling."""
    return status in TERMINAL_STATUSES


def _require_aware(name: str, value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")


def sorted_scans(scans: Iterable[Scan]) -> tuple[Scan, ...]:
    """Oldest first; scans at the same instant keep the carrier's order (the sort is stable)."""
    return tuple(sorted(scans, key=lambda c: c.occurred_at))


class TrackingSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """What a carrier says about one parcel right now. `scans` are oldest first, every time timezone-aware."""

    carrier: str
    tracking_number: str
    status: TrackingStatus
    estimated_delivery: datetime | None = None
    scans: tuple[Scan, ...] = ()

    def __post_init__(self) -> None:
        _require_aware("estimated_delivery", self.estimated_delivery)
        for scan in self.scans:
            _require_aware("occurred_at", scan.occurred_at)
        times = [c.occurred_at for c in self.scans]
        if times != sorted(times):
            raise ValueError("scans must be sorted by occurred_at (use sorted_scans)")


class CarrierAdapter(Protocol):
    """A carrier we can poll.

    Raises `TrackingNotFound`, `CarrierUnavailable` (worth retrying) or another `CarrierError`.
    """

    async def track(self, tracking_number: str) -> TrackingSnapshot: ...


class PollPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How often to poll a carrier. `scaled(1 / time_scale)` matches a sped-up simulated carrier."""

    first: timedelta = timedelta(minutes=15)
    ceiling: timedelta = timedelta(hours=6)
    factor: float = 2.0

    def __post_init__(self) -> None:
        if self.first <= timedelta(0) or self.ceiling < self.first or self.factor < 1.0:
            raise ValueError("PollPolicy needs 0 < first <= ceiling and factor >= 1")

    def scaled(self, ratio: float) -> PollPolicy:
        if ratio <= 0:
            raise ValueError(f"ratio must be positive, got {ratio}")
        return PollPolicy(first=self.first * ratio, ceiling=self.ceiling * ratio, factor=self.factor)


# Multiples of `PollPolicy.first` by status: a parcel out for delivery changes within hours, one in the
# line-haul barely changes within a day.
_STATUS_PACE: dict[TrackingStatus, int] = {
    TrackingStatus.OUT_FOR_DELIVERY: 1,
    TrackingStatus.ERROR: 1,
    TrackingStatus.PRE_TRANSIT: 2,
    TrackingStatus.FAILURE: 2,
    TrackingStatus.UNKNOWN: 2,
    TrackingStatus.IN_TRANSIT: 4,
    TrackingStatus.AVAILABLE_FOR_PICKUP: 4,
}

DEFAULT_POLL_POLICY = PollPolicy()


def next_poll_delay(attempt: int, status: TrackingStatus, policy: PollPolicy = DEFAULT_POLL_POLICY) -> timedelta | None:
    """How long to wait before polling again; `None` once the status is terminal (stop polling).

    `attempt` counts the consecutive polls that brought nothing new (0 right after a change), so a quiet
    parcel is polled less and less often, never less often than `policy.ceiling`. Deterministic: no jitter.
    """
    if attempt < 0:
        raise ValueError(f"attempt must be >= 0, got {attempt}")
    if is_terminal(status):
        return None
    base = policy.first * _STATUS_PACE.get(status, 2)
    if base >= policy.ceiling:
        return policy.ceiling
    # Cap the exponent before multiplying so a very large attempt cannot overflow a timedelta.
    growth = 1.0
    for _ in range(min(attempt, 64)):
        growth *= policy.factor
        if base * growth >= policy.ceiling:
            return policy.ceiling
    return base * growth
