"""Bearer tokens: verified once, but expiry is checked on every use."""

from __future__ import annotations

import pytest

from app.security import InvalidToken, Role, issue_token, read_token

SECRET = "a-test-secret-of-at-least-thirty-two-bytes"


def test_a_token_read_once_still_expires_on_time() -> None:
    token = issue_token(SECRET, Role.CUSTOMER, customer_id="c-7", ttl_seconds=60, now=1_000_000)
    assert read_token(SECRET, token, now=1_000_030).customer_id == "c-7"
    assert read_token(SECRET, token, now=1_000_059).role is Role.CUSTOMER  # the cached verdict
    with pytest.raises(InvalidToken, match="expired"):
        read_token(SECRET, token, now=1_000_060)


def test_a_token_signed_with_another_secret_is_refused_every_time() -> None:
    token = issue_token("another-secret-of-at-least-thirty-two-bytes", Role.ADMIN, ttl_seconds=60)
    for _ in range(2):
        with pytest.raises(InvalidToken, match="invalid"):
            read_token(SECRET, token)
