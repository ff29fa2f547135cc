"""Global ids: `<Type>:<key>`, readable in GraphiQL and logs, resolvable by `node(id)`.

Inputs also accept the bare key (`o-123` for `Order:o-123`), so clients may pass back either.
"""

from __future__ import annotations

from .errors import ApiError


def global_id(type_name: str, key: str) -> str:
    return f"{type_name}:{key}"


def split_global_id(value: str) -> tuple[str, str]:
    type_name, sep, key = value.partition(":")
    if not sep or not key:
        raise ApiError(f"not a Meridian id: {value!r}", "INVALID_ID")
    return type_name, key


def key_of(value: str, type_name: str) -> str:
    """The key inside a global id of `type_name`, or the value itself when it carries no type prefix."""
    prefix = f"{type_name}:"
    return value[len(prefix) :] if value.startswith(prefix) else value


def shipment_key(order_id: str, shipment_id: str) -> str:
    return f"{order_id}/{shipment_id}"


def split_shipment_key(key: str) -> tuple[str, str] | None:
    order_id, sep, shipment_id = key.rpartition("/")
    return (order_id, shipment_id) if sep and order_id and shipment_id else None
