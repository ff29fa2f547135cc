"""What makes a sourcing profile's rules sound, beyond their types: checked before a version is defined.

The rules are checked as JSON data (the domain's `DefineSourcingProfile.rules`), in the order they were given,
so each problem names the input field at fault the way the API spells it (`("excludedLocations", 1)`,
`("maxDistanceKm", 0, "value")`). Whether a location code exists is the log's to say: the caller passes the
codes it found.

    problems = rule_problems(rules, known_locations={"NWK", "CHI"})
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeGuard

from app.domain.errors import DomainError, InvalidInput, UnknownLocation


def rule_problems(rules: Mapping[str, Any], known_locations: Collection[str]) -> list[DomainError]:
    """Every problem with `rules`: no location type eligible anywhere, a location that does not exist, a negative
    or fractional limit, fewer than one shipment, a negative store penalty. Values of the wrong type are left
    to the conversion into a `SourcingProfile`, which refuses them."""
    problems: list[DomainError] = []
    eligibility = rules.get("eligibility")
    rules_given = eligibility if isinstance(eligibility, list) else []
    if not any(isinstance(rule, Mapping) and rule.get("location_types") for rule in rules_given):
        problems.append(InvalidInput("at least one rule must make some location type eligible", field=["eligibility"]))
    for key, field in (("excluded_locations", "excludedLocations"), ("preferred_locations", "preferredLocations")):
        codes = rules.get(key)
        for i, code in enumerate(codes if isinstance(codes, list) else []):
            if isinstance(code, str) and code not in known_locations:
                problems.append(UnknownLocation(f"no location {code!r}", field=[field, i]))
    for key, field in (("max_distance_km", "maxDistanceKm"), ("max_days", "maxDays")):
        limits = rules.get(key)
        for i, limit in enumerate(limits.values() if isinstance(limits, Mapping) else []):
            if not _number(limit):
                continue
            if limit < 0:
                problems.append(InvalidInput(f"a limit must not be negative, got {limit}", field=[field, i, "value"]))
            elif key == "max_days" and limit != int(limit):
                problems.append(InvalidInput(f"days are whole, got {limit}", field=[field, i, "value"]))
    if _number(shipments := rules.get("max_shipments")) and shipments < 1:
        problems.append(InvalidInput(f"at least one shipment, got {shipments}", field=["maxShipments"]))
    if _number(penalty := rules.get("store_penalty")) and penalty < 0:
        problems.append(InvalidInput(f"the store penalty must not be negative, got {penalty}", field=["storePenalty"]))
    return problems


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
