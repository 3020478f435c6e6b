"""After any command or payload the bot answers, and listens again (issue 16, finding 1).

Rasa's RulePolicy predicts its fallback (here action_interview_turn) after an action no rule
continues, again and again up to its limit of ten actions; a conversation that never gets back to
`action_listen` then trips that limit on every later message, and says nothing more, red flags
included, until its session expires. Every command of tests/command_cases.py is sent here, at the
start of a conversation and after a description, then a red flag and then an ordinary message.
The same commands go through the channels in tests/channels/test_commands_rest_telegram.py and
tests/web/test_commands_socketio.py.
"""
import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from tests.command_cases import DESCRIPTION, RED_FLAG, commands, deep_payload, emergency_text, short

CONTEXTS = {"start": [], "after-description": [DESCRIPTION]}
COMMANDS = commands()


def texts(messages):
    return [m.get("text") or "" for m in messages]


def repeated(messages):
    said = [t for t in texts(messages) if t]
    return sorted({t for t in said if said.count(t) > 1})


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("command", COMMANDS, ids=[f"{i}:{short(c, 30)}" for i, c in enumerate(COMMANDS)])
async def test_a_command_is_answered_and_a_red_flag_after_it_is_an_emergency(agent, context, command):
    sender = f"command-{context}-{COMMANDS.index(command)}"
    for text in CONTEXTS[context]:
        assert await agent.handle_text(text, sender_id=sender), f"no reply to {text!r}"
    replies = await agent.handle_text(command, sender_id=sender)
    assert replies, f"no reply to {short(command)!r}"
    assert not repeated(replies), f"{short(command)!r} was answered in a loop: {len(replies)} messages"
    after = await agent.handle_text(RED_FLAG, sender_id=sender)
    assert emergency_text() in texts(after), f"after {short(command)!r} the red flag got {texts(after)}"
    assert await agent.handle_text("thanks", sender_id=sender), "no reply to the message after the red flag"


@pytest.mark.parametrize("command", ["/restart", "/back"])
async def test_restart_and_back_keep_a_red_flag_already_heard(agent, command):
    sender = f"kept-{command}"
    await agent.handle_text("my leg went numb and my speech is slurred", sender_id=sender)
    replies = await agent.handle_text(command, sender_id=sender)
    tracker = await agent.tracker_store.retrieve(sender)
    assert tracker.get_slot("red_flags") == ["slurred_speech"]
    assert tracker.get_slot("triage") == "emergency_ambulance"
    if command == "/restart":
        assert "911" in " ".join(texts(replies)), "starting over should remind the person of the emergency"


@pytest.mark.parametrize("text", [
    deep_payload() + " " + RED_FLAG,
    deep_payload(depth=900) + " " + RED_FLAG,
    f'/inform{{"side": "left"}} {RED_FLAG}',
    f'/inform{{"side": "left", "note": "{RED_FLAG}"}}',
    f"/inform{{broken {RED_FLAG}",
    f"/restart {RED_FLAG}",
    f"/@x {RED_FLAG}",
], ids=["deep", "deep-900", "after-payload", "inside-payload", "broken-json", "restart", "at-sign"])
async def test_a_red_flag_inside_a_command_is_an_emergency(agent, text):
    """Rasa's parser reads a "/intent{...}" text as the payload alone: the words after it, a red
    flag among them, were lost (issue 16, finding 8); a deep payload raised a RecursionError."""
    sender = f"inside-{abs(hash(text))}"
    replies = await agent.handle_text(text, sender_id=sender)
    assert emergency_text() in texts(replies), f"{short(text)!r} got {texts(replies)}"
    tracker = await agent.tracker_store.retrieve(sender)
    assert tracker.get_slot("red_flags"), "the red flag was answered but not kept"


@pytest.mark.parametrize("text", [deep_payload(), deep_payload(depth=900),
                                  '/inform{"side": "' + "x" * 20_000 + '"}'], ids=["deep", "deep-900", "long"])
async def test_a_deep_or_oversized_payload_gets_a_clear_reply(agent, text):
    sender = f"deep-{abs(hash(text))}"
    replies = texts(await agent.handle_text(text, sender_id=sender))
    assert any("command" in t for t in replies), replies
    assert not any("went wrong" in t or "having trouble" in t for t in replies), replies


async def test_a_conversation_that_stopped_listening_answers_again(agent):
    """A conversation stored by a model that looped (the ten actions of a tripped circuit breaker,
    no action_listen after them) answers its next message, a red flag first of all."""
    sender = "stopped-listening"
    tracker = await agent.processor.fetch_tracker_and_update_session(sender)
    tracker.update(UserUttered("/restart", {"name": "restart", "confidence": 1.0}))
    for _ in range(10):
        tracker.update(ActionExecuted("action_interview_turn"))
        tracker.update(BotUttered("I didn't understand that: it looks like a command, not an answer."))
    await agent.tracker_store.save(tracker)
    assert emergency_text() in texts(await agent.handle_text(RED_FLAG, sender_id=sender))
    assert await agent.handle_text("thanks", sender_id=sender)
