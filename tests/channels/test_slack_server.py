"""Slack: signed events posted to /webhooks/slack/webhook of the running bot (harness.BotServer);
the bot's answers are what it posts to the fake Slack Web API on loopback."""
import json
import time
import uuid
from urllib.parse import urlencode

import pytest

from tests.channels.harness import slack_headers
from tooling.processes import wait_until

QUESTION_BUTTONS = {"/affirm", "/deny", "/unsure"}


def new_id(prefix="Ev"):
    return f"{prefix}{uuid.uuid4().hex[:12].upper()}"


class SlackUser:
    """One person writing to the bot in a direct message."""

    def __init__(self, bot, http):
        self.bot, self.http = bot, http
        self.id, self.channel = new_id("U"), new_id("D")
        self.seen = 0

    @property
    def url(self):
        return self.bot.url + "/webhooks/slack/webhook"

    def event_body(self, text, event_id=None, **event):
        return {"token": "legacy", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
                "event_id": event_id or new_id(), "event_time": int(time.time()),
                "authorizations": [{"user_id": "UBOT"}],
                "event": {"type": "message", "channel_type": "im", "channel": self.channel, "user": self.id,
                          "text": text, "ts": f"{time.time():.6f}", **event}}

    def post(self, body, sign=True, **headers):
        raw = json.dumps(body).encode() if isinstance(body, dict) else body
        all_headers = slack_headers(raw) if sign else {"Content-Type": "application/json"}
        all_headers.update(headers)
        response = self.http.post(self.url, data=raw, headers=all_headers, timeout=30)
        wait_until(self.bot.idle, what="the bot to finish answering")
        return response

    def says(self, text, **kwargs):
        response = self.post(self.event_body(text, **kwargs))
        assert response.status_code == 200, response.text
        return self.new_posts()

    def clicks(self, value, trigger_id=None):
        payload = {"type": "block_actions", "user": {"id": self.id}, "channel": {"id": self.channel},
                   "trigger_id": trigger_id or new_id("T"), "message": {"ts": f"{time.time():.6f}"},
                   "actions": [{"type": "button", "value": value, "action_ts": f"{time.time():.6f}",
                                "text": {"type": "plain_text", "text": value}}]}
        raw = urlencode({"payload": json.dumps(payload)}).encode()
        response = self.http.post(self.url, data=raw, timeout=30,
                                  headers=slack_headers(raw, content_type="application/x-www-form-urlencoded"))
        wait_until(self.bot.idle, what="the bot to finish answering")
        assert response.status_code == 200, response.text
        return self.new_posts()

    def new_posts(self):
        posts = self.bot.slack.posts(self.channel)
        new, self.seen = posts[self.seen:], len(posts)
        return new

    def history(self):
        return self.bot.user_texts(self.id)


