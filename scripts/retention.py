"""Delete conversations from Rasa's SQL tracker store.

    python scripts/retention.py --days 30            # conversations whose latest event is older than 30 days
    python scripts/retention.py --sender <id>        # one conversation ("delete my conversation")
    python scripts/retention.py --days 30 --dry-run  # only list what would go

Rasa's SQLTrackerStore keeps every event of every conversation as a row of the table `events`
(columns sender_id, type_name, timestamp - seconds since the epoch, a float -, intent_name,
action_name, data). A conversation is all the rows of one sender_id; its age is the timestamp of
its latest event, so a conversation that started long ago but is still going is kept. Rows without
a timestamp cannot be dated: a conversation with no dated row is kept by --days (--sender removes it).

The database is the tracker store of endpoints.yml (var/conversations.db) unless --db (an SQLite
file) or --url (any SQLAlchemy URL, e.g. postgresql://user@host/db) says otherwise. On SQLite the
deletion runs with PRAGMA secure_delete, so the deleted text is overwritten in the file rather than
left in its free pages. A running Rasa server needs no restart: it reads a conversation from the
store on every message, so a deleted conversation simply starts afresh.

The review page's marks of the deleted conversations go too (review/marks.py: the table
review_marks in the database of --review-db-url, else REVIEW_DB_URL, else var/review.db when it
exists), so no reviewer's note outlives its conversation.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import List, Optional

import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parent.parent
DAY = 24 * 60 * 60
# Tracker store types of endpoints.yml that keep Rasa's SQL tables.
SQL_STORE_TYPES = {"sql", "cluster.tracker_store.durablesqltrackerstore",
                   "cluster.tracker_store.reconnectingsqltrackerstore"}
# DurableSQLTrackerStore files the events it could not merge after an outage under "<id>#unmerged-<time>".
UNMERGED_SUFFIX = "#unmerged-"


def database_url(db: Optional[str] = None, url: Optional[str] = None, endpoints: Path = ROOT / "endpoints.yml") -> str:
    if url:
        return url
    if db is None:
        store = (yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}).get("tracker_store") or {}
        if str(store.get("type", "")).lower() not in SQL_STORE_TYPES or store.get("dialect", "sqlite") != "sqlite":
            raise SystemExit(f"{endpoints} has no SQLite tracker store: pass --db or --url")
        db = store.get("db", "rasa.db")
    path = Path(db)
    if not path.is_absolute():
        path = ROOT / path  # Rasa resolves it from where the server runs: the project root
    if not path.exists():
        raise SystemExit(f"no tracker store at {path}")
    return f"sqlite:///{path}"


def _engine(url: str) -> sa.engine.Engine:
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _secure_delete(connection, _record):  # overwrite deleted rows in the file
            connection.execute("PRAGMA secure_delete = ON")
    return engine


def _events() -> sa.Table:
    return sa.Table("events", sa.MetaData(), sa.Column("sender_id", sa.String(255)), sa.Column("timestamp", sa.Float))


def expired_senders(connection, days: float, now: Optional[float] = None) -> List[str]:
    """Conversations whose latest dated event is older than `days` days."""
    events = _events()
    cutoff = (time.time() if now is None else now) - days * DAY
    query = (sa.select(events.c.sender_id).group_by(events.c.sender_id)
             .having(sa.func.max(events.c.timestamp) < cutoff))
    return [row[0] for row in connection.execute(query)]


def delete_senders(connection, senders: List[str]) -> int:
    """Deletes every event of these conversations; returns the number of rows deleted."""
    events, deleted = _events(), 0
    for start in range(0, len(senders), 500):
        batch = senders[start:start + 500]
        deleted += connection.execute(events.delete().where(events.c.sender_id.in_(batch))).rowcount
    return deleted


def apply_retention(url: str, days: float, now: Optional[float] = None, dry_run: bool = False) -> dict:
    with _engine(url).begin() as connection:
        senders = expired_senders(connection, days, now)
        rows = 0 if dry_run else delete_senders(connection, senders)
    return {"conversations": senders, "events_deleted": rows}


def conversations_of(connection, sender: str) -> List[str]:
    """The conversation `sender` and the side conversations an outage left for it."""
    events = _events()
    side = sa.func.substr(events.c.sender_id, 1, len(sender) + len(UNMERGED_SUFFIX)) == sender + UNMERGED_SUFFIX
    query = sa.select(events.c.sender_id).where((events.c.sender_id == sender) | side).distinct()
    return sorted(row[0] for row in connection.execute(query))


def delete_conversation(url: str, sender: str, dry_run: bool = False) -> dict:
    events = _events()
    with _engine(url).begin() as connection:
        senders = conversations_of(connection, sender)
        count = connection.execute(sa.select(sa.func.count()).select_from(events)
                                   .where(events.c.sender_id.in_(senders))).scalar() if senders else 0
        rows = 0 if dry_run else delete_senders(connection, senders)
    return {"conversations": senders, "events_deleted": rows, "events_found": count}


def review_marks_url(explicit: Optional[str] = None) -> Optional[str]:
    """The review page's database, or None when it has none yet (nothing to remove, nothing created)."""
    if explicit or os.environ.get("REVIEW_DB_URL"):
        return explicit or os.environ["REVIEW_DB_URL"]
    default = ROOT / "var" / "review.db"
    return f"sqlite:///{default}" if default.exists() else None


