"""The servers behind the page: the socket.io channel's payload and origin rules, CORS, the page's
own server. No browser."""
import asyncio
import concurrent.futures
import json
import urllib.error
import urllib.request
import uuid

import pytest
import socketio

from channels.render import web_card
from channels.webchat_socketio import WebchatSocketIOOutput
from numbness_triage.knowledge import Urgency
from tests.web.widget import DESCRIPTION, OPENING, RED_FLAG, answer_for


class RecordingServer:
    def __init__(self):
        self.emitted = []

    async def emit(self, event, data=None, to=None, room=None, skip_sid=None, namespace=None, callback=None,
                   ignore_queue=False):
        self.emitted.append((event, data, room))


def run(coroutine):
    """Run a coroutine on a loop of its own thread (the browser tests hold this thread's)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=120)


def test_the_assessment_payload_is_sent_as_a_message():
    server = RecordingServer()
    payload = {"assessment": {"triage": "emergency", "red_flags": ["slurred_speech"], "causes": []}}
    run(WebchatSocketIOOutput(server, "bot_uttered").send_custom_json("session-1", dict(payload)))
    assert server.emitted == [("bot_uttered", {**payload, "card": web_card(payload)}, "session-1")]


def test_a_message_with_an_assessment_is_sent_as_the_card_alone():
    server = RecordingServer()
    payload = {"assessment": {"triage": "emergency", "red_flags": ["slurred_speech"], "causes": []}}
    message = {"text": "You said your speech is slurred.\n\nCall 911 now.", "custom": dict(payload)}
    run(WebchatSocketIOOutput(server, "bot_uttered").send_response("session-1", message))
    assert server.emitted == [("bot_uttered", {**payload, "card": web_card(payload)}, "session-1")]
    # Any other message keeps its text.
    run(WebchatSocketIOOutput(server, "bot_uttered").send_response("session-1", {"text": "Hello."}))
    assert server.emitted[-1] == ("bot_uttered", {"text": "Hello."}, "session-1")


def test_a_data_payload_keeps_rasas_behaviour():
    server = RecordingServer()
    run(WebchatSocketIOOutput(server, "bot_uttered").send_custom_json("session-1", {"data": {"x": 1}}))
    assert server.emitted == [("bot_uttered", {"x": 1}, "session-1")]


def get(url, origin):
    request = urllib.request.Request(url, headers={"Origin": origin})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers


def test_cors_allows_the_page_origin_only(web_stack):
    page_origin = web_stack.page_url.rstrip("/")
    for path in ("/socket.io/?EIO=4&transport=polling", "/webhooks/rest/"):
        status, headers = get(web_stack.rasa_url + path, page_origin)
        assert status == 200 and headers.get("Access-Control-Allow-Origin") == page_origin
        status, headers = get(web_stack.rasa_url + path, "http://evil.example")
        assert headers.get("Access-Control-Allow-Origin") is None


class Client:
    """A socket.io client as the widget is one: it asks for a session, keeps the id the server
    confirms and sends its messages with it; what the bot says to it is collected in `received`."""

    def __init__(self, url, origin=None):
        self.url, self.origin = url, origin
        self.client = socketio.AsyncClient()
        self.received, self.confirmed = [], asyncio.Queue()
        self.session_id = None
        self.client.on("bot_uttered", lambda data: self.received.append(data))
        self.client.on("session_confirm", lambda data: self.confirmed.put_nowait(data))

    async def connect(self, wait_timeout=30):
        headers = {"Origin": self.origin} if self.origin else {}
        await self.client.connect(self.url, transports=["websocket"], headers=headers, wait_timeout=wait_timeout)
        return self

    async def request_session(self, session_id=None):
        await self.client.emit("session_request", {"session_id": session_id})
        self.session_id = await asyncio.wait_for(self.confirmed.get(), 30)
        return self.session_id

    async def say(self, message, **fields):
        await self.client.emit("user_uttered", {"message": message, "session_id": self.session_id, **fields})

    async def emit(self, data):
        await self.client.emit("user_uttered", data)

    async def wait_for(self, condition, seconds=60):
        for _ in range(int(seconds * 4)):
            if condition(self.received):
                return True
            await asyncio.sleep(0.25)
        return False

    async def replies_to(self, send, seconds=60):
        """The bot's messages after `send()`, once they stop coming for 2 s."""
        before = len(self.received)
        await send()
        await self.wait_for(lambda received: len(received) > before, seconds)
        count = -1
        while count != len(self.received):
            count = len(self.received)
            await asyncio.sleep(2)
        return self.received[before:]

    async def close(self):
        await self.client.disconnect()


