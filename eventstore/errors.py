"""The store's own exceptions. asyncpg errors are translated into these at the store's edge, in one place."""

from __future__ import annotations


class EventStoreError(Exception):
    """Base of every error the event store raises on purpose."""


class WrongExpectedVersion(EventStoreError):
    """An append's expected version did not match the stream's: someone else wrote first."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id!r}: expected version {expected}, actual version {actual}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class DuplicateEventIds(EventStoreError):
    """Some, but not all, of an append's event ids are already stored: not a retry, a mix-up."""


class UnknownEventType(EventStoreError):
    """A stored event type that no class is registered for."""


class StoreUnavailable(EventStoreError):
    """The database could not be reached or dropped the connection mid-operation."""
