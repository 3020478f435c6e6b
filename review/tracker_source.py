"""Read-only access to the bot's conversations in Rasa's SQL tracker store.

The store is the one of endpoints.yml (or endpoints-production.yml): its `tracker_store` section,
with `${VAR}` replaced from the environment as Rasa does. Rasa keeps each event of each
conversation as a row of the table `events` (sender_id, type_name, timestamp, data = the event as
JSON). This module only ever SELECTs, and on a connection that cannot write: SQLite is opened with
mode=ro, PostgreSQL with default_transaction_read_only.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parent.parent
# endpoints.yml types that keep Rasa's SQL tables (lower case)
SQL_STORE_TYPES = {"sql", "cluster.tracker_store.durablesqltrackerstore",
                   "cluster.tracker_store.reconnectingsqltrackerstore"}
_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_BATCH = 500


class StoreConfigError(ValueError):
    """endpoints.yml names no SQL tracker store, or a variable it needs is unset."""


def _substitute(value: Any) -> Any:
    """${VAR} from the environment in every string, as Rasa reads endpoints files."""
    if isinstance(value, dict):
        return {key: _substitute(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item) for item in value]
    if isinstance(value, str):
        missing = [name for name in _VARIABLE.findall(value) if name not in os.environ]
        if missing:
            raise StoreConfigError(f"the environment variable {missing[0]} used in the endpoints file is not set")
        return _VARIABLE.sub(lambda match: os.environ[match.group(1)], value)
    return value


def store_url(endpoints: Path) -> sa.engine.URL:
    """The SQLAlchemy URL of the tracker store named in `endpoints` (built as Rasa's
    SQLTrackerStore.get_db_url builds it)."""
    document = yaml.safe_load(Path(endpoints).read_text(encoding="utf-8")) or {}
    store = _substitute(document.get("tracker_store") or {})
    if str(store.get("type", "")).lower() not in SQL_STORE_TYPES:
        raise StoreConfigError(f"{endpoints}: the tracker store is not one of Rasa's SQL stores "
                               f"(type {store.get('type')!r}); the review page reads only those")
    dialect = str(store.get("dialect", "sqlite"))
    host, port = store.get("url"), store.get("port")
    if host and "://" in str(host):
        return sa.engine.make_url(str(host))
    if dialect.startswith("sqlite"):
        path = Path(str(store.get("db", "rasa.db")))
        return sa.engine.URL.create(dialect, database=str(path if path.is_absolute() else ROOT / path))
    return sa.engine.URL.create(dialect, username=store.get("username"), password=store.get("password"),
                                host=host, port=int(port) if port else None, database=store.get("db", "rasa"),
                                query=store.get("query") or {})


def read_only_engine(url: sa.engine.URL) -> sa.engine.Engine:
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")

        def connect():
            return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)

        return sa.create_engine("sqlite://", creator=connect, poolclass=sa.pool.NullPool)
    return sa.create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2,
                            connect_args={"options": "-c default_transaction_read_only=on",
                                          "connect_timeout": 5})


EVENTS = sa.Table("events", sa.MetaData(), sa.Column("id", sa.Integer), sa.Column("sender_id", sa.String(255)),
                  sa.Column("type_name", sa.String(255)), sa.Column("timestamp", sa.Float),
                  sa.Column("data", sa.Text))


@dataclass(frozen=True)
class Stored:
    """What the store holds for one conversation, without reading its events."""
    sender_id: str
    events: int
    first: Optional[float]
    last: Optional[float]


class TrackerSource:
    def __init__(self, url: sa.engine.URL):
        self.url = url
        self.engine = read_only_engine(url)

    @classmethod
    def from_endpoints(cls, endpoints: Path) -> "TrackerSource":
        return cls(store_url(endpoints))

    def where(self) -> str:
        """Where the store is, for people (no password)."""
        if self.url.get_backend_name() == "sqlite":
            return f"SQLite file {self.url.database}"
        return f"{self.url.get_backend_name()} on {self.url.host}:{self.url.port}/{self.url.database}"

    def exists(self) -> bool:
        """False while the bot has stored nothing yet (no file, or no table)."""
        if self.url.get_backend_name() == "sqlite" and not Path(self.url.database or "").exists():
            return False
        with self.engine.connect() as connection:
            return sa.inspect(connection).has_table("events")

    def index(self) -> List[Stored]:
        if not self.exists():
            return []
        query = (sa.select(EVENTS.c.sender_id, sa.func.count(), sa.func.min(EVENTS.c.timestamp),
                           sa.func.max(EVENTS.c.timestamp)).group_by(EVENTS.c.sender_id))
        with self.engine.connect() as connection:
            return [Stored(*row) for row in connection.execute(query)]

    def events(self, sender_ids: Iterable[str]) -> Dict[str, List[dict]]:
        """Each conversation's events (as Rasa stored them), oldest first."""
        senders = list(sender_ids)
        found: Dict[str, List[dict]] = {sender: [] for sender in senders}
        if not senders or not self.exists():
            return found
        with self.engine.connect() as connection:
            for start in range(0, len(senders), _BATCH):
                query = (sa.select(EVENTS.c.sender_id, EVENTS.c.data)
                         .where(EVENTS.c.sender_id.in_(senders[start:start + _BATCH])).order_by(EVENTS.c.id))
                for sender, data in connection.execute(query):
                    try:
                        found[sender].append(json.loads(data))
                    except (TypeError, ValueError):
                        continue  # a row Rasa could not have written: skipped, not fatal
        return found

    def sender_ids(self) -> List[str]:
        return [stored.sender_id for stored in self.index()]
