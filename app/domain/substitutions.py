"""Substitution lists (`substitutes-<sku>`): what may stand in for a SKU the network cannot serve, in the order
the merchant prefers. Admin-maintained data: each definition replaces the list whole (an empty list: none); the
same list again appends nothing. `alternatives` offers the first substitute with stock for a short line.

    events = decide(None, SetSubstitutes(sku="oat-500", substitutes=("oat-1000", "soy-500")), now)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import msgspec

from app.domain.errors import DomainError, Duplicate, InvalidInput, refuse_all
from app.domain.events import Command, Event
from app.domain.values import MAX_SKU_LENGTH

MAX_SUBSTITUTES = 20  # a shopper reads a handful; a longer list is a mistake, not a preference


class SelfSubstitution(DomainError):
    code = "SELF_SUBSTITUTION"


class SetSubstitutes(Command, frozen=True, kw_only=True):
    """Make `substitutes` (most preferred first) the SKU's whole substitution list."""

    sku: str
    substitutes: tuple[str, ...]


class SubstitutesSet(Event, frozen=True, kw_only=True):
    sku: str
    substitutes: tuple[str, ...]  # in order of preference
    set_at: datetime


SUBSTITUTION_EVENTS: tuple[type[Event], ...] = (SubstitutesSet,)


class SubstituteLine(msgspec.Struct, frozen=True, kw_only=True):
    """On an order: its line of `sku` stands in for `replaces`, which the customer wanted (returns and refunds
    of the substitute refer to it)."""

    sku: str
    replaces: str


class Substitution(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    substitutes: tuple[str, ...] = ()


def decide(state: Substitution | None, command: SetSubstitutes, now: datetime) -> list[Event]:
    """Refuses every problem at once, each at its field: the SKU, and each substitute by its index."""
    problems = list(_sku_problems(command.sku, ("sku",)))
    seen: set[str] = set()
    for i, substitute in enumerate(command.substitutes):
        at = ("substitutes", i)
        found = _sku_problems(substitute, at)
        if not found and substitute == command.sku:
            found = [SelfSubstitution(f"{substitute} cannot stand in for itself", field=at)]
        if not found and substitute in seen:
            found = [Duplicate(f"{substitute} is on the list twice", field=at)]
        problems.extend(found)
        seen.add(substitute)
    if len(command.substitutes) > MAX_SUBSTITUTES:
        problems.append(InvalidInput(f"at most {MAX_SUBSTITUTES} substitutes", field=("substitutes",)))
    refuse_all(problems)
    if state is not None and state.substitutes == command.substitutes:
        return []
    return [SubstitutesSet(sku=command.sku, substitutes=command.substitutes, set_at=now)]


def evolve(state: Substitution | None, event: Event) -> Substitution | None:
    match event:
        case SubstitutesSet():
            return Substitution(sku=event.sku, substitutes=event.substitutes)
        case _:
            return state


def substitute_line_problems(skus: Sequence[str], substitutes: Sequence[SubstituteLine]) -> list[DomainError]:
    """What is wrong with an order's substitute lines, at the field of the line they mark (`skus`: the order's
    lines' SKUs in order): each marks one of its lines, once, and stands in for another SKU."""
    problems: list[DomainError] = []
    marked: set[str] = set()
    for substitute in substitutes:
        if substitute.sku not in skus:
            problems.append(InvalidInput(f"{substitute.sku} is not a line of the order", field=("lines",)))
            continue
        at = ("lines", skus.index(substitute.sku), "replaces")
        found = _sku_problems(substitute.replaces, at)
        if not found and substitute.replaces == substitute.sku:
            found = [SelfSubstitution(f"{substitute.sku} cannot stand in for itself", field=at)]
        if not found and substitute.sku in marked:
            found = [Duplicate(f"{substitute.sku} stands in for one SKU only", field=at)]
        problems.extend(found)
        marked.add(substitute.sku)
    return problems


def _sku_problems(sku: str, field: tuple[str | int, ...]) -> list[DomainError]:
    if not sku.strip():
        return [InvalidInput("a SKU is required", field=field)]
    if len(sku) > MAX_SKU_LENGTH:
        return [InvalidInput(f"a SKU has at most {MAX_SKU_LENGTH} characters", field=field)]
    if sku != sku.strip():
        return [InvalidInput("a SKU has no leading or trailing spaces", field=field)]
    return []
