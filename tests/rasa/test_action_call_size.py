"""Issue 16, finding 6: the tracker Rasa sends to the action server stays under the action server's
1 MB request limit (SANIC_REQUEST_MAX_SIZE) whatever was said before, and the actions still read
what they need of a huge message (nlu_components/action_fallback.py)."""
import json
from pathlib import Path

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import nlu_components.action_fallback  # noqa: F401 - installs the trimming, as the NLU pipeline does
from actions.interview_actions import ActionInterviewTurn

ROOT = Path(__file__).resolve().parents[2]
ACTION_SERVER_LIMIT = 1_000_000  # the Makefile's SANIC_REQUEST_MAX_SIZE, for both servers
DESCRIPTION = "my left leg has been numb and tingly for a while and it gets worse when I walk far "


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


def conversation(domain, messages):
    tracker = DialogueStateTracker("big-talker", domain.slots)
    for event in (ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)):
        tracker.update(event)
    for text in messages:
        intent = {"name": "describe_symptoms", "confidence": 0.9}
        tracker.update(UserUttered(text, intent, [], parse_data={"text": text, "intent": intent, "entities": []}))
        tracker.update(ActionExecuted("action_interview_turn"))
        tracker.update(BotUttered("How old are you?"))
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    tracker.events.pop()  # the latest message is being answered
    tracker.events.pop()
    tracker.events.pop()
    return tracker


def request_body(domain, tracker):
    action = RemoteAction("action_interview_turn", EndpointConfig("http://127.0.0.1:1/webhook"))
    return action._action_call_format(tracker, domain)


@pytest.mark.parametrize("huge", [(DESCRIPTION * 8000)[:600_000], "🦵" * 150_000], ids=["600 KB ASCII", "600 KB emoji"])
def test_a_600_kb_message_and_every_turn_after_it_fit_the_action_servers_limit(domain, huge):
    for later in range(4):  # the message itself, then the turns after it
        tracker = conversation(domain, ["my foot is numb", huge] + ["it's my left leg"] * later)
        body = request_body(domain, tracker)
        assert len(json.dumps(body)) < ACTION_SERVER_LIMIT, f"turn {later} after the huge message: over 1 MB"


def test_fifty_long_messages_in_emoji_still_fit(domain):
    tracker = conversation(domain, ["🦵" * 5000] * 50 + ["it's my left leg"])
    assert len(json.dumps(request_body(domain, tracker))) < ACTION_SERVER_LIMIT


async def test_the_interview_still_says_it_read_only_the_start_of_a_huge_message(domain):
    huge = (DESCRIPTION * 8000)[:600_000]
    body = request_body(domain, conversation(domain, [huge]))
    latest = body["tracker"]["latest_message"]
    assert latest["text"][:5000] == huge[:5000]
    tracker = Tracker.from_dict(json.loads(json.dumps(body["tracker"])))
    dispatcher = CollectingDispatcher()
    await ActionInterviewTurn().run(dispatcher, tracker, {})
    texts = " ".join(m["text"] or "" for m in dispatcher.messages)
    assert "very long" in texts and "first 5,000" in texts
    assert "100,000" in texts, "the person is not told that past 100,000 characters nothing was checked"


def test_an_ordinary_turn_is_sent_as_rasa_sends_it(domain):
    tracker = conversation(domain, ["my foot is numb", "it's my left leg"])
    body = request_body(domain, tracker)
    assert body["tracker"]["latest_message"]["text"] == "it's my left leg"
    assert [e.get("text") for e in body["tracker"]["events"] if e["event"] == "user"] == \
        ["my foot is numb", "it's my left leg"]
