"""Meridian's business, pure: commands, events, aggregate state, `decide` and `evolve`. No I/O, no clock."""

from app.domain.registry import ALL_EVENTS, EVENTS_BY_NAME

__all__ = ["ALL_EVENTS", "EVENTS_BY_NAME"]
