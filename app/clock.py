"""The one clock: what "now" means for handlers, the store, the workers and the carriers.

Composition roots (the API lifespan, the worker runtime, the CLI) pass `system_clock`, tests a fixed or
stepping one. The domain and sourcing never read a clock: `now` is an argument of `decide`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware."""


def system_clock() -> datetime:
    return datetime.now(UTC)
