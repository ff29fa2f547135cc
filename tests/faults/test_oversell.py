"""The oversell attack: 64 customers race for 10 units spread over three locations."""

from __future__ import annotations

import asyncio

import asyncpg

from app.security import Role

from .checks import (
    INVENTORY,
    Outcomes,
    Placement,
    check_no_half_writes,
    check_sourced_exactly_once,
    check_stock,
    network,
    per_order,
    place,
    receive,
    replay_and_verify,
    settle,
)
from .conftest import Meridian

CUSTOMERS = 64
UNITS = {"NWK": 4, "CHI": 3, "ATL": 3}


async def test_sixty_four_customers_racing_for_ten_units_get_exactly_ten(meridian: Meridian, db: asyncpg.Pool) -> None:
    await meridian.start_api()
    # Two worker processes: the sourcing of the racing orders itself races, across processes.
    meridian.start_worker()
    meridian.start_worker()
    await network(meridian, *UNITS)
    for code, units in UNITS.items():
        await receive(meridian, code, "HOT", units)

    placements = [Placement(f"cust{i}", "one", sku="HOT") for i in range(CUSTOMERS)]
    tokens = [meridian.token(Role.CUSTOMER, customer_id=p.customer) for p in placements]
    outcomes = Outcomes()
    start = asyncio.Event()

    async def customer(p: Placement, token: str) -> None:
        await start.wait()
        await place(meridian, p, outcomes, token=token)

    racers = [asyncio.create_task(customer(p, t)) for p, t in zip(placements, tokens, strict=True)]
    await asyncio.sleep(0)  # every racer runs up to start.wait(): released together, whatever the machine
    start.set()
    await asyncio.gather(*racers)
    assert outcomes.acknowledged == {p.order_id for p in placements}, outcomes

    await settle(db)
    await check_no_half_writes(db)
    assert await check_sourced_exactly_once(db, CUSTOMERS) == sum(UNITS.values())
    assert len(await per_order(db, "OrderBackordered")) == CUSTOMERS - sum(UNITS.values())
    await check_stock(db)

    inventory = (await meridian.data(INVENTORY, {"sku": "HOT"}))["inventory"]
    assert (inventory["onHand"], inventory["reserved"], inventory["available"]) == (10, 10, 0)
    levels = {lv["location"]["code"]: (lv["onHand"], lv["reserved"]) for lv in inventory["levels"]}
    assert levels == {code: (units, units) for code, units in UNITS.items()}
    statuses = await db.fetch("SELECT status, count(*) AS n FROM readmodel.orders GROUP BY 1")
    assert {r["status"]: r["n"] for r in statuses} == {"ALLOCATED": 10, "BACKORDERED": 54}
    await meridian.stop_all()
    await replay_and_verify(meridian)
