"""Tests that run the trained bot in-process (make test trains it first)."""
import pytest

from tooling.bot import MODEL


@pytest.fixture(scope="session")
def model_path():
    assert MODEL.exists(), f"no trained model at {MODEL}: run `make train` (make test does)"
    return str(MODEL)


@pytest.fixture(scope="session")
def event_loop():
    """One loop for the session: the loaded agent keeps its HTTP sessions across tests."""
    import asyncio

    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def action_server():
    """The action server (`rasa run actions`) on a free port, for the session; its webhook URL."""
    from tooling.bot import action_server_command
    from tooling.processes import free_port, spawn, stop_processes, wait_for

    port = free_port()
    process = spawn(action_server_command(port), None)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", 120, process)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        stop_processes([process], group=True)


@pytest.fixture(scope="session")
async def agent(model_path, action_server):
    """The trained bot with its action server, as `make run` has it (an in-memory tracker store)."""
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    return await load_agent(model_path=model_path,
                            endpoints=AvailableEndpoints(action=EndpointConfig(url=action_server)))
