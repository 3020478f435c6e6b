"""Rasa's SQL tracker store, waiting for PostgreSQL instead of silently starting over.

Rasa wraps every tracker store in `FailSafeTrackerStore`: when a read fails it hands the processor
NO tracker (the conversation starts again from the greeting) and when a write fails it keeps the
events in memory only. A PostgreSQL restart therefore loses the turns sent while it was down, and
the first turn on each pooled connection that died with it, without an error anybody sees.

`ReconnectingSQLTrackerStore` is `rasa.core.tracker_store.SQLTrackerStore` (same tables, same
settings) with two changes:
- the connection pool pings a connection before using it (`pool_pre_ping`), so connections that
  died with a restart are replaced instead of failing a turn;
- `retrieve`, `retrieve_full_tracker` and `save` retry on a lost connection, with back-off, for up
  to `reconnect_seconds` (default 30) before giving up (and then Rasa's fail-safe takes over as
  before). A save is retried whole: it writes only the events past those already stored, in one
  transaction, so a retry cannot store an event twice.

    tracker_store:
      type: cluster.tracker_store.ReconnectingSQLTrackerStore
      dialect: postgresql
      url: ${POSTGRES_HOST}
      ...
      reconnect_seconds: 30      # optional
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Optional, Text

import sqlalchemy as sa
from rasa.core import tracker_store as rasa_tracker_store
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

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
                logger.warning(f"Tracker store {what} failed, database unreachable; retrying in {delay:.1f}s: "
                               f"{str(error).splitlines()[0]}")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._retrying("read", lambda: super(ReconnectingSQLTrackerStore, self).retrieve(sender_id))

    async def retrieve_full_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._retrying(
            "read", lambda: super(ReconnectingSQLTrackerStore, self).retrieve_full_tracker(sender_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        return await self._retrying("write", lambda: super(ReconnectingSQLTrackerStore, self).save(tracker))
