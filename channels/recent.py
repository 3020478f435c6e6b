"""Remember which deliveries were handled, so a chat app's retry is answered only once."""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Hashable


class RecentIds:
    """Ids seen in the last `ttl` seconds, at most `size` of them (the oldest are forgotten first).

    In memory, per process: enough for Rasa's single-process server. Slack retries an event
    within about 5 minutes and Telegram retries an update for up to a day, far less often than
    the messages of one person, so an hour and 10,000 ids cover both.
    """

    def __init__(self, ttl: float = 3600.0, size: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self.ttl, self.size, self.clock = ttl, size, clock
        self._seen: "OrderedDict[Hashable, float]" = OrderedDict()

    def _forget_old(self, now: float) -> None:
        while self._seen and (len(self._seen) > self.size or next(iter(self._seen.values())) < now - self.ttl):
            self._seen.popitem(last=False)

    def first_time(self, key: Hashable) -> bool:
        """True the first time `key` is seen (and remember it); False while it is remembered."""
        now = self.clock()
        self._forget_old(now)
        if key in self._seen:
            return False
        self._seen[key] = now
        self._forget_old(now)
        return True

    def __contains__(self, key: Hashable) -> bool:
        self._forget_old(self.clock())
        return key in self._seen
