"""Retention and "delete my conversation" on a real tracker store, written by Rasa's SQLTrackerStore."""
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from scripts.retention import DAY, apply_retention, database_url, delete_conversation

ROOT = Path(__file__).resolve().parents[2]
NOW = time.time()
# sender -> the age in days of each of its turns, oldest first
CONVERSATIONS = {
    "old-45-days": (45, 44.9),
    "old-31-days": (31.5, 31),
    "started-60-days-ago-still-going": (60, 20, 2),
    "started-29-days-ago": (29.9,),
    "yesterday": (1.2, 1),
    "today": (0.01,),
}
RETENTION_DAYS = 30
EXPIRED = {"old-45-days", "old-31-days"}


def turn(sender, age_days, number):
    at = NOW - age_days * DAY
    return [
        UserUttered(f"private words of {sender} #{number}", intent={"name": "describe_symptoms", "confidence": 1.0},
                    timestamp=at),
        ActionExecuted("action_interview_turn", timestamp=at + 0.1),
        BotUttered("How old are you?", timestamp=at + 0.2),
        SlotSet("triage", "consultation", timestamp=at + 0.2),
        ActionExecuted("action_listen", timestamp=at + 0.3),
    ]


@pytest.fixture
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
async def store_path(tmp_path, domain):
    """An SQLite tracker store filled by Rasa itself, with timestamps set in the past."""
    path = tmp_path / "conversations.db"
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(path))
    for sender, ages in CONVERSATIONS.items():
        events = [event for number, age in enumerate(ages) for event in turn(sender, age, number)]
        await store.save(DialogueStateTracker.from_events(sender, events, domain.slots))
    return path


def url(path):
    return f"sqlite:///{path}"


def rows(path):
    with sqlite3.connect(path) as connection:
        return dict(connection.execute("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id"))


def latest(path):
    with sqlite3.connect(path) as connection:
        return dict(connection.execute("SELECT sender_id, MAX(timestamp) FROM events GROUP BY sender_id"))


async def test_the_store_holds_the_faked_timestamps(store_path):
    ages = {sender: (NOW - stamp) / DAY for sender, stamp in latest(store_path).items()}
    assert set(ages) == set(CONVERSATIONS)
    for sender, conversation in CONVERSATIONS.items():
        assert ages[sender] == pytest.approx(conversation[-1], abs=0.01)


async def test_retention_deletes_conversations_whose_latest_event_is_older(store_path, domain):
    before = rows(store_path)
    result = apply_retention(url(store_path), RETENTION_DAYS, now=NOW)
    assert set(result["conversations"]) == EXPIRED
    assert result["events_deleted"] == sum(before[sender] for sender in EXPIRED)
    after = rows(store_path)
    assert set(after) == set(CONVERSATIONS) - EXPIRED
    assert all(after[sender] == before[sender] for sender in after), "a kept conversation lost events"
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(store_path))
    assert set(await store.keys()) == set(CONVERSATIONS) - EXPIRED
    for sender in EXPIRED:
        assert await store.retrieve(sender) is None


async def test_a_conversation_that_started_long_ago_but_goes_on_is_kept_whole(store_path, domain):
    apply_retention(url(store_path), RETENTION_DAYS, now=NOW)
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(store_path))
    tracker = await store.retrieve_full_tracker("started-60-days-ago-still-going")
    texts = [event.text for event in tracker.events if isinstance(event, UserUttered)]
    assert texts == [f"private words of started-60-days-ago-still-going #{n}" for n in range(3)]


async def test_a_dry_run_deletes_nothing(store_path):
    before = rows(store_path)
    result = apply_retention(url(store_path), RETENTION_DAYS, now=NOW, dry_run=True)
    assert set(result["conversations"]) == EXPIRED and result["events_deleted"] == 0
    assert rows(store_path) == before


async def test_zero_days_deletes_everything_and_the_store_still_works(store_path, domain):
    apply_retention(url(store_path), 0, now=NOW + 1)
    assert rows(store_path) == {}
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(store_path))
    await store.save(DialogueStateTracker.from_events("today", turn("today", 0, 9), domain.slots))
    assert rows(store_path) == {"today": 5}


async def test_undated_events_are_kept_by_days(store_path):
    with sqlite3.connect(store_path) as connection:
        connection.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('undated', 'user', "
                           "NULL, '{}')")
    result = apply_retention(url(store_path), RETENTION_DAYS, now=NOW)
    assert "undated" not in result["conversations"]
    assert "undated" in rows(store_path)
    assert delete_conversation(url(store_path), "undated")["events_deleted"] == 1


async def test_delete_my_conversation_removes_that_one_only(store_path, domain):
    before = rows(store_path)
    result = delete_conversation(url(store_path), "yesterday")
    assert result["events_deleted"] == before["yesterday"]
    after = rows(store_path)
    assert "yesterday" not in after
    assert after == {sender: count for sender, count in before.items() if sender != "yesterday"}
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(store_path))
    assert await store.retrieve("yesterday") is None


async def test_delete_my_conversation_also_removes_what_an_outage_left_aside(store_path, domain):
    """After a tracker-store outage the durable store may file unmerged events under '<id>#unmerged-<time>'."""
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(store_path))
    for side in ("yesterday#unmerged-20261125T101500Z", "yesterday-2#unmerged-20261125T101500Z"):
        await store.save(DialogueStateTracker.from_events(side, turn(side, 1, 0), domain.slots))
    result = delete_conversation(url(store_path), "yesterday")
    assert result["conversations"] == ["yesterday", "yesterday#unmerged-20261125T101500Z"]
    left = rows(store_path)
    assert "yesterday" not in left and "yesterday#unmerged-20261125T101500Z" not in left
    assert "yesterday-2#unmerged-20261125T101500Z" in left  # someone else's conversation stays


def test_the_shipped_endpoints_name_a_store_the_commands_can_clean(tmp_path):
    """`make retention` reads the tracker store of endpoints.yml: its type must be one the script knows."""
    (tmp_path / "conversations.db").touch()
    endpoints = (ROOT / "endpoints.yml").read_text(encoding="utf-8")
    copy = tmp_path / "endpoints.yml"
    copy.write_text(endpoints.replace("var/conversations.db", str(tmp_path / "conversations.db")), encoding="utf-8")
    assert database_url(endpoints=copy) == f"sqlite:///{tmp_path / 'conversations.db'}"


async def test_deleted_words_do_not_stay_in_the_file(store_path):
    """secure_delete: the text is overwritten, not left in the file's free pages."""
    delete_conversation(url(store_path), "today")
    apply_retention(url(store_path), RETENTION_DAYS, now=NOW)
    content = store_path.read_bytes()
    for sender in EXPIRED | {"today"}:
        assert f"private words of {sender}".encode() not in content
    assert b"private words of yesterday" in content  # kept conversations are still there


async def test_the_command_line(store_path):
    script = [sys.executable, str(ROOT / "scripts" / "retention.py")]
    done = subprocess.run([*script, "--days", "30", "--db", str(store_path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "deleted 2 conversation(s)" in done.stdout
    assert set(rows(store_path)) == set(CONVERSATIONS) - EXPIRED
    done = subprocess.run([*script, "--sender", "today", "--db", str(store_path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "deleted the conversation 'today'" in done.stdout, done.stdout + done.stderr
    done = subprocess.run([*script, "--sender", "nobody", "--db", str(store_path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "no conversation" in done.stdout
    done = subprocess.run([*script, "--days", "30", "--db", str(store_path.with_name("missing.db"))],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "no tracker store" in done.stderr
