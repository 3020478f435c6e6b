"""Issue 16, finding 10 (Telegram): an update with the right secret but a malformed body is dropped
(200, so Telegram does not re-send it) or refused (400), never a 500, and the chat goes on.
Needs the trained model: RUN_CHANNEL_SERVER_TESTS=1 (`make channel-tests`)."""
import json
import logging
import os

import pytest

pytestmark = pytest.mark.skipif(os.environ.get("RUN_CHANNEL_SERVER_TESTS") != "1",
                                reason="needs the trained model: RUN_CHANNEL_SERVER_TESTS=1 (make channel-tests)")

MARKER = "zqtelegrambad"


@pytest.fixture
def chat(bot):
    from tests.channels.test_telegram_server import TelegramChat
    import requests

    session = requests.Session()
    session.trust_env = False
    yield TelegramChat(bot, session)
    session.close()


def malformed(chat):
    good = chat.message_update(f"my leg is numb {MARKER}")
    good["update_id"] += 10**9  # apart from the ids the chat's later updates take
    message = good["message"]
    return {
        "message is a string": {"update_id": good["update_id"] + 1, "message": MARKER},
        "message is a list": {"update_id": good["update_id"] + 2, "message": [MARKER]},
        "message without chat": {"update_id": good["update_id"] + 3,
                                 "message": {k: v for k, v in message.items() if k != "chat"}},
        "chat is null": {"update_id": good["update_id"] + 4, "message": {**message, "chat": None}},
        "chat id is text": {"update_id": good["update_id"] + 5, "message": {**message, "chat": {"id": MARKER}}},
        "text is a number": {"update_id": good["update_id"] + 6, "message": {**message, "text": 12345}},
        "update_id is a list": {**good, "update_id": [1, 2]},
        "callback_query is a string": {"update_id": good["update_id"] + 7, "callback_query": MARKER},
        "button data is an object": {**chat.click_update("/affirm"), "update_id": good["update_id"] + 8,
                                     "callback_query": {**chat.click_update("/affirm")["callback_query"],
                                                        "data": {"text": MARKER}}},
    }


def test_a_malformed_update_is_dropped_without_an_error_and_the_chat_goes_on(chat, caplog):
    caplog.set_level(logging.INFO)
    for name, body in malformed(chat).items():
        reply = chat.post(body)
        assert reply.status_code == 200, f"{name}: HTTP {reply.status_code}"
    assert chat.new_messages() == [], "a malformed update was answered as a message"
    for body in (json.dumps(json.dumps([1, 2])), "{not json"):
        reply = chat.http.post(chat.url, data=body, timeout=30, headers={
            "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": chat_secret()})
        assert reply.status_code == 400
    assert chat.says("my left foot has been numb for a week"), "the chat stopped answering"
    assert MARKER not in caplog.text, "the content of a malformed update was logged"
    assert "Traceback" not in caplog.text


def chat_secret():
    from tests.channels.harness import TELEGRAM_SECRET
    return TELEGRAM_SECRET
