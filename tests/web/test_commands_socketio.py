"""Through the socket.io channel (the web widget's), every command is answered and a red flag after it
is an emergency (issue 16: /restart silenced the bot for good, red flags included).

Each command of tests/command_cases.py gets a conversation of its own (a socket.io client and a
session of its own, as a browser tab has): the command, then a red flag. The server is the web
stack of conftest.py (`rasa run` with the socket.io channel of credentials.yml and its action
server). socket.io has no "end of reply": a command must get a first message within REPLY_SECONDS
and the red flag the emergency response within REPLY_SECONDS. A few conversations run at a time.

Runs with the browser tests (`make web-tests`, RUN_WEB_TESTS=1); no browser needed.
"""
import asyncio
import concurrent.futures
import uuid

import socketio

from tests.command_cases import RED_FLAG, commands, emergency_text, short

REPLY_SECONDS = 30
QUIET_SECONDS = 0.5  # a turn's messages come in one burst: this long without one ends it
AT_A_TIME = 6


def texts(received):
    return [m.get("text") or "" for m in received]


async def wait_until(predicate, seconds):
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()


async def burst(received, seconds):
    """Waits for a first message, then for a quiet moment; the messages of that turn."""
    start = len(received)
    if not await wait_until(lambda: len(received) > start, seconds):
        return []
    seen = -1
    while seen != len(received):
        seen = len(received)
        await asyncio.sleep(QUIET_SECONDS)
    return received[start:]


async def conversation(url, origin, command):
    """The problems of one conversation: the command, then a red flag."""
    client = socketio.AsyncClient()
    received, confirmed = [], asyncio.Event()
    client.on("bot_uttered", lambda data: received.append(data))
    client.on("session_confirm", lambda data: confirmed.set())
    await client.connect(url, transports=["websocket"], headers={"Origin": origin}, wait_timeout=30)
    try:
        session = uuid.uuid4().hex
        await client.emit("session_request", {"session_id": session})
        await asyncio.wait_for(confirmed.wait(), 30)
        await client.emit("user_uttered", {"message": command, "session_id": session})
        if not await burst(received, REPLY_SECONDS):
            return [f"no reply to {short(command)!r}"]
        start = len(received)
        await client.emit("user_uttered", {"message": RED_FLAG, "session_id": session})
        if not await wait_until(lambda: emergency_text() in texts(received[start:]), REPLY_SECONDS):
            return [f"after {short(command)!r} the red flag got {texts(received[start:])}"]
        return []
    finally:
        await client.disconnect()


async def every_conversation(url, origin, all_commands):
    limit = asyncio.Semaphore(AT_A_TIME)

    async def one(command):
        async with limit:
            return await conversation(url, origin, command)

    results = await asyncio.gather(*(one(command) for command in all_commands))
    return [problem for problems in results for problem in problems]


def run(coroutine):
    """Run a coroutine on a loop of its own thread (the browser tests hold this thread's)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=1200)


def test_socketio_answers_every_command_and_a_red_flag_after_it(web_stack):
    all_commands = commands()
    problems = run(every_conversation(web_stack.rasa_url, web_stack.page_url.rstrip("/"), all_commands))
    assert not problems, f"{len(problems)} of {len(all_commands)} commands:\n" + "\n".join(problems)
