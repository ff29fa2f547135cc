import asyncio
import socket
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
import uvicorn

from tests.integration.carriers.fake_dhl import FakeDhl


@pytest.fixture(scope="session")
def fake_dhl_state() -> FakeDhl:
    return FakeDhl()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def fake_dhl_url(fake_dhl_state: FakeDhl) -> AsyncIterator[str]:
    """Serve the fake DHL on an ephemeral loopback port for the whole session."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(fake_dhl_state.app(), log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    if not server.started:
        task.cancel()
        raise RuntimeError("fake DHL server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture
def fake_dhl(fake_dhl_state: FakeDhl) -> Iterator[FakeDhl]:
    fake_dhl_state.reset()
    yield fake_dhl_state
    fake_dhl_state.reset()
