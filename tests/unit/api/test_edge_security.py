"""The pieces of the edge that need no server: token buckets, the token lifetime cap, secret files."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.api.limits import TokenBuckets
from app.security import InvalidToken, Role, issue_token, jwt_secret, read_token, webhook_secret
from app.settings import Settings

SECRET = "a-test-secret-of-at-least-thirty-two-bytes"


def test_a_bucket_allows_its_burst_then_its_rate_and_says_how_long_to_wait() -> None:
    now = [1000.0]
    buckets = TokenBuckets(rate=0.5, burst=2, clock=lambda: now[0])
    assert [buckets.take("a"), buckets.take("a")] == [0.0, 0.0]
    assert buckets.take("a") == pytest.approx(2.0)  # one token every 2 s
    assert buckets.take("b") == 0.0  # another address has its own bucket
    now[0] += 2.0
    assert buckets.take("a") == 0.0


def test_only_the_most_recent_addresses_are_remembered() -> None:
    buckets = TokenBuckets(rate=1, burst=1, clock=lambda: 0.0, max_keys=2)
    for key in ("a", "b", "c"):
        buckets.take(key)
    assert list(buckets.buckets) == ["b", "c"]


def test_a_token_issued_to_live_longer_than_the_cap_is_refused() -> None:
    now = time.time()
    long = issue_token(SECRET, Role.ADMIN, ttl_seconds=3601, now=now)
    with pytest.raises(InvalidToken, match="lifetime"):
        read_token(SECRET, long, max_lifetime=3600, now=now)
    assert read_token(SECRET, issue_token(SECRET, Role.ADMIN, ttl_seconds=3600), max_lifetime=3600).is_admin


def test_secrets_print_masked() -> None:
    settings = Settings(MERIDIAN_JWT_SECRET=SecretStr(SECRET), MERIDIAN_WEBHOOK_SECRET=SecretStr(SECRET))
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    assert SECRET not in repr(jwt_secret(settings)) and SECRET not in f"{webhook_secret(settings)}"


def test_development_secret_files_are_born_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the most permissive umask, and no chmod allowed afterwards, the files are still 0600 from the
    moment they exist (a file created, then chmod'ed, is readable by anyone in between)."""

    def no_chmod(*args: object, **kwargs: object) -> None:
        raise AssertionError("a secret file must be created private, not made private afterwards")

    monkeypatch.setattr(os, "chmod", no_chmod)
    monkeypatch.setattr(Path, "chmod", no_chmod)
    previous = os.umask(0)
    try:
        settings = Settings(MERIDIAN_DATA_DIR=tmp_path / "var", MERIDIAN_ENV="development")
        first = jwt_secret(settings)
        webhook_secret(settings)
    finally:
        os.umask(previous)
    for name in ("jwt-secret", "webhook-secret"):
        assert stat.S_IMODE((tmp_path / "var" / name).stat().st_mode) == 0o600
    assert sorted(p.name for p in (tmp_path / "var").iterdir()) == ["jwt-secret", "webhook-secret"]  # no leftovers
    assert jwt_secret(settings) == first  # kept: tokens signed before a restart stay valid