def texts(messages):
    return [m.get("text", "") for m in messages if isinstance(m, dict)]


async def talk(url, origin, messages, wait_for):
    """Connect as a socket.io client (WebSocket, with an Origin header), send messages, collect
    the bot's until wait_for(collected) holds."""
    client = await Client(url, origin).connect()
    try:
        await client.request_session()
        for message in messages:
            await client.say(message)
        await client.wait_for(wait_for)
        return client.received
    finally:
        await client.close()


def test_the_socketio_channel_sends_the_assessment(web_stack):
    def has_payload(received):
        return any("assessment" in message for message in received)

    received = run(talk(web_stack.rasa_url, web_stack.page_url.rstrip("/"),
                        ["/greet", "my speech is slurred and my leg went numb"], has_payload))
    payloads = [message["assessment"] for message in received if "assessment" in message]
    assert payloads, json.dumps(received)[:2000]
    assert payloads[-1]["triage"] in ("emergency", "emergency_ambulance")
    assert "slurred_speech" in payloads[-1]["red_flags"]


def test_the_socketio_channel_refuses_other_origins(web_stack):
    with pytest.raises(socketio.exceptions.ConnectionError):  # refused at once; 5 s is plenty to be told
        run(Client(web_stack.rasa_url, "http://evil.example").connect(wait_timeout=5))


def test_the_page_server_serves_only_the_page(web_stack):
    status, headers = get(web_stack.page_url, web_stack.page_url)
    assert status == 200
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and web_stack.rasa_url in csp
    with urllib.request.urlopen(web_stack.page_url + "config.js", timeout=30) as response:
        config = response.read().decode()
    assert web_stack.rasa_url in config and "emergency_ambulance" in config
    for path in ("node_modules/rasa-webchat/package.json", "server.py", "../README.md"):
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(web_stack.page_url + path, timeout=30)
        assert error.value.code == 404


def test_an_assessment_comes_once_as_the_card_with_each_causes_description(web_stack):
    """One assessment on the web: no text bubbles beside the card; the card carries what the
    text said (each cause's plain description from data/knowledge/causes.yml); the payload for
    API users is the interview's own."""
    from numbness_triage.knowledge import shared_knowledge_base

    kb = shared_knowledge_base()

    async def interview():
        client = await Client(web_stack.rasa_url).connect()
        try:
            await client.request_session()
            messages = await client.replies_to(lambda: client.say(DESCRIPTION))
            for _ in range(15):
                if any("assessment" in m for m in messages):
                    return messages
                messages = await client.replies_to(lambda: client.say(answer_for(texts(messages)[-1])))
            return messages
        finally:
            await client.close()

    messages = run(interview())
    cards = [m for m in messages if "assessment" in m]
    assert len(cards) == 1, messages
    assert not any("fit best" in text or "Fits:" in text for text in texts(messages)), texts(messages)
    card, assessment = cards[0]["card"], cards[0]["assessment"]
    # The interview's payload, as API users get it: the card's words are beside it, not in it.
    assert {"triage", "red_flags", "causes"} <= set(assessment) and "card" not in assessment
    assert [c["name"] for c in card["causes"]] == [c["name"] for c in assessment["causes"]]
    for shown, cause in zip(card["causes"], assessment["causes"]):
        assert shown["description"] and shown["description"] in kb.causes[cause["id"]].description
    assert card["advice"] == kb.advice_for(Urgency(assessment["triage"]))