def buttons_of(post):
    return [e for b in post.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


def card_of(posts):
    return next((p for p in posts if any(b["type"] == "header" for b in p.get("blocks") or [])), None)


def text_of(posts):
    return "\n".join(p.get("text") or "" for p in posts)


def next_answer(post):
    """What a person would answer to the bot's last message: a click when it has buttons."""
    buttons = {b["text"]["text"]: b["value"] for b in buttons_of(post)}
    for title in ("No", "Gradually", "Left leg"):
        if title in buttons:
            return "click", buttons[title]
    text = (post.get("text") or "").lower()
    if "how old" in text:
        return "say", "45, female"
    if "how long" in text:
        return "say", "about two weeks"
    return "say", "no"


def test_the_url_verification_challenge_is_answered(bot, http):
    user = SlackUser(bot, http)
    response = user.post({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                          "type": "url_verification"})
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_an_unsigned_challenge_is_refused(bot, http):
    response = SlackUser(bot, http).post({"challenge": "abc", "type": "url_verification"}, sign=False)
    assert response.status_code == 401 and "abc" not in response.text


@pytest.mark.parametrize("how", ["unsigned", "wrong secret", "stale", "from the future", "body changed"])
def test_a_request_without_a_valid_recent_signature_is_refused_and_not_answered(bot, http, how):
    user = SlackUser(bot, http)
    raw = json.dumps(user.event_body("my leg is numb")).encode()
    headers = {
        "unsigned": {"Content-Type": "application/json"},
        "wrong secret": slack_headers(raw, secret="not-the-signing-secret"),
        "stale": slack_headers(raw, timestamp=int(time.time()) - 6 * 60),
        "from the future": slack_headers(raw, timestamp=int(time.time()) + 6 * 60),
        "body changed": slack_headers(json.dumps(user.event_body("something else")).encode()),
    }[how]
    response = http.post(user.url, data=raw, headers=headers, timeout=30)
    assert response.status_code == 401
    time.sleep(0.3)
    wait_until(bot.idle)
    assert user.history() == [] and user.new_posts() == []


def test_a_direct_message_gets_the_welcome_with_the_disclaimer(bot, http):
    user = SlackUser(bot, http)
    posts = user.says("hello")
    text = text_of(posts)
    assert "not a doctor" in text and "911" in text
    assert all(post["channel"] == user.channel for post in posts)
    assert user.history() == ["hello"]
    calls = [c for c in bot.slack.calls if c["body"].get("channel") == user.channel]
    assert all(c["auth"] == "Bearer xoxb-test-token" for c in calls)


def test_questions_come_as_buttons_a_click_answers_and_the_assessment_is_a_card(bot, http):
    user = SlackUser(bot, http)
    user.says("hi")
    posts = user.says("my left foot has been numb and tingling for two weeks")
    saw_yes_no = False
    for _ in range(20):
        if card_of(posts):
            break
        last = posts[-1]
        values = {b["value"] for b in buttons_of(last)}
        if values:
            assert last["blocks"][0]["type"] == "section"  # the question, then its buttons
        saw_yes_no |= QUESTION_BUTTONS <= values
        kind, answer = next_answer(last)
        posts = user.clicks(answer) if kind == "click" else user.says(answer)
    assert saw_yes_no, "no yes/no question came with Yes / No / Not sure buttons"
    assert "/deny" in user.history()  # the click reached the bot as the button's payload
    card = card_of(posts)
    assert card, f"no assessment card; last posts: {posts}"
    blocks = card["blocks"]
    shown = "\n".join(b["text"]["text"] for b in blocks if "text" in b)
    assert blocks[0]["text"]["text"] == "Your assessment" or blocks[0]["text"]["text"].startswith("⚠️")
    assert "*What to do:" in shown and "*1. " in shown and "*Fits:*" in shown
    assert blocks[-1]["type"] == "context" and "not a diagnosis" in blocks[-1]["elements"][0]["text"]
    openings = ("Here is what the answers fit best", "None of the causes I know fits")
    assert card["text"].startswith(openings)  # the plain text is the fallback
    assert not any(p.get("text", "").startswith(openings) and not p.get("blocks") for p in posts)
    feedback = posts[-1]
    assert {b["value"] for b in buttons_of(feedback)} == {"/affirm", "/deny"}


def test_an_escalation_is_a_warning_card(bot, http):
    user = SlackUser(bot, http)
    posts = user.says("my leg went numb and my speech is slurred")
    assert "Call 911 now" in text_of(posts)  # the rule's response, sent even without the action server
    card = card_of(posts)
    assert card, posts
    shown = "\n".join(b["text"]["text"] for b in card["blocks"] if "text" in b)
    assert card["blocks"][0]["text"]["text"] == "⚠️ This may be a medical emergency"
    assert "slurred speech" in shown and "911" in shown and ":rotating_light:" in shown


@pytest.mark.parametrize("reason", ["http_timeout", "http_error", "connection_failed", "unknown_error"])
def test_a_retried_event_is_answered_once(bot, http, reason):
    user = SlackUser(bot, http)
    body = user.event_body("hello")
    first = user.post(body)
    assert first.status_code == 200
    answered = user.new_posts()
    assert answered
    for number in (1, 2, 3):
        retry = user.post(body, **{"X-Slack-Retry-Num": str(number), "X-Slack-Retry-Reason": reason})
        assert retry.status_code == 200 and retry.headers.get("X-Slack-No-Retry") == "1"
    time.sleep(0.3)
    wait_until(bot.idle)
    assert user.new_posts() == []
    assert user.history() == ["hello"]


def test_a_retry_of_a_delivery_that_never_arrived_is_answered_once(bot, http):
    user = SlackUser(bot, http)
    body = user.event_body("hello")
    first = user.post(body, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "connection_failed"})
    assert first.status_code == 200 and "X-Slack-No-Retry" not in first.headers
    assert user.new_posts()
    again = user.post(body, **{"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "connection_failed"})
    assert again.headers.get("X-Slack-No-Retry") == "1"
    assert user.new_posts() == [] and user.history() == ["hello"]


def test_a_retry_that_names_no_event_is_not_answered(bot, http):
    user = SlackUser(bot, http)
    body = user.event_body("hello")
    del body["event_id"]
    response = user.post(body, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
    assert response.status_code == 200 and response.headers.get("X-Slack-No-Retry") == "1"
    assert user.new_posts() == [] and user.history() == []


def test_the_same_click_delivered_twice_is_handled_once(bot, http):
    user = SlackUser(bot, http)
    user.says("hi")
    user.clicks("/start_over", trigger_id="T-same")
    user.clicks("/start_over", trigger_id="T-same")
    assert user.history() == ["hi", "/start_over"]


def test_the_bots_own_messages_are_not_answered(bot, http):
    user = SlackUser(bot, http)
    response = user.post(user.event_body("Hello. I'm an information tool", bot_id="B0001"))
    assert response.status_code == 200
    assert user.new_posts() == [] and user.history() == []


def test_nothing_went_to_the_internet(bot, no_internet):
    assert no_internet.attempts == []
    assert all(c["method"] == "chat.postMessage" for c in bot.slack.calls)


def test_messages_are_posted_as_the_bot_without_the_legacy_as_user_argument(bot):
    assert bot.slack.calls
    assert not [c for c in bot.slack.calls if "as_user" in c["body"]]

