"""Typed events: one registry from stored type name to class, and upcasters for old payloads.

Events are msgspec Structs; a stored event's type name is its class name unless registered otherwise.
Decoding goes straight from JSON text to the Struct when the stored schema version is current; older payloads
are decoded to a dict, passed through the upcasters registered for each `(event_type, schema_version)` step,
then converted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from .errors import UnknownEventType, UnreadableEvent
from .records import Metadata, NewEvent, RecordedEvent

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

_encoder = msgspec.json.Encoder()


class EventCodec:
    def __init__(self, classes: Iterable[type[msgspec.Struct]] = ()) -> None:
        self._classes: dict[str, type[msgspec.Struct]] = {}
        self._names: dict[type[msgspec.Struct], str] = {}
        self._versions: dict[str, int] = {}
        self._decoders: dict[str, msgspec.json.Decoder[Any]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        for cls in classes:
            self.register(cls)

    def register(self, cls: type[msgspec.Struct], *, name: str | None = None, schema_version: int = 1) -> None:
        """Registers an event class under `name` (default: the class name) at its current schema version."""
        event_type = name or cls.__name__
        if self._classes.get(event_type, cls) is not cls:
            raise ValueError(f"event type {event_type!r} is already registered to another class")
        self._classes[event_type] = cls
        self._names[cls] = event_type
        self._versions[event_type] = schema_version
        self._decoders[event_type] = msgspec.json.Decoder(cls)

    def upcaster(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Registers a function turning a `from_version` payload into a `from_version + 1` one."""

        def register(fn: Upcaster) -> Upcaster:
            self._upcasters[(event_type, from_version)] = fn
            return fn

        return register

    def type_name(self, cls: type[msgspec.Struct]) -> str:
        return self._names[cls]

    @property
    def type_names(self) -> list[str]:
        return list(self._classes)

    def encode(
        self, event: msgspec.Struct, *, metadata: Metadata | None = None, event_id: uuid.UUID | None = None
    ) -> NewEvent:
        event_type = self._names[type(event)]
        return NewEvent(
            event_type=event_type,
            data=_encoder.encode(event).decode(),
            schema_version=self._versions[event_type],
            metadata="{}" if metadata is None else _encoder.encode(metadata).decode(),
            event_id=event_id or uuid.uuid4(),
        )

    def decode(self, recorded: RecordedEvent) -> Any:
        """The typed event of a stored one, upcast to the current schema version if it is older."""
        event_type = recorded.event_type
        decoder = self._decoders.get(event_type)
        if decoder is None:
            raise UnknownEventType(f"no event class registered for {event_type!r}", recorded)
        current = self._versions[event_type]
        if recorded.schema_version > current:  # written by a newer version of the code
            raise UnknownEventType(f"schema version {recorded.schema_version} of {event_type!r} is newer", recorded)
        try:
            if recorded.schema_version == current:
                return decoder.decode(recorded.data)
            payload: dict[str, Any] = msgspec.json.decode(recorded.data)
            for version in range(recorded.schema_version, current):
                upcast = self._upcasters.get((event_type, version))
                if upcast is None:
                    raise UnknownEventType(f"no upcaster for {event_type!r} from schema version {version}", recorded)
                payload = upcast(payload)
            return msgspec.convert(payload, self._classes[event_type])
        except msgspec.DecodeError as exc:  # ValidationError included; its message names a field, not a value
            raise UnreadableEvent(f"its payload does not fit {event_type!r}: {exc}", recorded) from exc

    def knows(self, event_type: str) -> bool:
        return event_type in self._classes
