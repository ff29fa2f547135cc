from __future__ import annotations

import pytest

from app.domain import ALL_EVENTS
from app.domain.errors import InvalidInput, InvalidState
from app.domain.profiles import DefineSourcingProfile, Profile, SourcingProfileDefined, decide, evolve
from tests.unit.domain.support import NOW, given

RULES = {"max_shipments": 1, "eligibility": [{"location_types": ["DISTRIBUTION_CENTER"]}]}


def defined(version: int, rules: dict[str, object] = RULES) -> SourcingProfileDefined:
    return SourcingProfileDefined(name="default", version=version, rules=dict(rules), reason="", defined_at=NOW)


def test_the_first_definition_is_version_one() -> None:
    events = decide(None, DefineSourcingProfile(rules=RULES, reason="launch"), NOW)
    assert events == [SourcingProfileDefined(name="default", version=1, rules=RULES, reason="launch", defined_at=NOW)]


def test_each_change_is_the_next_version() -> None:
    state = given(evolve, None, [defined(1), defined(2, {**RULES, "max_shipments": 2})])
    events = decide(state, DefineSourcingProfile(rules={**RULES, "max_shipments": 3}), NOW)
    assert [e.version for e in events] == [3]  # type: ignore[attr-defined]


def test_defining_the_current_rules_again_changes_nothing() -> None:
    state = given(evolve, None, [defined(1)])
    assert decide(state, DefineSourcingProfile(rules=dict(RULES)), NOW) == []


def test_an_edit_made_on_a_stale_version_is_refused() -> None:
    state = given(evolve, None, [defined(1), defined(2, {})])
    with pytest.raises(InvalidState) as refused:
        decide(state, DefineSourcingProfile(rules=RULES, expected_version=1), NOW)
    assert (refused.value.code, refused.value.field) == ("CONFLICT", ("expectedVersion",))
    assert decide(state, DefineSourcingProfile(rules=RULES, expected_version=2), NOW) != []


@pytest.mark.parametrize("name", ["", "my profile", "a-b", "a:b"])
def test_a_profile_name_must_fit_in_a_stream_id(name: str) -> None:
    with pytest.raises(InvalidInput):
        decide(None, DefineSourcingProfile(name=name, rules=RULES), NOW)


def test_evolve_keeps_the_latest_version() -> None:
    state = given(evolve, None, [defined(1), defined(2, {"max_shipments": 4})])
    assert state == Profile(name="default", version=2, rules={"max_shipments": 4}, defined_at=NOW)


def test_the_event_is_registered_for_the_codec() -> None:
    assert SourcingProfileDefined in ALL_EVENTS
