"""Sourcing profiles in the log: defining a version, and reading the active one for the sourcing handlers.

The domain keeps a profile's rules as plain JSON data (it may not import `app.sourcing`); this module is
where they become a `SourcingProfile` and back. Converting on the way in validates a definition, so a
profile that the engine could not read is refused before anything is appended.
"""

from __future__ import annotations

from typing import Any, Protocol

import msgspec

from app.domain import profiles
from app.domain.aggregates import LOCATION, PROFILE
from app.domain.errors import InvalidInput, refuse_all
from app.domain.streams import location_stream, profile_stream
from app.sourcing import SourcingProfile, default_profile
from app.sourcing.rules import rule_problems
from eventstore import EventCodec, EventStore, load_state

from .unit_of_work import UnitOfWork

# What sourcing applies while no profile was ever defined: the built-in rules, reported as version 0 so that
# a decision made on them is never mistaken for one made on a defined version 1.
BUILTIN = msgspec.structs.replace(default_profile(), version=0)


def rules_of(profile: SourcingProfile) -> dict[str, Any]:
    """The profile as JSON data without its version, exactly as it reads back from the log (lists for sets
    and tuples, sorted), so that defining the same rules twice compares equal and appends nothing."""
    data: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(msgspec.to_builtins(profile, order="sorted")))
    data.pop("version", None)
    return data


def profile_of(state: profiles.Profile | profiles.SourcingProfileDefined) -> SourcingProfile:
    return msgspec.convert({**state.rules, "version": state.version}, SourcingProfile)


async def defined_version(
    store: EventStore, codec: EventCodec, name: str, version: int | None = None
) -> profiles.SourcingProfileDefined | None:
    """A version of the named profile as it was defined (who, when, why, its rules): the latest unless
    `version` is given; None when there is no such version. Version n is the stream's n-th event."""
    stream = profile_stream(name)
    wanted = await store.stream_version(stream) if version is None else version
    if wanted < 1:
        return None
    found = [codec.decode(r) for r in await store.read_stream(stream, from_version=wanted, to_version=wanted)]
    return next((e for e in found if isinstance(e, profiles.SourcingProfileDefined)), None)


async def profile_names(store: EventStore) -> list[str]:
    """The names of every profile ever defined, in order."""
    return [stream_id.split("-", 1)[1] for stream_id in await store.stream_ids("profile")]


def parse_profile(data: bytes | str, *, base: SourcingProfile = BUILTIN) -> SourcingProfile:
    """A profile from JSON; top-level fields missing from it keep `base`'s value, so a draft can hold only
    what it changes (`{"max_shipments": 1}`). A malformed or ill-typed document raises InvalidInput."""
    try:
        given = msgspec.json.decode(data)
        if not isinstance(given, dict):
            raise InvalidInput("a sourcing profile is a JSON object")
        return msgspec.convert({**msgspec.to_builtins(base), **given}, SourcingProfile)
    except msgspec.ValidationError as bad:
        raise InvalidInput(f"invalid sourcing profile: {bad}") from None
    except msgspec.DecodeError as bad:
        raise InvalidInput(f"sourcing profile is not valid JSON: {bad}") from None


async def define_profile(uow: UnitOfWork, command: profiles.DefineSourcingProfile) -> int:
    """Appends the next version (or nothing for unchanged rules); returns the version now current.

    The rules are read as the engine will read them (refused if it could not, or if they are unsound: see
    `rule_problems`), and stored in that reading's normal form, so the same rules defined twice compare equal
    however they were spelled."""
    stream = profile_stream(command.name)
    named = [code for key in ("excluded_locations", "preferred_locations") for code in _codes(command.rules, key)]
    found = await uow.get_many(LOCATION, [location_stream(code) for code in dict.fromkeys(named)])
    known = {code for code in named if found[location_stream(code)] is not None}
    refuse_all(rule_problems(command.rules, known))
    try:
        rules = rules_of(msgspec.convert({**command.rules, "version": 1}, SourcingProfile))
    except msgspec.ValidationError as bad:
        raise InvalidInput(f"invalid sourcing profile: {bad}") from None
    define = msgspec.structs.replace(command, rules=rules)
    state = uow.record(PROFILE, stream, profiles.decide(await uow.get(PROFILE, stream), define, uow.now))
    return 0 if state is None else state.version


def _codes(rules: dict[str, Any], key: str) -> list[str]:
    codes = rules.get(key)
    return [c for c in codes if isinstance(c, str)] if isinstance(codes, list) else []


class ProfileSource(Protocol):
    async def active(self) -> SourcingProfile: ...

    def invalidate(self) -> None: ...


class FixedProfile:
    """Always the same profile (tests, benchmarks, simulations)."""

    def __init__(self, profile: SourcingProfile) -> None:
        self.profile = profile

    async def active(self) -> SourcingProfile:
        return self.profile

    def invalidate(self) -> None:
        """Nothing is cached: the profile never changes."""


class LogProfiles:
    """The active profile (`profile-default`) from the log; `BUILTIN` while none is defined.

    Each call asks the stream's version (one indexed lookup) and loads the profile again only when it moved:
    a new version applies to every decision made after it commits, in every process, and each decision
    records the version it used. (Delivery quotes, which are not decisions, cache it briefly on top: see
    `cached_network.ReadModelNetwork.prepared`.)
    """

    def __init__(self, store: EventStore, codec: EventCodec, *, name: str = profiles.ACTIVE) -> None:
        self.store, self.codec, self.name = store, codec, name
        self._cached: SourcingProfile | None = None

    async def active(self) -> SourcingProfile:
        stream = profile_stream(self.name)
        if self._cached is None or self._cached.version != await self.store.stream_version(stream):
            state, _ = await load_state(self.store, self.codec, PROFILE, stream)
            self._cached = BUILTIN if state is None else profile_of(state)
        return self._cached

    def invalidate(self) -> None:
        self._cached = None
