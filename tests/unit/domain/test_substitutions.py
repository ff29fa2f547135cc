"""Substitution lists: given events, when SetSubstitutes, then events — and every refusal at its field."""

from __future__ import annotations

import pytest

from app.domain import EVENTS_BY_NAME
from app.domain.errors import DomainError
from app.domain.events import Event
from app.domain.substitutions import (
    MAX_SUBSTITUTES,
    SetSubstitutes,
    SubstitutesSet,
    Substitution,
    decide,
    evolve,
)
from tests.unit.domain.support import NOW, given


def after(state: Substitution | None, events: list[Event]) -> Substitution | None:
    return given(evolve, state, events)


def refusals(command: SetSubstitutes) -> list[tuple[str, tuple[str, ...] | None]]:
    with pytest.raises(DomainError) as refused:
        decide(None, command, NOW)
    return [(r.code, r.field) for r in refused.value.reasons]


def test_a_list_is_set_whole_and_replaced_whole() -> None:
    events = decide(None, SetSubstitutes(sku="oat-500", substitutes=("oat-1000", "soy-500")), NOW)
    assert events == [SubstitutesSet(sku="oat-500", substitutes=("oat-1000", "soy-500"), set_at=NOW)]
    state = after(None, events)
    assert state == Substitution(sku="oat-500", substitutes=("oat-1000", "soy-500"))
    shorter = decide(state, SetSubstitutes(sku="oat-500", substitutes=("soy-500",)), NOW)
    assert after(state, shorter) == Substitution(sku="oat-500", substitutes=("soy-500",))
    cleared = decide(state, SetSubstitutes(sku="oat-500", substitutes=()), NOW)
    assert after(state, cleared) == Substitution(sku="oat-500", substitutes=())


def test_the_same_list_again_appends_nothing_but_a_new_order_of_preference_does() -> None:
    state = Substitution(sku="oat-500", substitutes=("oat-1000", "soy-500"))
    assert decide(state, SetSubstitutes(sku="oat-500", substitutes=("oat-1000", "soy-500")), NOW) == []
    assert decide(state, SetSubstitutes(sku="oat-500", substitutes=("soy-500", "oat-1000")), NOW) != []


def test_every_problem_is_refused_at_once_each_at_its_field() -> None:
    command = SetSubstitutes(sku="oat-500", substitutes=("oat-500", "soy", "soy", " ", "x" * 201, " padded"))
    assert refusals(command) == [
        ("SELF_SUBSTITUTION", ("substitutes", "0")),
        ("DUPLICATE", ("substitutes", "2")),
        ("INVALID_INPUT", ("substitutes", "3")),
        ("INVALID_INPUT", ("substitutes", "4")),
        ("INVALID_INPUT", ("substitutes", "5")),
    ]
    assert refusals(SetSubstitutes(sku="", substitutes=("soy",))) == [("INVALID_INPUT", ("sku",))]
    assert refusals(SetSubstitutes(sku="s" * 201, substitutes=())) == [("INVALID_INPUT", ("sku",))]
    too_many = SetSubstitutes(sku="oat", substitutes=tuple(f"s{i}" for i in range(MAX_SUBSTITUTES + 1)))
    assert refusals(too_many) == [("INVALID_INPUT", ("substitutes",))]


def test_the_event_is_registered() -> None:
    assert EVENTS_BY_NAME["SubstitutesSet"] is SubstitutesSet
