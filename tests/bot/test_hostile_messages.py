"""Issue 16, finding 3, with the trained bot: a message the extractor has no time to read is still
checked for red flags and answered (the time budget set to nothing, so every part of it is only
scanned), and a message of commas does not hold the bot."""
import socket

import pytest
from rasa.core.agent import load_agent
from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import EndpointConfig

EMERGENCY = "can be a medical emergency"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
async def agent_out_of_time(model_path):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EXTRACTION_BUDGET_SECONDS", "0")
        endpoints = AvailableEndpoints(action=EndpointConfig(url=f"http://127.0.0.1:{closed_port()}/webhook"))
        return await load_agent(model_path=model_path, endpoints=endpoints)


async def reply(agent, text, sender):
    return " ".join(m.get("text") or "" for m in await agent.handle_text(text, sender_id=sender))


def commas_and_words(size):
    return ("numb, ,, speech , , leg,,, face, , not, , " * (size // 40 + 1))[:size]


async def test_out_of_time_a_red_flag_at_the_end_of_a_long_message_is_an_emergency(agent_out_of_time):
    said = await reply(agent_out_of_time, commas_and_words(60_000) + " AND I CAN’T BREAAATHE", "hostile-1")
    assert EMERGENCY in said


async def test_out_of_time_a_denied_red_flag_is_no_emergency(agent_out_of_time):
    said = await reply(agent_out_of_time, "my left leg is numb. MY SPEECH IS FINE", "hostile-2")
    assert said and EMERGENCY not in said


async def test_out_of_time_a_red_flag_in_capitals_is_an_emergency(agent_out_of_time):
    said = await reply(agent_out_of_time, "I DON'T KNOW WHERE I AM AND MY LEG IS NUMB", "hostile-3")
    assert EMERGENCY in said
