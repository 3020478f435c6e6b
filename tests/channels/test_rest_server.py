"""The REST channel of credentials.yml (channels/rest_safe.py) in front of the trained bot
(harness.BotServer's agent and action server): the reply format is Rasa's, a red flag is
answered, malformed requests are refused before the bot and store nothing, and a failure inside
Rasa's message processing gets the failure reply with no text in the log.

Needs the trained model: runs only with RUN_CHANNEL_SERVER_TESTS=1 (`make channel-tests`), like
test_slack_server.py and test_telegram_server.py."""
import json
import logging
import os

import pytest
import yaml

from tests.channels.harness import ROOT
from tests.channels.rest_app import FAILURE_TEXT

pytestmark = pytest.mark.skipif(os.environ.get("RUN_CHANNEL_SERVER_TESTS") != "1",
                                reason="needs the trained model: RUN_CHANNEL_SERVER_TESTS=1 (make channel-tests)")

MARKER = "zqrestserver"
RED_FLAG = "my leg went numb and my speech is slurred"


def emergency_text():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    return domain["responses"]["utter_red_flag"][0]["text"]


def test_an_ordinary_message_gets_rasas_reply_format(rest):
    reply = rest.post({"sender": rest.id("rest-ordinary"), "message": "my left foot has been numb for a week"})
    assert reply.status_code == 200
    messages = reply.json()
    assert messages and all(m["recipient_id"] == rest.id("rest-ordinary") for m in messages)
    assert any(m.get("text") for m in messages)


def test_a_red_flag_is_answered(rest):
    reply = rest.post({"sender": rest.id("rest-red-flag"), "message": RED_FLAG})
    assert reply.status_code == 200 and emergency_text() in [m.get("text") for m in reply.json()]


@pytest.mark.parametrize("body", [
    [RED_FLAG],
    {"sender": "rest-bad-list", "message": [RED_FLAG]},
    {"sender": "rest-bad-missing"},
    {"sender": "rest-bad-null", "message": None},
    {"sender": "rest-bad-object", "message": {"text": RED_FLAG}},
    {"message": RED_FLAG},
], ids=["array", "message-list", "message-missing", "message-null", "message-object", "sender-missing"])
def test_a_malformed_request_is_refused_and_stores_nothing(rest, bot, body):
    reply = rest.post(body)
    assert reply.status_code == 400 and reply.json()["expected"] == {"sender": "...", "message": "..."}
    sender = body.get("sender", "default") if isinstance(body, dict) else "default"
    assert bot.user_texts(sender) == []


def test_a_failure_in_rasa_gets_the_failure_reply_and_no_text_in_the_log(rest, bot, monkeypatch, caplog, capsys):
    processor = bot.agent.processor
    original = processor.parse_message

    async def failing_parse(message, *args, **kwargs):
        if MARKER in (message.text or ""):
            raise RuntimeError(f"could not parse {message.text!r}")
        return await original(message, *args, **kwargs)

    monkeypatch.setattr(processor, "parse_message", failing_parse)
    caplog.set_level(logging.INFO)
    reply = rest.post({"sender": rest.id("rest-failure"), "message": f"my right leg is numb {MARKER}"})
    assert reply.status_code == 200
    assert reply.json()[-1] == {"recipient_id": rest.id("rest-failure"), "text": FAILURE_TEXT}
    assert any(r.levelno >= logging.ERROR and r.name == "channels.rest_safe" for r in caplog.records)
    logged = "\n".join(logging.Formatter("%(message)s").format(r) for r in caplog.records if r.levelno >= logging.INFO)
    captured = capsys.readouterr()
    assert MARKER not in logged and MARKER not in captured.out + captured.err
    monkeypatch.undo()
    after = rest.post({"sender": rest.id("rest-failure"), "message": "my right leg is numb"})
    assert after.status_code == 200 and after.json(), "the next message is handled as usual"


def test_stream_against_the_bot(rest):
    reply = rest.post({"sender": rest.id("rest-stream"), "message": "my left foot has been numb for a week"},
                      params={"stream": "true"})
    assert reply.status_code == 200
    lines = [json.loads(line) for line in reply.text.splitlines() if line.strip()]
    assert lines and all(m["recipient_id"] == rest.id("rest-stream") for m in lines)
