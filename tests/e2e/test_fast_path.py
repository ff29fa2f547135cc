"""`MERIDIAN_FAST_PATH` over HTTP: placeOrder answers an order one location serves whole already allocated."""

from __future__ import annotations

import pytest

from .conftest import Api
from .test_order_journey import PLACE, network, order_of, receive


@pytest.fixture
def fast_path_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MERIDIAN_FAST_PATH", "true")  # read by the app's Settings, built by the `api` fixture


async def test_placeorder_answers_a_single_location_order_allocated(fast_path_on: None, api: Api) -> None:
    await network(api)
    await receive(api, "NWK", "TEE", 10)
    await receive(api, "CHI", "CAP", 10)
    whole = {"customerId": "c-1", "lines": [{"sku": "TEE", "quantity": 2}], "shipTo": {"postalCode": "10024"}}
    order = (await api.data(PLACE, {"input": whole}))["placeOrder"]["order"]
    assert order["status"] == "ALLOCATED" and order["lines"] == [
        {"sku": "TEE", "quantity": 2, "allocated": 2, "backordered": 0}
    ]
    decision = (await order_of(api, order["id"]))["sourcingDecision"]
    assert decision["algorithm"] == "exact-single-parcel"
    assert [c["location"]["code"] for c in decision["candidates"] if c["selected"]] == ["NWK"]
    # Two locations needed: placed only, sourced by the worker as before.
    split = {**whole, "lines": [{"sku": "TEE", "quantity": 1}, {"sku": "CAP", "quantity": 1}]}
    assert (await api.data(PLACE, {"input": split}))["placeOrder"]["order"]["status"] == "PLACED"
