"""Everything the channel tests run against, on 127.0.0.1 only.

- `LoopThread`: an asyncio loop in a thread of its own, where the servers below live; the tests
  themselves are plain functions that talk HTTP to them.
- `FakeSlackAPI`: Slack's Web API (`/api/<method>`), recording every call.
- `FakeTelegramAPI`: Telegram's Bot API (`/bot<token>/<method>`), recording every call.
- `BotServer`: the real bot: the action server (`rasa run actions`, bound to 127.0.0.1) in a
  subprocess, and Rasa's Sanic app (`rasa.core.run.configure_app`) with an Agent loaded from the
  trained model and the input channels built from the credentials file that
  scripts/channel_credentials.py writes, exactly as `make slack` / `make telegram` use it.
- `no_internet`: a guard that refuses any name lookup or connection that is not loopback.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from aiohttp import web

from tooling.bot import action_server_command
from tooling.processes import free_port, server_env, spawn, stop_processes, wait_for

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK_HOSTS = {None, "", "localhost", "127.0.0.1", "::1", "ip6-localhost"}

SLACK_TOKEN = "xoxb-test-token"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TELEGRAM_TOKEN = "123456789:AAtest-token_for-the-fake-bot-api"
TELEGRAM_BOT_NAME = "numbness_test_bot"
TELEGRAM_SECRET = "s3cret-Token_for_tests"


# --------------------------------------------------------------------------- offline guard
class NoInternet:
    """Patches socket.getaddrinfo and socket.socket.connect/connect_ex for the whole process:
    a name other than localhost, or an address outside 127.0.0.0/8 and ::1, is refused and
    remembered in `attempts`."""

    def __init__(self):
        self.attempts: List[str] = []
        self._saved = None

    @staticmethod
    def _loopback_address(address: Any) -> bool:
        if not isinstance(address, tuple):
            return True  # AF_UNIX
        host = address[0]
        return host in LOOPBACK_HOSTS or str(host).startswith("127.") or host == "::1"

    def __enter__(self):
        real_getaddrinfo = socket.getaddrinfo
        real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
        guard = self

        def getaddrinfo(host, *args, **kwargs):
            name = host.decode() if isinstance(host, bytes) else host
            if name not in LOOPBACK_HOSTS and not str(name).startswith("127."):
                guard.attempts.append(f"lookup {name}")
                raise OSError(f"tests are offline: no lookup of {name}")
            return real_getaddrinfo(host, *args, **kwargs)

        def connect(sock, address):
            if not guard._loopback_address(address):
                guard.attempts.append(f"connect {address}")
                raise OSError(f"tests are offline: no connection to {address}")
            return real_connect(sock, address)

        def connect_ex(sock, address):
            if not guard._loopback_address(address):
                guard.attempts.append(f"connect {address}")
                raise OSError(f"tests are offline: no connection to {address}")
            return real_connect_ex(sock, address)

        self._saved = (real_getaddrinfo, real_connect, real_connect_ex)
        socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex = getaddrinfo, connect, connect_ex
        return self

    def __exit__(self, *exc):
        socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex = self._saved


# --------------------------------------------------------------------------- event loop thread
class LoopThread:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="channel-tests-loop", daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout: float = 180.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


async def _serve(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def start_sanic(app, port: int):
    """A Sanic app served on loopback inside the running loop, with its start-up listeners run."""
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()  # the Telegram channel sets its webhook here
    await server.after_start()
    return server


async def stop_sanic(server) -> None:
    if server is not None:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


class FakeWebAPI:
    """A chat platform's web API on loopback: records every call; subclasses answer them."""
    route = ""  # aiohttp route with a {method} part

    def __init__(self):
        self.calls: List[Dict[str, Any]] = []
        self.port = free_port()
        self._runner: Optional[web.AppRunner] = None

    async def start(self):
        app = web.Application()
        app.router.add_post(self.route, self._handle)
        self._runner = await _serve(app, self.port)

    async def stop(self):
        if self._runner:
            await self._runner.cleanup()

    @staticmethod
    async def request_body(request: web.Request) -> Dict[str, Any]:
        """JSON or form fields, as the SDKs send either."""
        if request.content_type == "application/json":
            return await request.json()
        return dict(await request.post())

    async def _handle(self, request: web.Request) -> web.Response:
        raise NotImplementedError


# --------------------------------------------------------------------------- fake Slack
class FakeSlackAPI(FakeWebAPI):
    route = "/api/{method}"

    def __init__(self):
        super().__init__()
        self.url = f"http://127.0.0.1:{self.port}/api/"

    async def _handle(self, request: web.Request) -> web.Response:
        body = await self.request_body(request)
        self.calls.append({"method": request.match_info["method"], "body": body,
                           "auth": request.headers.get("Authorization")})
        return web.json_response({"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}",
                                  "message": {"text": body.get("text")}})

    def posts(self, channel: Optional[str] = None) -> List[Dict[str, Any]]:
        return [c["body"] for c in list(self.calls)
                if c["method"] == "chat.postMessage" and (channel is None or c["body"].get("channel") == channel)]


