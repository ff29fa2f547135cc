"""Sourcing profile aggregate (`profile-<name>`): the versioned business rules the sourcing engine applies.

The rules themselves belong to `app.sourcing` (its `SourcingProfile`), which the domain must not import. So
the domain stores them as plain JSON data (`rules`) and owns only what is its business: who changed the
rules, when, and the version sequence. The handler layer checks and normalises `rules` as a `SourcingProfile`
on the way in, and turns them back into one for sourcing; see `app/handlers/profiles.py`.

    state = None
    events = decide(state, DefineSourcingProfile(name="default", rules={...}), now)  # version 1
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from app.domain.errors import InvalidInput, InvalidState
from app.domain.events import Command, Event

ACTIVE = "default"  # the profile the sourcing workers apply


class StaleProfile(InvalidState):
    """The definition was made on a copy of the profile that another definition has since replaced."""

    code = "CONFLICT"


# Commands


class DefineSourcingProfile(Command, frozen=True, kw_only=True):
    """Make `rules` (a `SourcingProfile` as JSON data) the next version of the named profile; `default` is
    the one the sourcing workers apply. `expected_version` (when given) guards against an edit made on a
    stale copy: the command is refused if another version was defined in between. The handler checks that
    the engine can read the rules before this is decided."""

    name: str = ACTIVE
    rules: dict[str, Any]
    reason: str = ""
    expected_version: int | None = None


# Events


class SourcingProfileDefined(Event, frozen=True, kw_only=True):
    name: str
    version: int
    rules: dict[str, Any]  # the full SourcingProfile as JSON data, without its version (that is `version`)
    reason: str
    defined_at: datetime


PROFILE_EVENTS: tuple[type[Event], ...] = (SourcingProfileDefined,)


# State


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    version: int
    rules: dict[str, Any]
    defined_at: datetime


def evolve(state: Profile | None, event: Event) -> Profile | None:
    match event:
        case SourcingProfileDefined():
            return Profile(name=event.name, version=event.version, rules=event.rules, defined_at=event.defined_at)
        case _:
            return state


def decide(state: Profile | None, command: DefineSourcingProfile, now: datetime) -> list[Event]:
    """A new version, or nothing when the rules are those of the current version (a repeated request)."""
    name = command.name
    if not name or name != name.strip() or any(ch.isspace() or ch in "-:" for ch in name):
        raise InvalidInput("profile name must be non-empty, without spaces, '-' or ':'", field=("name",))
    current = 0 if state is None else state.version
    if command.expected_version is not None and command.expected_version != current:
        raise StaleProfile(
            f"profile {name} is at version {current}, not {command.expected_version}", field=("expectedVersion",)
        )
    if state is not None and state.rules == command.rules:
        return []
    return [
        SourcingProfileDefined(
            name=name, version=current + 1, rules=command.rules, reason=command.reason, defined_at=now
        )
    ]
