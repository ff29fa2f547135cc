"""Sourcing profiles as typed data: reading their versions, defining the next one (admin), and what-if.

A profile's rules are the engine's `SourcingProfile`; this module maps the contract's part of it both ways.
Fields an input leaves out take the built-in rules' values (`default_profile()`: EXPRESS within 2 days,
SAME_DAY today, unlimited splits, ...), so an input states a whole profile; what the contract does not show
(the cost and transit models) is kept from the version it replaces.

`simulateSourcing` runs a draft over the orders placed in [from, to) against the profile in force (see
`app/handlers/simulation.py`), for at most `MAX_SIMULATED_ORDERS` orders: each needs up to two solves of at
most `engine.DEFAULT_TIME_LIMIT` each (typically a millisecond; 20 s of solving at the very worst), and a
period holding more is refused with TOO_MANY_ORDERS rather than answered late. Rebuilding the orders'
situations reads the log's location, stock and order events from its start, once per run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import strawberry

from app.domain.errors import DomainError
from app.domain.profiles import ACTIVE, DefineSourcingProfile, SourcingProfileDefined
from app.handlers.profiles import BUILTIN, defined_version, profile_names, profile_of, rules_of
from app.handlers.simulation import simulate_sourcing
from app.sourcing import default_profile
from app.sourcing import model as sourcing
from app.sourcing.rules import rule_problems
from app.sourcing.simulation import Figures

from .access import can_define_sourcing_profile, can_see_sourcing_profiles, can_simulate_sourcing
from .context import ANYONE, Info
from .errors import ApiError, UserError, forbidden, from_domain, user_error
from .ids import global_id
from .mutation_support import MAX_TEXT, execute
from .scalars import LocationType, ServiceLevel

MAX_SIMULATED_ORDERS = 500  # measured: 200 orders of 1-4 lines over 30 locations take 0.15 s


@strawberry.type(description="Which location types may serve a channel at a service level (null: any).")
class EligibilityRule:
    channel: str | None
    service_level: ServiceLevel | None
    location_types: list[LocationType]


@strawberry.type
class ServiceLevelLimit:
    service_level: ServiceLevel
    value: float


@strawberry.type(description="A version of the rules sourcing applies; `default` is the one in force.")
class SourcingProfile:
    name: str
    version: int
    defined_at: datetime
    reason: str | None
    eligibility: list[EligibilityRule]
    max_distance_km: list[ServiceLevelLimit]
    max_days: list[ServiceLevelLimit]
    excluded_locations: list[str]
    preferred_locations: list[str]
    max_shipments: int | None
    store_penalty: float

    @classmethod
    def from_defined(cls, defined: SourcingProfileDefined) -> SourcingProfile:
        rules = profile_of(defined)
        return cls(
            name=defined.name,
            version=defined.version,
            defined_at=defined.defined_at,
            reason=defined.reason or None,
            eligibility=[
                EligibilityRule(
                    channel=rule.channel,
                    service_level=rule.service_level,
                    location_types=sorted(rule.location_types),
                )
                for rule in rules.eligibility
            ],
            max_distance_km=_limits(rules.max_distance_km),
            max_days=_limits(rules.max_days),
            excluded_locations=sorted(rules.excluded_locations),
            preferred_locations=sorted(rules.preferred_locations),
            max_shipments=rules.max_shipments,
            store_penalty=rules.store_penalty,
        )


def _limits(limits: Any) -> list[ServiceLevelLimit]:
    order = list(ServiceLevel)
    return [
        ServiceLevelLimit(service_level=level, value=float(value))
        for level, value in sorted(limits.items(), key=lambda item: order.index(item[0]))
    ]


@strawberry.input
class EligibilityRuleInput:
    channel: str | None = None
    service_level: ServiceLevel | None = None
    location_types: list[LocationType]


@strawberry.input
class ServiceLevelLimitInput:
    service_level: ServiceLevel
    value: float


@strawberry.input(description="A whole profile: fields left out take the built-in rules' values.")
class SourcingProfileInput:
    name: str | None = ACTIVE
    eligibility: list[EligibilityRuleInput]
    max_distance_km: list[ServiceLevelLimitInput] | None = None
    max_days: list[ServiceLevelLimitInput] | None = None
    excluded_locations: list[str] | None = None
    preferred_locations: list[str] | None = None
    max_shipments: int | None = None
    store_penalty: float | None = None
    expected_version: int | None = None
    reason: str | None = None


@strawberry.input
class SimulateSourcingInput:
    profile: SourcingProfileInput
    from_: datetime = strawberry.field(name="from")
    to: datetime


@strawberry.type
class SourcingProfilePayload:
    profile: SourcingProfile | None
    user_errors: list[UserError]


@strawberry.type
class SimulationFigures:
    orders: int
    total_cost: float
    shipments: int
    split_orders: int
    backordered_units: int
    mean_promised_days: float  # over the orders that ship anything; 0 when none does

    @classmethod
    def from_figures(cls, f: Figures) -> SimulationFigures:
        return cls(
            orders=f.orders,
            total_cost=f.total_cost,
            shipments=f.shipments,
            split_orders=f.split_orders,
            backordered_units=f.backordered_units,
            mean_promised_days=f.avg_promised_days or 0.0,
        )


@strawberry.type
class SimulatedOrder:
    order_id: strawberry.ID
    current_cost: float
    draft_cost: float
    current_locations: list[str]
    draft_locations: list[str]


@strawberry.type(description="A draft's figures against the profile in force, and the orders it would change.")
class SimulationReport:
    current: SimulationFigures
    draft: SimulationFigures
    changed: list[SimulatedOrder]


async def _in_force(info: Info, name: str) -> sourcing.SourcingProfile:
    services = info.context.services
    defined = await defined_version(services.store, services.codec, name)
    return BUILTIN if defined is None else profile_of(defined)


def _rules(given: SourcingProfileInput, base: sourcing.SourcingProfile) -> tuple[dict[str, Any], list[UserError]]:
    """The rules `given` states, as the domain stores them, or the userErrors of their shape (a service level
    limited twice, an over-long text). Their soundness is the handler's to judge (`rule_problems`)."""
    errors: list[UserError] = []
    if given.reason is not None and len(given.reason) > MAX_TEXT:
        errors.append(user_error("INVALID_INPUT", f"at most {MAX_TEXT} characters", "input", "reason"))
    stated: dict[str, Any] = {
        "eligibility": [
            {
                "channel": rule.channel,
                "service_level": None if rule.service_level is None else rule.service_level.value,
                "location_types": [t.value for t in rule.location_types],
            }
            for rule in given.eligibility
        ]
    }
    for key, field, limits in (
        ("max_distance_km", "maxDistanceKm", given.max_distance_km),
        ("max_days", "maxDays", given.max_days),
    ):
        if limits is None:
            continue
        stated[key] = {}
        for i, limit in enumerate(limits):
            if limit.service_level.value in stated[key]:
                errors.append(
                    user_error("INVALID_INPUT", "one limit per service level", "input", field, str(i), "serviceLevel")
                )
            # Whole days are sent as integers, as the engine reads them; a fraction is the handler's to refuse.
            whole = key == "max_days" and limit.value == int(limit.value)
            stated[key][limit.service_level.value] = int(limit.value) if whole else limit.value
    for key, value in (
        ("excluded_locations", given.excluded_locations),
        ("preferred_locations", given.preferred_locations),
        ("store_penalty", given.store_penalty),
    ):
        if value is not None:
            stated[key] = value
    stated["max_shipments"] = given.max_shipments
    builtin = rules_of(default_profile())
    contract = ("max_distance_km", "max_days", "excluded_locations", "preferred_locations", "store_penalty")
    return {**rules_of(base), **{key: builtin[key] for key in contract}, **stated}, errors


