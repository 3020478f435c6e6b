"""The review page's parts that need no bot (these run in `make unit`): accounts, sessions, the
marks' rules, the read-only tracker store, reading odd events, and retention removing marks."""
import sqlite3
from concurrent.futures import ThreadPoolExecutor
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from review.accounts import AccountError, check_login, hash_password, load_accounts, set_account, verify_password
from review.conversation import read_conversation
from review.marks import MarkError, MarkStore, check_mark
from review.sessions import FAILURES_BEFORE_LOCK, LoginThrottle, Sessions
from review.tracker_source import StoreConfigError, TrackerSource, store_url
from review.vocabulary import Vocabulary

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
CAUSES = ["herniated_disk", "diabetic_neuropathy"]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


# ---------------------------------------------------------------- accounts
def test_a_password_is_stored_only_as_a_salted_scrypt_hash():
    first, second = hash_password("a long password"), hash_password("a long password")
    assert first.startswith("scrypt$") and "a long password" not in first
    assert first != second  # salted
    assert verify_password("a long password", first)
    assert not verify_password("a long passworD", first)
    assert not verify_password("a long password", "md5$abc")


def test_accounts_come_from_the_file_and_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "accounts"
    set_account("alice", "alice's password", path)
    monkeypatch.setenv("REVIEW_ACCOUNTS", f"bob:{hash_password('bob password 1')}")
    accounts = load_accounts(path)
    assert set(accounts) == {"alice", "bob"}
    assert check_login(accounts, "alice", "alice's password")
    assert check_login(accounts, "bob", "bob password 1")
    assert not check_login(accounts, "alice", "bob password 1")
    assert not check_login(accounts, "carol", "alice's password")
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_short_passwords_and_malformed_account_files_are_refused(tmp_path, monkeypatch):
    with pytest.raises(AccountError):
        set_account("alice", "short", tmp_path / "accounts")
    (tmp_path / "bad").write_text("alice:plaintext-password\n")
    with pytest.raises(AccountError, match="not 'name:scrypt"):
        load_accounts(tmp_path / "bad")


def test_a_fresh_clone_without_a_terminal_gets_an_account_with_its_password_in_a_file(tmp_path):
    accounts = tmp_path / "accounts"
    run = subprocess.run([sys.executable, "-c", "from review.accounts import ensure_an_account; ensure_an_account()"],
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT), "REVIEW_ACCOUNTS_FILE": str(accounts),
                                        "PATH": "/usr/bin:/bin"},
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    written = tmp_path / "review-initial-password"
    password = written.read_text().strip()
    assert password not in run.stdout  # written to a file, not printed
    assert str(written) in run.stdout and oct(written.stat().st_mode & 0o777) == "0o600"
    assert check_login(load_accounts(accounts), "reviewer", password)


# ---------------------------------------------------------------- sessions
def test_a_session_expires_when_idle_and_after_its_maximum_age():
    clock = Clock()
    sessions = Sessions(idle_seconds=60, max_seconds=300, clock=clock)
    token = sessions.open("alice")
    clock.now += 59
    assert sessions.get(token).reviewer == "alice"
    clock.now += 61
    assert sessions.get(token) is None  # idle too long
    token = sessions.open("alice")
    for _ in range(6):  # active all the time, but past the maximum age
        clock.now += 55
        found = sessions.get(token)
    assert found is None


def test_a_session_needs_its_own_csrf_token_and_ends_on_sign_out():
    sessions = Sessions()
    token, other = sessions.open("alice"), sessions.open("bob")
    session = sessions.get(token)
    assert session.csrf_ok(session.csrf)
    assert not session.csrf_ok(sessions.get(other).csrf)
    assert not session.csrf_ok("") and not session.csrf_ok(None)
    sessions.close(token)
    assert sessions.get(token) is None and sessions.get("made-up") is None


def test_repeated_failed_logins_lock_the_name_for_a_while():
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(FAILURES_BEFORE_LOCK):
        assert not throttle.locked("alice")
        throttle.failed("alice")
    assert throttle.locked("Alice") and not throttle.locked("bob")
    clock.now += 61
    assert not throttle.locked("alice")


# ---------------------------------------------------------------- marks
def test_a_mark_must_agree_with_what_the_bot_said():
    assert check_mark("correct", "", "", "fine", "consultation", CAUSES)["expected_triage"] == "consultation"
    assert check_mark("under_triaged", "emergency", "", "", "consultation", CAUSES)["expected_triage"] == "emergency"
    with pytest.raises(MarkError, match="MORE urgent"):
        check_mark("under_triaged", "self_care", "", "", "consultation", CAUSES)
    with pytest.raises(MarkError, match="LESS urgent"):
        check_mark("over_triaged", "emergency", "", "", "consultation", CAUSES)
    with pytest.raises(MarkError, match="which triage level"):
        check_mark("over_triaged", "", "", "", "consultation", CAUSES)
    with pytest.raises(MarkError, match="verdict"):
        check_mark("fine", "", "", "", "consultation", CAUSES)
    with pytest.raises(MarkError, match="cause"):
        check_mark("correct", "", "made_up_cause", "", "consultation", CAUSES)
    assert check_mark("not_readable", "", "", "garbled", None, CAUSES)["expected_triage"] is None


