"""Reviewers' sessions, in the review server's memory: a random token in an HttpOnly, SameSite=Strict
cookie, a CSRF token per session for every form, an idle timeout and a maximum age. A restart of
the server signs everyone out. Repeated failed logins of one name are slowed down."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

IDLE_SECONDS = 30 * 60
MAX_SECONDS = 8 * 60 * 60
FAILURES_BEFORE_LOCK = 5
LOCK_SECONDS = 60


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass
class Session:
    reviewer: str
    csrf: str
    opened: float
    seen: float

    def csrf_ok(self, token: Optional[str]) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf.encode(), str(token).encode("utf-8", "replace"))


@dataclass
class Sessions:
    idle_seconds: float = IDLE_SECONDS
    max_seconds: float = MAX_SECONDS
    clock: Callable[[], float] = time.monotonic
    _open: Dict[str, Session] = field(default_factory=dict)

    def open(self, reviewer: str) -> str:
        """A new session; returns its token (the cookie's value)."""
        self._forget_expired()
        token, now = secrets.token_urlsafe(32), self.clock()
        self._open[_key(token)] = Session(reviewer, secrets.token_urlsafe(32), now, now)
        return token

    def get(self, token: Optional[str]) -> Optional[Session]:
        if not token:
            return None
        key, now = _key(token), self.clock()
        session = self._open.get(key)
        if session is None:
            return None
        if now - session.seen > self.idle_seconds or now - session.opened > self.max_seconds:
            del self._open[key]
            return None
        session.seen = now
        return session

    def close(self, token: Optional[str]) -> None:
        if token:
            self._open.pop(_key(token), None)

    def _forget_expired(self) -> None:
        now = self.clock()
        for key in [k for k, s in self._open.items()
                    if now - s.seen > self.idle_seconds or now - s.opened > self.max_seconds]:
            del self._open[key]


@dataclass
class LoginThrottle:
    """After FAILURES_BEFORE_LOCK failed logins for one name, that name waits LOCK_SECONDS."""
    clock: Callable[[], float] = time.monotonic
    _failures: Dict[str, List[float]] = field(default_factory=dict)

    def locked(self, name: str) -> bool:
        recent = [t for t in self._failures.get(name.lower(), []) if self.clock() - t < LOCK_SECONDS]
        self._failures[name.lower()] = recent
        return len(recent) >= FAILURES_BEFORE_LOCK

    def failed(self, name: str) -> None:
        if len(self._failures) > 10_000:  # many names tried: keep only those failing now
            self._failures = {k: v for k, v in self._failures.items() if v and self.clock() - v[-1] < LOCK_SECONDS}
        self._failures.setdefault(name.lower(), []).append(self.clock())

    def succeeded(self, name: str) -> None:
        self._failures.pop(name.lower(), None)