def remove_marks(senders: List[str], review_url: Optional[str], dry_run: bool = False) -> int:
    """Removes the review page's marks of these conversations; returns how many conversations had some."""
    if not senders or not review_url:
        return 0
    sys.path.insert(0, str(ROOT))
    from review.marks import MARKS, MarkStore

    store = MarkStore(review_url, create=False)
    if not store.exists():
        return 0
    with store.engine.connect() as connection:
        marked = {row[0] for row in connection.execute(sa.select(MARKS.c.sender_id).distinct())}
    orphaned = [sender for sender in senders if sender in marked]
    if not dry_run:
        store.delete(orphaned)
    return len(orphaned)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--days", type=float, help="delete conversations whose latest event is older than this")
    what.add_argument("--sender", help="delete this one conversation (its sender id)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", help="the SQLite file (default: the tracker store of endpoints.yml)")
    where.add_argument("--url", help="an SQLAlchemy database URL instead of an SQLite file")
    parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    parser.add_argument("--review-db-url", help="the review page's marks database (default: REVIEW_DB_URL, else "
                                                "var/review.db when it exists)")
    args = parser.parse_args(argv)
    if args.days is not None and args.days < 0:
        parser.error("--days must be 0 or more")
    url = database_url(args.db, args.url)
    shown = sa.engine.make_url(url).render_as_string(hide_password=True)
    marks_url = review_marks_url(args.review_db_url)
    verb = "would delete" if args.dry_run else "deleted"
    if args.sender is not None:
        senders = [args.sender]
        result = delete_conversation(url, args.sender, args.dry_run)
        if not result["conversations"]:
            print(f"no conversation with sender id {args.sender!r} in {shown}")
        else:
            senders = result["conversations"]
            print(f"{verb} the conversation {args.sender!r} ({result['events_found']} events) from {shown}")
        _report_marks(remove_marks(senders, marks_url, args.dry_run), verb)
        return 0
    result = apply_retention(url, args.days, dry_run=args.dry_run)
    print(f"{verb} {len(result['conversations'])} conversation(s) whose latest event is older than "
          f"{args.days:g} days ({result['events_deleted']} events) from {shown}")
    _report_marks(remove_marks(result["conversations"], marks_url, args.dry_run), verb)
    if args.dry_run:
        for sender in result["conversations"]:
            print(f"  {sender}")
    return 0


def _report_marks(conversations: int, verb: str) -> None:
    if conversations:
        print(f"{verb} the review page's marks of {conversations} conversation(s)")


if __name__ == "__main__":
    sys.exit(main())
