"""The return policy: `returnPolicy` (public: shops show it at checkout) and `defineReturnPolicy` (admin).

Fees are exact `Decimal` percents in the domain; the contract types them `Float`, so they are converted here, at
the edge, through the float's shortest decimal spelling (12.5 → "12.5"): what a client typed is what is checked
(at most two decimals) and stored.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from app.domain import return_policy as policy
from app.handlers.return_policy import read_policy_in_force

from .access import can_define_return_policy, can_see_return_policy
from .context import ANYONE, Info
from .errors import UserError, forbidden
from .mutation_support import check_text, execute
from .scalars import ItemCondition


@strawberry.type
class ConditionFee:
    condition: ItemCondition
    percent: float


@strawberry.type(description="The terms a return is judged by; each definition is the next version.")
class ReturnPolicy:
    version: int
    window_days: int
    non_returnable_skus: list[str]
    restocking_fees: list[ConditionFee]
    defined_at: datetime
    reason: str | None

    @classmethod
    def from_domain(cls, p: policy.ReturnPolicy) -> ReturnPolicy:
        return cls(
            version=p.version,
            window_days=p.window_days,
            non_returnable_skus=list(p.non_returnable_skus),
            restocking_fees=[ConditionFee(condition=f.condition, percent=float(f.percent)) for f in p.restocking_fees],
            defined_at=p.defined_at,
            reason=p.reason,
        )


@strawberry.input
class ConditionFeeInput:
    condition: ItemCondition
    percent: float


@strawberry.input(description="The policy's full terms: SKUs or fees left out are none.")
class ReturnPolicyInput:
    window_days: int
    non_returnable_skus: list[str] | None = None
    restocking_fees: list[ConditionFeeInput] | None = None
    expected_version: int | None = None
    reason: str | None = None


@strawberry.type
class ReturnPolicyPayload:
    policy: ReturnPolicy | None
    user_errors: list[UserError]


@strawberry.type
class ReturnPolicyQueries:
    @strawberry.field(description="The return policy in force (public: shops show it at checkout).")
    async def return_policy(self, info: Info) -> ReturnPolicy:
        if not can_see_return_policy(info.context.principal):
            raise forbidden()
        services = info.context.services
        return ReturnPolicy.from_domain(await read_policy_in_force(services.store, services.codec))


@strawberry.type
class ReturnPolicyMutations:
    @strawberry.mutation(description="Define the next version of the return policy (admin).")
    async def define_return_policy(self, info: Info, input: ReturnPolicyInput) -> ReturnPolicyPayload:
        if not can_define_return_policy(info.context.require(*ANYONE)):
            raise forbidden()
        skus = input.non_returnable_skus or []
        errors = [e for i, sku in enumerate(skus) if (e := _long_text(sku, "nonReturnableSkus", str(i)))]
        if input.reason is not None and (e := _long_text(input.reason, "reason")):
            errors.append(e)
        if errors:
            return ReturnPolicyPayload(policy=None, user_errors=errors)
        command = policy.DefineReturnPolicy(
            window_days=input.window_days,
            non_returnable_skus=tuple(skus),
            restocking_fees=tuple(
                policy.ConditionFee(condition=fee.condition, percent=Decimal(repr(fee.percent)))
                for fee in input.restocking_fees or []
            ),
            reason=input.reason,
            expected_version=input.expected_version,
        )
        outcome, errors = await execute(info, command)
        defined = None if outcome is None else ReturnPolicy.from_domain(outcome.value)
        return ReturnPolicyPayload(policy=defined, user_errors=errors)


def _long_text(value: str, *field: str) -> UserError | None:
    """Over-long text is refused here; an empty SKU is the domain's to refuse (with the policy's other problems)."""
    error = check_text(value, "input", *field)
    return error if error is not None and value.strip() else None
