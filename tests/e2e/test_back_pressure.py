"""Back-pressure (issue 19): while the system cannot keep up, placeOrder is refused at once with HTTP 503,
`Retry-After` and the userError OVERLOADED, and nothing is appended; once the pressure is lifted, the same order
is accepted and allocated. Each test holds one measured figure over its limit by holding back what drains it:
the projections and the dispatcher (log lag), the workers (queued jobs), or a request waiting for the
projections (in-flight requests). No test waits for a time to pass; each waits for what it observes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dramatiq
import httpx
import pytest
import uvicorn
from dramatiq.brokers.redis import RedisBroker
from pydantic import SecretStr

from app.api.app import create_app
from app.domain import ALL_EVENTS, locations, stock
from app.domain.values import Coordinates, LocationType
from app.handlers import Context, Handlers
from app.security import Role, issue_token
from app.settings import Settings
from eventstore import EventCodec, EventStore, Listener, Metadata, Position
from projections.runner import ProjectionRunner
from projections.schema import create_readmodel_pool
from workers import runtime
from workers.dispatcher import dispatcher, run_dispatcher

from .conftest import SECRET, WEBHOOK_SECRET, eventually, free_port

PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { id status } userErrors { field message code } } }"""
ORDER = "query($id: ID!) { order(id: $id) { id status } }"
LOCATIONS = "{ locations { code } }"
# Every check but the one a test drives is off (0), so that only its figure decides.
OFF = {
    "MERIDIAN_OVERLOAD_MAX_LAG_EVENTS": 0,
    "MERIDIAN_OVERLOAD_MAX_QUEUED_JOBS": 0,
    "MERIDIAN_OVERLOAD_MAX_IN_FLIGHT": 0,
    "MERIDIAN_OVERLOAD_MAX_WRITE_AGE_MS": 0,
}


def order_input(key: str) -> dict[str, Any]:
    return {
        "input": {
            "customerId": "c-1",
            "idempotencyKey": key,
            "lines": [{"sku": "TEE", "quantity": 1}],
            "shipTo": {"postalCode": "10024"},
        }
    }


@dataclass
class BackOffice:
    """The readers of the log and the workers, each started when the test lifts the pressure it held."""

    database_url: str
    broker: RedisBroker
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    closing: list[Any] = field(default_factory=list)

    async def projections(self) -> None:
        pool = await create_readmodel_pool(self.database_url, min_size=1, max_size=2)
        listener = Listener(self.database_url)
        await listener.start()
        self.closing += [listener.close, pool.close]
        self.tasks.append(
            asyncio.create_task(ProjectionRunner(pool, listener=listener, poll_interval=0.1).run(self.stop))
        )

    async def dispatcher(self) -> None:
        pool = await create_readmodel_pool(self.database_url, min_size=1, max_size=2)
        listener = Listener(self.database_url)
        await listener.start()
        self.closing += [listener.close, pool.close]
        follower = dispatcher(EventStore(pool), EventCodec(ALL_EVENTS), self.broker, listener=listener)
        self.tasks.append(asyncio.create_task(run_dispatcher(follower, self.stop)))

    def worker(self) -> None:
        runtime.configure(self.database_url)
        worker = dramatiq.Worker(self.broker, worker_threads=2, worker_timeout=100)
        worker.start()
        self.closing.append(worker.stop)

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks)
        for close in reversed(self.closing):
            done = close()
            if asyncio.iscoroutine(done):
                await done


@dataclass
class Client:
    url: str
    http: httpx.AsyncClient
    store: EventStore

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {issue_token(SECRET, Role.ADMIN)}"}
        return await self.http.post(f"{self.url}/graphql", json={"query": query, "variables": variables or {}},
                                    headers=headers)  # fmt: skip

    async def place(self, key: str) -> httpx.Response:
        return await self.post(PLACE, order_input(key))

    async def head(self) -> Position | None:
        return await self.store.head()


async def seed(store: EventStore) -> None:
    """A distribution center near New York with 100 TEEs, written through the handlers (no API, no reader)."""
    handlers, meta = Handlers(Context(store, EventCodec(ALL_EVENTS))), Metadata(actor="seed")
    create = locations.CreateLocation(
        code="NWK", name="Newark", type=LocationType.DISTRIBUTION_CENTER, coordinates=Coordinates(40.73, -74.17)
    )
    await handlers.handle(create, meta)
    await handlers.handle(stock.ReceiveStock(sku="TEE", location_code="NWK", quantity=100), meta)


@contextlib.asynccontextmanager
async def meridian(
    database_url: str, redis_url: str, broker: RedisBroker, tmp_path: Path, **limits: Any
) -> AsyncIterator[tuple[Client, BackOffice]]:
    """The network seeded, then the API with `limits` (sampled every 20 ms); the back office not started."""
    pool = await create_readmodel_pool(database_url, min_size=1, max_size=4)
    store = EventStore(pool)
    await seed(store)
    settings = Settings(
        MERIDIAN_JWT_SECRET=SecretStr(SECRET),
        MERIDIAN_WEBHOOK_SECRET=SecretStr(WEBHOOK_SECRET),
        MERIDIAN_DATA_DIR=tmp_path,
        MERIDIAN_BROKER_NAMESPACE=broker.namespace,
        MERIDIAN_READ_YOUR_WRITES_SECONDS=120,
        MERIDIAN_OVERLOAD_SAMPLE_MS=20,
        MERIDIAN_OVERLOAD_RETRY_AFTER_SECONDS=2,
        **{**OFF, **limits},
    )
    port = free_port()
    app = create_app(settings, database_url, redis_url=redis_url)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    office = BackOffice(database_url, broker)
    try:
        async with httpx.AsyncClient(timeout=120) as http:
            yield Client(f"http://127.0.0.1:{port}", http, store), office
    finally:
        await office.close()
        server.should_exit = True
        await serving
        await pool.close()


