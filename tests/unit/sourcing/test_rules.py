from __future__ import annotations

from typing import Any

from app.sourcing.rules import rule_problems

SOUND: dict[str, Any] = {
    "eligibility": [{"channel": "web", "location_types": []}, {"location_types": ["STORE"]}],
    "max_distance_km": {"STANDARD": 500.0, "EXPRESS": 0.0},
    "max_days": {"EXPRESS": 2, "SAME_DAY": 0},
    "excluded_locations": ["NWK"],
    "preferred_locations": ["CHI"],
    "max_shipments": 1,
    "store_penalty": 0.0,
}


def problems(**changes: Any) -> set[tuple[str, tuple[str, ...] | None]]:
    return {(p.code, p.field) for p in rule_problems({**SOUND, **changes}, known_locations={"NWK", "CHI"})}


def test_sound_rules_have_no_problem() -> None:
    assert problems() == set()  # a rule giving one channel nothing is fine while another rule gives some type


def test_no_eligible_location_type_at_all_is_a_problem_of_the_eligibility() -> None:
    assert problems(eligibility=[]) == {("INVALID_INPUT", ("eligibility",))}
    assert problems(eligibility=[{"location_types": []}]) == {("INVALID_INPUT", ("eligibility",))}


def test_unknown_locations_are_named_by_their_place_in_the_list() -> None:
    assert problems(excluded_locations=["NWK", "CLOSED-1"], preferred_locations=["NOWHERE"]) == {
        ("UNKNOWN_LOCATION", ("excludedLocations", "1")),
        ("UNKNOWN_LOCATION", ("preferredLocations", "0")),
    }


def test_negative_or_fractional_limits_are_named_by_their_place_and_value() -> None:
    assert problems(max_distance_km={"STANDARD": 5.0, "EXPRESS": -1.0}, max_days={"EXPRESS": 1.5}) == {
        ("INVALID_INPUT", ("maxDistanceKm", "1", "value")),
        ("INVALID_INPUT", ("maxDays", "0", "value")),
    }
    assert problems(max_days={"EXPRESS": -2}) == {("INVALID_INPUT", ("maxDays", "0", "value"))}


def test_fewer_than_one_shipment_or_a_negative_store_penalty_are_problems() -> None:
    assert problems(max_shipments=0, store_penalty=-0.5) == {
        ("INVALID_INPUT", ("maxShipments",)),
        ("INVALID_INPUT", ("storePenalty",)),
    }
    assert problems(max_shipments=None) == set()


def test_values_of_the_wrong_type_are_left_to_the_conversion() -> None:
    assert problems(max_days={"EXPRESS": "two"}, excluded_locations="NWK", max_shipments="one") == set()
