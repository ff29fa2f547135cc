"""Typed domain errors. `decide` raises one of these for an illegal command and returns nothing.

`code` is what GraphQL clients see in `userErrors.code`; `field` is the camelCase path of the input at fault.
"""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    code = "DOMAIN_ERROR"

    def __init__(self, message: str, *, field: Sequence[str | int] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        # Indexes become strings: the GraphQL `field` is a list of strings.
        self.field: tuple[str, ...] | None = None if field is None else tuple(str(part) for part in field)
        if code is not None:
            self.code = code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, field={self.field!r})"

    @property
    def reasons(self) -> tuple[DomainError, ...]:
        """Every problem this refusal names: itself, or each of several found at once (`Refusals`)."""
        return (self,)


class Refusals(DomainError):
    """Several problems with one command, found together, so the caller can fix them all in one go (each line
    of an order at fault, each at its own field)."""

    def __init__(self, reasons: Sequence[DomainError]):
        first = reasons[0]
        super().__init__(first.message, field=first.field, code=first.code)
        self._reasons = tuple(reasons)

    @property
    def reasons(self) -> tuple[DomainError, ...]:
        return self._reasons


def refuse_all(problems: Sequence[DomainError]) -> None:
    """Raises the problems found, if any: the one alone, or all of them together."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise Refusals(problems)


class InvalidQuantity(DomainError):
    code = "INVALID_QUANTITY"


class InvalidInput(DomainError):
    code = "INVALID_INPUT"


class UnknownLocation(DomainError):
    code = "UNKNOWN_LOCATION"


class InvalidLocation(DomainError):
    """A location that cannot do what is asked of it: unknown, inactive, or without the capability."""

    code = "INVALID_LOCATION"


class LocationInactive(DomainError):
    code = "LOCATION_INACTIVE"


class InsufficientStock(DomainError):
    code = "INSUFFICIENT_STOCK"


class InvalidState(DomainError):
    code = "INVALID_STATE"


class NotFound(DomainError):
    code = "NOT_FOUND"


class Duplicate(DomainError):
    code = "DUPLICATE"


class ReturnWindowClosed(DomainError):
    code = "RETURN_WINDOW_CLOSED"


def require_positive(quantity: int, field: Sequence[str | int]) -> None:
    """Quantities of goods are whole, positive units; zero or less is never a meaningful movement."""
    if quantity <= 0:
        raise InvalidQuantity(f"quantity must be a positive whole number, got {quantity}", field=field)


def require_not_negative(quantity: int, field: Sequence[str | int]) -> None:
    if quantity < 0:
        raise InvalidQuantity(f"quantity must not be negative, got {quantity}", field=field)
