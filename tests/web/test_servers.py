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

from channels.webchat_socketio import WebchatSocketIOOutput


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
    assert server.emitted == [("bot_uttered", payload, "session-1")]


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


async def talk(url, origin, messages, wait_for):
    """Connect as a socket.io client (WebSocket, with an Origin header), send messages, collect
    the bot's until wait_for(collected) holds."""
    client = socketio.AsyncClient()
    received, confirmed = [], asyncio.Event()
    client.on("bot_uttered", lambda data: received.append(data))
    client.on("session_confirm", lambda data: confirmed.set())
    await client.connect(url, transports=["websocket"], headers={"Origin": origin}, wait_timeout=30)
    try:
        session = uuid.uuid4().hex
        await client.emit("session_request", {"session_id": session})
        await asyncio.wait_for(confirmed.wait(), 30)
        for message in messages:
            await client.emit("user_uttered", {"message": message, "session_id": session})
        for _ in range(240):
            if wait_for(received):
                break
            await asyncio.sleep(0.25)
        return received
    finally:
        await client.disconnect()


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
    with pytest.raises(socketio.exceptions.ConnectionError):
        run(talk(web_stack.rasa_url, "http://evil.example", [], lambda received: True))


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
