"""The conversations of the tracker store, kept summarised in memory, and the overview's figures
for a date range and a channel."""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlencode

from review.conversation import LEVELS, Conversation, Message, median, read_conversation
from review.tracker_source import Stored, TrackerSource
from review.vocabulary import Vocabulary

MAX_DAYS_PLOTTED = 366


def day_of(timestamp: Optional[float]) -> Optional[date]:
    return datetime.fromtimestamp(timestamp, timezone.utc).date() if timestamp is not None else None


def _parse_day(text: Optional[str]) -> Optional[date]:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


@dataclass
class Filters:
    start: Optional[date] = None
    end: Optional[date] = None
    channel: Optional[str] = None
    problems: List[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "Filters":
        """From a query string's `from`, `to` (YYYY-MM-DD, UTC days) and `channel`."""
        raw_start, raw_end = args.get("from") or "", args.get("to") or ""
        filters = cls(_parse_day(raw_start), _parse_day(raw_end), (args.get("channel") or "").strip() or None)
        for name, raw, parsed in (("from", raw_start, filters.start), ("to", raw_end, filters.end)):
            if raw and parsed is None:
                filters.problems.append(f"'{name}' is not a date like 2026-11-30: ignored")
        if filters.start and filters.end and filters.start > filters.end:
            filters.problems.append("'from' is after 'to': the dates are swapped")
            filters.start, filters.end = filters.end, filters.start
        return filters

    def admits(self, conversation: Conversation) -> bool:
        day = day_of(conversation.started)
        if self.start and (day is None or day < self.start):
            return False
        if self.end and (day is None or day > self.end):
            return False
        return not self.channel or self.channel in conversation.channels

    def query(self) -> str:
        """The filters as a query string, for links and plot URLs."""
        pairs = [("from", self.start), ("to", self.end), ("channel", self.channel)]
        return urlencode([(key, str(value)) for key, value in pairs if value])


class ConversationLibrary:
    """Every conversation of the store, read once and read again only when its events changed."""

    def __init__(self, source: TrackerSource, vocabulary: Vocabulary):
        self.source, self.vocabulary = source, vocabulary
        self._cache: Dict[str, Tuple[Stored, Conversation]] = {}
        self._lock = threading.Lock()

    def all(self) -> List[Conversation]:
        with self._lock:
            index = {stored.sender_id: stored for stored in self.source.index()}
            changed = [s for s, stored in index.items() if s not in self._cache or self._cache[s][0] != stored]
            for sender_id, events in self.source.events(changed).items():
                self._cache[sender_id] = (index[sender_id], read_conversation(sender_id, events, self.vocabulary))
            for gone in set(self._cache) - set(index):
                del self._cache[gone]
            conversations = [conversation for _, conversation in self._cache.values()]
        return sorted(conversations, key=lambda c: c.started or 0.0, reverse=True)

    def one(self, sender_id: str) -> Optional[Conversation]:
        events = self.source.events([sender_id]).get(sender_id)
        return read_conversation(sender_id, events, self.vocabulary) if events else None


@dataclass
class Overview:
    conversations: List[Conversation]
    stuck_after: int
    per_day: List[Tuple[date, int]] = field(default_factory=list)
    triage_mix: Dict[str, int] = field(default_factory=dict)
    red_flags: List[Tuple[str, int]] = field(default_factory=list)
    top_causes: List[Tuple[str, int]] = field(default_factory=list)
    feedback: Dict[str, int] = field(default_factory=dict)
    unread: List[Tuple[Conversation, Message]] = field(default_factory=list)
    unread_reasons: List[Tuple[str, int]] = field(default_factory=list)
    failed: int = 0

    @property
    def total(self) -> int:
        return len(self.conversations)

    @property
    def assessed(self) -> List[Conversation]:
        return [c for c in self.conversations if c.assessed]

    @property
    def escalated(self) -> List[Conversation]:
        return [c for c in self.conversations if c.escalated]

    @property
    def stuck(self) -> List[Conversation]:
        return [c for c in self.conversations if c.stuck(self.stuck_after)]

    @property
    def median_turns(self) -> Optional[float]:
        return median([c.turns for c in self.conversations])

    @property
    def assessed_share(self) -> Optional[float]:
        return len(self.assessed) / self.total if self.total else None


def build_overview(conversations: List[Conversation], filters: Filters, stuck_after: int) -> Overview:
    chosen = [c for c in conversations if filters.admits(c)]
    overview = Overview(chosen, stuck_after)
    overview.per_day = _per_day(chosen)
    mix = Counter(c.triage for c in chosen if c.triage)
    overview.triage_mix = {level: mix.get(level, 0) for level in LEVELS}
    overview.red_flags = Counter(flag for c in chosen for flag in c.red_flags).most_common()
    overview.top_causes = Counter(c.top_cause for c in chosen if c.top_cause).most_common(10)
    asked = [c for c in chosen if c.causes]  # "Was this helpful?" follows an assessment with causes
    given = Counter(c.feedback for c in chosen if c.feedback)
    overview.feedback = {"helpful": given.get("helpful", 0), "not_helpful": given.get("not_helpful", 0),
                         "not_given": max(0, len(asked) - sum(given.values()))}
    overview.unread = sorted(((c, m) for c in chosen for m in c.unread), key=lambda pair: pair[1].at or 0.0,
                             reverse=True)
    overview.unread_reasons = Counter(m.unread for _, m in overview.unread if m.unread).most_common()
    overview.failed = sum(1 for c in chosen for m in c.person_messages if m.failed)
    return overview


def _per_day(conversations: List[Conversation]) -> List[Tuple[date, int]]:
    counts = Counter(day for day in (day_of(c.started) for c in conversations) if day is not None)
    if not counts:
        return []
    last = max(counts)
    first = max(min(counts), last - timedelta(days=MAX_DAYS_PLOTTED - 1))
    return [(first + timedelta(days=n), counts.get(first + timedelta(days=n), 0))
            for n in range((last - first).days + 1)]
