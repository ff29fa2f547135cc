"""Money, exactly: a `Decimal` amount in an ISO 4217 currency. Never a float where money flows.

How many decimals a currency has (2 for USD, 0 for JPY, 3 for KWD) comes from babel's copy of the CLDR
currency data, a maintained table, not a hand-written list. An amount is valid in its currency when it is
finite, not negative, no larger than `MAX_AMOUNT` and has no more decimals than the currency: such an amount
is only re-scaled to the currency's exponent ("19.9" USD is "19.90"), never rounded. Rounding happens only
where arithmetic makes an amount the currency cannot hold (a percentage off a price), half-even, in one place:
`round_to_currency`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

import msgspec
from babel.numbers import get_currency_precision, is_currency

from app.domain.errors import DomainError

# A trillion per amount keeps every sum of a large order far inside Decimal's default 28 digits, so no
# arithmetic here ever rounds silently.
MAX_AMOUNT = Decimal(10) ** 12


class InvalidAmount(DomainError):
    code = "INVALID_AMOUNT"


class InvalidCurrency(DomainError):
    code = "INVALID_CURRENCY"


class MixedCurrency(DomainError):
    code = "MIXED_CURRENCY"


class RefundExceedsPaid(DomainError):
    code = "REFUND_EXCEEDS_PAID"


class Money(msgspec.Struct, frozen=True, kw_only=True):
    """An amount and its currency. msgspec stores the Decimal as a string ("19.99"): exact in every log,
    snapshot and read-model row. Built unchecked (it is plain data); `valid_money` checks one from outside."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount:f} {self.currency}"


def known_currency(code: str) -> bool:
    """An ISO 4217 code as the CLDR lists it: three upper-case letters ("USD", not "usd")."""
    return len(code) == 3 and code.isascii() and code.isupper() and is_currency(code)


@cache
def minor_units(currency: str) -> int:
    """The decimals of `currency`'s minor unit: 2 for USD, 0 for JPY, 3 for KWD."""
    return get_currency_precision(currency)


def _exponent(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_to_currency(amount: Decimal, currency: str) -> Decimal:
    """THE rounding rule: to the currency's minor unit, half to even (banker's rounding), so that rounding
    many amounts adds no bias either way. Used only where arithmetic produced more decimals than the currency
    has; an amount already within the currency comes back equal, at the currency's exponent."""
    return amount.quantize(_exponent(currency), rounding=ROUND_HALF_EVEN)


def valid_money(money: Money, field: Sequence[str | int] = ()) -> Money:
    """`money` at its currency's exponent, or the refusal naming the part at fault under `field`
    (`[*field, "currency"]` or `[*field, "amount"]`)."""
    if not known_currency(money.currency):
        raise InvalidCurrency(f"{money.currency!r} is not an ISO 4217 currency code", field=(*field, "currency"))
    amount, at = money.amount, (*field, "amount")
    if not amount.is_finite() or amount < 0:
        raise InvalidAmount(f"an amount must be a number, zero or more, got {amount}", field=at)
    if amount > MAX_AMOUNT:
        raise InvalidAmount(f"an amount is at most {MAX_AMOUNT:f}", field=at)
    exact = round_to_currency(amount, money.currency)
    if exact != amount:
        units = minor_units(money.currency)
        raise InvalidAmount(f"{money.currency} amounts have at most {units} decimals, got {amount}", field=at)
    return Money(amount=exact, currency=money.currency)


def zero(currency: str) -> Money:
    return Money(amount=round_to_currency(Decimal(0), currency), currency=currency)


def times(money: Money, quantity: int) -> Money:
    """The price of `quantity` units: exact (an integer multiple of an amount the currency holds)."""
    return Money(amount=money.amount * quantity, currency=money.currency)


def add(a: Money, b: Money) -> Money:
    if a.currency != b.currency:
        raise MixedCurrency(f"cannot add {b.currency} to {a.currency}")
    return Money(amount=a.amount + b.amount, currency=a.currency)


def total(amounts: Iterable[Money]) -> Money | None:
    """The sum, or None when there is nothing to add (no prices: no total, rather than a zero in no currency)."""
    result: Money | None = None
    for amount in amounts:
        result = amount if result is None else add(result, amount)
    return result


def less_percent(money: Money, percent: Decimal) -> Money:
    """`money` less `percent` of it (a restocking fee), rounded to the currency: paid x (1 - percent/100)."""
    if not percent.is_finite() or not 0 <= percent <= 100:
        raise InvalidAmount(f"a percentage is between 0 and 100, got {percent}")
    kept = money.amount * (Decimal(100) - percent) / Decimal(100)
    return Money(amount=round_to_currency(kept, money.currency), currency=money.currency)
