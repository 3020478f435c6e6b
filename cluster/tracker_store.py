"""Rasa's SQL tracker store, made to survive a database that is unreachable.

Rasa wraps every tracker store in `FailSafeTrackerStore`: when a read fails it hands the processor
NO tracker (the conversation starts again from the greeting, red flags heard before forgotten) and
when a write fails it logs the exception - for SQLAlchemy that includes the statement's parameters,
i.e. what the person wrote - and keeps the events in an in-memory store that nothing reads back.

`ReconnectingSQLTrackerStore` is `rasa.core.tracker_store.SQLTrackerStore` (same tables, same
settings) with two changes:
- the connection pool pings a connection before using it (`pool_pre_ping`), so connections that
  died with a restart are replaced instead of failing a turn;
- `retrieve`, `retrieve_full_tracker` and `save` retry on a lost connection, with back-off, for up
  to `reconnect_seconds` (default 30) before giving up. A save is retried whole: it writes only the
  events past those already stored, in one transaction, so a retry cannot store an event twice.

`DurableSQLTrackerStore` (what endpoints.yml and endpoints-production.yml use) adds what happens
when the database stays unreachable, handled inside the store so Rasa's fail-safe never logs:
- a bounded write-through copy of the conversations this server used lately, kept as JSON text and
  bounded three ways: at most `keep_conversations` (default 1000) conversations, at most
  `keep_megabytes` (default 100) in all, and none over `keep_kilobytes_per_conversation` (default
  1024; the database has it, and such a conversation is read from there only). Least recently used
  first out; a copy with unsaved events is never dropped. When the database cannot be read the
  conversation continues from that copy - its slots, red flags included - and a save that fails is
  kept as pending;
- a message is stored (database and copy alike) up to MAX_STORED_MESSAGE_CHARS (records.py; 5,000:
  what the interview reads, numbness_triage.limits.MAX_MESSAGE_CHARS), with the length it had in its
  metadata (`stored_text`: {"chars": <length>, "kept": 5000}): the NLU has read it whole before it
  is stored (red flags in its first 100,000 characters: they are the event's entities and the
  conversation's slots), and a reviewer sees what the interview read. Metadata a client sent with
  a message is stored up to MAX_STORED_METADATA_BYTES (10,000 as JSON; over that it is replaced by
  {"metadata_not_stored": <its size>}). One message of 1 MB no longer weighs 1 MB in every later
  turn, in memory, in the database and in the tracker sent to the action server;
- pending conversations are written when the database answers again: on the conversation's next
  message or read, and every `retry_seconds` (default 5) in the background. A write first reads
  what the database holds for the conversation's current session and stores only what it lacks,
  and only when the database holds a prefix of this server's copy (Rasa's own save counts events,
  so it would drop or duplicate events when another server wrote in between). If another server
  did write meanwhile, this server's unsaved events go to a conversation of their own,
  "<id>#unmerged-<UTC time>", and an ERROR says so: the stored conversation is left as it is;
- the database unreachable and no copy (say the server restarted during the outage): the tracker
  handed to Rasa is a new session whose `session_started` event carries the metadata
  {"conversation_record_unreachable": true}; the interview action then tells the person the record
  cannot be reached right now (a red flag is still answered as an emergency: that is the NLU and a
  rule, and the escalation works on an empty interview). When the database is back, that session's
  events are appended to the stored conversation (or stored as its start) without the marker;
- logs say what happened with the conversation's hash (as channels/rest_safe.py) and the
  exception's type, never the exception's text nor events: the message text stays out of the log.
  At start-up a database that cannot be opened (say var/ missing or read-only) is one ERROR line;
  the server starts anyway and answers, keeping conversations in memory until the database opens.

    tracker_store:
      type: cluster.tracker_store.DurableSQLTrackerStore
      dialect: postgresql            # or sqlite, with db: var/conversations.db
      url: ${POSTGRES_HOST}
      ...
      reconnect_seconds: 5           # optional: how long one read / write waits for the database
      retry_seconds: 5               # optional
      keep_conversations: 1000       # optional
      keep_megabytes: 100            # optional
      keep_kilobytes_per_conversation: 1024   # optional

Once the database failed, later reads and writes try once without waiting (until it answers), so
an outage costs `reconnect_seconds` on one message, not on each.
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core import tracker_store as rasa_tracker_store
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from cluster.records import RECORD_UNREACHABLE, conversation_hash, stored_form

logger = logging.getLogger(__name__)

def _with_pre_ping(url: Any) -> dict:
    kwargs = _stock_engine_kwargs(url)
    kwargs["pool_pre_ping"] = True
    return kwargs


_stock_engine_kwargs = rasa_tracker_store.create_engine_kwargs


class ReconnectingSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that survives a database restart (see the module docstring)."""

    def __init__(self, *args: Any, reconnect_seconds: float = 30, **kwargs: Any) -> None:
        self.reconnect_seconds = float(reconnect_seconds)
        rasa_tracker_store.create_engine_kwargs = _with_pre_ping  # read by SQLTrackerStore.__init__
        try:
            super().__init__(*args, **kwargs)  # waits itself for a database that is still starting
        finally:
            rasa_tracker_store.create_engine_kwargs = _stock_engine_kwargs
        if self.engine.dialect.name != "sqlite":
            self.engine.pool._pre_ping = True  # also when login_db made a second engine

    async def _retrying(self, what: str, call):
        deadline = time.monotonic() + self.reconnect_seconds
        delay = 0.1
        while True:
            try:
                return await call()
            except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
                if time.monotonic() >= deadline:
                    raise
                # the exception's type only: SQLAlchemy's text carries the statement's parameters
                logger.warning(f"Tracker store {what} failed, database unreachable ({type(error).__name__}); "
                               f"retrying in {delay:.1f}s")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._retrying("read", lambda: super(ReconnectingSQLTrackerStore, self).retrieve(sender_id))

    async def retrieve_full_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._retrying(
            "read", lambda: super(ReconnectingSQLTrackerStore, self).retrieve_full_tracker(sender_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        return await self._retrying("write", lambda: super(ReconnectingSQLTrackerStore, self).save(tracker))


# --------------------------------------------------------------------------- the durable store
@dataclass
class _Copy:
    """The conversation's events (as stored: Event.as_dict()) as this server last knew them, kept as
    JSON text: its length is what the copy weighs (one byte a character for ASCII JSON)."""
    serialised: str
    pending: bool  # some of them may not be in the database yet

    @classmethod
    def of(cls, events: List[dict], pending: bool) -> "_Copy":
        return cls(json.dumps(events), pending)

    @property
    def events(self) -> List[dict]:
        return json.loads(self.serialised)

    @property
    def size(self) -> int:
        return len(self.serialised)


def _fingerprint(event: dict) -> Tuple[Any, float]:
    return event.get("event"), round(float(event.get("timestamp") or 0.0), 6)


def _current_session(events: List[dict]) -> List[dict]:
    """What SQLTrackerStore.retrieve reads: the events from the latest session start's time on."""
    starts = [e.get("timestamp") or 0.0 for e in events if e.get("event") == SessionStarted.type_name]
    if not starts:
        return events
    latest = max(starts)
    return [e for e in events if (e.get("timestamp") or 0.0) >= latest]


def _marker_index(events: List[dict]) -> Optional[int]:
    for index, event in enumerate(events):
        if event.get("event") == SessionStarted.type_name and (event.get("metadata") or {}).get(RECORD_UNREACHABLE):
            return index
    return None


def _without_marker(event: dict) -> dict:
    if event.get("event") != SessionStarted.type_name or RECORD_UNREACHABLE not in (event.get("metadata") or {}):
        return event
    event = dict(event)
    metadata = {k: v for k, v in event["metadata"].items() if k != RECORD_UNREACHABLE}
    if metadata:
        event["metadata"] = metadata
    else:
        event.pop("metadata")
    return event


def _extends(events: List[dict], prefix: List[dict]) -> bool:
    return [_fingerprint(e) for e in events[:len(prefix)]] == [_fingerprint(e) for e in prefix]


def _block_at(events: List[dict], theirs: List[Tuple[Any, float]]) -> Optional[int]:
    """Where the stored current session (its events' fingerprints) sits in `events`: 0 for a tracker
    of the current session (Rasa's retrieve), further on for one of every session (the HTTP API's);
    None when the stored events are not there as one block (another server wrote meanwhile)."""
    ours = [_fingerprint(e) for e in events]
    if not theirs:
        return 0
    for at in range(len(ours) - len(theirs) + 1):
        if ours[at] == theirs[0] and ours[at:at + len(theirs)] == theirs:
            return at
    return None


@contextlib.contextmanager
def _quiet_table_creation() -> Iterator[None]:
    """SQLTrackerStore.__init__ logs a failed CREATE TABLE with SQLAlchemy's multi-line text;
    DurableSQLTrackerStore says it in one line of its own instead."""
    rasa_logger = logging.getLogger(rasa_tracker_store.__name__)

    def drop(record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Could not create tables")

    rasa_logger.addFilter(drop)
    try:
        yield
    finally:
        rasa_logger.removeFilter(drop)


class DurableSQLTrackerStore(ReconnectingSQLTrackerStore):
    """`ReconnectingSQLTrackerStore` that neither forgets nor leaks a conversation while its
    database is unreachable (see the module docstring)."""

    def __init__(self, *args: Any, reconnect_seconds: float = 5, retry_seconds: float = 5,
                 keep_conversations: int = 1000, keep_megabytes: float = 100,
                 keep_kilobytes_per_conversation: float = 1024, **kwargs: Any) -> None:
        self.retry_seconds = float(retry_seconds)
        self.keep_conversations = max(1, int(keep_conversations))
        self.keep_bytes = int(float(keep_megabytes) * 1_000_000)
        self.keep_bytes_per_conversation = int(float(keep_kilobytes_per_conversation) * 1000)
        self._copies: "collections.OrderedDict[Text, _Copy]" = collections.OrderedDict()
        self._copies_bytes = 0
        self._failing_since: Optional[float] = None
        self._retry_task: Optional[asyncio.Task] = None
        self._schema_ready = False
        with _quiet_table_creation():
            super().__init__(*args, reconnect_seconds=reconnect_seconds, **kwargs)
        try:
            self._ensure_schema()
        except Exception as error:
            self._failing_since = time.monotonic()
            logger.error(f"Tracker store: cannot open the conversation database {self._where()} "
                         f"({type(error).__name__}); the bot answers, red flags included, but keeps "
                         f"conversations in this server's memory until the database opens (tried again "
                         f"with every message)")

    # ---------------------------------------------------------------- Rasa's interface
    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._retrieve_durably(sender_id, full=False)

    async def retrieve_full_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._retrieve_durably(sender_id, full=True)

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        try:
            events = [stored_form(event) for event in json.loads(json.dumps([e.as_dict() for e in tracker.events]))]
            if self.event_broker:
                await self.stream_events(tracker)
        except Exception as error:
            logger.error(f"Tracker store: conversation {conversation_hash(sender_id)} could not be serialised "
                         f"({type(error).__name__}); not saved")
            return
        earlier = self._copies.get(sender_id)
        try:
            if earlier is not None and earlier.pending and not _extends(events, earlier.events):
                await self._flush(sender_id)  # an unsaved version this one does not contain
        except Exception as error:
            self._failed("save", error, sender_id)
            logger.error(f"Tracker store: an unsaved version of conversation {conversation_hash(sender_id)} "
                         f"is replaced by one that does not contain it; {len(earlier.events) if earlier else 0} events "
                         f"of it "
                         "dropped")
        self._remember(sender_id, events, pending=True)  # kept until the database has it
        try:
            await self._flush(sender_id, events)
        except Exception as error:
            self._failed("save", error, sender_id)
            self._schedule_retry()

    async def keys(self) -> Iterable[Text]:
        try:
            return await self._attempt("list", self._db_keys)
        except Exception as error:
            self._failed("list the conversations of", error)
            return list(self._copies)

    # ---------------------------------------------------------------- reading
    async def _retrieve_durably(self, sender_id: Text, full: bool) -> Optional[DialogueStateTracker]:
        try:
            await self._flush(sender_id)  # its unsaved events first: the database must not look behind
            events = await self._attempt("read", lambda: self._db_read(sender_id, full))
        except Exception as error:
            self._failed("read", error, sender_id)
            return self._fallback(sender_id, full)
        if any(copy.pending for copy in self._copies.values()):
            self._schedule_retry()  # the database answers: the other pending conversations too
        if not events or not self.domain:
            if not full:
                self._forget(sender_id)
            return None
        events = [stored_form(event) for event in events]  # rows stored before messages were cut
        if not full:
            self._remember(sender_id, events, pending=False)
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _fallback(self, sender_id: Text, full: bool) -> Optional[DialogueStateTracker]:
        copy = self._copies.get(sender_id)
        if copy is not None:
            self._copies.move_to_end(sender_id)
            logger.warning(f"Tracker store: conversation {conversation_hash(sender_id)} continues from this "
                           f"server's copy until the database answers again")
            return DialogueStateTracker.from_dict(sender_id, copy.events, self.domain.slots)
        if full:
            return None
        logger.warning(f"Tracker store: no copy of conversation {conversation_hash(sender_id)} on this server; "
                       f"the person is told that the conversation's record cannot be reached")
        return self.unreachable_record_tracker(sender_id)

    def unreachable_record_tracker(self, sender_id: Text) -> DialogueStateTracker:
        """A new session marked as started without the conversation's record."""
        return DialogueStateTracker.from_events(
            sender_id,
            [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(metadata={RECORD_UNREACHABLE: True}),
             ActionExecuted(ACTION_LISTEN_NAME)],
            self.domain.slots)

    # ---------------------------------------------------------------- writing
    async def _flush(self, sender_id: Text, events: Optional[List[dict]] = None) -> None:
        """Writes the conversation's pending events (`events`: the copy's, already decoded); raises
        when the database does not take them."""
        copy = self._copies.get(sender_id)
        if copy is None or not copy.pending:
            return
        events = copy.events if events is None else events
        stored, outcome, written = await self._attempt("write", lambda: self._db_write(sender_id, events))
        name = conversation_hash(sender_id)
        if outcome == "appended":
            logger.warning(f"Tracker store: conversation {name} was started without its record during the "
                           f"outage; its {written} events are appended to the stored conversation")
        elif outcome == "unmerged":
            logger.error(f"Tracker store: conversation {name} was written by another server while this one "
                         f"could not reach the database; this server's {written} unsaved events are kept as "
                         f"conversation {conversation_hash(self._unmerged_id(sender_id))} (id "
                         f"'<id>#unmerged-<UTC time>'), the stored conversation is left as it is")
        if self._copies.get(sender_id) is copy:  # not replaced meanwhile
            self._remember(sender_id, stored, pending=False)

    def _schedule_retry(self) -> None:
        if self._retry_task is not None and not self._retry_task.done():
            return
        try:
            self._retry_task = asyncio.get_running_loop().create_task(self._retry_pending())
        except RuntimeError:  # no event loop: the next message retries
            pass

    async def _retry_pending(self) -> None:
        while any(copy.pending for copy in self._copies.values()):
            await asyncio.sleep(self.retry_seconds)
            for sender_id in [s for s, copy in list(self._copies.items()) if copy.pending]:
                try:
                    await self._flush(sender_id)
                except Exception as error:
                    self._failed("save", error, sender_id, quiet=True)
                    break  # still unreachable: wait again

    async def stop_retrying(self) -> None:
        """Cancels the background retry (tests; the server just exits)."""
        if self._retry_task is not None:
            self._retry_task.cancel()
            with contextlib.suppress(BaseException):
                await self._retry_task
            self._retry_task = None

    @property
    def pending_conversations(self) -> List[Text]:
        return [sender_id for sender_id, copy in self._copies.items() if copy.pending]

    @property
    def copies_bytes(self) -> int:
        """What the copies weigh (their JSON's length)."""
        return self._copies_bytes

    def _forget(self, sender_id: Text) -> None:
        copy = self._copies.pop(sender_id, None)
        if copy is not None:
            self._copies_bytes -= copy.size

    def _remember(self, sender_id: Text, events: List[dict], pending: bool) -> None:
        copy = _Copy.of(events if pending else _current_session(events), pending)
        self._forget(sender_id)
        if not pending and copy.size > self.keep_bytes_per_conversation:
            return  # the database has it; read from there only
        self._copies[sender_id] = copy
        self._copies_bytes += copy.size
        while len(self._copies) > self.keep_conversations or self._copies_bytes > self.keep_bytes:
            oldest = next((s for s, kept in self._copies.items() if not kept.pending), None)
            if oldest is None:
                break  # only unsaved conversations left: they stay
            self._forget(oldest)

    # ---------------------------------------------------------------- the database (blocking calls)
    async def _attempt(self, what: str, call: Callable[[], Any]) -> Any:
        """`call()` against the database: waits up to reconnect_seconds for it to answer, or tries
        only once while it is known to be failing. Raises what the database raised."""
        async def once():
            return call()

        result = await (once() if self._failing_since is not None else self._retrying(what, once))
        if self._failing_since is not None:
            logger.warning(f"Tracker store: the conversation database answers again (after "
                           f"{time.monotonic() - self._failing_since:.0f}s)")
            self._failing_since = None
        return result

    def _failed(self, what: str, error: BaseException, sender_id: Optional[Text] = None, quiet: bool = False) -> None:
        """One ERROR when the database starts failing, then a WARNING per failed call; never the
        exception's text (SQLAlchemy's carries the statement's parameters: what the person wrote)."""
        first = self._failing_since is None
        if first:
            self._failing_since = time.monotonic()
        conversation = f" conversation {conversation_hash(sender_id)}" if sender_id is not None else ""
        message = (f"Tracker store: could not {what}{conversation}: the conversation database "
                   f"{self._where()} is unreachable or refused it ({type(error).__name__})")
        if first:
            logger.error(f"{message}; conversations continue from this server's copies and unsaved events "
                         f"are written when it answers again")
        elif not quiet:
            logger.warning(message)

    def _where(self) -> Text:
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            return f"(sqlite file {os.path.abspath(url.database or '')})"
        return f"({url.get_backend_name()} on {url.host}:{url.port}/{url.database})"

    def _ensure_schema(self) -> None:
        if not self._schema_ready:
            self.Base.metadata.create_all(self.engine)
            self._schema_ready = True

    def _db_keys(self) -> List[Text]:
        self._ensure_schema()
        with self.session_scope() as session:
            return [sender_id for (sender_id,) in session.query(self.SQLEvent.sender_id).distinct().all()]

    def _stored_events(self, session: Any, sender_id: Text, full: bool) -> List[dict]:
        rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=full).all()
        return [json.loads(row.data) for row in rows]

    def _db_read(self, sender_id: Text, full: bool) -> List[dict]:
        self._ensure_schema()
        with self.session_scope() as session:
            return self._stored_events(session, sender_id, full)

    def _db_write(self, sender_id: Text, events: List[dict]) -> Tuple[List[dict], str, int]:
        """Stores what the database lacks of `events` in one transaction. Returns the stored current
        session afterwards, how (stored | appended | unmerged) and how many events were written."""
        self._ensure_schema()
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            prints = [(name, round(float(stamp or 0.0), 6)) for name, stamp in
                      query.with_entities(self.SQLEvent.type_name, self.SQLEvent.timestamp).all()]
            at = _block_at(events, prints)
            if at is not None:  # the usual case: the database holds ours up to some event
                stored = events[at:at + len(prints)]
                new, outcome = events[at + len(prints):], "stored"
            else:
                stored = self._stored_events(session, sender_id, full=False)
                left = collections.Counter(_fingerprint(e) for e in stored)
                new = []
                for event in events:
                    if left[_fingerprint(event)] > 0:
                        left[_fingerprint(event)] -= 1
                    else:
                        new.append(event)
                marker = _marker_index(events)
                if marker is not None:  # started without its record: its own events follow the stored ones
                    started = {_fingerprint(e) for e in events[max(0, marker - 1):marker + 2]}
                    new, outcome = [e for e in new if _fingerprint(e) not in started], "appended"
                else:
                    outcome = "unmerged"
            new = [_without_marker(event) for event in new]
            target = self._unmerged_id(sender_id) if outcome == "unmerged" else sender_id
            for event in new:
                self._add_row(session, target, event)
            session.commit()
        if not new:
            return stored, "stored", 0
        return (stored if outcome == "unmerged" else stored + new), outcome, len(new)

    @staticmethod
    def _unmerged_id(sender_id: Text) -> Text:
        suffix = f"#unmerged-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
        return sender_id[:255 - len(suffix)] + suffix

    def _add_row(self, session: Any, sender_id: Text, data: dict) -> None:
        """As SQLTrackerStore.save writes an event."""
        said = data.get("parse_data")
        parse_data: Dict[str, Any] = said if isinstance(said, dict) else {}
        said = parse_data.get("intent")
        intent: Dict[str, Any] = said if isinstance(said, dict) else {}
        session.add(self.SQLEvent(sender_id=sender_id, type_name=data.get("event"), timestamp=data.get("timestamp"),
                                  intent_name=intent.get("name"), action_name=data.get("name"),
                                  data=json.dumps(data)))
