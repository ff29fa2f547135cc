"""Stream ids: `<category>-<rest>`; the category is the text before the first '-'."""

from __future__ import annotations


def location_stream(code: str) -> str:
    return f"location-{code}"


def stock_stream(sku: str, location_code: str) -> str:
    # Location codes never contain ':' (rejected at creation), so the first ':' splits location from SKU.
    return f"stock-{location_code}:{sku}"


def order_stream(order_id: str) -> str:
    return f"order-{order_id}"


def return_stream(return_id: str) -> str:
    return f"return-{return_id}"


def profile_stream(name: str) -> str:
    return f"profile-{name}"


def return_policy_stream(name: str = "default") -> str:
    return f"returnpolicy-{name}"


def substitutes_stream(sku: str) -> str:
    return f"substitutes-{sku}"


def notification_stream(notification_id: str) -> str:
    return f"notification-{notification_id}"


def cart_stream(cart_id: str) -> str:
    return f"cart-{cart_id}"


def stream_category(stream_id: str) -> str:
    return stream_id.split("-", 1)[0]


def parse_stock_stream(stream_id: str) -> tuple[str, str]:
    """`stock-DC1:SKU-42` → (`SKU-42`, `DC1`): the SKU and the location code."""
    category, _, rest = stream_id.partition("-")
    location_code, sep, sku = rest.partition(":")
    if category != "stock" or not sep:
        raise ValueError(f"not a stock stream id: {stream_id!r}")
    return sku, location_code
