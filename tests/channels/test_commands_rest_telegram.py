"""Through the REST channel and Telegram, every command is answered and a red flag after it is an
emergency (issue 16: /restart silenced the bot for good, red flags included).

Each command of tests/command_cases.py goes to a conversation of its own after a description,
then a red flag, then "thanks". The bot is harness.BotServer's (the trained model and its action
server); REST is the shipped channel of credentials.yml, Telegram the shipped secure channel against
the fake Bot API, where /restart is sent as Rasa's Telegram channel sends it (then /greet).

Needs the trained model: runs only with RUN_CHANNEL_SERVER_TESTS=1 (`make channel-tests`).
"""
import itertools
import json
import os
import time

import pytest

from channels.telegram_secure import SECRET_HEADER
from tests.channels.harness import TELEGRAM_SECRET
from tests.command_cases import DESCRIPTION, RED_FLAG, commands, emergency_text, short

pytestmark = pytest.mark.skipif(os.environ.get("RUN_CHANNEL_SERVER_TESTS") != "1",
                                reason="needs the trained model: RUN_CHANNEL_SERVER_TESTS=1 (make channel-tests)")

COMMANDS = commands()
IDS = [f"{i}:{short(c, 30)}" for i, c in enumerate(COMMANDS)]
_chat_ids = itertools.count(int(time.time()) % 100_000 * 1000 + 500_000)


def rest_says(rest, sender, text):
    reply = rest.post({"sender": sender, "message": text})
    assert reply.status_code == 200, f"{short(text)!r}: {reply.status_code} {reply.text[:300]}"
    return [m.get("text") or "" for m in reply.json()]


def telegram_says(bot, http, chat_id, text):
    """Posts a message update from `chat_id`; the texts the bot sent back to that chat."""
    before = len(bot.telegram.messages(chat_id))
    chat = {"id": chat_id, "type": "private", "first_name": "Pat"}
    update = {"update_id": next(_chat_ids), "message": {
        "message_id": next(_chat_ids), "date": int(time.time()), "chat": chat,
        "from": {"id": chat_id, "is_bot": False, "first_name": "Pat"}, "text": text}}
    response = http.post(bot.url + "/webhooks/telegram/webhook", data=json.dumps(update), timeout=60,
                         headers={"Content-Type": "application/json", SECRET_HEADER: TELEGRAM_SECRET})
    assert response.status_code == 200, f"{short(text)!r}: {response.status_code} {response.text[:300]}"
    return [m.get("text") or "" for m in bot.telegram.messages(chat_id)[before:]]


def converse(says, command):
    assert says(DESCRIPTION), "no reply to the description"
    replies = says(command)
    assert replies, f"no reply to {short(command)!r}"
    after = says(RED_FLAG)
    assert emergency_text() in after, f"after {short(command)!r} the red flag got {after}"
    assert says("thanks"), "no reply to the message after the red flag"


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_rest_answers_a_command_and_a_red_flag_after_it(rest, command):
    sender = rest.id(f"rest-command-{COMMANDS.index(command)}")
    converse(lambda text: rest_says(rest, sender, text), command)


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_telegram_answers_a_command_and_a_red_flag_after_it(bot, http, command):
    chat_id = next(_chat_ids)
    converse(lambda text: telegram_says(bot, http, chat_id, text), command)
