"""The review page on PostgreSQL, as in production: a private PostgreSQL (Debian's package, on a free
port; cluster/stack.py starts it), the bot writing its conversations there, the review page reading
them through endpoints-production.yml itself (its ${POSTGRES_*} variables from the environment) and
keeping its marks in a table of its own in the same database. Run by `make review-postgres-tests`,
part of `make cluster-smoke` (RUN_CLUSTER_TESTS=1)."""
import shutil
import subprocess
import sys

import pytest
import sqlalchemy as sa

from tests.review.conftest import play_conversations
from tests.review.harness import Client, ReviewServer, conversation_path

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def postgres():
    from cluster.stack import DB_NAME, DB_USER, Stack, missing_packages

    if "postgresql" in missing_packages():
        pytest.fail("PostgreSQL is missing: make cluster-install (apt-get install -y postgresql)")
    base = ROOT / "var" / "review-pg-test"
    stack = Stack.with_free_ports(base)
    try:
        stack.start_postgres()
        yield {"stack": stack, "env": {"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": str(stack.ports["postgres"]),
                                       "POSTGRES_DB": DB_NAME, "POSTGRES_USER": DB_USER,
                                       "POSTGRES_PASSWORD": stack.secrets()["POSTGRES_PASSWORD"]}}
    finally:
        stack.stop_postgres()
        shutil.rmtree(stack.pg_dir, ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def pg_store(postgres):
    from tests.review.bot import running_bot

    env = postgres["env"]
    tracker_store = {"type": "cluster.tracker_store.DurableSQLTrackerStore", "dialect": "postgresql",
                     "url": env["POSTGRES_HOST"], "port": int(env["POSTGRES_PORT"]), "db": env["POSTGRES_DB"],
                     "username": env["POSTGRES_USER"], "password": env["POSTGRES_PASSWORD"]}
    with running_bot(tracker_store) as url:
        played = play_conversations(url)
    database = (f"postgresql://{env['POSTGRES_USER']}:{env['POSTGRES_PASSWORD']}@{env['POSTGRES_HOST']}:"
                f"{env['POSTGRES_PORT']}/{env['POSTGRES_DB']}")
    return {"played": played, "url": database}


@pytest.fixture(scope="module")
def pg_review(postgres, pg_store, tmp_path_factory):
    server = ReviewServer(ROOT / "endpoints-production.yml", tmp_path_factory.mktemp("review-pg-app"),
                          env={**postgres["env"], "REVIEW_DB_URL": pg_store["url"]}, name="review-postgres")
    server.marks_url = pg_store["url"]
    server.start()
    yield server
    server.stop()


def events_fingerprint(url):
    with sa.create_engine(url).connect() as connection:
        return tuple(connection.execute(sa.text("SELECT COUNT(*), MAX(id), SUM(LENGTH(data)) FROM events")).one())


def test_the_review_page_reads_the_bots_conversations_from_postgresql(pg_store, pg_review):
    client = Client(pg_review.url)
    assert client.login().status == 303
    overview = client.get("/").text
    assert f'id="total">{len(pg_store["played"])}<' in overview
    assert 'id="escalated">1<' in overview and "Tracker store: postgresql on 127.0.0.1" in overview
    escalation = client.get(conversation_path(pg_store["played"]["escalation"].id)).text
    assert 'data-flag="slurred_speech"' in escalation
    assessed = pg_store["played"]["assessed"]
    page = client.get(conversation_path(assessed.id)).text
    assert f'data-cause="{assessed.assessment["causes"][0]["id"]}"' in page


def test_marks_sit_in_their_own_table_and_rasas_tables_are_only_read(pg_store, pg_review):
    before = events_fingerprint(pg_store["url"])
    client = Client(pg_review.url)
    client.login()
    sender = pg_store["played"]["denied"].id
    reply = client.post("/conversation/mark", {"csrf_token": client.csrf(), "id": sender, "verdict": "correct",
                                               "note": "checked on PostgreSQL"})
    assert reply.status == 303
    assert events_fingerprint(pg_store["url"]) == before
    with sa.create_engine(pg_store["url"]).connect() as connection:
        notes = connection.execute(sa.text("SELECT note FROM review_marks WHERE sender_id = :s"),
                                   {"s": sender}).scalars()
        assert list(notes) == ["checked on PostgreSQL"]


def test_the_review_pages_connection_to_the_tracker_store_cannot_write(postgres, pg_store, monkeypatch):
    from review.tracker_source import TrackerSource, store_url

    for key, value in postgres["env"].items():
        monkeypatch.setenv(key, value)
    source = TrackerSource(store_url(ROOT / "endpoints-production.yml"))
    with pytest.raises(sa.exc.InternalError, match="read-only transaction"):
        with source.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM events"))
    assert events_fingerprint(pg_store["url"])[0] > 0


def test_delete_conversation_removes_its_marks_on_postgresql(pg_store, pg_review):
    client = Client(pg_review.url)
    client.login()
    sender = pg_store["played"]["assessed"].id
    client.post("/conversation/mark", {"csrf_token": client.csrf(), "id": sender, "verdict": "correct"})
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "retention.py"), "--sender", sender,
                          "--url", pg_store["url"], "--review-db-url", pg_store["url"]],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "marks of 1 conversation" in run.stdout
    with sa.create_engine(pg_store["url"]).connect() as connection:
        for table in ("review_marks", "events"):
            count = sa.text(f"SELECT COUNT(*) FROM {table} WHERE sender_id = :s")
            assert connection.execute(count, {"s": sender}).scalar() == 0, table
    assert client.get(conversation_path(sender)).status == 404
