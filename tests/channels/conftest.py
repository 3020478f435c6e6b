"""Fixtures of the Slack and Telegram tests (`make channel-tests`); see harness.py.

The tests that need the trained model and a running bot (test_*_server.py) are collected only
when RUN_CHANNEL_SERVER_TESTS=1, as `make channel-tests` sets it: `make unit` runs before the
model is trained on a fresh machine. The other tests here (rendering, button payloads,
credentials) need neither and run in both.
"""
import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")  # before anything imports rasa

import requests  # noqa: E402

from tests.channels.harness import BotServer, FakeSlackAPI, FakeTelegramAPI, LoopThread, NoInternet  # noqa: E402
from tests.channels.rest_app import RestApp, ScriptedAgent  # noqa: E402
from tooling.bot import MODEL  # noqa: E402

SERVER_TESTS = ["test_slack_server.py", "test_telegram_server.py"]
if os.environ.get("RUN_CHANNEL_SERVER_TESTS") != "1":
    collect_ignore = SERVER_TESTS


@pytest.fixture(scope="package", autouse=True)
def no_internet():
    """Every channel test runs offline: a lookup or connection that is not loopback fails.
    Package scope: the guard (and the bot) end with the last test of tests/channels."""
    with NoInternet() as guard:
        yield guard


@pytest.fixture(scope="package")
def bot(no_internet):
    model = Path(os.environ.get("CHANNEL_TEST_MODEL", MODEL))
    if not model.exists():
        pytest.fail(f"no trained model at {model}: run `make train` (or `make channel-tests`, which trains)")
    loop = LoopThread()
    slack, telegram = FakeSlackAPI(), FakeTelegramAPI()
    loop.run(slack.start())
    loop.run(telegram.start())
    with tempfile.TemporaryDirectory(prefix="channel-tests-") as workdir:
        server = BotServer(loop, slack, telegram, Path(workdir), model)
        try:
            yield server.start()
        finally:
            server.stop()
            loop.run(slack.stop())
            loop.run(telegram.stop())
            loop.stop()


@pytest.fixture(scope="module")
def rest(bot):
    """The shipped REST channel (rest_app.py) in front of the trained bot."""
    app = RestApp(bot.loop, bot.agent).start()
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture(scope="module")
def scripted_rest():
    """The shipped REST channel in front of a scripted agent: no model needed."""
    loop = LoopThread()
    app = RestApp(loop, ScriptedAgent()).start()
    try:
        yield app
    finally:
        app.stop()
        loop.stop()


@pytest.fixture(scope="module")
def http():
    session = requests.Session()
    session.trust_env = False  # never a proxy: loopback only
    yield session
    session.close()
