"""An order's lines, checked once for placing, editing and holding a cart alike: SKUs, quantities, prices."""

from __future__ import annotations

from app.domain.errors import DomainError, Duplicate, InvalidInput, InvalidQuantity
from app.domain.money import MixedCurrency, known_currency, valid_money
from app.domain.order_events import LinePrice
from app.domain.values import MAX_LINE_QUANTITY, MAX_SKU_LENGTH, Line


def line_problems(lines: tuple[Line, ...]) -> list[DomainError]:
    """Every fault of the lines at once (a shopper fixes the cart in one go): a SKU missing, too long or listed
    twice, a quantity out of range; each at its line."""
    problems: list[DomainError] = []
    seen: set[str] = set()
    for i, line in enumerate(lines):
        sku = ("lines", i, "sku")
        if not line.sku.strip():
            problems.append(InvalidInput("a SKU is required", field=sku))
        elif len(line.sku) > MAX_SKU_LENGTH:
            problems.append(InvalidInput(f"a SKU has at most {MAX_SKU_LENGTH} characters", field=sku))
        elif line.sku in seen:
            problems.append(Duplicate(f"{line.sku} appears twice; list it once with the total", field=sku))
        seen.add(line.sku)
        if not 0 < line.quantity <= MAX_LINE_QUANTITY:
            problems.append(
                InvalidQuantity(
                    f"quantity must be between 1 and {MAX_LINE_QUANTITY}, got {line.quantity}",
                    field=("lines", i, "quantity"),
                )
            )
    return problems


def check_prices(
    lines: tuple[Line, ...], prices: tuple[LinePrice, ...], problems: list[DomainError], currency: str | None = None
) -> tuple[LinePrice, ...]:
    """The prices at their currency's exponent; each problem (INVALID_AMOUNT, INVALID_CURRENCY, MIXED_CURRENCY:
    one currency per order, the first price's) joins `problems` at `lines.<i>.unitPrice.<part>`, `i` being
    the priced line's index. Unpriced lines are fine: the order then has no total for them."""
    index = {line.sku: i for i, line in enumerate(lines)}
    checked: list[LinePrice] = []
    # The order's currency: the one it already has (an edit), else the first price's (if it is one), whether or
    # not its amount is right.
    currency = currency or next((p.unit_price.currency for p in prices if known_currency(p.unit_price.currency)), None)
    for price in prices:
        i = index.get(price.sku)
        if i is None:
            problems.append(InvalidInput(f"a price for {price.sku}, which is not on the order", field=("lines",)))
            continue
        at = ("lines", i, "unitPrice")
        try:
            unit = valid_money(price.unit_price, at)
        except DomainError as refused:
            problems.append(refused)
            continue
        if unit.currency != currency:
            problems.append(MixedCurrency(f"the order is in {currency}, not {unit.currency}", field=(*at, "currency")))
            continue
        checked.append(LinePrice(sku=price.sku, unit_price=unit))
    return tuple(checked)
