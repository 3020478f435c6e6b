"""The review page's tests. Most of them read a tracker store filled by real conversations: the bot
runs once (action server and Rasa server on free ports, SQLite store of its own), plays a few
conversations through the REST channel and stops; every test then reads that store.

They run with RUN_REVIEW_TESTS=1 (`make review-tests`, part of `make test`); test_postgres.py with
RUN_CLUSTER_TESTS=1 (`make review-postgres-tests`, part of `make cluster-smoke`). A plain `pytest`
(`make unit`) runs only the tests that need no bot (test_units.py).
"""
import os
import threading
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCREENSHOTS = ROOT / "results" / "screenshots"
RUN = os.environ.get("RUN_REVIEW_TESTS") == "1"
RUN_POSTGRES = os.environ.get("RUN_CLUSTER_TESTS") == "1"
NEEDS_NOTHING = {"test_units.py"}

FACTS = {"age_sex": "54, female", "side": "my left leg", "onset": "gradually", "duration": "about two weeks"}
XSS_OPENING = "<script>alert(1)</script><img src=x onerror=alert(2)> my left leg is numb"
XSS_COMMAND = "/<img src=x onerror=alert(4)>"
UNREADABLE = ["/foo", "", "je ne sais pas quoi dire", "asdkjh qwe zxc", "/help me"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(str(item.fspath)).resolve()
        if HERE not in path.parents or path.name in NEEDS_NOTHING:
            continue
        if path.name == "test_postgres.py" and not RUN_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="PostgreSQL: make review-postgres-tests (RUN_CLUSTER_TESTS=1)"))
        elif path.name != "test_postgres.py" and not RUN:
            item.add_marker(pytest.mark.skip(reason="needs the bot: make review-tests (RUN_REVIEW_TESTS=1)"))


def play_conversations(url: str) -> dict:
    """The conversations every review test reads: an assessment with feedback, an escalation, a
    denied red flag (on another channel), messages the bot cannot read, and an XSS attempt."""
    from tests.review.bot import Conversation

    played = {}
    assessed = Conversation(url, "assessed")
    assessed.say("my left foot has been numb and tingling for two weeks, no back pain")
    assessed.answer_until_assessed(FACTS)
    assessed.say("yes")  # "Was this helpful?"
    played["assessed"] = assessed.played

    escalation = Conversation(url, "escalation")
    escalation.say("my right leg went numb and now my speech is slurred")
    played["escalation"] = escalation.played

    denied = Conversation(url, "denied", channel="socketio")
    denied.say("both my legs have been numb and tingly for months. my speech is fine")
    denied.answer_until_assessed({**FACTS, "side": "both"})
    denied.say("no")  # not helpful
    played["denied"] = denied.played

    unreadable = Conversation(url, "unreadable")
    for text in UNREADABLE:
        unreadable.say(text)
    played["unreadable"] = unreadable.played

    xss = Conversation(url, "xss")  # (an id the server did not issue is refused: no XSS can ride in one)
    xss.say(XSS_OPENING)
    xss.say(XSS_COMMAND)
    played["xss"] = xss.played
    return played


@pytest.fixture(scope="session")
def store(tmp_path_factory):
    """{"db": the SQLite tracker store, "endpoints": an endpoints file naming it, "played": name -> Played}.
    The bot stops in the background while the tests read what it stored (every reply came after its
    events were saved)."""
    from tests.review.bot import running_bot

    work = tmp_path_factory.mktemp("review-bot")
    db = work / "conversations.db"
    tracker_store = {"type": "cluster.tracker_store.DurableSQLTrackerStore", "dialect": "sqlite", "db": str(db)}
    bot = running_bot(tracker_store)
    try:
        played = play_conversations(bot.__enter__())
    except BaseException:
        bot.__exit__(None, None, None)
        raise
    stopping = threading.Thread(target=bot.__exit__, args=(None, None, None))
    stopping.start()
    endpoints = work / "review-endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: cluster.tracker_store.DurableSQLTrackerStore\n"
                         f"  dialect: sqlite\n  db: {db}\n")
    yield {"db": db, "endpoints": endpoints, "played": played, "work": work}
    stopping.join()


@pytest.fixture(scope="session")
def review(store, tmp_path_factory):
    from tests.review.harness import ReviewServer

    server = ReviewServer(store["endpoints"], tmp_path_factory.mktemp("review-app")).start()
    yield server
    server.stop()


@pytest.fixture
def client(review):
    from tests.review.harness import Client

    return Client(review.url)


@pytest.fixture
def signed_in(client):
    assert client.login().status == 303
    return client


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
