"""The reviewers' marks: the review page's own table, `review_marks`, in its own database (by default
the SQLite file var/review.db; REVIEW_DB_URL may name another, e.g. the bot's PostgreSQL database,
where this table sits beside Rasa's and never touches them). A mark is added, never edited: the
latest mark of a conversation counts, the earlier ones stay as its history."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional

import sqlalchemy as sa

from review.conversation import LEVELS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "var" / "review.db"
TABLE_NAME = "review_marks"
VERDICTS = {"correct": "correct", "under_triaged": "under-triaged", "over_triaged": "over-triaged",
            "not_readable": "not readable"}
NO_GOOD_FIT = "no_good_fit"
MAX_NOTE = 4000

METADATA = sa.MetaData()
MARKS = sa.Table(
    TABLE_NAME, METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("verdict", sa.String(32), nullable=False),
    sa.Column("expected_triage", sa.String(32)),
    sa.Column("expected_cause", sa.String(100)),
    sa.Column("note", sa.Text),
    sa.Column("reviewer", sa.String(100), nullable=False),
    sa.Column("marked_at", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class Mark:
    sender_id: str
    verdict: str
    expected_triage: Optional[str]
    expected_cause: Optional[str]
    note: str
    reviewer: str
    marked_at: float

    @property
    def verdict_label(self) -> str:
        return VERDICTS.get(self.verdict, self.verdict)


class MarkError(ValueError):
    """What is wrong with a mark, said to the reviewer."""


def check_mark(verdict: str, expected_triage: str, expected_cause: str, note: str, bot_triage: Optional[str],
               cause_ids: Iterable[str]) -> dict:
    """The mark's fields, checked against what the bot said; raises MarkError."""
    if verdict not in VERDICTS:
        raise MarkError("Choose a verdict: correct, under-triaged, over-triaged or not readable.")
    expected = expected_triage or None
    if expected is not None and expected not in LEVELS:
        raise MarkError("Choose the triage level from the list.")
    rank = LEVELS.index
    if verdict == "correct":
        expected = bot_triage
    elif verdict in ("under_triaged", "over_triaged"):
        if expected is None:
            raise MarkError("Say which triage level it should have been.")
        if bot_triage is None:
            raise MarkError("The bot gave no triage level in this conversation: mark it 'not readable' and "
                            "say in the note what it should have been.")
        if verdict == "under_triaged" and rank(expected) <= rank(bot_triage):
            raise MarkError("Under-triaged means it should have been MORE urgent than what the bot said.")
        if verdict == "over_triaged" and rank(expected) >= rank(bot_triage):
            raise MarkError("Over-triaged means it should have been LESS urgent than what the bot said.")
    cause = expected_cause or None
    if cause is not None and cause != NO_GOOD_FIT and cause not in set(cause_ids):
        raise MarkError("Choose the expected cause from the list.")
    if len(note) > MAX_NOTE:
        raise MarkError(f"The note is too long ({len(note)} characters; at most {MAX_NOTE}).")
    return {"verdict": verdict, "expected_triage": expected, "expected_cause": cause, "note": note.strip()}


def review_db_url(explicit: Optional[str] = None) -> str:
    return explicit or os.environ.get("REVIEW_DB_URL") or f"sqlite:///{DEFAULT_DB}"


def marks_engine(url: str, create: bool = True) -> sa.engine.Engine:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and create:
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():  # the reviewers' notes are health data: the owner only
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    engine = sa.create_engine(parsed, pool_pre_ping=parsed.get_backend_name() != "sqlite")
    if parsed.get_backend_name() == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _secure_delete(connection, _record):  # a deleted note is overwritten in the file
            connection.execute("PRAGMA secure_delete = ON")
    return engine


class MarkStore:
    def __init__(self, url: Optional[str] = None, create: bool = True):
        self.url = review_db_url(url)
        self.engine = marks_engine(self.url, create)
        if create:
            METADATA.create_all(self.engine, tables=[MARKS])  # this table only

    def exists(self) -> bool:
        parsed = self.engine.url
        if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
            return False  # (connecting would create the file)
        with self.engine.connect() as connection:
            return sa.inspect(connection).has_table(TABLE_NAME)

    def add(self, sender_id: str, reviewer: str, fields: dict, now: Optional[float] = None) -> Mark:
        mark = Mark(sender_id=sender_id, reviewer=reviewer, marked_at=now or time.time(), **fields)
        with self.engine.begin() as connection:
            connection.execute(MARKS.insert().values(**mark.__dict__))
        return mark

    def history(self, sender_id: str) -> List[Mark]:
        """Newest first."""
        query = MARKS.select().where(MARKS.c.sender_id == sender_id).order_by(MARKS.c.id.desc())
        with self.engine.connect() as connection:
            return [_mark(row) for row in connection.execute(query)]

    def latest(self) -> Dict[str, Mark]:
        """Each marked conversation's latest mark."""
        newest = sa.select(sa.func.max(MARKS.c.id)).group_by(MARKS.c.sender_id)
        query = MARKS.select().where(MARKS.c.id.in_(newest))
        with self.engine.connect() as connection:
            return {row.sender_id: _mark(row) for row in connection.execute(query)}

    def delete(self, sender_ids: Iterable[str]) -> int:
        senders, deleted = list(sender_ids), 0
        with self.engine.begin() as connection:
            for start in range(0, len(senders), 500):
                deleted += connection.execute(
                    MARKS.delete().where(MARKS.c.sender_id.in_(senders[start:start + 500]))).rowcount
        return deleted

    def delete_orphans(self, existing_sender_ids: Iterable[str]) -> List[str]:
        """Removes the marks of conversations the tracker store no longer holds; returns their ids."""
        existing = set(existing_sender_ids)
        with self.engine.connect() as connection:
            marked = [row[0] for row in connection.execute(sa.select(MARKS.c.sender_id).distinct())]
        orphans = [sender for sender in marked if sender not in existing]
        self.delete(orphans)
        return orphans


def _mark(row) -> Mark:
    return Mark(sender_id=row.sender_id, verdict=row.verdict, expected_triage=row.expected_triage,
                expected_cause=row.expected_cause, note=row.note or "", reviewer=row.reviewer,
                marked_at=row.marked_at)
