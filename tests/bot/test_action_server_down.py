"""With the action server down, an emergency is still answered and nothing goes silent."""
import socket

import pytest
from rasa.core.agent import load_agent
from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import EndpointConfig


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture(scope="module")
async def agent_without_actions(model_path):
    endpoints = AvailableEndpoints(action=EndpointConfig(url=f"http://127.0.0.1:{closed_port()}/webhook"))
    return await load_agent(model_path=model_path, endpoints=endpoints)


async def reply(agent, text, sender):
    return " ".join(m.get("text") or "" for m in await agent.handle_text(text, sender_id=sender))


async def test_a_red_flag_gets_the_emergency_response(agent_without_actions):
    text = await reply(agent_without_actions, "my leg went numb and my speech is slurred", "down-1")
    assert "911" in text and "emergency" in text.lower()


async def test_any_other_message_gets_a_clear_reply(agent_without_actions):
    text = await reply(agent_without_actions, "my left foot has been numb for a week", "down-2")
    assert "having trouble" in text and "911" in text


async def test_a_denied_red_flag_is_not_an_emergency_even_then(agent_without_actions):
    text = await reply(agent_without_actions, "my foot is numb but my speech is fine", "down-3")
    assert "medical emergency" not in text


async def test_a_slow_action_server_gets_the_same_clear_reply(model_path, monkeypatch):
    import asyncio

    async def never_answer(reader, writer):
        await asyncio.sleep(30)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "1")
    endpoints = AvailableEndpoints(action=EndpointConfig(url=f"http://127.0.0.1:{port}/webhook"))
    agent = await load_agent(model_path=model_path, endpoints=endpoints)
    try:
        text = await reply(agent, "my left foot has been numb for a week", "slow-1")
        assert "having trouble" in text
    finally:
        server.close()
