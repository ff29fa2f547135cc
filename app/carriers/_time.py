"""Timestamps as carriers send them: ISO 8601, sometimes without an offset."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 date or date-time; one without an offset is taken as UTC.

    Carriers omit the offset when the location's zone is unknown to them (EasyPost documents UTC for that
    case; DHL does not say), so UTC is the least surprising reading. Raises `ValueError` for anything else.
    """
    parsed = datetime.fromisoformat(value.strip())
    return parsed if parsed.utcoffset() is not None else parsed.replace(tzinfo=UTC)