def assert_overloaded(response: httpx.Response) -> None:
    """Refused as the issue asks: 503, when to retry, and the payload's userError saying it is retryable."""
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "2"
    body = response.json()
    assert "errors" not in body, body  # the operation ran: its payload says why nothing was placed
    payload = body["data"]["placeOrder"]
    assert payload["order"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["OVERLOADED"], payload


def assert_accepted(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["data"]["placeOrder"]
    assert payload["userErrors"] == [] and payload["order"] is not None, payload
    return payload["order"]  # type: ignore[no-any-return]


async def accepted_once_admitted(client: Client, key: str) -> dict[str, Any]:
    """Places the order again (the same idempotency key: never twice) until it is admitted."""
    answers: list[httpx.Response] = []

    async def admitted() -> bool:
        answers.append(await client.place(key))
        return answers[-1].status_code != 503

    await eventually(admitted, timeout=60)
    return assert_accepted(answers[-1])


async def allocated(client: Client, order_id: str) -> None:
    async def done() -> bool:
        body = (await client.post(ORDER, {"id": order_id})).json()
        return bool(body["data"]["order"]["status"] == "ALLOCATED")

    await eventually(done, timeout=60)


async def test_an_order_is_refused_while_the_readers_lag_and_accepted_once_they_catch_up(
    database_url: str, redis_url: str, broker: RedisBroker, tmp_path: Path
) -> None:
    # The seed's events are more than 1 ahead of projections and a dispatcher that never ran.
    async with meridian(database_url, redis_url, broker, tmp_path, MERIDIAN_OVERLOAD_MAX_LAG_EVENTS=1) as (
        client,
        office,
    ):
        head = await client.head()
        refused = await client.place("lagging")
        assert_overloaded(refused)
        # The same operation again is answered as it was, without running it (admission_gate.py).
        repeated = await client.place("lagging-again")
        assert_overloaded(repeated)
        assert repeated.content == refused.content
        assert await client.head() == head  # nothing appended
        # Reads are never refused.
        assert (await client.post(LOCATIONS)).status_code == 200
        metrics = (await client.http.get(f"{client.url}/metrics")).text
        assert 'meridian_admission_refused_total{reason="lag"} 1.0' in metrics
        assert 'meridian_admission_refused_total{reason="repeat"} 1.0' in metrics

        await office.projections()
        await office.dispatcher()
        office.worker()
        order = await accepted_once_admitted(client, "lagging")
        await allocated(client, order["id"])


async def test_an_order_is_refused_while_jobs_pile_up_and_accepted_once_workers_drain_them(
    database_url: str, redis_url: str, broker: RedisBroker, tmp_path: Path
) -> None:
    async with meridian(database_url, redis_url, broker, tmp_path, MERIDIAN_OVERLOAD_MAX_QUEUED_JOBS=2) as (
        client,
        office,
    ):
        await office.projections()
        await office.dispatcher()  # ...and no worker: every order's sourcing job waits in the queue
        placed: list[str] = []
        refused: httpx.Response | None = None
        for n in range(50):  # orders are accepted until the sample shows more than 2 jobs waiting
            head = await client.head()
            answer = await client.place(f"order-{n}")
            if answer.status_code == 503:
                refused = answer
                assert await client.head() == head  # nothing appended
                break
            placed.append(assert_accepted(answer)["id"])
        assert refused is not None, "never refused"
        assert_overloaded(refused)

        office.worker()
        order = await accepted_once_admitted(client, f"order-{len(placed)}")
        for order_id in [*placed, order["id"]]:  # every acknowledged order is allocated
            await allocated(client, order_id)


@pytest.mark.parametrize(
    ("limit", "held"),
    [({"MERIDIAN_OVERLOAD_MAX_IN_FLIGHT": 1}, 1), ({"MERIDIAN_OVERLOAD_MAX_WRITE_AGE_MS": 1}, 2)],
    ids=["in_flight", "write_age"],
)
async def test_an_order_is_refused_while_orders_admitted_before_it_are_still_in_flight(
    database_url: str, redis_url: str, broker: RedisBroker, tmp_path: Path, limit: dict[str, int], held: int
) -> None:
    async with meridian(database_url, redis_url, broker, tmp_path, **limit) as (client, office):
        # With the back office held back, an order is appended and then waits for the projections
        # (read-your-writes): it is in flight until they run.
        first: list[asyncio.Task[httpx.Response]] = []
        for n in range(held):
            head = await client.head()
            first.append(asyncio.create_task(client.place(f"first-{n}")))

            async def appended(before: Position | None = head) -> bool:
                return await client.head() != before

            await eventually(appended)
        await asyncio.sleep(0.01)  # those orders have been in flight for longer than 1 ms, whatever the machine
        head = await client.head()
        assert_overloaded(await client.place("next"))
        assert await client.head() == head  # nothing appended
        assert not any(task.done() for task in first)

        await office.projections()
        await office.dispatcher()
        office.worker()
        orders = [assert_accepted(await task) for task in first]
        again = await accepted_once_admitted(client, "next")  # nothing in flight before it any more
        for order in [*orders, again]:
            await allocated(client, order["id"])
