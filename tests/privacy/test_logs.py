"""What a person types never reaches the logs at Rasa's default log level (INFO).

Starts the bot as `make run` does (action server and Rasa server, REST channel, no --debug, no
LOG_LEVEL), sends messages that carry a unique marker word through every path (an ordinary
description, an answer, an FAQ, a red flag, intent payloads, the action server down), stops it and
looks for the marker in both servers' log output. The marker does reach the tracker store, so its
absence from the logs means something.

Rasa's own REST channel, when it fails on a message, logs the message at ERROR with the text and
the traceback's local variables (rasa/core/channels/rest.py:172-178,
`rest.message.received.timeout` / `.failure`); a message it could not handle, such as
`"message": ["..."]`, did it. The shipped REST channel (channels/rest_safe.py, what Stack starts)
refuses such bodies before the bot, and logs a failure with the sender's hash and the text's
length only: the malformed bodies below carry a marker that must not reach the log either. A
failure inside the bot's processing is tested in tests/channels/test_rest.py (and
test_rest_server.py against the trained bot).
"""
import json
import uuid

import pytest

from scripts.reliability import RED_FLAG, Run, Stack
from tooling.bot import ENDPOINTS, MODEL

MARKER = f"zqmark{uuid.uuid4().hex[:10]}"
FAILING_MARKER = f"zqfail{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def logs():
    assert MODEL.exists(), f"no trained model at {MODEL}: run `make train` (make test does)"
    stack = Stack(str(MODEL), log_prefix="privacy-logs", spare=False)
    run = Run(stack, smoke=True)
    outcomes = {}
    try:
        stack.start()
        sender = run.sender("logs")  # issued by the server (POST /webhooks/rest/conversations)
        messages = [
            ("describe", f"my left foot has been numb for a week and it feels {MARKER}"),
            ("answer", f"45, female, {MARKER}"),
            ("faq", f"is leg numbness serious {MARKER}?"),
            ("payload", f'/inform{{"side": "{MARKER}"}}'),
            ("unknown-intent", f"/{MARKER}"),
            ("red-flag", f"{MARKER} {RED_FLAG}"),
        ]
        for name, text in messages:
            outcomes[name] = run.say(name, "logs", sender, text, red_flag=name == "red-flag")
        stored = [e.get("text") or "" for e in run.tracker(sender)["events"] if e.get("event") == "user"]
        stack.kill_action_server(stack.action_port)
        outcomes["actions-down"] = run.say("actions-down", "logs", run.sender("logs-down"),
                                           f"my right leg is numb since {MARKER}", expect="trouble")
        malformed = [json.dumps({"sender": sender, "message": [FAILING_MARKER]}),
                     json.dumps({"sender": sender, "message": {"text": FAILING_MARKER}}),
                     json.dumps({"message": FAILING_MARKER}),
                     json.dumps([FAILING_MARKER]),
                     '{"sender": "%s", "message": "%s' % (sender, FAILING_MARKER)]
        for index, body in enumerate(malformed):
            outcomes[f"malformed-{index}"] = run.post(f"malformed-{index}", "logs", sender, body.encode(),
                                                      expect="refuse")
    finally:
        stack.stop()  # flushes and closes the logs
    return {"rasa": stack.log("rasa").read_text(errors="replace"),
            "actions": stack.log("actions-main").read_text(errors="replace"),
            "outcomes": outcomes, "stored": stored}


def test_the_messages_went_through_the_bot(logs):
    assert all(not case["problems"] for case in logs["outcomes"].values()), logs["outcomes"]
    assert sum(MARKER in text for text in logs["stored"]) == 6, "the tracker store should hold every message"
    assert "Rasa server is up and running" in logs["rasa"], "the Rasa server's log was not captured"


def where(log, marker):
    return "\n".join(line[:300] for line in log.splitlines() if marker in line)


def test_no_message_text_in_the_rasa_server_log(logs):
    assert MARKER not in logs["rasa"], f"message text in logs/privacy-logs-rasa.log:\n{where(logs['rasa'], MARKER)}"


def test_no_message_text_in_the_action_server_log(logs):
    assert MARKER not in logs["actions"], \
        f"message text in logs/privacy-logs-actions-main.log:\n{where(logs['actions'], MARKER)}"


def test_no_message_text_in_the_log_when_the_channel_fails(logs):
    assert FAILING_MARKER not in logs["rasa"], where(logs["rasa"], FAILING_MARKER)


async def test_no_message_text_in_the_log_when_the_tracker_store_fails(tmp_path, caplog):
    """Rasa's FailSafeTrackerStore logs a failed save at ERROR with SQLAlchemy's statement
    parameters, the events' text included (rasa/core/tracker_store.py:1430-1435); the shipped
    store (endpoints.yml: cluster.tracker_store.DurableSQLTrackerStore) handles the failure itself,
    logs the exception's type only, and keeps the message."""
    import sqlite3

    from rasa.core.tracker_store import FailSafeTrackerStore, TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    path, domain = tmp_path / "conversations.db", Domain.empty()
    config = read_endpoint_config(str(ENDPOINTS), "tracker_store")
    config.kwargs["db"] = str(path)
    shipped = TrackerStore.create(config, domain)
    store = FailSafeTrackerStore(shipped)  # as the server wraps it
    with sqlite3.connect(path) as connection:  # the store refuses every write from now on
        connection.execute("CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(FAIL, 'refused'); END;")
    caplog.set_level("INFO")
    try:
        await store.save(
            DialogueStateTracker.from_events("logs", [UserUttered(f"my leg is numb {MARKER}")], domain.slots))
        kept = await store.retrieve("logs")
    finally:
        if hasattr(shipped, "stop_retrying"):
            await shipped.stop_retrying()
    assert "could not save" in caplog.text, "the store did not fail as intended"
    assert "Falling back" not in caplog.text, "Rasa's fail-safe logged the raw exception"
    assert MARKER not in caplog.text
    assert kept is not None and kept.latest_message.text.endswith(MARKER), "the message was not kept"
