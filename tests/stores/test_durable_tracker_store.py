"""cluster.tracker_store.DurableSQLTrackerStore with its SQLite file made unreachable (its directory
renamed away, as scripts/reliability.py does to the running bot): what a person would notice."""
import json
import logging
import sqlite3
import uuid
from pathlib import Path

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from cluster.tracker_store import RECORD_UNREACHABLE, DurableSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]
MARKER = f"zqstore{uuid.uuid4().hex[:10]}"  # in every message: it must never reach the log
EMERGENCY = "⚠️ What you describe can be a medical emergency."


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def place(tmp_path):
    directory = tmp_path / "db"
    directory.mkdir()

    class Place:
        path = directory / "conversations.db"

        def down(self):
            directory.rename(tmp_path / "db-away")

        def up(self):
            (tmp_path / "db-away").rename(directory)

        def rows(self, sender=None):
            with sqlite3.connect(self.path) as connection:
                query = "SELECT sender_id, data FROM events" + (" WHERE sender_id = ?" if sender else "")
                rows = connection.execute(query + " ORDER BY id", (sender,) if sender else ()).fetchall()
            return [(s, json.loads(d)) for s, d in rows]

    return Place()


@pytest.fixture
def caplog_info(caplog):
    caplog.set_level(logging.INFO)
    return caplog


async def make_store(domain, place, **settings):
    store = DurableSQLTrackerStore(domain, dialect="sqlite", db=str(place.path), reconnect_seconds=0,
                                   retry_seconds=60, **settings)
    return store


def turn(tracker, text, intent, *slots, reply="ok"):
    """What one message adds: the person's text, the actions, the bot's reply, slots."""
    tracker.update(UserUttered(f"{text} {MARKER}", {"name": intent, "confidence": 1.0}))
    tracker.update(ActionExecuted("action_interview_turn"))
    tracker.update(BotUttered(reply))
    for name, value in slots:
        tracker.update(SlotSet(name, value))
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))


def new_tracker(domain, sender):
    tracker = DialogueStateTracker(sender, domain.slots)
    for event in (ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)):
        tracker.update(event)
    return tracker


def user_texts(events):
    return [e["text"] for e in events if e.get("event") == "user"]


def assert_stored_once(stored, events):
    """The database holds `events` (a tracker's, from its session start on) at its end, each once."""
    prints = [(e["event"], e["timestamp"]) for e in stored]
    assert len(set(prints)) == len(prints), "an event was stored twice"
    ours = [(e.as_dict()["event"], e.timestamp) for e in events]
    assert prints[-len(ours):] == ours, "events lost or out of order"


def assert_no_text_in(caplog):
    assert MARKER not in caplog.text, "message text in the log"
    assert "[parameters:" not in caplog.text and "INSERT INTO" not in caplog.text
    assert "Falling back" not in caplog.text, "Rasa's FailSafeTrackerStore logged the raw exception"


async def test_a_conversation_goes_on_through_an_outage_and_nothing_is_lost(domain, place, caplog_info):
    store = FailSafeTrackerStore(await make_store(domain, place))
    tracker = new_tracker(domain, "alice")
    turn(tracker, "my left foot is numb", "describe_symptoms", ("interview", {"stage": "interview", "side": "left"}))
    await store.save(tracker)

    place.down()
    during = await store.retrieve("alice")  # the next message
    assert during is not None and during.get_slot("interview") == {"stage": "interview", "side": "left"}, \
        "the conversation restarted during the outage"
    turn(during, "and my speech is slurred", "red_flag", ("triage", "emergency"), ("red_flags", ["slurred_speech"]),
         reply=EMERGENCY)
    await store.save(during)
    again = await store.retrieve("alice")
    assert again.get_slot("red_flags") == ["slurred_speech"], "a red flag sent during the outage is forgotten"
    turn(again, "45, female", "inform", ("interview", {"stage": "escalated", "age": 45}))
    await store.save(again)
    assert "unreachable" in caplog_info.text and "ERROR" in [r.levelname for r in caplog_info.records]

    place.up()
    after = await store.retrieve("alice")
    assert after.get_slot("triage") == "emergency" and after.get_slot("red_flags") == ["slurred_speech"]
    stored = [e for _, e in place.rows("alice")]
    assert user_texts(stored) == [f"{t} {MARKER}" for t in ("my left foot is numb", "and my speech is slurred",
                                                             "45, female")], "lost or duplicated messages"
    assert_stored_once(stored, again.events)
    assert "answers again" in caplog_info.text
    assert_no_text_in(caplog_info)

    restarted = await make_store(domain, place)  # another server, or this one restarted
    assert (await restarted.retrieve("alice")).get_slot("red_flags") == ["slurred_speech"]


