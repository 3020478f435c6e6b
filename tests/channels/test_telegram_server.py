"""Telegram: updates posted to /webhooks/telegram/webhook of the running bot (harness.BotServer),
with and without the webhook's secret token; the bot's answers and its setWebhook / getMe calls
are what reaches the fake Bot API on loopback."""
import itertools
import json
import time

import pytest

from channels.telegram_secure import SECRET_HEADER
from tests.channels.harness import TELEGRAM_BOT_NAME, TELEGRAM_SECRET, TELEGRAM_TOKEN

_ids = itertools.count(int(time.time()) % 100_000 * 1000)


class TelegramChat:
    """One private chat with the bot."""

    def __init__(self, bot, http):
        self.bot, self.http = bot, http
        self.id = next(_ids)
        self.seen = 0

    @property
    def url(self):
        return self.bot.url + "/webhooks/telegram/webhook"

    def user(self):
        return {"id": self.id, "is_bot": False, "first_name": "Pat"}

    def chat(self):
        return {"id": self.id, "type": "private", "first_name": "Pat"}

    def message_update(self, text):
        return {"update_id": next(_ids), "message": {"message_id": next(_ids), "date": int(time.time()),
                                                     "chat": self.chat(), "from": self.user(), "text": text}}

    def click_update(self, data):
        return {"update_id": next(_ids), "callback_query": {
            "id": str(next(_ids)), "from": self.user(), "chat_instance": "ci", "data": data,
            "message": {"message_id": next(_ids), "date": int(time.time()), "chat": self.chat(), "text": "?"}}}

    def post(self, update, secret=TELEGRAM_SECRET):
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        return self.http.post(self.url, data=json.dumps(update), headers=headers, timeout=60)

    def send(self, update):
        response = self.post(update)
        assert response.status_code == 200, response.text
        return self.new_messages()

    def says(self, text):
        return self.send(self.message_update(text))

    def clicks(self, data):
        return self.send(self.click_update(data))

    def new_messages(self):
        messages = self.bot.telegram.messages(self.id)
        new, self.seen = messages[self.seen:], len(messages)
        return new

    def history(self):
        return self.bot.user_texts(str(self.id))


def keyboard_of(message):
    if not message.get("reply_markup"):
        return []
    return json.loads(message["reply_markup"])["inline_keyboard"]


def buttons_of(message):
    return {key["text"]: key["callback_data"] for row in keyboard_of(message) for key in row}


def card_of(messages):
    return next((m for m in messages if m.get("parse_mode") == "HTML"), None)


def next_answer(message):
    buttons = buttons_of(message)
    for title in ("No", "Gradually", "Left leg"):
        if title in buttons:
            return "click", buttons[title]
    text = message.get("text", "").lower()
    if "how old" in text:
        return "say", "45, female"
    if "how long" in text:
        return "say", "about two weeks"
    return "say", "no"


def test_the_webhook_is_set_with_the_secret_token_at_start(bot):
    assert bot.telegram.called("getMe")
    webhook = bot.telegram.called("setWebhook")[0]
    assert webhook["url"] == "https://bot.example.org/webhooks/telegram/webhook"
    assert webhook["secret_token"] == TELEGRAM_SECRET
    assert json.loads(webhook["allowed_updates"]) == ["message", "edited_message", "callback_query"]
    assert all(c["token"] == TELEGRAM_TOKEN for c in bot.telegram.calls)
    # the token's bot name was checked (getMe) before the webhook was set
    methods = [c["method"] for c in bot.telegram.calls]
    assert methods.index("getMe") < methods.index("setWebhook")


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", TELEGRAM_SECRET + "x", TELEGRAM_SECRET[:-1]])
def test_an_update_without_the_right_secret_is_refused_and_not_answered(bot, http, secret):
    chat = TelegramChat(bot, http)
    response = chat.post(chat.message_update("my leg is numb"), secret=secret)
    assert response.status_code == 403
    assert chat.history() == [] and chat.new_messages() == []