def test_a_session_id_the_server_did_not_issue_opens_no_one_elses_conversation(web_stack):
    """Issue 16, finding 5: a second client that names another's session id (the one it asked
    for, or the one its conversation is stored under) gets a conversation of its own: it hears
    none of the first one's replies and cannot write into it."""
    async def scenario():
        first = await Client(web_stack.rasa_url).connect()
        second = await Client(web_stack.rasa_url).connect()
        third = await Client(web_stack.rasa_url).connect()
        try:
            asked_for = uuid.uuid4().hex
            issued = await first.request_session(asked_for)
            stored_as = issued.split(".")[0]  # the tracker's sender id (the whole id before the fix)
            assert await second.request_session(asked_for) != issued
            assert await third.request_session(stored_as) != issued
            greeting = await first.replies_to(lambda: first.say("/greet"))
            assert greeting, "the first client got no greeting"

            # The first person's next reply reaches them alone.
            await first.replies_to(lambda: first.say("my left foot is numb"))
            assert not second.received and not third.received, (second.received, third.received)

            # A message naming the first person's conversation goes to the sender's own one.
            before = len(first.received)
            for intruder in (second, third):
                await intruder.replies_to(lambda: intruder.emit({"message": RED_FLAG, "session_id": issued}))
                await intruder.replies_to(lambda: intruder.emit({"message": RED_FLAG, "session_id": stored_as}))
            assert first.received[before:] == [], first.received[before:]
            own = await first.replies_to(lambda: first.say("no"))
            assert not any("assessment" in m and m["assessment"]["red_flags"] for m in own), own
        finally:
            for client in (first, second, third):
                await client.close()

    run(scenario())


def test_the_issued_id_resumes_the_conversation_on_a_new_connection(web_stack):
    async def scenario():
        first = await Client(web_stack.rasa_url).connect()
        try:
            issued = await first.request_session()
            await first.replies_to(lambda: first.say(DESCRIPTION))
        finally:
            await first.close()
        again = await Client(web_stack.rasa_url).connect()
        try:
            assert await again.request_session(issued) == issued
            replies = texts(await again.replies_to(lambda: again.say("63 male")))
        finally:
            await again.close()
        assert replies and not any(OPENING in text for text in replies), replies

    run(scenario())


MALFORMED = {
    "number text": {"message": 42}, "list text": {"message": ["my leg is numb"]},
    "object text": {"message": {"text": "hello"}}, "string data": "my leg is numb", "number data": 7,
    "list data": ["my leg is numb"], "no data": None,
}


def is_emergency(messages):
    return any("assessment" in m and m["assessment"]["red_flags"] for m in messages)


def test_malformed_socketio_input_is_answered(web_stack):
    """Issue 16, finding 10: text that is not a string, data that is not an object: the client is
    told each time, and the conversation goes on (a red flag after them gets the emergency reply)."""
    async def scenario():
        client = await Client(web_stack.rasa_url).connect()
        try:
            await client.request_session()
            answers = {name: await client.replies_to(lambda: client.emit(data), seconds=20)
                       for name, data in MALFORMED.items()}
            return answers, await client.replies_to(lambda: client.say(RED_FLAG))
        finally:
            await client.close()

    answers, emergency = run(scenario())
    for name, answer in answers.items():
        assert texts(answer) and all(texts(answer)), (name, answer)
    assert is_emergency(emergency), emergency


def test_metadata_that_is_not_a_json_object_is_ignored(web_stack):
    """Issue 16, finding 10: the message is read as if it had no metadata."""
    async def scenario():
        client = await Client(web_stack.rasa_url).connect()
        try:
            await client.request_session()
            return {repr(metadata): await client.replies_to(lambda: client.say(RED_FLAG, metadata=metadata), seconds=30)
                    for metadata in ("{not json", "[1, 2]", "42", 42, ["x"])}
        finally:
            await client.close()

    for metadata, replies in run(scenario()).items():
        assert is_emergency(replies), (metadata, replies)
