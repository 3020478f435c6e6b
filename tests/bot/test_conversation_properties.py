"""Whatever a person sends, in any order, each message is answered and a red flag is an emergency.

Conversations are generated (hypothesis) from the commands of tests/command_cases.py, ordinary
descriptions and answers, arbitrary text, and red flags, alone or after a command, and played
against the trained bot with its action server (issue 16).
"""
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.command_cases import DESCRIPTION, RED_FLAG, commands, emergency_text, short

RED_FLAGS = [RED_FLAG, "my leg went numb and my speech is slurred"]
ORDINARY = [DESCRIPTION, "yes", "no", "not sure", "45, female", "left", "it came on suddenly", "about two weeks",
            "is leg numbness serious?", "start over", "hello", "thanks", "bye", "are you a bot?", "   "]
COMMANDS = commands()

red_flags = st.one_of(st.sampled_from(RED_FLAGS),
                      st.builds("{} {}".format, st.sampled_from(COMMANDS), st.sampled_from(RED_FLAGS)))
messages = st.one_of(st.sampled_from(COMMANDS).map(lambda text: (text, False)),
                     st.sampled_from(ORDINARY).map(lambda text: (text, False)),
                     st.text(max_size=40).map(lambda text: (text, False)),
                     red_flags.map(lambda text: (text, True)))


async def play(agent, conversation):
    sender = f"property-{uuid.uuid4().hex}"
    for text, is_red_flag in conversation:
        replies = [m.get("text") or "" for m in await agent.handle_text(text, sender_id=sender)]
        assert replies, f"no reply to {short(text)!r} in {[short(t) for t, _ in conversation]}"
        if is_red_flag:
            assert emergency_text() in replies, f"{short(text)!r} got {replies}"


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(conversation=st.lists(messages, min_size=1, max_size=6))
def test_every_message_is_answered_and_every_red_flag_is_an_emergency(agent, event_loop, conversation):
    event_loop.run_until_complete(play(agent, conversation))
