"""Substitution lists: `substitutes(sku)` (public: shops show "if it is out, you may get…") and `setSubstitutes`
(admin). The list is the domain's (app/domain/substitutions.py), validated there, each problem at its field.
`AlternativeLine` lives here too: alternatives show them and orders record them."""

from __future__ import annotations

import strawberry

from app.domain import substitutions
from app.domain.values import MAX_SKU_LENGTH
from app.handlers.substitutions import read_substitutes

from .access import can_see_substitutes, can_set_substitutes
from .context import ANYONE, Info
from .errors import ApiError, UserError, forbidden
from .mutation_support import execute


@strawberry.type(description="A line of an alternative or an order; `replaces`: the SKU a substitute stands in for.")
class AlternativeLine:
    sku: str
    quantity: int
    replaces: str | None = None


@strawberry.type(description="What may stand in for a SKU the network cannot serve, most preferred first.")
class Substitution:
    sku: str
    substitutes: list[str]

    @classmethod
    def from_domain(cls, s: substitutions.Substitution) -> Substitution:
        return cls(sku=s.sku, substitutes=list(s.substitutes))


@strawberry.input(description="The SKU's whole list, most preferred first (empty: no substitutes).")
class SetSubstitutesInput:
    sku: str
    substitutes: list[str]


@strawberry.type
class SubstitutionPayload:
    substitution: Substitution | None
    user_errors: list[UserError]


@strawberry.type
class SubstitutionQueries:
    @strawberry.field(description="The SKU's substitution list (empty when it has none).")
    async def substitutes(self, info: Info, sku: str) -> Substitution | None:
        if not can_see_substitutes(info.context.principal):
            raise forbidden()
        if not sku.strip() or len(sku) > MAX_SKU_LENGTH:
            raise ApiError(f"a SKU of 1 to {MAX_SKU_LENGTH} characters", "INVALID_ARGUMENT", "sku")
        services = info.context.services
        return Substitution.from_domain(await read_substitutes(services.store, services.codec, sku))


@strawberry.type
class SubstitutionMutations:
    @strawberry.mutation(description="Set a SKU's substitution list, in order of preference (admin).")
    async def set_substitutes(self, info: Info, input: SetSubstitutesInput) -> SubstitutionPayload:
        if not can_set_substitutes(info.context.require(*ANYONE)):
            raise forbidden()
        command = substitutions.SetSubstitutes(sku=input.sku, substitutes=tuple(input.substitutes))
        outcome, errors = await execute(info, command)
        found = None if outcome is None else Substitution.from_domain(outcome.value)
        return SubstitutionPayload(substitution=found, user_errors=errors)
