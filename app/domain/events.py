"""The base of every domain event.

An event's stored type name is its class name, so subclasses are named in the past tense in business words
(`StockReserved`, `OrderPlaced`). Events are plain frozen data: no behaviour, no derived values that `evolve`
could not recompute.
"""

from __future__ import annotations

import msgspec


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every domain event: frozen, keyword-only data."""


class Command(msgspec.Struct, frozen=True, kw_only=True):
    """Base of commands: imperative names (`ReserveStock`), validated by `decide`, never stored."""
