"""With the log split into partitions, a mutation still answers with its own write (read-your-writes waits for
every partition's checkpoint), and /readyz and /metrics count the lag of each."""

from __future__ import annotations

import pytest

from projections import checkpoint_names

from .conftest import Api
from .test_order_journey import PLACE, network, receive
from .test_unreadable_event import readyz

PARTITIONS = 3


@pytest.fixture
def projection_partitions() -> int:
    return PARTITIONS


async def test_a_split_log_still_reads_its_own_writes(api: Api) -> None:
    await network(api)
    # Stock streams of several SKUs land in different partitions, each fed on its own checkpoint.
    for n, sku in enumerate(["TEE", "CAP", "MUG", "SOCK", "BAG", "HAT"], start=1):
        for quantity in (n, n + 1):
            answer = await receive(api, "NWK", sku, quantity)
            assert answer["userErrors"] == []
        assert answer["level"]["onHand"] == 2 * n + 1  # the answer reads the read model, after its own write
    placed = await api.gql(
        PLACE,
        {"input": {"customerId": "c-1", "lines": [{"sku": "MUG", "quantity": 2}], "shipTo": {"postalCode": "10024"}}},
    )
    assert placed["data"]["placeOrder"]["userErrors"] == [], placed
    [line] = placed["data"]["placeOrder"]["order"]["lines"]  # read from the orders model, after its own write
    assert (line["sku"], line["quantity"]) == ("MUG", 2)

    status, body = await readyz(api)
    assert status == 200
    assert set(body["projection_lag"]) == set(checkpoint_names(partitions=PARTITIONS))
    metrics = (await api.client.get(f"{api.url}/metrics")).text
    assert 'meridian_projection_lag_events{projection="projection:orders#2/3"}' in metrics