async def test_saves_during_the_outage_are_written_by_the_background_retry(domain, place, caplog_info):
    store = await make_store(domain, place, keep_conversations=1)
    store.retry_seconds = 0.05
    tracker = new_tracker(domain, "bob")
    turn(tracker, "my right leg tingles", "describe_symptoms")
    await store.save(tracker)
    place.down()
    turn(tracker, "and I can't control my bladder", "red_flag", ("triage", "emergency_ambulance"))
    await store.save(tracker)
    other = new_tracker(domain, "carol")  # keep_conversations=1: an unsaved copy is never dropped
    turn(other, "hello", "greet")
    await store.save(other)
    assert sorted(store.pending_conversations) == ["bob", "carol"]
    place.up()
    import asyncio
    for _ in range(100):
        if not store.pending_conversations:
            break
        await asyncio.sleep(0.05)
    await store.stop_retrying()
    assert store.pending_conversations == []
    assert len(user_texts([e for _, e in place.rows("bob")])) == 2
    assert len(user_texts([e for _, e in place.rows("carol")])) == 1
    assert_no_text_in(caplog_info)


async def test_without_a_copy_the_person_is_told_and_the_outage_is_appended_afterwards(domain, place, caplog_info):
    first = await make_store(domain, place)
    tracker = new_tracker(domain, "dana")
    turn(tracker, "my left foot is numb", "describe_symptoms", ("interview", {"stage": "interview", "side": "left"}))
    await first.save(tracker)

    place.down()
    caplog_info.clear()
    restarted = FailSafeTrackerStore(await make_store(domain, place))  # restarted during the outage
    start_up = [r for r in caplog_info.records if r.levelno >= logging.ERROR]
    assert len(start_up) == 1 and "cannot open the conversation database" in start_up[0].getMessage()
    assert "\n" not in start_up[0].getMessage()
    marked = await restarted.retrieve("dana")
    assert marked is not None and marked.get_slot("interview") is None
    starts = [e for e in marked.events if isinstance(e, SessionStarted)]
    assert starts and starts[-1].metadata.get(RECORD_UNREACHABLE), "the actions cannot tell the person"
    turn(marked, "my speech is slurred", "red_flag", ("triage", "emergency"), ("red_flags", ["slurred_speech"]),
         reply=EMERGENCY)
    await restarted.save(marked)
    later = await restarted.retrieve("dana")  # the same outage, next message: from the copy
    assert later.get_slot("red_flags") == ["slurred_speech"]

    place.up()
    after = await restarted.retrieve("dana")
    assert after.get_slot("red_flags") == ["slurred_speech"], "the red flag of the outage is forgotten"
    stored = [e for _, e in place.rows("dana")]
    assert user_texts(stored) == [f"my left foot is numb {MARKER}", f"my speech is slurred {MARKER}"]
    assert sum(e["event"] == "session_started" for e in stored) == 1, "the outage's session start was stored"
    assert not any(RECORD_UNREACHABLE in json.dumps(e) for e in stored)
    turn(marked, "what now", "out_of_scope")  # a save still in flight from the outage's tracker
    await restarted.save(marked)
    assert len(user_texts([e for _, e in place.rows("dana")])) == 3, "lost or duplicated messages"
    assert_no_text_in(caplog_info)


async def test_a_new_conversation_started_during_the_outage_is_stored_whole(domain, place, caplog_info):
    store = await make_store(domain, place)
    place.down()
    tracker = await store.retrieve("erin")
    turn(tracker, "hello", "greet")
    await store.save(tracker)
    place.up()
    assert (await store.retrieve("erin")) is not None
    stored = [e for _, e in place.rows("erin")]
    assert_stored_once(stored, tracker.events)
    assert len(stored) == len(tracker.events)
    assert not any(RECORD_UNREACHABLE in json.dumps(e) for e in stored)
    assert not [e for e in (await store.retrieve("erin")).events
                if isinstance(e, SessionStarted) and e.metadata.get(RECORD_UNREACHABLE)]


