"""A Sanic app with the REST channel of credentials.yml (channels/rest_safe.py) on loopback, for
test_rest.py (a scripted agent, no model) and test_rest_server.py (the trained bot's agent).

The channel is built from the project's credentials.yml, as `rasa run` builds it, so the tested
channel is the shipped one; it is mounted with Rasa's own `register` under /webhooks/.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import Any, Dict, Optional

import requests
from sanic import Sanic

from tests.channels.harness import ROOT, LoopThread, start_sanic, stop_sanic
from tooling.processes import free_port

# Two Sanic apps in one process (this one and harness.BotServer's): Sanic 21.12 rewrites its HTTP
# methods when the first app starts ("touchup") and fails on the second (KeyError
# 'http1_request_header') unless test mode keeps the originals. Set at import, i.e. at collection,
# before any app of the session starts.
Sanic.test_mode = True

REST_URL = "/webhooks/rest/webhook"
ISSUE_URL = "/webhooks/rest/conversations"  # the server issues conversation ids (channels/conversation_ids.py)
FAILURE_TEXT = "Sorry, something went wrong on my side. If this is urgent, call 911."


def shipped_rest_channel():
    import rasa.core.run

    channels = rasa.core.run.create_http_input_channels(None, str(ROOT / "credentials.yml"))
    return next(c for c in channels if c.name() == "rest")


class RestApp:
    def __init__(self, loop: LoopThread, agent: Any):
        self.loop, self.agent = loop, agent
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.channel = shipped_rest_channel()
        self.server = None
        self.ids: Dict[str, str] = {}
        self.http = requests.Session()
        self.http.trust_env = False  # never a proxy: loopback only

    async def _start(self):
        from rasa.core.channels.channel import register

        app = Sanic(f"rest_channel_tests_{uuid.uuid4().hex[:8]}", configure_logging=False)
        register([self.channel], app, route="/webhooks/")
        app.ctx.agent = self.agent
        self.server = await start_sanic(app, self.port)

    def start(self) -> "RestApp":
        self.loop.run(self._start())
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.loop.run(stop_sanic(self.server), timeout=30)
        self.http.close()

    def issue(self) -> str:
        """A new conversation id, from the server."""
        reply = self.http.post(self.url + ISSUE_URL, timeout=30)
        assert reply.status_code == 201, reply.text
        return reply.json()["sender"]

    def id(self, name: str) -> str:
        """The conversation id the server issued for the conversation this test calls `name`."""
        if name not in self.ids:
            self.ids[name] = self.issue()
        return self.ids[name]

    def post(self, body: Any = None, *, raw: Optional[bytes] = None, content_type: Optional[str] = "application/json",
             params: Optional[Dict[str, str]] = None, timeout: float = 60) -> requests.Response:
        data = raw if raw is not None else json.dumps(body).encode()
        headers = {"Content-Type": content_type} if content_type else {}
        return self.http.post(self.url + REST_URL, data=data, headers=headers, params=params, timeout=timeout)


class ScriptedAgent:
    """What Rasa's Agent.handle_message does, scripted by the first word of the message."""

    def __init__(self):
        self.received = []

    async def handle_message(self, message):
        self.received.append({"sender": message.sender_id, "text": message.text,
                              "input_channel": message.input_channel, "metadata": message.metadata})
        words = (message.text or "").split()
        first = words[0] if words else ""
        if first in ("boom", "boom-after-reply"):
            if first == "boom-after-reply":
                await message.output_channel.send_text_message(message.sender_id, "first reply")
            raise RuntimeError(f"could not handle {message.text!r}")  # an error quoting the text
        if first == "cancel":
            raise asyncio.CancelledError()
        await message.output_channel.send_text_message(message.sender_id, f"got {len(message.text)} characters")
        await message.output_channel.send_text_message(message.sender_id, "second reply")
