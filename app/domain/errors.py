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


class InvalidQuantity(DomainError):
    code = "INVALID_QUANTITY"


class InvalidInput(DomainError):
    code = "INVALID_INPUT"


class UnknownLocation(DomainError):
    code = "UNKNOWN_LOCATION"


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