def test_marks_keep_their_history_and_the_latest_counts(tmp_path):
    store = MarkStore(f"sqlite:///{tmp_path / 'review.db'}")
    store.add("a", "alice", check_mark("correct", "", "", "ok", "consultation", CAUSES), now=1)
    store.add("a", "bob", check_mark("under_triaged", "emergency", "", "missed", "consultation", CAUSES), now=2)
    store.add("b", "alice", check_mark("not_readable", "", "", "", None, CAUSES), now=3)
    assert [m.reviewer for m in store.history("a")] == ["bob", "alice"]
    assert {k: m.verdict for k, m in store.latest().items()} == {"a": "under_triaged", "b": "not_readable"}
    assert oct((tmp_path / "review.db").stat().st_mode & 0o777) == "0o600"
    assert store.delete(["a"]) == 2 and set(store.latest()) == {"b"}


# ---------------------------------------------------------------- the tracker store, read only
def test_the_store_is_found_through_the_endpoints_file_with_its_variables(tmp_path, monkeypatch):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: cluster.tracker_store.DurableSQLTrackerStore\n"
                         "  dialect: postgresql\n  url: ${PG_HOST}\n  port: ${PG_PORT}\n  db: rasa\n"
                         "  username: rasa\n  password: ${PG_PASSWORD}\n")
    with pytest.raises(StoreConfigError, match="PG_HOST"):
        store_url(endpoints)
    monkeypatch.setenv("PG_HOST", "127.0.0.1")
    monkeypatch.setenv("PG_PORT", "55432")
    monkeypatch.setenv("PG_PASSWORD", "s3cret")
    url = store_url(endpoints)
    assert (url.drivername, url.host, url.port, url.database, url.username, url.password) == \
        ("postgresql", "127.0.0.1", 55432, "rasa", "rasa", "s3cret")
    assert store_url(ROOT / "endpoints.yml").database == str(ROOT / "var" / "conversations.db")
    (tmp_path / "memory.yml").write_text("tracker_store:\n  type: InMemoryTrackerStore\n")
    with pytest.raises(StoreConfigError, match="not one of Rasa's SQL stores"):
        store_url(tmp_path / "memory.yml")


def test_the_sqlite_store_is_opened_read_only(tmp_path):
    path = tmp_path / "conversations.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
                           "timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)")
        connection.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES "
                           "('x', 'user', 1.0, '{\"event\": \"user\", \"text\": \"hi\"}')")
    source = TrackerSource(sa.engine.URL.create("sqlite", database=str(path)))
    assert [s.sender_id for s in source.index()] == ["x"]
    with pytest.raises(sa.exc.OperationalError, match="readonly"):
        with source.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM events"))
    assert TrackerSource(sa.engine.URL.create("sqlite", database=str(tmp_path / "none.db"))).index() == []
    assert not (tmp_path / "none.db").exists()  # reading never creates the store


def test_odd_events_and_an_interview_state_of_another_shape_are_read_without_failing():
    events = [
        {"event": "user", "timestamp": 1.0, "text": "my leg is numb", "input_channel": "rest",
         "parse_data": {"intent": {"name": "describe_symptoms", "confidence": 0.9},
                        "entities": [{"entity": "symptom", "value": "leg_numbness", "start": 3, "end": 14},
                                     {"entity": "symptom", "value": "slurred_speech", "role": "historical"},
                                     {"entity": "new_kind"}, "not a dict"]}},
        {"event": "bot", "timestamp": 2.0, "text": None, "data": "not a dict"},
        {"event": "slot", "name": "interview", "value": {"stage": "interview", "findings": ["not", "a", "dict"],
                                                         "a_field_from_later": {"x": 1}}},
        {"event": "slot", "name": "assessment", "value": "garbage"},
        "not an event", {"event": "user"},
    ]
    conversation = read_conversation("odd", events, Vocabulary.load())
    first = conversation.person_messages[0]
    assert [(e.value, e.role, e.words) for e in first.entities] == [
        ("leg_numbness", "present", "leg is numb"), ("slurred_speech", "historical", "")]
    assert conversation.assessment is None and conversation.interview["a_field_from_later"] == {"x": 1}
    assert conversation.turns == 2 and conversation.channels == ["rest"]


# ---------------------------------------------------------------- retention removes the marks it orphans
@pytest.fixture
def store_with_marks(tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    import asyncio

    domain = Domain.load(str(ROOT / "domain.yml"))
    path = tmp_path / "conversations.db"
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(path))
    now = time.time()
    for sender, age_days in (("old", 40), ("new", 1)):
        events = [UserUttered("my leg is numb", timestamp=now - age_days * 86400)]
        tracker = DialogueStateTracker.from_events(sender, events, domain.slots)
        with ThreadPoolExecutor(1) as thread:  # a loop of its own: Playwright's may be running in this one
            thread.submit(asyncio.run, store.save(tracker)).result()
    marks = MarkStore(f"sqlite:///{tmp_path / 'review.db'}")
    for sender in ("old", "new"):
        marks.add(sender, "alice", check_mark("correct", "", "", "a note", "consultation", CAUSES))
    return path, marks


def retention(*args):
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "retention.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_retention_removes_the_marks_of_the_conversations_it_deletes(store_with_marks):
    path, marks = store_with_marks
    dry = retention("--days", "30", "--db", str(path), "--review-db-url", marks.url, "--dry-run")
    assert "would delete the review page's marks of 1" in dry.stdout and set(marks.latest()) == {"old", "new"}
    run = retention("--days", "30", "--db", str(path), "--review-db-url", marks.url)
    assert run.returncode == 0, run.stderr
    assert set(marks.latest()) == {"new"}


def test_delete_conversation_removes_its_marks(store_with_marks):
    path, marks = store_with_marks
    run = retention("--sender", "new", "--db", str(path), "--review-db-url", marks.url)
    assert run.returncode == 0, run.stderr
    assert set(marks.latest()) == {"old"}
    with sqlite3.connect(path) as connection:
        assert {row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events")} == {"old"}
