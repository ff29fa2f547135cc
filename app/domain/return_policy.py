"""The return policy (`returnpolicy-default`): how long after delivery a customer may return, what may never be
returned, and the restocking fee withheld per received condition. Versioned data, defined by admins the way
sourcing profiles are: every definition is the next version, and the versions stay in the stream's state,
because a return is judged by the version in force when it was requested (`ReturnRequested.policy_version`),
however the policy changed since.

Until an admin defines one, version 0 (`DEFAULT_POLICY`) applies: 30 days, no fees, everything returnable. The
first definition is version 1. Old returns, requested before policies existed, record version 0, which is
exactly the fixed 30-day window they were requested under.

Fees are percents (0 to 100, at most two decimals), exact `Decimal`s: the refund they reduce is money.

    events = decide(None, DefineReturnPolicy(window_days=14, restocking_fees=(...,)), now)  # version 1
    policy = policy_in_force(evolve(None, events[0]))
    percent = restocking_fee_percent(policy, ItemCondition.DAMAGED)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import msgspec

from app.domain.errors import DomainError, InvalidInput, ReturnWindowClosed, refuse_all
from app.domain.events import Command, Event
from app.domain.values import ItemCondition

DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 3650  # ten years: longer is a typo, and a date that far out would overflow
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class NotReturnable(DomainError):
    code = "NOT_RETURNABLE"


class StalePolicy(DomainError):
    """A definition made on a copy of the policy that another definition has since replaced."""

    code = "CONFLICT"


class ConditionFee(msgspec.Struct, frozen=True, kw_only=True):
    condition: ItemCondition
    percent: Decimal  # of the refund withheld for a unit received in this condition (stored as a string)


# Commands


class DefineReturnPolicy(Command, frozen=True, kw_only=True):
    """Make these terms the next version of the return policy. `expected_version` (when given) refuses a
    definition made on a stale copy (CONFLICT); 0 is the default policy, before any definition."""

    window_days: int
    non_returnable_skus: tuple[str, ...] = ()
    restocking_fees: tuple[ConditionFee, ...] = ()
    reason: str | None = None
    expected_version: int | None = None


# Events


class ReturnPolicyDefined(Event, frozen=True, kw_only=True):
    version: int
    window_days: int
    non_returnable_skus: tuple[str, ...]  # sorted, each once
    restocking_fees: tuple[ConditionFee, ...]  # in condition order, each condition once, percents to the cent
    reason: str | None
    defined_at: datetime


RETURN_POLICY_EVENTS: tuple[type[Event], ...] = (ReturnPolicyDefined,)


# State


class ReturnPolicy(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    window_days: int
    non_returnable_skus: tuple[str, ...] = ()
    restocking_fees: tuple[ConditionFee, ...] = ()
    defined_at: datetime
    reason: str | None = None

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.window_days)


class ReturnPolicies(msgspec.Struct, frozen=True, kw_only=True):
    """Every defined version, oldest first (version n at index n - 1). A handful per year: kept whole."""

    versions: tuple[ReturnPolicy, ...] = ()


# The policy before any definition; `defined_at` is the epoch, as nobody defined it.
DEFAULT_POLICY = ReturnPolicy(version=0, window_days=DEFAULT_WINDOW_DAYS, defined_at=datetime(1970, 1, 1, tzinfo=UTC))


def evolve(state: ReturnPolicies | None, event: Event) -> ReturnPolicies | None:
    match event:
        case ReturnPolicyDefined():
            defined = ReturnPolicy(
                version=event.version,
                window_days=event.window_days,
                non_returnable_skus=event.non_returnable_skus,
                restocking_fees=event.restocking_fees,
                defined_at=event.defined_at,
                reason=event.reason,
            )
            return ReturnPolicies(versions=(*(state.versions if state else ()), defined))
        case _:
            return state


def policy_in_force(state: ReturnPolicies | None) -> ReturnPolicy:
    return state.versions[-1] if state is not None and state.versions else DEFAULT_POLICY


def policy_version(state: ReturnPolicies | None, version: int) -> ReturnPolicy:
    """The policy as it was at `version` (0: the default). A return only ever records a version that existed."""
    if version == 0:
        return DEFAULT_POLICY
    versions = state.versions if state is not None else ()
    if not 0 < version <= len(versions):
        raise InvalidInput(f"return policy version {version} was never defined")
    return versions[version - 1]


def restocking_fee_percent(policy: ReturnPolicy, condition: ItemCondition) -> Decimal:
    """The percent of a unit's refund withheld when it comes back in `condition` (0 where the policy names none)."""
    return next((fee.percent for fee in policy.restocking_fees if fee.condition is condition), Decimal(0))


