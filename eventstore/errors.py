"""The store's own exceptions. asyncpg errors are translated into these at the store's edge, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .records import RecordedEvent


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


class UnreadableEvent(EventStoreError):
    """A stored event this process's code cannot read: a type or schema version it does not know (a newer
    version may write them during a rolling deploy), or a payload its class rejects. `event` is the stored one,
    when known: its position and type name it (never its payload, which may hold personal data)."""

    def __init__(self, message: str, event: RecordedEvent | None = None) -> None:
        super().__init__(message)
        self.event = event

    def where(self) -> str:
        """Names the event for logs and health checks: position, stream, type and schema version, no payload."""
        if self.event is None:
            return str(self)
        e = self.event
        return f"event {e.position} of {e.stream_id} ({e.event_type}, schema {e.schema_version}): {self}"


class UnknownEventType(UnreadableEvent):
    """A stored event type (or schema version) that no class (or upcaster) is registered for."""


class StoreUnavailable(EventStoreError):
    """The database could not be reached or dropped the connection mid-operation."""
