"""What a person types never reaches the logs at Rasa's default log level (INFO).

Starts the bot as `make run` does (action server and Rasa server, REST channel, no --debug, no
LOG_LEVEL), sends messages that carry a unique marker word through every path (an ordinary
description, an answer, an FAQ, a red flag, intent payloads, the action server down), stops it and
looks for the marker in both servers' log output. The marker does reach the tracker store, so its
absence from the logs means something.

Known leak, kept visible here as a strict xfail: when Rasa's REST channel fails on a message it
logs the message at ERROR, with the text and the traceback's local variables
(rasa/core/channels/rest.py:172-178, `rest.message.received.timeout` / `rest.message.received.failure`).
A message the channel cannot handle (here `"message": ["..."]`) shows it.
"""
import json
import uuid
from pathlib import Path

import pytest

from scripts.reliability import RED_FLAG, Run, Stack

MODEL = Path(__file__).resolve().parents[2] / "models" / "leg-numbness.tar.gz"
MARKER = f"zqmark{uuid.uuid4().hex[:10]}"
FAILING_MARKER = f"zqfail{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def logs():
    assert MODEL.exists(), f"no trained model at {MODEL}: run `make train` (make test does)"
    stack = Stack(str(MODEL), log_prefix="privacy-logs", spare=False)
    run = Run(stack, smoke=True)
    sender = run.sender("logs")
    outcomes = {}
    try:
        stack.start()
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
        run.post("failing", "logs", sender, json.dumps({"sender": sender, "message": [FAILING_MARKER]}).encode(),
                 expect="any")
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


@pytest.mark.xfail(strict=True, reason="Rasa's REST channel logs a message it fails on, text included, at ERROR "
                                       "(rasa/core/channels/rest.py:172-178)")
def test_no_message_text_in_the_log_when_the_channel_fails(logs):
    assert FAILING_MARKER not in logs["rasa"], where(logs["rasa"], FAILING_MARKER)


@pytest.mark.xfail(strict=True, reason="when the tracker store fails to save, Rasa logs the error at ERROR with "
                                       "SQLAlchemy's statement parameters, the events' text included "
                                       "(rasa/core/tracker_store.py:1430-1435, FailSafeTrackerStore.on_tracker_store_error)")
async def test_no_message_text_in_the_log_when_the_tracker_store_fails(tmp_path, caplog):
    import sqlite3

    from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    path, domain = tmp_path / "conversations.db", Domain.empty()
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(path))
    with sqlite3.connect(path) as connection:  # the store refuses every write from now on
        connection.execute("CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(FAIL, 'refused'); END;")
    caplog.set_level("INFO")
    await FailSafeTrackerStore(store).save(
        DialogueStateTracker.from_events("logs", [UserUttered(f"my leg is numb {MARKER}")], domain.slots))
    assert "Falling back" in caplog.text, "the store did not fail as intended"
    assert MARKER not in caplog.text