@strawberry.type
class SourcingProfileQueries:
    @strawberry.field(description="A version of a profile (the latest unless asked); null if there is none.")
    async def sourcing_profile(
        self, info: Info, name: str | None = ACTIVE, version: int | None = None
    ) -> SourcingProfile | None:
        if not can_see_sourcing_profiles(info.context.require(*ANYONE)):
            raise forbidden()
        services = info.context.services
        defined = await defined_version(services.store, services.codec, name or ACTIVE, version)
        return None if defined is None else SourcingProfile.from_defined(defined)

    @strawberry.field(description="The latest version of every profile defined.")
    async def sourcing_profiles(self, info: Info) -> list[SourcingProfile]:
        if not can_see_sourcing_profiles(info.context.require(*ANYONE)):
            raise forbidden()
        services = info.context.services
        found = [await defined_version(services.store, services.codec, n) for n in await profile_names(services.store)]
        return [SourcingProfile.from_defined(defined) for defined in found if defined is not None]

    @strawberry.field(description="What-if (admin): a draft over past orders, against the rules in force.")
    async def simulate_sourcing(self, info: Info, input: SimulateSourcingInput) -> SimulationReport:
        if not can_simulate_sourcing(info.context.require(*ANYONE)):
            raise forbidden()
        period_from, period_to = (_utc(moment) for moment in (input.from_, input.to))
        if period_from >= period_to:
            raise ApiError("`from` must be before `to`", "INVALID_ARGUMENT", "input.to")
        services = info.context.services
        current = await _in_force(info, ACTIVE)
        rules, errors = _rules(input.profile, current)
        known = {location.code for location in await services.network.locations()}
        problems = [from_domain(p, "input", "profile") for p in rule_problems(rules, known)]
        if errors or problems:
            first = (errors + problems)[0]
            raise ApiError(f"invalid draft: {first.message}", first.code, ".".join(first.field or ()))
        try:
            draft = msgspec.convert({**rules, "version": current.version + 1}, sourcing.SourcingProfile)
            report = await simulate_sourcing(
                services.store, services.codec, draft, period_from=period_from, period_to=period_to,
                baseline=current, max_orders=MAX_SIMULATED_ORDERS,
            )  # fmt: skip
        except msgspec.ValidationError as bad:
            raise ApiError(f"invalid draft: {bad}", "INVALID_INPUT", "input.profile") from None
        except DomainError as refused:
            raise ApiError(refused.message, refused.code, ".".join(("input", *(refused.field or ())))) from None
        return SimulationReport(
            current=SimulationFigures.from_figures(report.live),
            draft=SimulationFigures.from_figures(report.draft),
            changed=[
                SimulatedOrder(
                    order_id=strawberry.ID(global_id("Order", c.order_id)),
                    current_cost=c.live.cost,
                    draft_cost=c.draft.cost,
                    current_locations=list(c.live.locations),
                    draft_locations=list(c.draft.locations),
                )
                for c in report.changed
            ],
        )


def _utc(moment: datetime) -> datetime:
    """A moment without a zone is read as UTC, as everywhere in Meridian."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@strawberry.type
class SourcingProfileMutations:
    @strawberry.mutation(description='Define the next version of a profile (admin); a new "default" applies at once.')
    async def define_sourcing_profile(self, info: Info, input: SourcingProfileInput) -> SourcingProfilePayload:
        if not can_define_sourcing_profile(info.context.require(*ANYONE)):
            raise forbidden()
        name = input.name or ACTIVE
        rules, errors = _rules(input, await _in_force(info, name))
        if errors:
            return SourcingProfilePayload(profile=None, user_errors=errors)
        command = DefineSourcingProfile(
            name=name, rules=rules, reason=input.reason or "", expected_version=input.expected_version
        )
        outcome, errors = await execute(info, command)
        if outcome is None:
            return SourcingProfilePayload(profile=None, user_errors=errors)
        services = info.context.services
        services.forget_profile()  # this process's delivery quotes, too, apply it at once
        defined = await defined_version(services.store, services.codec, name, outcome.value)
        return SourcingProfilePayload(
            profile=None if defined is None else SourcingProfile.from_defined(defined), user_errors=[]
        )