def slack_headers(body: bytes, secret: str = SLACK_SECRET, timestamp: Optional[int] = None,
                  content_type: str = "application/json", **extra: str) -> Dict[str, str]:
    """The headers Slack sends: X-Slack-Signature = v0=HMAC-SHA256(secret, "v0:<ts>:<body>")."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}",
            **extra}


# --------------------------------------------------------------------------- fake Telegram
class FakeTelegramAPI(FakeWebAPI):
    route = "/bot{token}/{method}"

    def __init__(self, bot_name: str = TELEGRAM_BOT_NAME):
        super().__init__()
        self.bot_name = bot_name
        self.url = f"http://127.0.0.1:{self.port}"
        self._message_id = 0

    async def _handle(self, request: web.Request) -> web.Response:
        data = await self.request_body(request)
        method = request.match_info["method"]
        self.calls.append({"method": method, "token": request.match_info["token"], "data": data})
        result: Any = True
        if method.lower() == "getme":
            result = {"id": 123456789, "is_bot": True, "first_name": "Numbness test", "username": self.bot_name}
        elif method.lower() == "sendmessage":
            self._message_id += 1
            result = {"message_id": self._message_id, "date": int(time.time()), "text": data.get("text", ""),
                      "chat": {"id": int(data["chat_id"]), "type": "private"}}
        return web.json_response({"ok": True, "result": result})

    def called(self, method: str) -> List[Dict[str, Any]]:
        return [c["data"] for c in list(self.calls) if c["method"].lower() == method.lower()]

    def messages(self, chat_id: Any) -> List[Dict[str, Any]]:
        return [m for m in self.called("sendMessage") if str(m.get("chat_id")) == str(chat_id)]


# --------------------------------------------------------------------------- the bot
class BotServer:
    """The action server and Rasa with the Slack and Telegram channels, on loopback."""

    def __init__(self, loop: LoopThread, slack: FakeSlackAPI, telegram: FakeTelegramAPI, workdir: Path,
                 model: Path, question_budget: int = 2):
        self.loop, self.slack, self.telegram, self.workdir, self.model = loop, slack, telegram, workdir, model
        self.question_budget = question_budget
        self.port, self.action_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.actions: Optional[subprocess.Popen] = None
        self.agent = self.app = self.server = None
        self.input_channels: List[Any] = []
        self.environment = {
            "SLACK_BOT_TOKEN": SLACK_TOKEN, "SLACK_SIGNING_SECRET": SLACK_SECRET, "SLACK_API_URL": slack.url,
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_BOT_NAME": TELEGRAM_BOT_NAME,
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram/webhook",
            "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET, "TELEGRAM_API_URL": telegram.url,
        }
        self.credentials = workdir / "credentials-channels.yml"

    def start(self):
        self.actions = spawn(action_server_command(self.action_port), self.workdir / "actions.log",
                             server_env(INTERVIEW_QUESTION_BUDGET=str(self.question_budget)))
        saved = {k: os.environ.get(k) for k in self.environment}
        os.environ.update(self.environment)
        try:
            from scripts.channel_credentials import credentials_text

            self.credentials.write_text(credentials_text(["slack", "telegram"]), encoding="utf-8")
            self.loop.run(self._start_rasa())
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        wait_for(f"http://127.0.0.1:{self.action_port}/health", 90, self.actions, self.workdir / "actions.log")
        return self

    async def _start_rasa(self):
        import logging

        import rasa.core.run
        from rasa.core.agent import load_agent
        from rasa.core.utils import AvailableEndpoints
        from rasa.utils.endpoints import EndpointConfig
        from rasa.utils.log_utils import configure_structlog

        configure_structlog(logging.WARNING)
        logging.getLogger("rasa").setLevel(logging.WARNING)
        self.input_channels = rasa.core.run.create_http_input_channels(None, str(self.credentials))
        endpoints = AvailableEndpoints(action=EndpointConfig(url=f"http://127.0.0.1:{self.action_port}/webhook"))
        self.agent = await load_agent(model_path=str(self.model), endpoints=endpoints)
        self.app = rasa.core.run.configure_app(self.input_channels, enable_api=False, use_uvloop=False,
                                               route="/webhooks/")
        self.app.ctx.agent = self.agent
        self.server = await start_sanic(self.app, self.port)

    def stop(self):
        with contextlib.suppress(Exception):
            self.loop.run(stop_sanic(self.server), timeout=30)
        stop_processes([self.actions], group=True)

    def channel(self, name: str):
        return next(c for c in self.input_channels if c.name() == name)

    def user_texts(self, sender_id: str) -> List[str]:
        """What the tracker of `sender_id` holds as the person's messages."""
        tracker = self.loop.run(self.agent.tracker_store.retrieve(str(sender_id)))
        if tracker is None:
            return []
        return [e.text for e in tracker.events if getattr(e, "type_name", "") == "user"]

    def idle(self, channel: str = "slack") -> bool:
        """No message of `channel` is still being handled in the background (Slack answers later)."""
        return not getattr(self.channel(channel), "_background_tasks", set())


def json_body(data: Dict[str, Any]) -> bytes:
    return json.dumps(data).encode()