def test_set_webhook_route_needs_the_secret_too(bot, http):
    url = bot.url + "/webhooks/telegram/set_webhook"
    assert http.post(url, timeout=30).status_code == 403
    before = len(bot.telegram.called("setWebhook"))
    response = http.post(url, headers={SECRET_HEADER: TELEGRAM_SECRET}, timeout=30)
    assert response.status_code == 200 and response.text == "Webhook setup successful"
    assert len(bot.telegram.called("setWebhook")) == before + 1


def test_start_is_a_greeting_with_the_disclaimer(bot, http):
    chat = TelegramChat(bot, http)
    messages = chat.says("/start")
    text = "\n".join(m["text"] for m in messages)
    assert "not a doctor" in text and "911" in text
    assert chat.history() == ["/greet"]


def test_questions_come_as_an_inline_keyboard_clicks_answer_and_the_assessment_is_a_card(bot, http):
    chat = TelegramChat(bot, http)
    chat.says("/start")
    messages = chat.says("my left foot has been numb and tingling for two weeks")
    saw_yes_no = False
    for _ in range(20):
        if card_of(messages):
            break
        last = messages[-1]
        buttons = buttons_of(last)
        for value in buttons.values():
            assert len(value.encode("utf-8")) <= 64
        if set(buttons.values()) == {"/affirm", "/deny", "/unsure"}:
            saw_yes_no = True
            assert len(keyboard_of(last)) == 1  # Yes / No / Not sure on one row
        kind, answer = next_answer(last)
        before = len(bot.telegram.called("answerCallbackQuery"))
        messages = chat.clicks(answer) if kind == "click" else chat.says(answer)
        if kind == "click":
            assert len(bot.telegram.called("answerCallbackQuery")) == before + 1
    assert saw_yes_no, "no yes/no question came with an inline keyboard"
    assert "/deny" in chat.history()
    card = card_of(messages)
    assert card, f"no assessment card; last messages: {messages}"
    assert card["text"].startswith("<b>Your assessment</b>") or card["text"].startswith("<b>⚠️")
    assert "<b>What to do:" in card["text"] and "<b>1. " in card["text"] and "Fits:" in card["text"]
    assert "not a diagnosis" in card["text"]
    # the card replaces it
    assert not any(m["text"].startswith(("Here is what the answers", "None of the causes I know")) for m in messages)
    assert set(buttons_of(messages[-1]).values()) == {"/affirm", "/deny"}  # "Was this helpful?"


def test_an_escalation_is_a_warning_card(bot, http):
    chat = TelegramChat(bot, http)
    messages = chat.says("my leg went numb and my speech is slurred")
    assert any("Call 911 now" in m["text"] for m in messages)
    card = card_of(messages)
    assert card, messages
    assert card["text"].startswith("<b>⚠️ This may be a medical emergency</b>")
    assert "slurred speech" in card["text"] and "911" in card["text"]


def test_the_same_update_delivered_twice_is_answered_once(bot, http):
    chat = TelegramChat(bot, http)
    update = chat.message_update("hello")
    assert chat.send(update)
    assert chat.send(update) == []
    assert chat.history() == ["hello"]


def test_an_update_without_a_message_is_acknowledged_and_ignored(bot, http):
    chat = TelegramChat(bot, http)
    update = {"update_id": next(_ids), "my_chat_member": {
        "chat": chat.chat(), "from": chat.user(), "date": int(time.time()),
        "old_chat_member": {"user": chat.user(), "status": "member"},
        "new_chat_member": {"user": chat.user(), "status": "kicked", "until_date": 0}}}
    assert chat.send(update) == []
    assert chat.history() == []


def test_nothing_went_to_the_internet(bot, no_internet):
    assert no_internet.attempts == []
    assert bot.telegram.called("setWebhook")
    # getMe once per webhook registration (Rasa called it on every update)
    assert len(bot.telegram.called("getMe")) == len(bot.telegram.called("setWebhook"))
    telegram = bot.channel("telegram")
    assert telegram.get_output_channel().server.base.startswith(bot.telegram.url)
    assert TELEGRAM_BOT_NAME == bot.telegram.bot_name
