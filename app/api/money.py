"""Money as clients see it: `Money { amount: Decimal! currency: String! }`, the amount an exact string.

Inputs are taken as given (`MoneyInput.to_domain`) and checked by the domain (`money.valid_money`), whose
refusals name the part at fault: INVALID_AMOUNT at `...unitPrice.amount`, INVALID_CURRENCY at `...currency`.
"""

from __future__ import annotations

from decimal import Decimal

import strawberry

from app.domain import money


@strawberry.type(description="An exact amount in an ISO 4217 currency.")
class Money:
    amount: Decimal
    currency: str = strawberry.field(description='An ISO 4217 code ("USD", "EUR", "JPY").')

    @classmethod
    def of(cls, value: money.Money | None) -> Money | None:
        return None if value is None else cls(amount=value.amount, currency=value.currency)


@strawberry.input(description='An exact amount (a string, e.g. "19.99") in an ISO 4217 currency.')
class MoneyInput:
    amount: Decimal
    currency: str

    def to_domain(self) -> money.Money:
        return money.Money(amount=self.amount, currency=self.currency)