async def test_when_another_server_wrote_meanwhile_the_stored_conversation_is_left_intact(domain, place,
                                                                                       caplog_info, monkeypatch):
    this, other = await make_store(domain, place), await make_store(domain, place)
    tracker = new_tracker(domain, "finn")
    turn(tracker, "my left foot is numb", "describe_symptoms")
    await this.save(tracker)
    seen_by_other = await other.retrieve("finn")

    import sqlalchemy as sa

    def unreachable(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT", {}, Exception("unable to open database file"))

    with monkeypatch.context() as patch:  # only this server loses the database
        patch.setattr(this, "session_scope", unreachable)
        mine = await this.retrieve("finn")
        turn(mine, "my speech is slurred", "red_flag", ("red_flags", ["slurred_speech"]))
        await this.save(mine)
        turn(seen_by_other, "it's my left leg", "inform")
        await other.save(seen_by_other)
    assert (await this.retrieve("finn")) is not None
    main = [e for _, e in place.rows("finn")]
    assert user_texts(main) == [f"my left foot is numb {MARKER}", f"it's my left leg {MARKER}"], \
        "the stored conversation was changed"
    kept = [(s, e) for s, e in place.rows() if s.startswith("finn#unmerged-")]
    assert user_texts([e for _, e in kept]) == [f"my speech is slurred {MARKER}"], "this server's events are lost"
    assert any(r.levelno == logging.ERROR and "another server" in r.getMessage() for r in caplog_info.records)
    assert_no_text_in(caplog_info)


async def test_a_tracker_of_every_session_is_saved_without_doubling(domain, place):
    store = await make_store(domain, place)
    tracker = new_tracker(domain, "gus")
    turn(tracker, "hello", "greet")
    for event in (ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)):
        tracker.update(event)
    turn(tracker, "my leg is numb", "describe_symptoms")
    await store.save(tracker)
    full = await store.retrieve_full_tracker("gus")
    turn(full, "left", "inform")
    await store.save(full)
    assert len(place.rows("gus")) == len(full.events)
    assert len(user_texts([e for _, e in place.rows("gus")])) == 3


async def test_a_read_only_database_keeps_the_conversation(domain, place, caplog_info):
    store = FailSafeTrackerStore(await make_store(domain, place))
    tracker = new_tracker(domain, "hana")
    turn(tracker, "numb toes", "describe_symptoms")
    await store.save(tracker)
    with sqlite3.connect(place.path) as connection:  # refuses every write from now on
        connection.execute("CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(FAIL, 'no'); END;")
    turn(tracker, "and my speech is slurred", "red_flag", ("red_flags", ["slurred_speech"]))
    await store.save(tracker)
    assert (await store.retrieve("hana")).get_slot("red_flags") == ["slurred_speech"]
    with sqlite3.connect(place.path) as connection:
        connection.execute("DROP TRIGGER refuse")
    await store.retrieve("hana")
    assert len(user_texts([e for _, e in place.rows("hana")])) == 2
    assert_no_text_in(caplog_info)


def record_unreachable_reply():
    from numbness_triage.knowledge import shared_knowledge_base

    return shared_knowledge_base().advice["record_unreachable"].text


def action_tracker(text, intent, entities=(), marked=True):
    from rasa_sdk import Tracker

    events = [{"event": "action", "name": ACTION_SESSION_START_NAME},
              {"event": "session_started", **({"metadata": {RECORD_UNREACHABLE: True}} if marked else {})},
              {"event": "action", "name": ACTION_LISTEN_NAME},
              {"event": "user", "text": text}]
    message = {"text": text, "intent": {"name": intent}, "entities": list(entities)}
    return Tracker("ivy", {}, message, events, False, None, {}, ACTION_LISTEN_NAME)


async def run_action(action, tracker):
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return [m.get("text") or "" for m in dispatcher.messages], events


async def test_without_the_record_the_person_is_told_instead_of_a_silent_restart():
    from actions.interview_actions import ActionInterviewTurn

    texts, events = await run_action(ActionInterviewTurn(), action_tracker(f"it's my left leg {MARKER}", "inform"))
    assert texts == [record_unreachable_reply()] and events == []
    assert "911" in record_unreachable_reply()
    texts, _ = await run_action(ActionInterviewTurn(), action_tracker("my left leg is numb", "describe_symptoms",
                                                                      marked=False))
    assert record_unreachable_reply() not in texts, "an ordinary conversation is told the record is unreachable"


async def test_without_the_record_a_red_flag_is_still_escalated():
    from actions.interview_actions import ActionEscalate

    text = "my leg went numb and my speech is slurred"
    entity = {"entity": "symptom", "value": "slurred_speech", "start": text.index("speech"), "end": len(text)}
    texts, events = await run_action(ActionEscalate(), action_tracker(text, "red_flag", [entity]))
    assert record_unreachable_reply() not in texts
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["red_flags"] == ["slurred_speech"] and slots["triage"] in ("emergency", "emergency_ambulance")


async def test_without_the_record_a_red_flag_reaching_the_interview_is_still_escalated():
    """A red flag the classifier did not route to the emergency rule reaches the interview action."""
    from actions.interview_actions import ActionInterviewTurn

    text = "my leg went numb and my speech is slurred"
    entity = {"entity": "symptom", "value": "slurred_speech", "start": text.index("speech"), "end": len(text)}
    texts, events = await run_action(ActionInterviewTurn(), action_tracker(text, "describe_symptoms", [entity]))
    assert record_unreachable_reply() not in texts
    assert any("911" in t for t in texts)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert "slurred_speech" in slots["red_flags"]
