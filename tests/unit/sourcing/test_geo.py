from __future__ import annotations

import pytest

from app.sourcing import UnknownPostalCode, resolve_postal_code


def test_a_us_zip_resolves_offline() -> None:
    nyc = resolve_postal_code("10001")
    assert nyc.latitude == pytest.approx(40.75, abs=0.01)
    assert nyc.longitude == pytest.approx(-74.0, abs=0.01)
    assert resolve_postal_code(" 10001-1234 ") == nyc


@pytest.mark.parametrize(("code", "country"), [("99999", "US"), ("1000", "US"), ("ABCDE", "US"), ("10001", "FR")])
def test_unknown_postal_codes_are_a_clear_error(code: str, country: str) -> None:
    with pytest.raises(UnknownPostalCode, match=r"unknown US postal code") as raised:
        resolve_postal_code(code, country)
    assert raised.value.postal_code == code
