"""Outbound notification webhooks: the JSON body a receiver gets, its signature, and the POST.

The body is encoded once and those exact bytes are both signed and sent, so a receiver verifies
`X-Meridian-Signature: sha256=<hex HMAC-SHA256 of the raw body>` before parsing anything. Delivery is at least
once: a receiver de-duplicates by the body's `id`, which is the same on every attempt and every redelivery.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import httpx
import msgspec
from pydantic import SecretStr

from app.domain.notifications import Notification

SIGNATURE_HEADER = "X-Meridian-Signature"


@dataclass(frozen=True)
class NotifySettings:
    url: str
    secret: SecretStr  # unwrapped only to sign
    timeout_seconds: float = 10.0


class NotificationRefused(Exception):
    """The receiver did not accept the notification (a non-2xx answer or no answer): worth another try."""


class _Body(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    type: str
    occurred_at: str
    order_id: str
    shipment_id: str | None
    customer_id: str
    data: dict[str, str | None]


def body(notification: Notification) -> bytes:
    """`{id, type, occurredAt, orderId, shipmentId, customerId, data}` as JSON: the same bytes every attempt."""
    return msgspec.json.encode(
        _Body(
            id=notification.notification_id,
            type=notification.type.value,
            occurred_at=notification.occurred_at.isoformat(),
            order_id=notification.order_id,
            shipment_id=notification.shipment_id,
            customer_id=notification.customer_id,
            data=notification.data,
        )
    )


def signature(secret: SecretStr, raw: bytes) -> str:
    return "sha256=" + hmac.new(secret.get_secret_value().encode(), raw, hashlib.sha256).hexdigest()


async def post(settings: NotifySettings, notification: Notification) -> None:
    """POSTs the notification; raises NotificationRefused unless the receiver answers 2xx."""
    raw = body(notification)
    headers = {"content-type": "application/json", SIGNATURE_HEADER: signature(settings.secret, raw)}
    try:
        async with httpx.AsyncClient(timeout=settings.timeout_seconds) as client:
            response = await client.post(settings.url, content=raw, headers=headers)
    except httpx.HTTPError as unreachable:
        # The error's type only: its text may carry the URL, and the receiver's answer is not ours to log.
        raise NotificationRefused(f"no answer: {type(unreachable).__name__}") from None
    if not response.is_success:
        raise NotificationRefused(f"the receiver answered {response.status_code}")