def check_return_request(policy: ReturnPolicy, skus: tuple[str, ...], delivered_at: datetime, now: datetime) -> None:
    """Refuses a request made after the policy's window from delivery (RETURN_WINDOW_CLOSED), or naming a SKU the
    policy excludes (NOT_RETURNABLE, at each such line: `skus` are the request's lines' SKUs in order)."""
    closes = delivered_at + policy.window
    if now > closes:
        raise ReturnWindowClosed(f"the return window closed on {closes.isoformat()}", field=("orderId",))
    excluded = set(policy.non_returnable_skus)
    refuse_all(
        [
            NotReturnable(
                f"{sku} cannot be returned (return policy version {policy.version})", field=("lines", i, "sku")
            )
            for i, sku in enumerate(skus)
            if sku in excluded
        ]
    )


def decide(state: ReturnPolicies | None, command: DefineReturnPolicy, now: datetime) -> list[Event]:
    """The next version, or nothing when the terms are those in force (a repeated request)."""
    current = policy_in_force(state)
    if command.expected_version is not None and command.expected_version != current.version:
        raise StalePolicy(
            f"the return policy is at version {current.version}, not {command.expected_version}",
            field=("expectedVersion",),
        )
    skus, fees = _checked(command)
    if (command.window_days, skus, fees) == (current.window_days, current.non_returnable_skus, current.restocking_fees):
        return []
    return [
        ReturnPolicyDefined(
            version=current.version + 1,
            window_days=command.window_days,
            non_returnable_skus=skus,
            restocking_fees=fees,
            reason=command.reason,
            defined_at=now,
        )
    ]


def _checked(command: DefineReturnPolicy) -> tuple[tuple[str, ...], tuple[ConditionFee, ...]]:
    """The terms in their normal form (SKUs sorted and once each, fees to the cent in condition order), or every
    problem with them at once."""
    problems: list[DomainError] = []
    if not 0 <= command.window_days <= MAX_WINDOW_DAYS:
        problems.append(InvalidInput(f"windowDays must be between 0 and {MAX_WINDOW_DAYS}", field=("windowDays",)))
    for i, sku in enumerate(command.non_returnable_skus):
        if not sku.strip():
            problems.append(InvalidInput("a SKU must not be empty", field=("nonReturnableSkus", i)))
    seen: set[ItemCondition] = set()
    for i, fee in enumerate(command.restocking_fees):
        if fee.condition in seen:
            problems.append(
                InvalidInput(f"{fee.condition} has a fee already", field=("restockingFees", i, "condition"))
            )
        seen.add(fee.condition)
        if not _is_percent(fee.percent):
            problems.append(
                InvalidInput(
                    "a fee is a percent from 0 to 100 with at most 2 decimals",
                    field=("restockingFees", i, "percent"),
                )
            )
    refuse_all(problems)
    order = list(ItemCondition)
    fees = sorted(
        (ConditionFee(condition=f.condition, percent=f.percent.quantize(CENT)) for f in command.restocking_fees),
        key=lambda f: order.index(f.condition),
    )
    return tuple(sorted(set(command.non_returnable_skus))), tuple(fees)


def _is_percent(value: Decimal) -> bool:
    if not value.is_finite() or not 0 <= value <= HUNDRED:
        return False
    exponent = value.normalize().as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -2
